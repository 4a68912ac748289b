"""Driving leads through the event flow at random, for the roll-up tests."""

from __future__ import annotations

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oneteam.command import services
from oneteam.command.services import Intake
from oneteam.workflow import services as kernel
from oneteam.workflow.models import Process, ProcessDeadline

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

SKIP = {"merge", "handle_on_spot", "enforce_on_spot"}


def photo():
    return SimpleUploadedFile("p.png", PNG, content_type="image/png")


def report(world, *, other: bool = False) -> Process:
    lng = 120.71 if other else 120.61
    intake = Intake(channel="grid_patrol", category="ZDJY", description="菜场门口占道摆摊", lng=lng, lat=27.71)
    return services.report_event(intake, actor=world.other_gridder if other else world.gridder).event.process


def _data(world, rng: random.Random, process: Process, name: str) -> tuple[dict, str, list]:
    cat = world.category
    if name == "file":
        return {"conditions": cat.filing_conditions}, "", []
    if name == "dispatch":
        if process.township_id == world.township.pk:
            return {"body": rng.choice([world.team, world.committee]).pk}, "", []
        return {"body": world.other_team.pk}, "", []
    if name == "coordinate":
        return {"body": world.department.pk}, "", []
    if name == "request_coordination":
        return {"coordination_kind": "assistance"}, "需协调", []
    if name == "report_back":
        return {"result": "已处置"}, "", [photo()]
    if name == "report_check":
        return {"check_verdict": rng.choice(["passed", "failed"]), "check_note": "已到现场核实"}, "", [photo()]
    if name == "close":
        return {"conditions": cat.closing_conditions}, "", []
    if name == "evaluate":
        return {"satisfaction": rng.choice(["very_satisfied", "satisfied", "neutral", "dissatisfied"])}, "", []
    return {}, "理由", []


def walk(world, process: Process, rng: random.Random, *, steps: int = 12, late: float = 0.3) -> None:
    """Take up to ``steps`` random permitted actions; before each, with
    probability ``late``, make every running clock overdue."""
    actors = [world.dispatcher, world.other_dispatcher, world.centre_dispatcher, world.officer, world.gridder,
              world.other_officer, world.dept_handler]
    for _ in range(steps):
        process.refresh_from_db()
        options = []
        for actor in actors:
            for action in kernel.available_actions(process, actor):
                if action.name not in SKIP:
                    options.append((action.name, actor))
        if not options:
            return
        name, actor = rng.choice(sorted(options, key=lambda o: (o[0], o[1].pk)))
        if rng.random() < late:
            ProcessDeadline.objects.filter(process=process, stopped_at__isnull=True).update(
                due_at=timezone.now() - timezone.timedelta(hours=1))
            kernel.sync_next_due([process.pk])
        data, reason, attachments = _data(world, rng, process, name)
        kernel.perform(process, name, actor=actor, data=data, reason=reason, attachments=attachments)
