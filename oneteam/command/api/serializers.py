"""Input and output of the REST intake (``POST /api/v1/event-reports/``).
Only types are checked here; every domain rule (location in a grid,
description length, category, channel …) is the intake service's, so the
API, Open311 and the pages refuse the same things with the same codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Channel, DissuasionOutcome, Urgency


class EventReportSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(Channel.choices, required=False, help_text=_(
        "来源渠道；外部系统固定为其登记的渠道，人员默认网格巡查（网格员）或执法人员发现。"))
    category = serializers.CharField(max_length=40, help_text=_("事件类别代码或Open311服务代码"))
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                        help_text=_("事件描述，最多2000字"))
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    township = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                     help_text=_("乡镇(街道)代码或名称；只有地址时必填"))
    urgency = serializers.ChoiceField(Urgency.choices, required=False, default=Urgency.NORMAL)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    dissuaded = serializers.BooleanField(required=False, allow_null=True, default=None)
    dissuasion_outcome = serializers.ChoiceField(DissuasionOutcome.choices, required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                        help_text=_("外部系统工单编号"))
    photos = serializers.ListField(child=serializers.FileField(), required=False,
                                   help_text=_("现场照片（multipart，字段名 photos 或 photos[]，可多个）"))


class BodyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DuplicateRefSerializer(serializers.Serializer):
    number = serializers.CharField()
    distance_m = serializers.FloatField()


class EventReportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("流程ID（/api/v1/events/{id}/）"))
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    category = serializers.CharField()
    township = serializers.CharField()
    grid = serializers.CharField(allow_null=True)
    dispatching_body = BodyRefSerializer()
    proposed_body = BodyRefSerializer(allow_null=True)
    proposal_reasons = serializers.ListField(child=serializers.CharField())
    duplicates = DuplicateRefSerializer(many=True)
    photos = serializers.IntegerField(help_text=_("随报上传的照片数"))
