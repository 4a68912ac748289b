"""OneTeam's URLs plus ``bare-insert/``: a POST that does one INSERT in one
transaction and answers JSON — the ceiling intake is compared with."""

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_bare_insert"


@csrf_exempt
def bare_insert(request):
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"INSERT INTO {TABLE} (payload, created_at) VALUES (%s, %s)",
                    [request.POST.get("description", ""), connection.ops.adapt_datetimefield_value(timezone.now())])
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [
    path("bare-insert/", bare_insert),
    path("", include("oneteam.urls")),
]
