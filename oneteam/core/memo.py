"""Per-process memos of reference data read on every request.

Intake reads the same few rows for every lead: the external system behind an
API key, the event category, the township, its command room, the city
command centre, the competence resolver's answer. They change a few times a
year; reading them from the database on every request is most of what a lead
costs. A :class:`Memo` keeps such answers in this process:

- any save or delete of a watched model *in this process* drops the memo at
  once (Django's ``post_save``/``post_delete`` signals) and moves the memo's
  generation (:class:`~oneteam.core.models.MemoGeneration`, in the saving
  transaction, so a rolled-back change moves nothing);
- every process reads that generation at most every ``recheck`` seconds
  (one primary-key look-up) and drops its memo when it moved, so a change
  made in one server process is seen by all within ``recheck`` seconds,
  and an unchanged memo is never dropped (no periodic cold start).

Writes that send no signals (``bulk_create``, ``QuerySet.update``, raw SQL)
must call :meth:`Memo.changed` themselves. Values must be treated as
read-only: they are shared between threads. Tests clear every memo between
tests (``clear_all``, root ``conftest.py``).

Usage::

    _towns = Memo("org.townships", watch=["org.Township", "org.City"])

    def township(pk):
        return _towns.get(("pk", pk), lambda: Township.objects.select_related("city").get(pk=pk))
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import F

T = TypeVar("T")

_registry: list[Memo] = []


class Memo:
    """A dictionary of computed answers, dropped on change (see the module docstring)."""

    def __init__(self, name: str, *, watch: Iterable[str] = (), recheck: float = 5.0) -> None:
        self.name = name
        self.watch = tuple(watch)
        self.recheck = recheck
        self._data: dict[Any, Any] = {}
        self._generation: int | None = None
        self._checked = -math.inf
        self._lock = threading.Lock()
        self._connected = False
        _registry.append(self)

    def get(self, key: Any, compute: Callable[[], T], *, keep: Callable[[T], bool] | None = None) -> T:
        """The memoised answer for ``key``, computing (and keeping) it on a miss.
        An exception from ``compute`` is not kept, nor an answer ``keep`` refuses
        (e.g. "no such key" answers to arbitrary input, which must not grow the memo)."""
        if not self._connected:
            self._connect()
        now = time.monotonic()
        if now - self._checked > self.recheck:
            self._check(now)
        try:
            return self._data[key]
        except KeyError:
            pass
        value = compute()
        if keep is not None and not keep(value):
            return value
        with self._lock:
            self._data[key] = value
        return value

    def _check(self, now: float) -> None:
        from .models import MemoGeneration

        generation = MemoGeneration.objects.filter(name=self.name).values_list("generation", flat=True).first() or 0
        with self._lock:
            if generation != self._generation:
                self._data = {}
                self._generation = generation
            self._checked = now

    def prune(self, drop: Callable[[Any], bool]) -> None:
        """Forget the answers whose key ``drop`` accepts in this process (keys
        that can no longer be asked for, such as yesterday's window)."""
        with self._lock:
            if any(drop(key) for key in self._data):
                self._data = {key: value for key, value in self._data.items() if not drop(key)}

    def clear(self) -> None:
        """Drop every answer in this process (the next ``get`` re-reads the generation)."""
        with self._lock:
            self._data = {}
            self._generation = None
            self._checked = -math.inf

    def changed(self, *_args: Any, **_kwargs: Any) -> None:
        """The data behind the memo changed: drop it here and move the
        generation so other processes drop theirs (also the signal receiver,
        hence the ignored arguments)."""
        from .models import MemoGeneration

        self.clear()
        if not MemoGeneration.objects.filter(name=self.name).update(generation=F("generation") + 1):
            MemoGeneration.objects.get_or_create(name=self.name, defaults={"generation": 1})

    def _connect(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        with self._lock:
            if self._connected:
                return
            for label in self.watch:
                model = apps.get_model(label)
                uid = f"memo:{self.name}:{label}"
                post_save.connect(self.changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
                post_delete.connect(self.changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
            self._connected = True

    def __repr__(self) -> str:
        return f"<Memo {self.name}: {len(self._data)} answers, generation {self._generation}>"


def clear_all() -> None:
    """Drop every memo of this process (tests; after a bulk load that bypassed signals)."""
    for memo in _registry:
        memo.clear()
