from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors, services
from ..models import Attachment, Notification, Party, Process, ProcessDeadline, Transition


class PartySerializer(serializers.ModelSerializer):
    body_name = serializers.CharField(source="body.name", read_only=True)

    class Meta:
        model = Party
        fields = ["body", "body_name", "role", "active", "added_at", "removed_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(source="blob_id", read_only=True)
    size = serializers.IntegerField(source="blob.size", read_only=True)
    content_type = serializers.CharField(source="blob.content_type", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "sha256", "size", "content_type", "original_name", "uploaded_at", "process", "transition"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class TransitionSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Transition
        fields = [
            "seq",
            "action",
            "action_label",
            "from_state",
            "to_state",
            "actor",
            "actor_name",
            "body",
            "body_name",
            "at",
            "reason",
            "data",
            "officers",
            "ledger_seq",
            "attachments",
        ]


class DeadlineSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = ProcessDeadline
        fields = [
            "name",
            "period_kind",
            "period_amount",
            "started_at",
            "due_at",
            "paused_since",
            "extension_count",
            "stopped_at",
            "met_on_time",
            "superseded",
            "status",
            "explanation",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, obj) -> str | None:
        if obj.stopped_at is not None or obj.paused_since is not None:
            return None
        from oneteam.worktime.services import status_text

        from .. import clock

        return status_text(clock.status(obj.due_at, timezone.now()))


class ProcessListSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(read_only=True)
    assignees = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = Process
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "state",
            "state_label",
            "version",
            "township",
            "initiator_body",
            "assignees",
            "created_at",
            "updated_at",
            "closed_at",
            "satisfaction",
            "next_due",
            "deadline",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_assignees(self, obj) -> list[int]:
        parties = getattr(obj, "active_parties", None)
        if parties is None:
            parties = [p for p in obj.parties.all() if p.active]
        return [p.body_id for p in parties if p.role == "assignee"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_deadline(self, obj) -> dict | None:
        d = selectors.row_deadline(obj) if hasattr(obj, "open_deadlines") else None
        if d and d.get("due_at"):
            d = {**d, "due_at": d["due_at"].isoformat()}
        return d


class ProcessDetailSerializer(ProcessListSerializer):
    parties = PartySerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)
    record = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(ProcessListSerializer.Meta):
        fields = [
            *ProcessListSerializer.Meta.fields,
            "parties",
            "record",
            "transitions",
            "deadlines",
            "available_actions",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_record(self, obj) -> dict:
        return services.record_dict(obj.record)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return [a.url_name for a in services.available_actions(obj, getattr(request, "user", None))]


class ActionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)
    officers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    attachments = serializers.ListField(
        child=serializers.RegexField(r"^[0-9a-fA-F]{64}$"),
        required=False,
        default=list,
        help_text="SHA-256 of files uploaded to /api/v1/attachments/",
    )
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "process", "verb", "text", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
