from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from oneteam.catalog.models import Matter
from oneteam.org.models import Body, Township
from oneteam.workflow.models import Process

from ..choices import CollaborationKind, ShareCategory
from ..flows import CHECKLIST_ITEMS
from ..models import Dispute, SharedItem, ShareReceipt


class BodyRef(serializers.SlugRelatedField):
    """A body by its code (e.g. DEPT-SCJG)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Body.objects.filter(is_active=True))
        super().__init__(**kwargs)


class MatterRef(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Matter.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)


class CollaborationCreateSerializer(serializers.Serializer):
    department = BodyRef(help_text=gettext_lazy("业务主管部门代码"))
    request_kind = serializers.ChoiceField(choices=CollaborationKind.choices)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    matter = MatterRef()
    case_summary = serializers.CharField()
    question = serializers.CharField()


class TransferCreateSerializer(serializers.Serializer):
    receiver = BodyRef(help_text=gettext_lazy("接收单位代码"))
    title = serializers.CharField()
    facts = serializers.CharField()
    party_name = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")
    matter = MatterRef()
    evidence = serializers.ListField(child=serializers.RegexField(r"^[0-9a-fA-F]{64}$"), required=False,
                                     default=list, help_text="SHA-256 of files uploaded to /api/v1/attachments/")
    confirm = serializers.ListField(child=serializers.ChoiceField(choices=list(CHECKLIST_ITEMS)), required=False,
                                    default=list, help_text=gettext_lazy("本人确认的移送条件"))
    send = serializers.BooleanField(required=False, default=False)


class DisputeCreateSerializer(serializers.Serializer):
    counterparties = BodyRef(many=True)
    interim_body = BodyRef(required=False, allow_null=True, default=None,
                           help_text=gettext_lazy("过渡期责任单位代码（必填）"))
    question = serializers.CharField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    subject = serializers.SlugRelatedField(slug_field="number", queryset=Process.objects.all(), required=False,
                                           allow_null=True, default=None, help_text=gettext_lazy("争议线索的平台编号"))
    matter = MatterRef()
    township = serializers.SlugRelatedField(slug_field="code", queryset=Township.objects.all(), required=False,
                                            allow_null=True, default=None)


class DisputeRowSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="process_id")
    number = serializers.CharField(source="process.number")
    title = serializers.CharField(source="process.title")
    state = serializers.CharField(source="process.state")
    state_label = serializers.CharField(source="process.state_label")
    subject_number = serializers.CharField(source="subject.number", default=None)
    subject_title = serializers.CharField(source="subject.title", default=None)
    interim_body = serializers.CharField(source="interim_body.name")
    matter = serializers.CharField(source="matter.code", default=None)
    holders = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = ["id", "number", "title", "state", "state_label", "subject_number", "subject_title", "matter",
                  "interim_body", "holders", "question"]

    def get_holders(self, obj) -> list[str]:
        if obj.subject is None:
            return []
        return [p.body.name for p in obj.subject.current_assignees]


class SharedItemSerializer(serializers.ModelSerializer):
    publisher_name = serializers.CharField(source="publisher.name", read_only=True)
    matter_code = serializers.CharField(source="matter.code", default=None, read_only=True)
    is_read = serializers.BooleanField(read_only=True, default=None)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = SharedItem
        fields = ["id", "category", "title", "document_no", "content", "field", "matter_code", "publisher",
                  "publisher_name", "author_name", "to_all", "published_at", "is_read", "attachments"]

    def get_attachments(self, obj) -> list[dict]:
        return [{"id": a.pk, "name": a.original_name, "sha256": a.blob_id} for a in obj.attachments.all()]


class SharedItemCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ShareCategory.choices)
    title = serializers.CharField()
    content = serializers.CharField()
    document_no = serializers.CharField(required=False, allow_blank=True, default="")
    field = serializers.CharField(required=False, allow_blank=True, default="")
    matter = MatterRef()
    to_all = serializers.BooleanField(required=False, default=False)
    townships = serializers.SlugRelatedField(slug_field="code", queryset=Township.objects.all(), many=True,
                                             required=False, default=list)
    attachments = serializers.ListField(child=serializers.RegexField(r"^[0-9a-fA-F]{64}$"), required=False,
                                        default=list)


class ShareReceiptSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name")
    township_code = serializers.CharField(source="township.code")

    class Meta:
        model = ShareReceipt
        fields = ["township", "township_code", "delivered_at", "first_read_at", "first_read_by_name"]
