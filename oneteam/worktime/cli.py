"""Command-line helpers shared by ``oneteam deadline`` and ``oneteam calendar``:
Chinese one-line usage errors with exit status 2."""

from __future__ import annotations

import re
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

USAGE_STATUS = 2

_ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 需要一个值"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "参数 {0} 的值无效：{2}"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"argument (\S+): invalid choice: (\S+)"), "参数 {0} 的取值无效：{1}"),
    (re.compile(r"one of the arguments (.+) is required"), "必须指定以下参数之一：{0}"),
]


def translate_argparse(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        m = pattern.search(message)
        if m:
            return template.format(*m.groups())
    return message


class ChineseCommandParser(CommandParser):
    """A command parser whose errors are one Chinese line and exit status 2."""

    def error(self, message):
        text = translate_argparse(str(message))
        if self.called_from_command_line:
            self.exit(USAGE_STATUS, f"错误：{text}（用法见 {self.prog} --help）\n")
        raise CommandError(text, returncode=USAGE_STATUS)


class ChineseUsageCommand(BaseCommand):
    """Base for commands that report bad input as one Chinese line, exit status 2."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = ChineseCommandParser  # same layout; only error() differs
        return parser

    def usage_error(self, message: str) -> None:
        """Stop with ``错误:message`` on stderr and exit status 2 (or raise
        CommandError when called from code, e.g. ``call_command``)."""
        if getattr(self, "_called_from_command_line", False):
            self.stderr.write(f"错误：{message}")
            sys.exit(USAGE_STATUS)
        raise CommandError(message, returncode=USAGE_STATUS)
