"""Hooks other contexts attach to the kernel without the kernel depending on
them (e.g. ``oversight`` keeps its per-unit roll-ups current).

A hook runs inside the action's transaction, after the state change, the
transition, the ledger entry and the deadline updates are written: what it
writes commits or rolls back with the action. It must not raise for ordinary
data; an exception aborts the action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

AfterAction = Callable[..., None]

_after_action: list[AfterAction] = []


def register_after_action(func: AfterAction) -> AfterAction:
    """``func(transition, *, process, deadlines, parties)`` after every start
    and action; ``deadlines`` are the ``ProcessDeadline`` rows the action
    started, stopped, paused, resumed, extended or cancelled (as saved);
    ``parties`` the ``Party`` rows of a process just started (``None`` after an
    action: read them if needed)."""
    if func not in _after_action:
        _after_action.append(func)
    return func


def unregister_after_action(func: AfterAction) -> None:
    if func in _after_action:
        _after_action.remove(func)


def run_after_action(transition, *, process, deadlines: list[Any], parties: list[Any] | None = None) -> None:
    for func in list(_after_action):
        func(transition, process=process, deadlines=deadlines, parties=parties)
