"""The API error format: every error is JSON ``{"code", "message", "detail"?}``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from oneteam.core.errors import ServiceError

_DRF_CODES = {
    exceptions.NotAuthenticated: ("not_authenticated", None),
    exceptions.AuthenticationFailed: ("authentication_failed", None),
    exceptions.PermissionDenied: ("not_permitted", None),
    exceptions.NotFound: ("not_found", None),
    exceptions.MethodNotAllowed: ("method_not_allowed", None),
    exceptions.Throttled: ("throttled", None),
    exceptions.ParseError: ("parse_error", None),
    exceptions.ValidationError: ("invalid", None),
}


def exception_handler(exc, context):
    """Every API error is JSON ``{"code", "message", "detail"?}``; the message is Chinese."""
    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response({"code": "invalid", "message": _("输入有误。"), "detail": detail}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = "error"
    for cls, (c, _msg) in _DRF_CODES.items():
        if isinstance(exc, cls):
            code = c
            break
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": code, "message": _("输入有误。"), "detail": response.data}
    else:
        message = _MESSAGES.get(code) or str(getattr(exc, "detail", exc))
        response.data = {"code": code, "message": str(message)}
    return response


_MESSAGES = {
    "not_authenticated": _l("需要登录。"),
    "authentication_failed": _l("身份验证失败。"),
    "not_permitted": _l("无权执行此操作。"),
    "not_found": _l("未找到。"),
    "method_not_allowed": _l("不支持该请求方法。"),
    "throttled": _l("请求过于频繁,请稍后再试。"),
    "parse_error": _l("请求格式有误。"),
}


