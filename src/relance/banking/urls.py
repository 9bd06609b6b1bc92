from django.urls import path

from relance.banking import views

app_name = "banking"
urlpatterns = [
    path("", views.review, name="review"),
    path("paiements/<int:pk>/affecter/", views.assign, name="assign"),
    path("encaissements/", views.report, name="report"),
    path("importer/", views.upload, name="upload"),
]
