from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail.urls import urlpatterns as anymail_urlpatterns
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import include, path


def _secret_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Provider webhooks (delivery events, bounces) authenticate with ANYMAIL_WEBHOOK_SECRET, not a session.
    Without that secret anymail would accept anyone's POST (it only warns): refused until it is set."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            return HttpResponseForbidden("ANYMAIL_WEBHOOK_SECRET is not set: provider webhooks are disabled.")
        return view(request, *args, **kwargs)

    guarded.login_required = False  # type: ignore[attr-defined]  # what @login_not_required sets
    guarded.csrf_exempt = True  # type: ignore[attr-defined]  # the provider posts without a CSRF token
    return guarded


for _pattern in anymail_urlpatterns:
    _pattern.callback = _secret_required(_pattern.callback)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("anymail/", include("anymail.urls")),
    path("portail/", include("relance.portal.urls")),
    path("parametres/taux/", include("relance.legal.urls")),
    path("imports/", include("relance.imports.urls")),
    path("banque/", include("relance.banking.urls")),
    path("relances/", include("relance.dunning.urls")),
    path("documents/", include("relance.channels.urls")),
    path("indicateurs/", include("relance.analytics.urls")),
    path("", include("relance.web.urls")),
]
