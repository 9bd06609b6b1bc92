from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("portail/", include("relance.portal.urls")),
    path("parametres/taux/", include("relance.legal.urls")),
    path("imports/", include("relance.imports.urls")),
    path("banque/", include("relance.banking.urls")),
    path("relances/", include("relance.dunning.urls")),
    path("documents/", include("relance.channels.urls")),
    path("indicateurs/", include("relance.analytics.urls")),
    path("", include("relance.web.urls")),
]
