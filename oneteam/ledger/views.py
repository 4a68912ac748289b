"""The staff page of the full-process record (administrators and supervisors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from oneteam.core.errors import NotPermitted

from . import keys, services
from .chain import checkpoint_document
from .filtersets import LedgerEntryFilterSet
from .selectors import checkpoints_visible_to, entries_visible_to

PAGE_SIZE = 50
CHECKPOINTS_SHOWN = 10


def _require_reader(user) -> None:
    try:
        services.require_ledger_reader(user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
@require_GET
def index(request):
    """Recent entries (newest first, keyset-paginated by sequence number, so
    no COUNT over a table of millions), filterable by object; checkpoints;
    the "verify now" button. One view: full page, or the entries fragment for htmx."""
    _require_reader(request.user)
    filterset = LedgerEntryFilterSet(request.GET, queryset=entries_visible_to(request.user))
    entries = list(filterset.qs[: PAGE_SIZE + 1]) if filterset.is_valid() else []
    has_more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    more_query = ""
    if has_more:
        params = request.GET.copy()
        params["before"] = entries[-1].seq
        more_query = params.urlencode()
    context = {"filterset": filterset, "entries": entries, "more_query": more_query}
    if request.htmx and request.htmx.target == "ledger-entries":
        return render(request, "ledger/partials/entries.html", context)
    key = keys.signing_key(create=False)
    context.update(
        checkpoints=list(checkpoints_visible_to(request.user)[:CHECKPOINTS_SHOWN]),
        key_id=key.key_id if key else "",
    )
    return render(request, "ledger/index.html", context)


@login_required
@require_POST
def verify(request):
    """Run the full verification now (a POST: it can take a while on a large record)."""
    try:
        report = services.do_verify(actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    if request.htmx:
        return render(request, "ledger/partials/verify_result.html", {"report": report})
    (messages.success if report.ok else messages.error)(request, report.summary())
    return redirect("ledger:index")


@login_required
@require_GET
def checkpoint_export(request, pk: int):
    """A signed checkpoint as the JSON file another body keeps."""
    checkpoint = get_object_or_404(checkpoints_visible_to(request.user), pk=pk)
    response = JsonResponse(checkpoint_document(checkpoint), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="checkpoint-{checkpoint.tree_size}-{checkpoint.pk}.json"'
    return response


@login_required
@require_GET
def public_key(request):
    """The checkpoint signing public key (PEM)."""
    key = keys.signing_key(create=False)
    if key is None:
        raise Http404
    response = HttpResponse(key.public_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="oneteam-ledger-{key.key_id}.pub.pem"'
    return response
