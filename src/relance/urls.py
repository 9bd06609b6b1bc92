from anymail.urls import urlpatterns as anymail_urlpatterns
from django.contrib import admin
from django.urls import include, path

# Provider webhooks (delivery events, bounces) authenticate with ANYMAIL_WEBHOOK_SECRET, not a session.
for _pattern in anymail_urlpatterns:
    _pattern.callback.login_required = False  # what @login_not_required sets

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
