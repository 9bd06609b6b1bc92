from django.urls import path

from relance.portal import views

app_name = "portal"
urlpatterns = [
    # Staff (signed in); listed first so that no token can shadow them.
    path("revoquer/<int:customer_id>/", views.revoke, name="revoke"),
    path("justificatifs/<int:pk>/", views.proof, name="proof"),
    path("echeanciers/<int:pk>/", views.staff_plan, name="staff_plan"),
    # Debtor (the private link is the key).
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/facture/<int:pk>/", views.invoice_pdf, name="invoice_pdf"),
    path("<str:token>/releve/", views.statement, name="statement"),
    path("<str:token>/logo/", views.logo, name="logo"),
    path("<str:token>/payer/", views.pay, name="pay"),
    path("<str:token>/jai-paye/", views.paid, name="paid"),
    path("<str:token>/promesse/", views.promise, name="promise"),
    path("<str:token>/litige/", views.dispute, name="dispute"),
    path("<str:token>/echeancier/", views.plan, name="plan"),
]
