"""``X-API-Key: <external system key>`` for the intake endpoint only. The
authenticated principal is the :class:`ExternalSystem` (``request.auth``);
``request.user`` stays anonymous, so no staff endpoint (which all require an
authenticated user) ever accepts an external key."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from ..models import ExternalSystem

HEADER = "X-API-Key"


class ExternalSystemKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return None
        system = ExternalSystem.authenticate(key)
        if system is None:
            raise exceptions.AuthenticationFailed(_("API 密钥无效或已停用。"))
        return AnonymousUser(), system

    def authenticate_header(self, request) -> str:
        return HEADER


class ExternalSystemKeyScheme(OpenApiAuthenticationExtension):
    """Documents the key in the OpenAPI schema (registered by subclassing)."""

    target_class = ExternalSystemKeyAuthentication
    name = "externalSystemKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": HEADER}


def external_system(request) -> ExternalSystem | None:
    return request.auth if isinstance(request.auth, ExternalSystem) else None


class IsStaffUserOrExternalSystem(permissions.BasePermission):
    """A logged-in staff user (session or token) or an external system key."""

    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.user, "is_authenticated", False)) or external_system(request) is not None
