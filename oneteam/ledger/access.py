"""Who may read the record as a whole.

The ledger spans every township and carries payloads from every context, so its
lists are not scoped per township: they are open to system administrators and
the guidance office's supervisors (督查人员) only. An object's own history is
shown by the app that owns the object, under that object's access rules.
"""

from __future__ import annotations

from oneteam.org.choices import Role

READER_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def may_read_ledger(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role(*READER_ROLES))
