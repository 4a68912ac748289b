"""A flow declared only for tests ("drill"), exercising every kernel feature:
parties and roles, reason, fields copied to the record, attachments,
certified officers, a handler that changes parties, start/stop/pause/resume/
extend deadlines, rework and satisfaction metrics."""

from __future__ import annotations

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import Role
from oneteam.org.models import Body
from oneteam.workflow.declare import (
    Action,
    CountsAs,
    ExtendDeadline,
    Flow,
    PartyRole,
    PauseDeadline,
    Requires,
    ResumeDeadline,
    StartDeadline,
    State,
    StopDeadline,
)
from oneteam.workflow.models import ProcessRecord
from oneteam.worktime.engine import Period, PeriodKind


class DrillRecord(ProcessRecord):
    """Test-only record model (table created by the tests' conftest)."""

    address = models.CharField(_("地址"), max_length=100, blank=True)
    result = models.CharField(_("处置结果"), max_length=200, blank=True)
    referred_to = models.CharField(_("转办单位"), max_length=100, blank=True)

    class Meta:
        app_label = "workflow"
        db_table = "workflow_test_drillrecord"

    def __str__(self) -> str:
        return str(self.pk)


def create_table() -> None:
    with connection.schema_editor() as editor:
        editor.create_model(DrillRecord)


def refer(ctx) -> None:
    """Handler: hand the process to another body (parties change in the transaction)."""
    try:
        body = Body.objects.get(pk=int(ctx.data["body_id"]))
    except (Body.DoesNotExist, ValueError, TypeError):
        raise InvalidInput("转办单位不存在。", code="body_unknown") from None
    ctx.replace_assignees([body])
    ctx.record.referred_to = body.name


WD = PeriodKind.WORKING_DAYS

FLOW = Flow(
    kind="drill",
    label=_("演练事项"),
    route="drills",
    model="workflow.DrillRecord",
    number_prefix="YL",
    states=[
        State("sent", _("已派发")),
        State("accepted", _("已签收")),
        State("suspended", _("已中止")),
        State("reported", _("已反馈")),
        State("closed", _("已办结"), terminal=True),
        State("withdrawn", _("已撤回"), terminal=True),
    ],
    initial="sent",
    start_deadlines=[StartDeadline("response", Period(WD, 2))],
    actions=[
        Action(
            "accept",
            _("签收"),
            source=["sent"],
            target="accepted",
            parties=[PartyRole.ASSIGNEE],
            roles=[Role.ENFORCEMENT_OFFICER, Role.DISPATCHER, Role.DEPARTMENT_HANDLER],
            counts_as=CountsAs.RESPONSE,
            deadlines=[StopDeadline("response"), StartDeadline("handling", Period(WD, 5))],
        ),
        Action(
            "suspend",
            _("中止"),
            source=["accepted"],
            target="suspended",
            parties=[PartyRole.ASSIGNEE],
            requires=Requires(reason=True),
            deadlines=[PauseDeadline("handling")],
        ),
        Action(
            "resume",
            _("恢复"),
            source=["suspended"],
            target="accepted",
            parties=[PartyRole.ASSIGNEE],
            deadlines=[ResumeDeadline("handling")],
        ),
        Action(
            "extend",
            _("申请延期"),
            source=["accepted"],
            target="accepted",
            parties=[PartyRole.ASSIGNEE],
            deadlines=[ExtendDeadline("handling", Period(WD, 5), max_times=1)],
        ),
        Action(
            "report",
            _("反馈"),
            source=["accepted"],
            target="reported",
            parties=[PartyRole.ASSIGNEE],
            roles=[Role.ENFORCEMENT_OFFICER],
            counts_as=CountsAs.HANDLING,
            requires=Requires(fields=["result"], attachments=1, certified_officers=2),
            deadlines=[StopDeadline("handling")],
        ),
        Action(
            "rework",
            _("退回重办"),
            source=["reported"],
            target="accepted",
            parties=[PartyRole.INITIATOR],
            requires=Requires(reason=True),
            counts_as=CountsAs.REWORK,
            style="danger",
            deadlines=[StartDeadline("handling", Period(WD, 3))],
        ),
        Action(
            "close",
            _("办结"),
            source=["reported"],
            target="closed",
            parties=[PartyRole.INITIATOR],
            counts_as=CountsAs.SATISFACTION,
        ),
        Action(
            "refer",
            _("转办"),
            source=["accepted", "sent"],
            target="sent",
            parties=[PartyRole.SUPERVISOR],
            roles=[Role.SUPERVISOR],
            requires=Requires(fields=["body_id"]),
            handler=refer,
            deadlines=[StopDeadline("handling"), StartDeadline("response", Period(WD, 2))],
        ),
        Action(
            "withdraw",
            _("撤回"),
            source=["sent"],
            target="withdrawn",
            parties=[PartyRole.INITIATOR],
            requires=Requires(reason=True),
            style="danger",
        ),
    ],
)
