from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .engine import TZ, Extension, Period, PeriodKind

EXAMPLE_NOTICE = """# 每行一项;# 开头为注释。格式见 docs/worktime.md
年份: 2027
标题: 国务院办公厅关于2027年部分节假日安排的通知
文号:
发布日期:
范围: 全年
# 放假, 节日名称, 开始日期, 结束日期
# 上班, 节日名称, 日期
"""

KIND_CHOICES = [
    (PeriodKind.WORKING_DAYS.value, _("工作日")),
    (PeriodKind.CALENDAR_DAYS.value, _("自然日")),
    (PeriodKind.WORKING_HOURS.value, _("工作小时")),
    (PeriodKind.NATURAL_HOURS.value, _("自然小时")),
]


class NoticeForm(forms.Form):
    text = forms.CharField(label=_("通知内容"), widget=forms.Textarea(attrs={"rows": 16, "cols": 80}), required=False)
    file = forms.FileField(label=_("或上传文件（文本或 CSV）"), required=False)

    MAX_BYTES = 256 * 1024

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(_("文件过大（上限256KB）。"))
            raw = upload.read()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    data["text"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise forms.ValidationError(_("无法识别文件编码，请使用 UTF-8。"))
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请粘贴通知内容或上传文件。"))
        return data


class DeadlineForm(forms.Form):
    start = forms.DateTimeField(
        label=_("起算时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    kind = forms.ChoiceField(label=_("期限类型"), choices=KIND_CHOICES)
    amount = forms.IntegerField(label=_("数量"), min_value=0, max_value=3650)
    extension = forms.IntegerField(label=_("延长（同类单位）"), min_value=0, max_value=3650, required=False)
    pause_from = forms.DateField(label=_("中止自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pause_to = forms.DateField(
        label=_("中止至（含当日）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        a, b = data.get("pause_from"), data.get("pause_to")
        if bool(a) != bool(b):
            raise forms.ValidationError(_("中止期间需要同时填写开始和结束日期。"))
        if a and b and b < a:
            raise forms.ValidationError(_("中止结束日期早于开始日期。"))
        return data

    def deadline_arguments(self) -> dict:
        from .engine import Pause

        data = self.cleaned_data
        start = data["start"].astimezone(TZ) if data["start"].tzinfo else data["start"].replace(tzinfo=TZ)
        kind = PeriodKind(data["kind"])
        pauses = []
        if data.get("pause_from"):
            a, b = data["pause_from"], data["pause_to"] + dt.timedelta(days=1)
            pauses.append(
                Pause(
                    dt.datetime(a.year, a.month, a.day, tzinfo=TZ),
                    dt.datetime(b.year, b.month, b.day, tzinfo=TZ),
                    str(_("中止")),
                )
            )
        extensions = [Extension(Period(kind, data["extension"]), str(_("延长")))] if data.get("extension") else []
        return {"start": start, "period": Period(kind, data["amount"]), "pauses": pauses, "extensions": extensions}
