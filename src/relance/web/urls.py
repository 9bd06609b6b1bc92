from django.contrib.auth import views as auth_views
from django.urls import path

from relance.web import views

urlpatterns = [
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("sante/", views.health, name="health"),
    path("", views.dashboard, name="dashboard"),
    path("clients/", views.customer_list, name="customer_list"),
    path("clients/<int:pk>/", views.customer_detail, name="customer_detail"),
]
