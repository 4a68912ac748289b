from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


def certificate_banner(request) -> list[dict]:
    """Warn a certified officer whose own certificate expires soon."""
    user = request.user
    today = timezone.localdate()
    cert = user.certificates.expiring(settings.ONETEAM["CERTIFICATE_WARNING_DAYS"], today).first()
    if cert is None or user.certificates.valid_on(today).filter(valid_until__gt=cert.valid_until).exists():
        return []
    return [{"level": "warning", "url": reverse("org:person-detail", args=[user.pk]),
             "message": _("您的执法证（%(n)s）将于 %(d)s 到期，还剩 %(k)d 天，请及时办理换证。")
             % {"n": cert.number, "d": cert.valid_until, "k": cert.days_left(today)}}]
