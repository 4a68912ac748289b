"""Forms of the linkage pages (validation of input only; writes go through services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oneteam.org.choices import BodyKind
from oneteam.org.models import Body

from .choices import MaterialKind, TargetKind

PARTICIPANT_ROWS = 5
DATE = forms.DateInput(attrs={"type": "date"})


def _bodies():
    return Body.objects.filter(is_active=True).exclude(kind=BodyKind.VILLAGE_COMMITTEE).order_by("level", "kind",
                                                                                                   "code")


class JointOperationForm(forms.Form):
    title = forms.CharField(label=_("行动名称"), max_length=200)
    targets = forms.CharField(label=_("检查对象"), widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    plan = forms.CharField(label=_("工作方案"), widget=forms.Textarea(attrs={"rows": 4}))
    lead_body = forms.ModelChoiceField(label=_("牵头单位（指导办建议时必填）"), queryset=Body.objects.none(),
                                       required=False)
    launch = forms.BooleanField(label=_("立即发起任务"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_body"].queryset = _bodies()
        for i in range(1, PARTICIPANT_ROWS + 1):
            self.fields[f"body_{i}"] = forms.ModelChoiceField(label=_("参与单位%(i)d") % {"i": i},
                                                              queryset=_bodies(), required=False)
            self.fields[f"duties_{i}"] = forms.CharField(label=_("职责分工"), required=False, max_length=500)
            self.fields[f"forces_{i}"] = forms.IntegerField(label=_("调配人数"), required=False, min_value=0,
                                                            max_value=999)

    def participant_rows(self):
        return [(self[f"body_{i}"], self[f"duties_{i}"], self[f"forces_{i}"]) for i in range(1, PARTICIPANT_ROWS + 1)]

    def participants(self):
        from .services import Participant

        out = []
        for i in range(1, PARTICIPANT_ROWS + 1):
            body = self.cleaned_data.get(f"body_{i}")
            if body is not None:
                out.append(Participant(body, self.cleaned_data.get(f"duties_{i}") or "",
                                       self.cleaned_data.get(f"forces_{i}") or 0))
        return out


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("对象类型"), choices=TargetKind.choices, initial=TargetKind.ENTITY)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    name = forms.CharField(label=_("对象名称"), max_length=200)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    title = forms.CharField(label=_("检查任务"), max_length=200)
    planned_from = forms.DateField(label=_("计划检查自"), widget=DATE)
    planned_until = forms.DateField(label=_("计划检查至"), widget=DATE, required=False)
    items = forms.CharField(label=_("检查事项"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("每行一项：“事项编码” 或 “事项名称|法律依据”。"))
    note = forms.CharField(label=_("内部备注（不公开）"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def item_inputs(self):
        from oneteam.catalog.models import Matter

        from .services import ItemInput

        out = []
        for line in self.cleaned_data["items"].splitlines():
            line = line.strip()
            if not line:
                continue
            if "|" in line:
                name, basis = (x.strip() for x in line.split("|", 1))
                out.append(ItemInput(name=name, legal_basis=basis))
            else:
                matter = Matter.objects.filter(code=line).first()
                if matter is None:
                    raise forms.ValidationError(_("未找到事项编码：%(c)s") % {"c": line})
                out.append(ItemInput(matter=matter))
        return out


class PeriodForm(forms.Form):
    period_from = forms.DateField(label=_("自"), widget=DATE)
    period_until = forms.DateField(label=_("至"), widget=DATE)
    window = forms.IntegerField(label=_("合并窗口（日）"), min_value=0, max_value=366, required=False)


class ReferralForm(forms.Form):
    case_number = forms.CharField(label=_("行政案件编号"), max_length=60)
    suspect = forms.CharField(label=_("涉嫌单位或个人"), max_length=200)
    suspected_offence = forms.CharField(label=_("涉嫌罪名"), max_length=200)
    facts = forms.CharField(label=_("涉嫌犯罪事实"), widget=forms.Textarea(attrs={"rows": 4}))


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices)
    file = forms.FileField(label=_("文件"))


class ExecutionForm(forms.Form):
    case_number = forms.CharField(label=_("行政案件编号"), max_length=60)
    decision_no = forms.CharField(label=_("行政决定文号"), max_length=100)
    respondent = forms.CharField(label=_("被执行人"), max_length=200)
    obligation = forms.CharField(label=_("应履行义务"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, required=False)
    demand_served_on = forms.DateField(label=_("催告书送达日期"), widget=DATE)


class PoliceSupportForm(forms.Form):
    operation = forms.CharField(label=_("执法行动"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200)
    scheduled_at = forms.DateTimeField(label=_("行动时间"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    officers_needed = forms.IntegerField(label=_("需警力（人）"), min_value=1, max_value=200, initial=2)
    risk = forms.CharField(label=_("风险情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
