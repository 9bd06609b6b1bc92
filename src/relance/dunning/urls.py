from django.urls import path

from relance.dunning import views

app_name = "dunning"
urlpatterns = [
    path("", views.approval_list, name="approvals"),
    path("<int:pk>/valider/", views.approve, name="approve"),
]
