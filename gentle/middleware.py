"""Request-wide concerns: a request id, security headers and an access log without content."""

from __future__ import annotations

import logging
import re
import secrets
import time

from django.conf import settings

from gentle.lib.api_errors import api_error, is_api
from gentle.lib.clientip import from_trusted_proxy
from gentle.lib.logjson import request_id_var

access_log = logging.getLogger("gentle.access")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")


class TrustedProxyMiddleware:
    """Forget forwarding headers that did not come from one of GENTLE_TRUSTED_PROXIES, so that
    nothing later (Django's HTTPS check, a library) can be told by a visitor that they used
    HTTPS or came from elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            for header in FORWARDING_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed one from the proxy) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else secrets.token_hex(8)
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: CSP and a permissions policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ApiErrorsMiddleware:
    """Under /api/, errors that arise outside the views (an unknown address, a wrong method, a
    refused CSRF token, a server error) answer in the API's JSON shape, keeping their status
    and headers (Allow, Cache-Control, ...); and a body over GENTLE_API_MAX_BODY (or
    DATA_UPLOAD_MAX_MEMORY_SIZE, if smaller) is refused with 413 before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        if self._too_large(request):
            access_log.info(
                "request", extra={"method": request.method, "path": request.path, "status": 413}
            )
            return api_error(413)
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        answer = api_error(response.status_code)
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                answer[header] = value
        answer.cookies = response.cookies
        return answer

    @staticmethod
    def _too_large(request) -> bool:
        limits = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.GENTLE_API_MAX_BODY)
        limit = min((n for n in limits if n is not None), default=None)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return limit is not None and length > limit


class AccessLogMiddleware:
    """One JSON line per request: method, route name, status and time. No query strings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "route": match.view_name if match else None,
                "path": request.path if match is None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(getattr(request, "user", None), "pk", None),
            },
        )
        return response
