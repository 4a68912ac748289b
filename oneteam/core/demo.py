"""Loading the demo: each app may have a ``demo`` module with

    def load(ctx: DemoContext) -> None

which must be idempotent (a second run changes nothing and loses nothing:
look records up by natural key, create only what is missing). Apps are loaded
in ``INSTALLED_APPS`` order, so an app can rely on the demo data of the apps
above it. ``ctx.credentials`` collects the log-ins and keys printed at the end.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction


@dataclass
class DemoContext:
    stdout: object
    verbosity: int = 1
    credentials: list[tuple[str, str, str]] = field(default_factory=list)  # (who, username/key, secret)
    notes: list[str] = field(default_factory=list)
    #: Where the server the demo starts will answer (for the URLs it prints).
    base_url: str = "http://127.0.0.1:8000"

    def say(self, message: str) -> None:
        if self.verbosity:
            self.stdout.write(message)


def demo_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("oneteam."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if module.__name__ == __name__:  # this module is the loader, not an app's demo
            continue
        yield config, module


def load_demo(ctx: DemoContext) -> DemoContext:
    for config, module in demo_modules():
        ctx.say(f"· {config.verbose_name} …")
        with transaction.atomic():
            module.load(ctx)
    return ctx
