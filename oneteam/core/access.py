"""The access choke point.

:func:`scope_for` turns a user into a :class:`Scope`: what part of the county
their body and roles let them see. Every model's ``visible_to(user)`` queryset
method applies a scope; pages and the API only read through those methods, so
a rule decided here holds everywhere. Objects outside the scope are 404, never
403: "forbidden" and "missing" look the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    #: Sees nothing (anonymous, inactive, or a staff account without a body).
    nothing: bool = False
    #: Sees every row (command centre, guidance office, oversight bodies, admins).
    everything: bool = False
    #: Sees every division (departments work county-wide) but not every person.
    all_divisions: bool = False
    #: Townships whose rows are visible.
    township_ids: frozenset[int] = field(default_factory=frozenset)
    #: The user's own body and the bodies under it (a department's dispatched teams).
    body_ids: frozenset[int] = field(default_factory=frozenset)

    def sees_all_of(self, township_id: int | None) -> bool:
        """Whether every row of ``township_id`` (of the whole county for None)
        is visible: then the township filter alone is the access rule, and
        what is visible does not follow parties, which every action changes."""
        return self.everything or bool(township_id and not self.nothing and township_id in self.township_ids)


NOTHING = Scope(nothing=True)
EVERYTHING = Scope(everything=True, all_divisions=True)


def scope_for(user) -> Scope:
    """The scope of ``user``, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_oneteam_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._oneteam_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    from oneteam.org.choices import Role
    from oneteam.org.models import CITYWIDE_OVERSIGHT_KINDS, Body

    body = user.body
    # The user's own body (and the bodies under it) even for those who see
    # everything: "my inbox", "sent by my body" need it.
    body_ids = (frozenset([body.pk, *Body.objects.filter(parent=body).values_list("pk", flat=True)])
                if body is not None else frozenset())
    if user.is_superuser or user.has_role(Role.ADMIN) or (body is not None and body.kind in CITYWIDE_OVERSIGHT_KINDS):
        return Scope(everything=True, all_divisions=True, body_ids=body_ids)
    if body is None:
        return NOTHING
    if body.township_id:
        return Scope(township_ids=frozenset([body.township_id]), body_ids=body_ids)
    # Departments, police, procuratorate, court, finance, prefecture bodies:
    # county-wide remit over places, their own people only.
    return Scope(all_divisions=True, body_ids=body_ids)
