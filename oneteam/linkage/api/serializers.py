"""Serializers of the linkage API: input validation for the services, and read shapes."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from oneteam.org.models import Body

from ..choices import MaterialKind, TargetKind
from ..models import InspectionPlan, InspectionTarget, PlanItem


class ParticipantInput(serializers.Serializer):
    body = serializers.PrimaryKeyRelatedField(queryset=Body.objects.filter(is_active=True))
    duties = serializers.CharField()
    forces = serializers.IntegerField(min_value=0, default=0)


class JointOperationInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    targets = serializers.CharField()
    place = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    plan = serializers.CharField()
    participants = ParticipantInput(many=True)
    lead_body = serializers.PrimaryKeyRelatedField(queryset=Body.objects.filter(is_active=True), required=False,
                                                   allow_null=True)
    launch = serializers.BooleanField(default=False)


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    url = serializers.CharField()


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionTarget
        fields = ["id", "kind", "credit_code", "name", "address", "township", "industry"]


class TargetInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices, default=TargetKind.ENTITY)
    credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ItemSerializer(serializers.ModelSerializer):
    matter_code = serializers.CharField(source="matter.code", default="", read_only=True)

    class Meta:
        model = PlanItem
        fields = ["name", "legal_basis", "matter_code"]


class PlanSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)
    target = TargetSerializer(read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True)
    combined_code = serializers.CharField(source="combined.code", default="", read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["id", "body", "body_name", "target", "title", "planned_from", "planned_until", "status",
                  "combined", "combined_code", "items", "created_at"]


class ItemInput(serializers.Serializer):
    matter_code = serializers.CharField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")


class PlanInput(serializers.Serializer):
    target = TargetInput()
    title = serializers.CharField(max_length=200)
    planned_from = serializers.DateField()
    planned_until = serializers.DateField(required=False, allow_null=True)
    items = ItemInput(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanCreated(serializers.Serializer):
    plan = PlanSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class CombineInput(serializers.Serializer):
    plans = serializers.ListField(child=serializers.IntegerField(), min_length=2)
    lead_body = serializers.PrimaryKeyRelatedField(queryset=Body.objects.all(), required=False, allow_null=True)
    window_days = serializers.IntegerField(min_value=0, max_value=366, required=False)


class PeriodInput(serializers.Serializer):
    period_from = serializers.DateField()
    period_until = serializers.DateField()
    window_days = serializers.IntegerField(min_value=0, max_value=366, required=False)


class GroupSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    plans = serializers.ListField(child=serializers.IntegerField())
    bodies = serializers.ListField(child=serializers.IntegerField())
    lead_body = serializers.IntegerField()
    window_from = serializers.DateField()
    window_until = serializers.DateField()
    moved = serializers.BooleanField()


class ScheduleSerializer(serializers.Serializer):
    summary = serializers.DictField()
    groups = GroupSerializer(many=True)


class PublicItem(serializers.Serializer):
    body = serializers.CharField()
    name = serializers.CharField()
    legal_basis = serializers.CharField()
    matter_code = serializers.CharField()


class PublicInspection(serializers.Serializer):
    code = serializers.CharField()
    target = serializers.CharField()
    lead_body = serializers.CharField()
    bodies = serializers.ListField(child=serializers.CharField())
    items = PublicItem(many=True)
    window_from = serializers.DateField()
    window_until = serializers.DateField()
    state = serializers.CharField()


class ReferralInput(serializers.Serializer):
    case_number = serializers.CharField(max_length=60)
    suspect = serializers.CharField(max_length=200)
    suspected_offence = serializers.CharField(max_length=200)
    facts = serializers.CharField()


class MaterialInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MaterialKind.choices)
    file = serializers.FileField(required=False)
    sha256 = serializers.CharField(required=False, max_length=64)
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("sha256"):
            raise serializers.ValidationError(_("请上传文件或给出已上传文件的 sha256。"))
        return attrs


class MaterialSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    attachment_id = serializers.IntegerField(source="attachment.pk")
    original_name = serializers.CharField(source="attachment.original_name")
    sha256 = serializers.CharField(source="attachment.blob_id")


class MaterialsSerializer(serializers.Serializer):
    materials = MaterialSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField())


class PenaltyCheckSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    allowed = serializers.BooleanField()
    code = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)


class ExecutionInput(serializers.Serializer):
    case_number = serializers.CharField(max_length=60)
    decision_no = serializers.CharField(max_length=100)
    respondent = serializers.CharField(max_length=200)
    obligation = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    demand_served_on = serializers.DateField()


class PoliceSupportInput(serializers.Serializer):
    operation = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200)
    scheduled_at = serializers.DateTimeField()
    officers_needed = serializers.IntegerField(min_value=1, max_value=200, default=2)
    risk = serializers.CharField(required=False, allow_blank=True, default="")


class OversightSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    states = serializers.ListField(child=serializers.DictField())
    deadlines = serializers.ListField(child=serializers.DictField())
