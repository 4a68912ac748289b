import datetime as dt

import pytest
from django.urls import reverse

from oneteam.core.errors import InvalidInput
from oneteam.core.testing import certify, make_township, make_user
from oneteam.ledger.models import LedgerEntry
from oneteam.org import services
from oneteam.org.choices import EnforcementMode, Role
from oneteam.org.models import LoginEvent, ModeDecision

pytestmark = pytest.mark.django_db


def test_mode_on_before_and_after_change(cast):
    t = cast.other_township  # dispatched since 2022-08-31
    services.do_record_mode_decision(t, actor=cast.admin, mode=EnforcementMode.EMPOWERED,
                                     effective_from=dt.date(2024, 1, 1), decision_no="升级〔2023〕1号")
    assert t.mode_on(dt.date(2022, 8, 30)) is None
    assert t.mode_on(dt.date(2023, 12, 31)).mode == EnforcementMode.DISPATCHED
    assert t.mode_on(dt.date(2024, 1, 1)).mode == EnforcementMode.EMPOWERED
    # History is kept: both decisions remain.
    assert ModeDecision.objects.filter(township=t).count() == 2
    entry = LedgerEntry.objects.filter(action="org.mode_decision").last()
    assert entry.payload["mode"] == "empowered" and entry.actor_id == cast.admin.pk


def test_mode_decision_same_day_refused(cast):
    with pytest.raises(InvalidInput) as exc:
        services.do_record_mode_decision(cast.township, actor=None, mode=EnforcementMode.DISPATCHED,
                                         effective_from=dt.date(2022, 8, 31), decision_no="x")
    assert exc.value.code == "duplicate_decision_date"


def test_hub_served_requires_hub_and_hub_not_itself_served(cast):
    with pytest.raises(InvalidInput):
        services.do_record_mode_decision(cast.other_township, actor=None, mode=EnforcementMode.HUB_SERVED,
                                         effective_from=dt.date(2025, 1, 1), decision_no="x")
    served = make_township("丙乡", mode=EnforcementMode.HUB_SERVED, hub=cast.township)
    with pytest.raises(InvalidInput) as exc:
        services.do_record_mode_decision(cast.other_township, actor=None, mode=EnforcementMode.HUB_SERVED,
                                         hub=served, effective_from=dt.date(2025, 1, 1), decision_no="x")
    assert exc.value.code == "hub_is_served"


def test_require_certified_officers_refuses_expired_and_single(cast):
    today = dt.date.today()
    services.require_certified_officers([cast.officer, cast.officer2], on=today)
    with pytest.raises(InvalidInput) as exc:
        services.require_certified_officers([cast.officer, cast.officer], on=today)
    assert exc.value.code == "officers_required"
    expired = make_user(cast.team, Role.ENFORCEMENT_OFFICER)
    certify(expired, valid_from=today - dt.timedelta(days=800), valid_until=today - dt.timedelta(days=1))
    with pytest.raises(InvalidInput) as exc:
        services.require_certified_officers([cast.officer, expired], on=today)
    assert exc.value.code == "certificate_invalid"
    assert str(expired) in exc.value.message
    # On a day when it was still valid, the same officer may act.
    services.require_certified_officers([cast.officer, expired], on=today - dt.timedelta(days=2))


def test_aux_staff_without_certificate_cannot_be_officer(cast):
    with pytest.raises(InvalidInput):
        services.require_certified_officers([cast.officer, cast.auxiliary], on=dt.date.today())


def test_revoke_certificate_keeps_record(cast):
    cert = cast.officer.certificates.get()
    services.do_revoke_certificate(cert, actor=cast.admin, on=dt.date.today(), reason="调离执法岗位")
    cert.refresh_from_db()
    assert cert.revoked_on == dt.date.today()
    assert not cast.officer.is_certified()
    with pytest.raises(InvalidInput):
        services.do_revoke_certificate(cert, actor=cast.admin, on=dt.date.today(), reason="again")


def test_expiring_certificates_within_warning_window(cast):
    today = dt.date.today()
    soon = make_user(cast.team, Role.ENFORCEMENT_OFFICER)
    certify(soon, valid_until=today + dt.timedelta(days=30))
    from oneteam.org.models import EnforcementCertificate

    assert list(EnforcementCertificate.objects.expiring(60, today).values_list("user", flat=True)) == [soon.pk]


def test_login_lockout_after_repeated_failures(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "dispatcher", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "dispatcher", "password": "oneteam-demo"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    kinds = list(LoginEvent.objects.filter(username="dispatcher").values_list("kind", flat=True))
    assert kinds.count("failed") >= 3 and "locked" in kinds


def test_login_success_recorded(client, cast):
    response = client.post(reverse("login"), {"username": "dispatcher", "password": "oneteam-demo"})
    assert response.status_code == 302
    assert LoginEvent.objects.filter(username="dispatcher", kind="login").exists()


def test_password_change_page(client, cast):
    client.force_login(cast.dispatcher)
    response = client.post(reverse("password_change"), {
        "old_password": "oneteam-demo", "new_password1": "Zq9-strong-pass", "new_password2": "Zq9-strong-pass",
    })
    assert response.status_code == 302
    cast.dispatcher.refresh_from_db()
    assert cast.dispatcher.check_password("Zq9-strong-pass")


def test_demo_load_is_idempotent(db):
    import io

    from oneteam.core.demo import DemoContext, load_demo
    from oneteam.org.models import Body, Grid, Township, User

    load_demo(DemoContext(stdout=io.StringIO(), verbosity=0))
    counts = (Township.objects.count(), Grid.objects.count(), Body.objects.count(), User.objects.count(),
              LedgerEntry.objects.count())
    user = User.objects.get(username="zhihui")
    user.set_password("changed-by-user-1")
    user.save()
    load_demo(DemoContext(stdout=io.StringIO(), verbosity=0))
    assert (Township.objects.count(), Grid.objects.count(), Body.objects.count(), User.objects.count(),
            LedgerEntry.objects.count()) == counts
    assert counts[0] == 23
    assert User.objects.get(username="zhihui").check_password("changed-by-user-1")
    from oneteam.org import geo

    geo.invalidate()
    assert geo.locate(120.65, 27.78).township_name == "安阳街道"
    beiji = Township.objects.get(name="北麂乡").mode_on(dt.date(2026, 1, 1))
    assert beiji.mode == EnforcementMode.HUB_SERVED and beiji.hub.name == "东山街道"
    taoshan = Township.objects.get(name="陶山镇")
    assert taoshan.mode_on(dt.date(2023, 12, 31)).mode == EnforcementMode.DISPATCHED
    assert taoshan.mode_on(dt.date(2024, 1, 1)).mode == EnforcementMode.EMPOWERED
