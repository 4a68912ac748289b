"""The single command-line entry: ``oneteam <command>`` runs Django's management
commands under OneTeam's settings (``oneteam demo``, ``oneteam serve`` …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneteam.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "oneteam"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
