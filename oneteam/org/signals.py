"""Record every log-in, log-out, failure and lock-out in :class:`LoginEvent`."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import LoginEvent


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")[:300]


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    ip, agent = _client(request)
    LoginEvent.objects.create(kind=LoginEvent.Kind.LOGIN, username=user.get_username(), user_id_copy=user.pk,
                              ip_address=ip, user_agent=agent)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    ip, agent = _client(request)
    LoginEvent.objects.create(kind=LoginEvent.Kind.LOGOUT, username=user.get_username(), user_id_copy=user.pk,
                              ip_address=ip, user_agent=agent)


@receiver(user_login_failed)
def _on_failed(sender, credentials, request=None, **kwargs):
    ip, agent = _client(request)
    LoginEvent.objects.create(kind=LoginEvent.Kind.FAILED, username=str(credentials.get("username", ""))[:150],
                              ip_address=ip, user_agent=agent)


@receiver(user_locked_out)
def _on_locked(sender, request=None, username=None, ip_address=None, **kwargs):
    _, agent = _client(request)
    LoginEvent.objects.create(kind=LoginEvent.Kind.LOCKED, username=str(username or "")[:150],
                              ip_address=ip_address, user_agent=agent)
