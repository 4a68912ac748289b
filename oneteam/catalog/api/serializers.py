"""Read-only representations of catalogs, matters, power lists and decisions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l
from rest_framework import serializers

from ..models import Catalog, CatalogVersion, DiscretionTier, EmpowermentDecision, MatterEntry


class CatalogVersionSerializer(serializers.ModelSerializer):
    entry_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = CatalogVersion
        fields = ["id", "label", "effective_from", "source", "is_demo", "entry_count"]


class CatalogSerializer(serializers.ModelSerializer):
    versions = CatalogVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Catalog
        fields = ["id", "code", "name", "level", "township_selectable", "versions"]


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscretionTier
        fields = ["order", "name", "fine_min", "fine_max", "circumstances"]


class MatterEntrySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="matter.code")
    catalog = serializers.CharField(source="version.catalog.code")
    catalog_name = serializers.CharField(source="version.catalog.name")
    version = serializers.CharField(source="version.label")
    version_effective_from = serializers.DateField(source="version.effective_from")
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    articles = serializers.ListField(source="article_list", child=serializers.CharField())
    is_demo = serializers.BooleanField(source="version.is_demo")

    class Meta:
        model = MatterEntry
        fields = ["code", "name", "kind", "field", "catalog", "catalog_name", "version", "version_effective_from",
                  "legal_basis", "articles", "department", "department_code", "transfer_scope", "boundary",
                  "is_demo"]


class MatterDetailSerializer(MatterEntrySerializer):
    tiers = TierSerializer(many=True, read_only=True)

    class Meta(MatterEntrySerializer.Meta):
        fields = [*MatterEntrySerializer.Meta.fields, "tiers"]


class PowerListItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="entry.matter.code")
    name = serializers.CharField(source="entry.name")
    kind = serializers.CharField(source="entry.kind")
    field = serializers.CharField(source="entry.field")
    catalog = serializers.CharField(source="entry.version.catalog.name")
    legal_basis = serializers.CharField(source="entry.legal_basis")
    department = serializers.CharField(source="entry.department.name")
    transfer_scope = serializers.CharField(source="entry.transfer_scope")
    boundary = serializers.CharField(source="entry.boundary")
    decision_no = serializers.CharField(source="empowerment.granted_by.decision_no")
    effective_from = serializers.DateField(source="empowerment.effective_from")
    withdrawn_from = serializers.DateField(source="empowerment.withdrawn_from", allow_null=True)


class EmpowermentDecisionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.name")
    township_code = serializers.CharField(source="township.code")
    matters = serializers.SerializerMethodField()
    mode_decision = serializers.SerializerMethodField()

    class Meta:
        model = EmpowermentDecision
        fields = ["id", "township", "township_code", "kind", "decision_no", "title", "effective_from",
                  "mode_decision", "matters", "is_demo", "recorded_at"]

    def get_matters(self, obj) -> list[str]:
        rows = obj.granted.all() if obj.kind == "grant" else obj.withdrawn.all()
        return sorted(e.matter.code for e in rows)

    def get_mode_decision(self, obj) -> dict | None:
        d = obj.mode_decision
        if d is None:
            return None
        return {"id": d.pk, "mode": d.mode, "effective_from": d.effective_from.isoformat(),
                "decision_no": d.decision_no}


class WhoHandlesBodySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class WhoHandlesSerializer(serializers.Serializer):
    """Documents the answer of ``GET /api/v1/who-handles/`` (built by ``Answer.as_dict``)."""

    matter = serializers.DictField()
    date = serializers.DateField()
    township = serializers.CharField()
    township_code = serializers.CharField()
    acting_township = serializers.CharField()
    mode = serializers.CharField(allow_null=True)
    body = serializers.CharField()
    body_code = serializers.CharField()
    body_kind = serializers.CharField()
    basis = serializers.ChoiceField(choices=["rule", "empowered", "dispatched_team", "department"])
    reasons = serializers.ListField(child=serializers.CharField())
    supervising = WhoHandlesBodySerializer(many=True)
    patrol = WhoHandlesBodySerializer(allow_null=True)
    targeted_inspection = WhoHandlesBodySerializer(many=True)
    location = serializers.DictField(allow_null=True)
    empowerment_decision = serializers.CharField(allow_null=True)
    rule_source = serializers.CharField(allow_null=True)


class ProposalSerializer(serializers.Serializer):
    township = serializers.CharField(help_text=_l("乡镇(街道)名称或代码"))
    kind = serializers.ChoiceField(choices=["grant", "withdraw"], default="grant")
    matters = serializers.ListField(child=serializers.CharField(max_length=12), allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    url = serializers.CharField()
