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
