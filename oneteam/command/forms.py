from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DissuasionOutcome, Urgency
from .models import EventCategory


class ReportForm(forms.Form):
    """The grid officer's one-minute report (mobile first)."""

    category = forms.ModelChoiceField(EventCategory.objects.filter(active=True), label=_("事件类别"),
                                      to_field_name="code", empty_label=_("请选择"))
    description = forms.CharField(label=_("情况描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(label=_("地址（无定位时必填）"), max_length=300, required=False)
    dissuaded = forms.BooleanField(label=_("已现场劝阻"), required=False)
    dissuasion_outcome = forms.ChoiceField(label=_("劝阻结果"), required=False,
                                           choices=[("", "—"), *DissuasionOutcome.choices])
    photos = forms.FileField(label=_("现场照片/视频"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*,video/*",
                                                                    "capture": "environment"}))
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.GRID_PATROL, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)
