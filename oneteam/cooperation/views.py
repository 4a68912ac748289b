"""Pages of the cooperation app: an overview, a "new" form per mechanism
(each calls a service that starts a kernel process; the kernel's generic
detail page then shows timeline, deadlines and actions), the transfer letter,
the dispute dashboard and information sharing. Views parse input and call
services; reads go through selectors (``visible_to``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import ServiceError
from oneteam.org.choices import Role
from oneteam.workflow import selectors as kernel_selectors
from oneteam.workflow.declare import PartyRole

from . import flows, forms, letter, rules, selectors, services
from .choices import ShareCategory
from .models import LetterTemplate, SharedItem

RECENT = 10


def _rows(qs, now):
    return [{"process": p, "deadline": kernel_selectors.row_deadline(p, now),
             "assignees": [x.body for x in p.active_parties if x.role == PartyRole.ASSIGNEE]}
            for p in qs[:RECENT]]


@login_required
def index(request):
    now = timezone.now()
    sections = []
    for flow in flows.FLOWS:
        qs = selectors.processes(request.user, flow.kind)
        sections.append({"flow": flow, "rows": _rows(qs, now), "count": qs.count()})
    overdue = selectors.overdue(request.user, flows.COLLABORATION.kind, now=now)
    return render(request, "cooperation/index.html", {
        "sections": sections, "overdue_rows": _rows(overdue, now), "overdue_count": overdue.count(),
        "rates": services.collaboration_rates(), "can_publish": services.can_publish(request.user),
    })


def _error(request, exc: ServiceError) -> None:
    messages.error(request, exc.message)


@login_required
def collaboration_new(request):
    form = forms.CollaborationForm(request.POST or None, departments=selectors.departments())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            process = services.do_submit_collaboration(
                request.user, department=d["department"], request_kind=d["request_kind"], title=d["title"],
                matter=d["matter"], case_summary=d["case_summary"], question=d["question"])
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已提交执法协作申请 %(n)s。") % {"n": process.number})
            return redirect(process.get_absolute_url())
    return render(request, "cooperation/form.html", {
        "form": form, "title": _("新建执法协作申请"), "flow": flows.COLLABORATION,
        "intro": flows.COLLABORATION.description,
    })


@login_required
def transfer_new(request):
    receivers = selectors.transfer_receivers(request.user.body)
    form = forms.TransferForm(request.POST or None, request.FILES or None, receivers=receivers)
    sender_error = None
    if request.user.body is not None:
        try:
            rules.check_transfer_sender(request.user.body)
        except ServiceError as exc:
            sender_error = exc.message
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            process = services.do_create_transfer(
                request.user, receiver=d["receiver"], title=d["title"], facts=d["facts"], party_name=d["party_name"],
                legal_basis=d["legal_basis"], matter=d["matter"], evidence=d["evidence"], confirm=d["confirm"],
                send=request.POST.get("send") == "1")
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已登记案件移送 %(n)s（%(s)s）。") % {"n": process.number,
                                                                         "s": process.state_label})
            return redirect(process.get_absolute_url())
    return render(request, "cooperation/form.html", {
        "form": form, "title": _("新建案件移送"), "flow": flows.CASE_TRANSFER, "multipart": True,
        "intro": flows.CASE_TRANSFER.description, "sender_error": sender_error,
        "submit_buttons": [("0", _("保存草稿")), ("1", _("确认并移送"))],
    })


@login_required
def transfer_letter(request, pk: int):
    record = selectors.transfer_for_letter(request.user, pk)
    if record is None or record.letter_id is None or not record.letter.blob.path.exists():
        raise Http404
    response = FileResponse(record.letter.blob.path.open("rb"), as_attachment=True,
                            filename=record.letter.original_name, content_type=services.DOCX)
    response["X-Content-SHA256"] = record.letter.blob_id
    return response


def _require_admin(user) -> None:
    if not (user.is_superuser or user.has_role(Role.ADMIN)):
        raise Http404


@login_required
def letter_template(request):
    _require_admin(request.user)
    form = forms.LetterTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_upload_letter_template(form.cleaned_data["file"], actor=request.user,
                                               note=form.cleaned_data["note"])
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已更换移送函模板。"))
            return redirect("cooperation:letter-template")
    return render(request, "cooperation/letter_template.html", {
        "form": form, "templates": LetterTemplate.objects.select_related("attachment", "uploaded_by")[:20],
        "placeholders": ["issuer", "number", "title", "receiver", "party", "facts", "basis", "checklist", "evidence",
                         "date", "copy_to", "sender", "process_number"],
    })


@login_required
def letter_template_default(request):
    _require_admin(request.user)
    data, _source = letter.template_source()
    response = HttpResponse(data, content_type=services.DOCX)
    response["Content-Disposition"] = 'attachment; filename="transfer_letter.docx"'
    return response


@login_required
def dispute_new(request):
    bodies = selectors.active_bodies()
    form = forms.DisputeForm(request.POST or None, bodies=bodies, user=request.user,
                             initial={"subject_number": request.GET.get("subject", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            process = services.do_raise_dispute(
                request.user, counterparties=list(d["counterparties"]), question=d["question"],
                interim_body=d["interim_body"], subject=d["subject_number"], matter=d["matter"],
                township=d["township"], title=d["title"])
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已发起执法争议 %(n)s。") % {"n": process.number})
            return redirect(process.get_absolute_url())
    return render(request, "cooperation/form.html", {
        "form": form, "title": _("发起执法争议"), "flow": flows.DISPUTE, "intro": flows.DISPUTE.description,
    })


@login_required
def dispute_dashboard(request):
    now = timezone.now()
    rows = []
    for d in selectors.open_disputes(request.user):
        stage = min(d.process.open_deadlines, key=lambda x: x.due_at, default=None)
        subject = d.subject
        rows.append({
            "dispute": d, "process": d.process,
            "stage_deadline": kernel_selectors.row_deadline(d.process, now) if stage else None,
            "subject": subject,
            "holders": [p.body for p in subject.current_assignees] if subject is not None else [],
            "subject_deadline": kernel_selectors.row_deadline(subject, now) if subject is not None else None,
        })
    return render(request, "cooperation/disputes.html", {"rows": rows})


# ----- 信息共享 ------------------------------------------------------------------------------


@login_required
def share_list(request):
    g = request.GET
    qs = selectors.shares(request.user, q=g.get("q", "").strip(), field=g.get("field", ""),
                          category=g.get("category", ""), matter=g.get("matter", "").strip(),
                          unread=g.get("unread") == "1")
    page = Paginator(qs, 25).get_page(g.get("page"))
    return render(request, "cooperation/shares.html", {
        "page": page, "categories": ShareCategory.choices, "fields": selectors.share_fields(), "query": g,
        "can_publish": services.can_publish(request.user),
    })


@login_required
def share_new(request):
    if not services.can_publish(request.user):
        raise Http404
    form = forms.ShareForm(request.POST or None, request.FILES or None,
                           initial={"field": getattr(request.user.body, "field", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.do_publish_share(
                request.user, category=d["category"], title=d["title"], content=d["content"], field=d["field"],
                matter=d["matter"], document_no=d["document_no"], townships=list(d["townships"]),
                to_all=d["to_all"], attachments=d["files"])
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已发布。"))
            return redirect("cooperation:share-detail", pk=item.pk)
    return render(request, "cooperation/form.html", {
        "form": form, "title": _("发布共享信息"), "multipart": True,
        "intro": _("向乡镇(街道)推送法律法规规章、管理标准、审批材料和执法动态。"),
    })


@login_required
def share_detail(request, pk: int):
    item = get_object_or_404(SharedItem.objects.visible_to(request.user).select_related("publisher", "matter"), pk=pk)
    services.do_read_share(item, actor=request.user)
    show_receipts = item.publisher_id == request.user.body_id or (
        request.user.body is not None and request.user.body.sees_everything)
    return render(request, "cooperation/share_detail.html", {
        "item": item, "attachments": item.attachments.select_related("blob"),
        "receipts": selectors.receipts(item) if show_receipts else None,
    })


@login_required
def share_file(request, pk: int, att: int):
    item = get_object_or_404(SharedItem.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(item.attachments.select_related("blob"), pk=att)
    if not attachment.blob.path.exists():
        raise Http404
    response = FileResponse(attachment.blob.path.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.blob.content_type)
    response["X-Content-SHA256"] = attachment.blob_id
    return response
