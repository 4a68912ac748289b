import io

import pytest

from oneteam.catalog import demo as catalog_demo
from oneteam.catalog.models import EmpowermentDecision, EmpowermentRequest, Matter
from oneteam.catalog.resolver import who_handles
from oneteam.core.demo import DemoContext
from oneteam.org import demo as org_demo
from oneteam.workflow.models import Process

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_load_twice_answers_every_mode_and_changes_nothing():
    ctx = DemoContext(stdout=io.StringIO(), verbosity=0)
    org_demo.load(ctx)
    catalog_demo.load(ctx)
    counts = (Matter.objects.count(), EmpowermentDecision.objects.count(), EmpowermentRequest.objects.count())
    assert 45 <= counts[0] <= 60
    catalog_demo.load(ctx)
    assert (Matter.objects.count(), EmpowermentDecision.objects.count(), EmpowermentRequest.objects.count()) == counts
    assert who_handles("330202001000", township="安阳街道").body.code == "T001-TEAM"
    assert who_handles("330602022000", township="北麂乡").body.code == "T004-TEAM"
    assert who_handles("330702007000", township="潘岱街道").body.code == "T012-SCJG"
    assert set(Process.objects.filter(kind="empowerment").values_list("state", flat=True)) == {
        "published", "awaiting_staffing"}
    retired = "330902030000"  # dropped by the 2024 edition of the township guidance catalog
    for matter in Matter.objects.exclude(code=retired):  # every matter in force today has an answer
        assert who_handles(matter, township="芳庄乡").body is not None
