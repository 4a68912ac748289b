"""Input forms of the cooperation pages. They only parse input; the rules
live in :mod:`oneteam.cooperation.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oneteam.catalog.models import Matter
from oneteam.org.models import Body, Township
from oneteam.workflow.models import Process

from .choices import CollaborationKind, ShareCategory
from .flows import CHECKLIST_ITEMS
from .models import CaseTransfer


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class MatterCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("label", _("执法事项编码"))
        super().__init__(**kwargs)

    def clean(self, value):
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        matter = Matter.objects.filter(code=code).first()
        if matter is None:
            raise forms.ValidationError(_("未知的执法事项编码：%(c)s") % {"c": code})
        return matter


class CollaborationForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Body.objects.none(), label=_("业务主管部门"))
    request_kind = forms.ChoiceField(choices=CollaborationKind.choices, label=_("协作类型"))
    title = forms.CharField(max_length=200, required=False, label=_("标题"))
    matter = MatterCodeField()
    case_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("案情简要"))
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("协作请求内容"))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class TransferForm(forms.Form):
    receiver = forms.ModelChoiceField(queryset=Body.objects.none(), label=_("接收单位"))
    title = forms.CharField(max_length=200, label=_("案由"))
    party_name = forms.CharField(max_length=200, required=False, label=_("当事人"))
    matter = MatterCodeField()
    facts = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("违法事实"))
    legal_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("移送依据"))
    evidence = MultipleFileField(label=_("证据材料"))
    confirm = forms.MultipleChoiceField(
        choices=[(k, dict(CaseTransfer.CHECKLIST)[v]) for k, v in CHECKLIST_ITEMS.items()],
        widget=forms.CheckboxSelectMultiple, required=False, label=_("本人确认的移送条件"))

    def __init__(self, *args, receivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = Body.objects.filter(pk__in=[b.pk for b in receivers])


class DisputeForm(forms.Form):
    subject_number = forms.CharField(max_length=40, required=False, label=_("争议线索编号"),
                                     help_text=_("事件或线索的平台编号；不填则须指定执法事项和乡镇(街道)"))
    matter = MatterCodeField()
    township = forms.ModelChoiceField(queryset=Township.objects.all(), required=False, label=_("乡镇(街道)"))
    counterparties = forms.ModelMultipleChoiceField(queryset=Body.objects.none(), label=_("争议对方单位"))
    interim_body = forms.ModelChoiceField(queryset=Body.objects.none(), required=False,
                                          label=_("过渡期责任单位"))
    title = forms.CharField(max_length=200, required=False, label=_("标题"))
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("争议焦点"))

    def __init__(self, *args, bodies=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparties"].queryset = bodies
        self.fields["interim_body"].queryset = bodies
        self.user = user

    def clean_subject_number(self):
        number = (self.cleaned_data.get("subject_number") or "").strip()
        if not number:
            return None
        subject = Process.objects.visible_to(self.user).filter(number=number).first()
        if subject is None:
            raise forms.ValidationError(_("未找到编号为 %(n)s 的线索。") % {"n": number})
        return subject


class ShareForm(forms.Form):
    category = forms.ChoiceField(choices=ShareCategory.choices, label=_("类别"))
    title = forms.CharField(max_length=200, label=_("标题"))
    document_no = forms.CharField(max_length=100, required=False, label=_("文号"))
    field = forms.CharField(max_length=40, required=False, label=_("执法领域"))
    matter = MatterCodeField()
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("内容"))
    to_all = forms.BooleanField(required=False, label=_("发送全部乡镇(街道)"))
    townships = forms.ModelMultipleChoiceField(queryset=Township.objects.all(), required=False,
                                               label=_("接收的乡镇(街道)"))
    files = MultipleFileField(label=_("附件"))


class LetterTemplateForm(forms.Form):
    file = forms.FileField(label=_("模板文件(.docx)"))
    note = forms.CharField(max_length=200, required=False, label=_("说明"))
