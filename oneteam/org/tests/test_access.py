import pytest

from oneteam.core.access import scope_for
from oneteam.org.models import Township, User

pytestmark = pytest.mark.django_db


def test_township_staff_see_only_their_township(cast):
    assert list(Township.objects.visible_to(cast.dispatcher)) == [cast.township]


def test_command_centre_sees_every_township(cast):
    assert set(Township.objects.visible_to(cast.centre_dispatcher)) == {cast.township, cast.other_township}


def test_department_sees_divisions_but_only_its_people(cast):
    assert Township.objects.visible_to(cast.dept_handler).count() == 2
    assert list(User.objects.visible_to(cast.dept_handler)) == [cast.dept_handler]


def test_anonymous_sees_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()).nothing
    assert not Township.objects.visible_to(AnonymousUser()).exists()


def test_who_sees_all_of_a_township(cast):
    """``Scope.sees_all_of``: when the township filter alone is the access
    rule (a command room's short-cut past the party test)."""
    from django.contrib.auth.models import AnonymousUser

    here, there = cast.township.pk, cast.other_township.pk
    assert scope_for(cast.dispatcher).sees_all_of(here)
    assert not scope_for(cast.dispatcher).sees_all_of(there)
    assert not scope_for(cast.dispatcher).sees_all_of(None)  # not the whole county
    centre = scope_for(cast.centre_dispatcher)
    assert centre.sees_all_of(here) and centre.sees_all_of(there) and centre.sees_all_of(None)
    # A department works county-wide but sees leads through its parties only.
    assert not scope_for(cast.dept_handler).sees_all_of(here)
    assert not scope_for(AnonymousUser()).sees_all_of(here)
