"""``rows.insert``: the same rows as the ORM's save, in one statement."""

import datetime as dt

import pytest
from django.utils import timezone

from oneteam.core import rows
from oneteam.workflow.models import Party, Process, Transition

pytestmark = pytest.mark.django_db


def new_process(cast, number):
    now = timezone.now()
    return Process(kind="drill", number=number, title="演练", state="new", township=cast.township,
                   initiator_body=cast.command_room, created_at=now, updated_at=now, data={"a": [1, "二"]})


def test_insert_sets_keys_defaults_and_json(cast):
    a, b = new_process(cast, "T-1"), new_process(cast, "T-2")
    rows.insert([a, b])
    assert a.pk and b.pk and a.pk != b.pk and not a._state.adding
    stored = Process.objects.get(pk=b.pk)
    assert stored.number == "T-2" and stored.data == {"a": [1, "二"]} and stored.version == 1
    assert stored.created_at == b.created_at


def test_related_object_saved_after_assignment_gives_its_key(cast):
    process = new_process(cast, "T-3")
    party = Party(process=process, body=cast.team, role="assignee", added_at=timezone.now())
    rows.insert([process])  # saved after the party was built
    rows.insert([party])
    assert Party.objects.get(pk=party.pk).process_id == process.pk


def test_insert_matches_orm_save(cast):
    process = new_process(cast, "T-4")
    rows.insert([process])
    at = timezone.now() - dt.timedelta(minutes=5)
    fast = Transition(process=process, seq=1, action="start", to_state="new", body=cast.command_room, at=at)
    rows.insert([fast])
    slow = Transition(process=process, seq=2, action="start", to_state="new", body=cast.command_room, at=at)
    slow.save()
    columns = [f.attname for f in Transition._meta.concrete_fields if f.attname not in ("id", "seq")]
    a, b = Transition.objects.filter(pk__in=[fast.pk, slow.pk]).order_by("seq").values(*columns)
    assert a == b


def test_mixed_models_refused(cast):
    with pytest.raises(TypeError):
        rows.insert([new_process(cast, "T-5"), Party()])


def test_values_the_orm_converts_are_converted(cast):
    """A plain value is passed on as it is; any other goes through the field's
    own preparation, as in ``save()``: a lazy string, a number as text."""
    from django.utils.functional import lazy

    process = new_process(cast, "T-6")
    process.title, process.version = lazy(str, str)("演练"), "3"
    rows.insert([process])
    stored = Process.objects.values("title", "version").get(pk=process.pk)
    assert stored == {"title": "演练", "version": 3}
    assert rows._plain(Process._meta.get_field("title")) == {str, type(None)}
    assert rows._plain(Process._meta.get_field("initiator_body")) == {int, type(None)}
    assert rows._plain(Process._meta.get_field("data")) == set()  # a JSONField is always prepared
