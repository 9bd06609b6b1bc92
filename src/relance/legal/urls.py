from django.urls import path

from relance.legal import views

app_name = "legal"
urlpatterns = [
    path("", views.rate_tables, name="rates"),
    path("bce/ajouter/", views.ecb_decision_create, name="ecb_create"),
    path("bce/<int:pk>/", views.ecb_decision_edit, name="ecb_edit"),
    path("semestres/ajouter/", views.half_year_create, name="half_year_create"),
    path("semestres/<int:pk>/", views.half_year_edit, name="half_year_edit"),
]
