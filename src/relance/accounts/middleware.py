from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from relance.accounts.models import Membership

SESSION_ORG_KEY = "relance_org_id"


class OrganisationMiddleware:
    """Sets request.org and request.membership for signed-in users: one place decides the scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.org = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            # Staff pages speak the user's language (French unless they chose English).
            translation.activate(request.user.language or "fr")  # type: ignore[union-attr]
            request.LANGUAGE_CODE = translation.get_language()
            memberships = Membership.objects.select_related("org").filter(user=request.user)
            wanted = request.session.get(SESSION_ORG_KEY)
            membership = next((m for m in memberships if m.org_id == wanted), None) or memberships.first()
            if membership is not None:
                request.org = membership.org  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
        return self.get_response(request)


class FrenchFirstLocaleMiddleware:
    """French unless the person chose English (language cookie, or their profile once signed in).

    The browser's Accept-Language is deliberately ignored: a French finance team on an English-language
    laptop still expects a French product.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        wanted = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            # The language belongs to this request only: never leak it to the next one on this thread.
            translation.deactivate()
        return response
