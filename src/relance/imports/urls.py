from django.urls import path

from relance.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirmer/", views.confirm, name="confirm"),
    path("modeles/<slug:name>.csv", views.sample, name="sample"),
]
