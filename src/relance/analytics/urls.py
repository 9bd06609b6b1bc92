from django.urls import path

from relance.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.kpi_page, name="kpi"),
    path("aide/", views.kpi_help, name="help"),
    path("export.csv", views.kpi_csv, name="csv"),
    path("export.xlsx", views.kpi_xlsx, name="xlsx"),
]
