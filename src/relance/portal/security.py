"""What every debtor-facing response goes through: rate limits, token check, language, strict headers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt

from relance.core.dates import local_today
from relance.portal.ratelimit import client_ip, rate_limit_hit
from relance.portal.services import Visit, portal_token_resolve
from relance.portal.tokens import token_hash, token_well_formed
from relance.portal.uploads import MAX_PROOF_BYTES

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Requests per minute: (per link, per IP). POSTs count on both and are held to the stricter pair.
DEFAULT_LIMITS = {"GET": (30, 60), "POST": (10, 20)}
PORTAL_LANGUAGES = ("fr", "en")
FORM_OVERHEAD_BYTES = 256 * 1024  # the other fields and multipart boundaries around a 5 MB proof

DebtorView = Callable[..., HttpResponseBase]


def limits(method: str) -> tuple[int, int]:
    table = {**DEFAULT_LIMITS, **getattr(settings, "PORTAL_RATE_LIMITS", {})}
    return table["POST" if method == "POST" else "GET"]


def secure(response: HttpResponseBase) -> HttpResponseBase:
    response["Content-Security-Policy"] = CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    response["X-Frame-Options"] = "DENY"
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    """One page, one status, one text for unknown, expired and revoked links (bilingual on purpose:
    choosing a language from the token's customer would tell a guesser the token exists)."""
    return HttpResponse(render_to_string("portal/invalid.html", request=request), status=404)


def too_many(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_to_string("portal/limited.html", request=request), status=429)
    response["Retry-After"] = "60"
    return response


def too_large(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_to_string("portal/too_large.html", request=request), status=413)


def _body_too_large(request: HttpRequest) -> bool:
    """Refuse an oversized upload before anything reads (and spools to disk) the request body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_PROOF_BYTES + FORM_OVERHEAD_BYTES


def _limited(request: HttpRequest, raw: str) -> bool:
    per_token, per_ip = limits(request.method or "GET")
    now = timezone.now()
    ip = client_ip(request)
    over_ip = rate_limit_hit(key=f"ip:{request.method}:{ip}", limit=per_ip, now=now)
    over_token = rate_limit_hit(key=f"tok:{request.method}:{token_hash(raw)[:40]}", limit=per_token, now=now)
    return over_ip or over_token


class PortalCsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF check, with one exception: the portal pages send `Referrer-Policy: no-referrer`,
    under which browsers send `Origin: null` on form posts. The double-submit token is still required
    (and the link's secret in the URL already defeats cross-site forgery)."""

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return True
        return bool(super()._origin_verified(request))  # type: ignore[misc]

    def _check_referer(self, request: HttpRequest) -> None:
        if not request.META.get("HTTP_REFERER"):
            return
        super()._check_referer(request)  # type: ignore[misc]


portal_csrf_protect = decorator_from_middleware(PortalCsrfMiddleware)


def debtor_view(view: DebtorView) -> DebtorView:
    """view(request, visit, today, **kwargs) for a live link; the generic pages otherwise."""
    protected = portal_csrf_protect(view)

    @login_not_required
    @csrf_exempt  # replaced by portal_csrf_protect above, which keeps the token check
    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponseBase:
        if _limited(request, token):
            return secure(too_many(request))
        if _body_too_large(request):
            return secure(too_large(request))
        today = local_today()
        found = portal_token_resolve(raw=token, today=today) if token_well_formed(token) else None
        if found is None:
            return secure(invalid_link(request))
        visit = Visit(found, token, client_ip(request))
        language = found.customer.language if found.customer.language in PORTAL_LANGUAGES else "fr"
        with translation.override(language):
            try:
                response = protected(request, visit, today, **kwargs)
            except Http404:
                response = HttpResponse(render_to_string("portal/not_found.html", {"token": token},
                                                         request=request), status=404)
            response["Content-Language"] = translation.get_language()
            return secure(response)

    return wrapper
