from django.utils import timezone
from rest_framework import serializers

from ..models import Body, EnforcementCertificate, Grid, ModeDecision, Township, TrainingRecord, User, Village


class ModeDecisionSerializer(serializers.ModelSerializer):
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    hub_name = serializers.CharField(source="hub.name", read_only=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = ModeDecision
        fields = ["id", "township", "township_name", "mode", "mode_label", "hub", "hub_name", "effective_from",
                  "decision_no", "decision_title", "note", "recorded_at"]
        read_only_fields = ["recorded_at"]


class TownshipSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    mode = serializers.SerializerMethodField()

    class Meta:
        model = Township
        fields = ["id", "code", "name", "kind", "kind_label", "seat_lng", "seat_lat", "is_synthetic_geometry",
                  "mode"]

    def get_mode(self, obj) -> dict | None:
        """The decision in force on the context's date, from prefetched decisions (ordered by date)."""
        on = self.context.get("on") or timezone.localdate()
        in_force = [d for d in obj.mode_decisions.all() if d.effective_from <= on]
        return ModeDecisionSerializer(in_force[-1]).data if in_force else None


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "township", "code", "name", "kind", "is_synthetic"]


class GridSerializer(serializers.ModelSerializer):
    township = serializers.IntegerField(source="village.township_id", read_only=True)
    chief_name = serializers.CharField(source="chief.full_name", read_only=True, default=None)

    class Meta:
        model = Grid
        fields = ["id", "village", "township", "code", "name", "geometry", "chief", "chief_name", "officers",
                  "is_synthetic"]


class BodySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Body
        fields = ["id", "code", "name", "short_name", "kind", "kind_label", "level", "level_label", "township",
                  "village", "parent", "field", "phone", "is_active", "city"]


class CertificateSerializer(serializers.ModelSerializer):
    valid_today = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementCertificate
        fields = ["id", "user", "number", "scope", "issued_by", "valid_from", "valid_until", "revoked_on",
                  "valid_today"]
        read_only_fields = ["revoked_on"]

    def get_valid_today(self, obj) -> bool:
        return obj.is_valid_on()


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["id", "user", "title", "provider", "held_on", "hours", "passed"]


class PersonSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    body_name = serializers.CharField(source="body.name", read_only=True, default=None)
    certified_today = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "body", "body_name", "phone", "roles", "certified_today",
                  "is_active"]

    def get_roles(self, obj) -> list[str]:
        return sorted(r.role for r in obj.roles.all())

    def get_certified_today(self, obj) -> bool:
        return any(c.is_valid_on() for c in obj.certificates.all())


class LocateSerializer(serializers.Serializer):
    lng = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
