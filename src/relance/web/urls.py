from django.contrib.auth import views as auth_views
from django.urls import path

from relance.web.views import account, customers, dashboard, editors, invoices, send_now, settings, today
from relance.web.views import plans as payment_plans

urlpatterns = [
    path("connexion/", account.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("langue/", account.language_set, name="set_language"),
    path("sante/", dashboard.health, name="health"),
    path("", dashboard.dashboard, name="dashboard"),
    path("aujourdhui/", today.today, name="today"),
    path("taches/<int:pk>/fait/", today.task_done, name="task_done"),
    path("taches/<int:pk>/decision/", today.task_decide, name="task_decide"),
    path("clients/", customers.customer_list, name="customer_list"),
    path("clients/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("clients/<int:pk>/appel/", customers.customer_call, name="customer_call"),
    path("clients/<int:pk>/promesse/", customers.customer_promise, name="customer_promise"),
    path("clients/<int:pk>/litige/", customers.customer_dispute_open, name="customer_dispute_open"),
    path("clients/<int:pk>/litige/resolu/", customers.customer_dispute_resolve, name="customer_dispute_resolve"),
    path("clients/<int:pk>/suspension/", customers.customer_pause, name="customer_pause"),
    path("clients/<int:pk>/contact/", customers.customer_contact, name="customer_contact"),
    path("clients/<int:pk>/mode-manuel/", customers.customer_manual, name="customer_manual"),
    path("clients/<int:pk>/portail/revoquer/", customers.customer_portal_revoke, name="customer_portal_revoke"),
    path("clients/<int:pk>/envoyer/apercu/", send_now.send_now_preview, name="customer_send_now_preview"),
    path("clients/<int:pk>/envoyer/", send_now.send_now, name="customer_send_now"),
    path("clients/<int:pk>/echeancier/", payment_plans.plan_new, name="customer_plan_new"),
    path("clients/<int:pk>/echeancier/<int:plan_pk>/annuler/", payment_plans.plan_cancel,
         name="customer_plan_cancel"),
    path("factures/", invoices.invoice_list, name="invoice_list"),
    path("factures/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("actions/", invoices.action_list, name="action_list"),
    path("actions/lot/", invoices.action_bulk, name="action_bulk"),
    path("parametres/", settings.settings_page, name="settings"),
    path("plans/", editors.plan_list, name="plan_list"),
    path("plans/<int:pk>/", editors.plan_edit, name="plan_edit"),
    path("modeles/", editors.template_list, name="template_list"),
    path("modeles/apercu/", editors.template_preview, name="template_preview"),
    path("modeles/<slug:step>/<slug:part>/<slug:language>/", editors.template_edit, name="template_edit"),
    path("parametres/membres/", settings.member_save, name="member_save"),
]
