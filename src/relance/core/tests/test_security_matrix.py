"""The security matrix: every URL of the project and every command that changes data with --user, tried by an
anonymous visitor, by the owner of another organisation, and by each role of the organisation that owns the data.

The product's rules (docs/readme/web.md, portal.md, accounts/permissions.py): sign-in everywhere except the
debtor portal (its private link is the key), the health check and the sign-in page; a viewer changes nothing,
a collector works customers and tasks, a manager also approves actions and edits plans, templates and settings,
an owner also manages members; the rate tables are the install administrators' (staff); one organisation never
sees nor changes another's rows.

Every URL name must have an entry in URLS (or fall under a namespace rule in NAMESPACES): a new view without a
declared access rule fails `test_every_url_declares_its_access_rule`. Every check must pass: a hole found is
fixed in the view, never marked as expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import relance.imports
from relance.accounts.models import Membership, Organisation, Role, User
from relance.activity.services import task_create
from relance.channels.models import Document
from relance.core.dates import local_today
from relance.core.factories import (
    PASSWORD,
    ContactFactory,
    CustomerFactory,
    InvoiceFactory,
    MembershipFactory,
    UserFactory,
)
from relance.dunning import services as dunning
from relance.dunning.models import Action, ActionInvoice, Plan
from relance.dunning.plans import plan_create_standard
from relance.ledger.models import Dispute, Invoice, Payment
from relance.legal.models import EcbDecision, RateHalfYear
from relance.portal.models import PaymentClaim, PaymentPlan, PortalToken, RateCounter
from relance.portal.plans import payment_plan_create
from relance.portal.services import portal_link_create
from relance.web.forms import ContactRulesForm

pytestmark = pytest.mark.django_db

VIEWER, COLLECTOR, MANAGER, OWNER = Role.VIEWER.value, Role.COLLECTOR.value, Role.MANAGER.value, Role.OWNER.value
ROLES = (VIEWER, COLLECTOR, MANAGER, OWNER)  # lowest first
PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # the debtor portal: no account, the private link is the key
SELF = "self"  # any signed-in person, acting on their own session only (no organisation data)
INSTALL_ADMIN = "install_admin"  # a member who is also staff of the install (the shared rate tables)
LYON_COURT = "Tribunal des activités économiques de Lyon"  # competent for a company in the Rhône (69)
#: what the text of any page of organisation A's data contains; never shown to another organisation
MARKERS = ("Garage Secret", "FA-SECRET", "C-SECRET", "compta@secret.fr")
#: the same for organisation B, whose rows A's members try to name in request bodies and queries
B_MARKERS = ("Client Concurrent", "FB-AUTRE", "C-AUTRE", "compta@autre.fr")


# --- The world: organisation A (durand) with one row of every kind a URL names, and organisation B -----------

def _world(org: Organisation, other_org: Organisation, media: Path) -> SimpleNamespace:
    today = local_today()
    people = {
        OWNER: MembershipFactory(org=org, user=UserFactory(email="alice@durand.fr"), role=OWNER),
        MANAGER: MembershipFactory(org=org, user=UserFactory(email="marc@durand.fr"), role=MANAGER),
        COLLECTOR: MembershipFactory(org=org, user=UserFactory(email="bob@durand.fr"), role=COLLECTOR),
        VIEWER: MembershipFactory(org=org, user=UserFactory(email="victor@durand.fr"), role=VIEWER),
    }
    admin = MembershipFactory(org=org, role=VIEWER,
                              user=UserFactory(email="root@durand.fr", is_staff=True, is_superuser=True)).user
    outsider = MembershipFactory(org=other_org, user=UserFactory(email="charlie@concurrent.fr"), role=OWNER).user
    plan_create_standard(org=org)
    customer = CustomerFactory(org=org, ref="C-SECRET", name="Garage Secret", postcode="69003", city="Lyon")
    contact = ContactFactory(customer=customer, email="compta@secret.fr")
    late = InvoiceFactory(customer=customer, number="FA-SECRET-1", issue_date=today - timedelta(days=70),
                          due_date=today - timedelta(days=40), total_incl_tax=Decimal("1200.00"))
    late.document.save("fa-secret-1.pdf", ContentFile(b"%PDF-1.4 facture"), save=True)
    disputed = InvoiceFactory(customer=customer, number="FA-SECRET-2", issue_date=today - timedelta(days=40),
                              due_date=today - timedelta(days=10), total_incl_tax=Decimal("300.00"))
    dunning.dispute_open(org=org, invoice=disputed, reason="Livraison incomplète", today=today)
    planned = InvoiceFactory(customer=customer, number="FA-SECRET-3", issue_date=today - timedelta(days=50),
                             due_date=today - timedelta(days=20), total_incl_tax=Decimal("500.00"))
    active_plan = payment_plan_create(org=org, customer=customer, invoices=[planned], today=today,
                                      instalments=[(today + timedelta(days=30), Decimal("500.00"))])
    action = Action.objects.create(org=org, customer=customer, step="formal_notice", date=today,
                                   channel="registered_letter", status=Action.Status.AWAITING_APPROVAL,
                                   amount_due=Decimal("1200.00"))
    ActionInvoice.objects.create(action=action, invoice=late, amount=Decimal("1200.00"))
    (media / "lettre.pdf").write_bytes(_blank_pdf())
    claim = PaymentClaim.objects.create(org=org, customer=customer, paid_on=today, recorded_on=today,
                                        proof_type="application/pdf")
    claim.proof.save("preuve.pdf", ContentFile(b"%PDF-1.4 preuve"), save=True)
    # a second customer of A, without any payment plan, to set one up (customer_plan_new, `relance plan create`)
    customer2 = CustomerFactory(org=org, ref="C-SECRET-2", name="Garage Secret Deux")
    invoice4 = InvoiceFactory(customer=customer2, number="FA-SECRET-4", issue_date=today - timedelta(days=50),
                              due_date=today - timedelta(days=20), total_incl_tax=Decimal("1200.00"))
    stranger = CustomerFactory(org=other_org, ref="C-AUTRE", name="Client Concurrent")
    stranger_invoice = InvoiceFactory(customer=stranger, number="FB-AUTRE-1", issue_date=today - timedelta(days=70),
                                      due_date=today - timedelta(days=40))
    stranger_disputed = InvoiceFactory(customer=stranger, number="FB-AUTRE-2", issue_date=today - timedelta(days=70),
                                       due_date=today - timedelta(days=40))
    dunning.dispute_open(org=other_org, invoice=stranger_disputed, reason="Litige de B", today=today)
    stranger_action = Action.objects.create(org=other_org, customer=stranger, step="formal_notice", date=today,
                                            channel="registered_letter", status=Action.Status.AWAITING_APPROVAL,
                                            amount_due=Decimal("1200.00"))
    ActionInvoice.objects.create(action=stranger_action, invoice=stranger_invoice, amount=Decimal("1200.00"))
    b = SimpleNamespace(
        customer=stranger, invoice=stranger_invoice, disputed=stranger_disputed, action=stranger_action,
        contact=ContactFactory(customer=stranger, email="compta@autre.fr", name="Contact Autre"),
        membership=Membership.objects.get(user=outsider, org=other_org),
        plan=payment_plan_create(org=other_org, customer=stranger, invoices=[stranger_invoice], today=today,
                                 instalments=[(today + timedelta(days=30), stranger_invoice.total_incl_tax)]),
    )
    return SimpleNamespace(
        org=org, other_org=other_org, today=today, people={r: m.user for r, m in people.items()},
        memberships=people, admin=admin, outsider=outsider, customer=customer, contact=contact, late=late,
        disputed=disputed, action=action, active_plan=active_plan, claim=claim, customer2=customer2,
        invoice4=invoice4,
        task=task_create(org=org, kind="letter", title="Courrier à poster", due=today, customer=customer),
        approval=task_create(org=org, kind="approval", title="Valider la mise en demeure", due=today,
                             customer=customer, action_id=action.pk),
        payment=Payment.objects.create(org=org, date=today, amount=Decimal("1200.00"), currency="EUR"),
        document=Document.objects.create(org=org, customer=customer, kind=Document.Kind.REGISTERED_LETTER,
                                         day=today, path="lettre.pdf", action_id=action.pk),
        payment_plan=PaymentPlan.objects.create(org=org, customer=customer, instalments_requested=3,
                                                first_date=today + timedelta(days=10),
                                                total=Decimal("1200.00"), requested_on=today),
        ecb=EcbDecision.objects.order_by("pk").first()
        or EcbDecision.objects.create(effective_date=date(2020, 1, 1), rate=Decimal("0.00")),
        half_year=RateHalfYear.objects.order_by("pk").first()
        or RateHalfYear.objects.create(year=2020, half=1, ecb_rate=Decimal("0.00")),
        token=portal_link_create(customer=customer, today=today),
        # a link dead for long (for `relance portal purge`)
        dead_link=PortalToken.objects.create(org=org, customer=customer, token_hash="d" * 64,
                                             created_on=today - timedelta(days=400),
                                             expires_on=today - timedelta(days=200)),
        stranger=stranger, stranger_invoice=stranger_invoice, b=b,
    )


def _blank_pdf() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer, out = PdfWriter(), BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def world(org, other_org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # primary keys restart in every test: never read another test's cached figures
    yield _world(org, other_org, tmp_path)
    cache.clear()
    from django.utils import translation

    translation.activate("fr")


def _dunning_plan(w: SimpleNamespace) -> int:
    return Plan.objects.get(org=w.org).pk


def _plan_form(w: SimpleNamespace) -> dict[str, Any]:
    """The plan page's form as saved, with the first step one day later."""
    steps = list(Plan.objects.get(org=w.org).steps.order_by("order"))
    data: dict[str, Any] = {"kinds": ["b2b", "b2c", "public"]}
    for i, step in enumerate(steps):
        data.update({f"anchor-{step.pk}": step.anchor, f"days-{step.pk}": str(step.days + (i == 0)),
                     f"channels-{step.pk}": list(step.channels)})
        if step.needs_approval:
            data[f"approval-{step.pk}"] = "on"
    return data


def _form_data(form: Any) -> dict[str, Any]:
    """What a browser posts for an unbound form as shown (booleans ticked or left out)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


# --- The table: one declared access rule per URL name --------------------------------------------------------

Args = Callable[[SimpleNamespace], dict[str, Any]]


def _none(w: SimpleNamespace) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Rule:
    """Who may do what at one URL.

    get / post: the least role served (VIEWER … OWNER, INSTALL_ADMIN, SELF, PUBLIC, TOKEN), None when the method is
    refused to everyone (405). scoped: the path names one of organisation A's rows (another organisation gets
    404 or 403). writes: a served POST changes data. data: the POST body, naming A's rows, so that a request by
    someone else doubles as a probe by identifier. ok: what the least allowed role gets (the control that a
    refusal is the rule's doing, not a broken request).
    """

    get: str | None
    post: str | None
    args: Args = _none
    scoped: bool = False
    writes: bool = True
    data: Args = _none
    query: Args = _none
    ok: tuple[int, ...] = (200, 302)


def _customer(w: SimpleNamespace) -> dict[str, Any]:
    return {"pk": w.customer.pk}


def _customer_id(w: SimpleNamespace) -> dict[str, Any]:
    return {"customer_id": w.customer.pk}


def _token(w: SimpleNamespace) -> dict[str, Any]:
    return {"token": w.token}


URLS: dict[str, Rule] = {
    # -- open to everyone (allow-list) --
    "login": Rule(get=PUBLIC, post=PUBLIC, writes=False),
    "health": Rule(get=PUBLIC, post=PUBLIC, writes=False),
    # -- the signed-in person's own session and language (no organisation data) --
    "logout": Rule(get=None, post=SELF, writes=False, ok=(302,)),  # to the sign-in page, signed out
    "set_language": Rule(get=None, post=SELF, writes=False, data=lambda w: {"language": "en"}),
    # -- read by every member --
    "dashboard": Rule(get=VIEWER, post=VIEWER, writes=False, query=lambda w: {"actualiser": "1"}),
    "today": Rule(get=VIEWER, post=VIEWER, writes=False, query=lambda w: {"equipe": "1"}),
    "customer_list": Rule(get=VIEWER, post=VIEWER, writes=False, query=lambda w: {"q": "Secret"}),
    "customer_detail": Rule(get=VIEWER, post=VIEWER, writes=False, args=_customer, scoped=True),
    "invoice_list": Rule(get=VIEWER, post=VIEWER, writes=False,
                         query=lambda w: {"customer": w.customer.pk, "status": "all"}),
    "invoice_detail": Rule(get=VIEWER, post=VIEWER, writes=False, args=lambda w: {"pk": w.late.pk}, scoped=True),
    "invoice_document": Rule(get=VIEWER, post=VIEWER, writes=False, args=lambda w: {"pk": w.late.pk}, scoped=True),
    "action_list": Rule(get=VIEWER, post=VIEWER, writes=False),
    "analytics:kpi": Rule(get=VIEWER, post=VIEWER, writes=False),
    "analytics:help": Rule(get=VIEWER, post=VIEWER, writes=False),
    "analytics:csv": Rule(get=VIEWER, post=VIEWER, writes=False),
    "analytics:xlsx": Rule(get=VIEWER, post=VIEWER, writes=False),
    "banking:review": Rule(get=VIEWER, post=VIEWER, writes=False,
                           query=lambda w: {"payment": w.payment.pk}),
    "banking:report": Rule(get=VIEWER, post=VIEWER, writes=False),
    "dunning:approvals": Rule(get=VIEWER, post=VIEWER, writes=False),
    "channels:download": Rule(get=VIEWER, post=VIEWER, writes=False, args=lambda w: {"pk": w.document.pk},
                              scoped=True),
    "channels:statement": Rule(get=VIEWER, post=VIEWER, writes=False, args=_customer_id, scoped=True),
    "legal:rates": Rule(get=VIEWER, post=VIEWER, writes=False),
    # -- collectors and above: customers, tasks, disputes, promises, payment plans, imports, documents --
    "task_done": Rule(get=None, post=COLLECTOR, args=lambda w: {"pk": w.task.pk}, scoped=True,
                      data=lambda w: {"outcome": "Posté"}),
    "customer_call": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True,
                          data=lambda w: {"outcome": "reached", "note": "Appel", "dispute_invoice": w.late.pk,
                                          "dispute_reason": "x"}),
    "customer_promise": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True,
                             data=lambda w: {"until": (w.today + timedelta(days=10)).isoformat()}),
    "customer_dispute_open": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True,
                                  data=lambda w: {"invoice": w.late.pk, "reason": "x", "reason_code": "other"}),
    "customer_dispute_resolve": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True,
                                     data=lambda w: {"invoice": w.disputed.pk, "resolution": "x"}),
    "customer_pause": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True, data=lambda w: {"reason": "x"}),
    "customer_contact": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True,
                             data=lambda w: {"contact": w.contact.pk, "name": "Pirate", "email": "p@x.fr"}),
    "customer_manual": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True, data=lambda w: {"manual": "1"}),
    # Revoking the portal links: managers and owners (portal.md, and portal:revoke below).
    "customer_portal_revoke": Rule(get=None, post=MANAGER, args=_customer, scoped=True),
    "customer_send_now_preview": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True, writes=False,
                                      data=lambda w: {"step": "reminder_1", "channel": "email"}),
    "customer_send_now": Rule(get=None, post=COLLECTOR, args=_customer, scoped=True,
                              data=lambda w: {"step": "reminder_1", "channel": "email"}),
    "customer_plan_new": Rule(get=COLLECTOR, post=COLLECTOR, args=lambda w: {"pk": w.customer2.pk}, scoped=True,
                              data=lambda w: {"do": "create", "invoices": [w.invoice4.pk], "count": "1",
                                              "first_date": (w.today + timedelta(days=20)).isoformat(),
                                              "ech-TOTAL_FORMS": "1", "ech-INITIAL_FORMS": "0",
                                              "ech-0-due_date": (w.today + timedelta(days=20)).isoformat(),
                                              "ech-0-amount": "1200,00"}),
    "customer_plan_cancel": Rule(get=None, post=COLLECTOR, scoped=True, data=lambda w: {"reason": "x"},
                                 args=lambda w: {"pk": w.customer.pk, "plan_pk": w.active_plan.pk}),
    "invoice_dispute_open": Rule(get=None, post=COLLECTOR, args=lambda w: {"pk": w.late.pk}, scoped=True,
                                 data=lambda w: {"invoice": w.late.pk, "reason": "x", "reason_code": "other"}),
    "invoice_dispute_resolve": Rule(get=None, post=COLLECTOR, args=lambda w: {"pk": w.disputed.pk}, scoped=True,
                                    data=lambda w: {"resolution": "x"}),
    "banking:assign": Rule(get=None, post=COLLECTOR, args=lambda w: {"pk": w.payment.pk}, scoped=True,
                           data=lambda w: {"invoices": [w.late.pk]}),
    # GET shows the upload form to every member; importing (POST) takes a collector.
    "banking:upload": Rule(get=VIEWER, post=COLLECTOR,
                           data=lambda w: {"files": ContentFile(_sample("modele-releve.csv"), name="r.csv")}),
    "imports:upload": Rule(get=COLLECTOR, post=COLLECTOR, writes=False,  # a checked file is only parked
                           data=lambda w: {"fmt": "auto",
                                           "file": ContentFile(_sample("modele-factures.csv"), name="f.csv")}),
    # writes=False: a confirmation needs a file parked in the session by a check (imports' own tests do both steps)
    "imports:confirm": Rule(get=None, post=COLLECTOR, writes=False, data=lambda w: {"token": "inconnu"}),
    "imports:sample": Rule(get=COLLECTOR, post=None, writes=False, args=lambda w: {"name": "factures"}),
    "channels:index": Rule(get=COLLECTOR, post=COLLECTOR, writes=False),
    # No letter was produced in the test's day: the allowed role gets the batch's own 404.
    "channels:batch": Rule(get=COLLECTOR, post=COLLECTOR, writes=False, args=lambda w: {"day": w.today},
                           ok=(200, 404)),
    "channels:litigation": Rule(get=COLLECTOR, post=COLLECTOR, writes=False, args=_customer_id, scoped=True),
    "channels:court": Rule(get=COLLECTOR, post=COLLECTOR, args=_customer_id, scoped=True,
                           data=lambda w: {"court": LYON_COURT}),
    "channels:registered_letter": Rule(get=None, post=COLLECTOR, args=lambda w: {"pk": w.document.pk},
                                       scoped=True, data=lambda w: {"tracking_number": "1A00000000000"}),
    "portal:proof": Rule(get=COLLECTOR, post=COLLECTOR, writes=False, args=lambda w: {"pk": w.claim.pk},
                         scoped=True),
    # A collector reads a requested plan; deciding it (POST) takes a manager.
    "portal:staff_plan": Rule(get=COLLECTOR, post=MANAGER, args=lambda w: {"pk": w.payment_plan.pk}, scoped=True,
                              data=lambda w: {"decision": "reject", "instalments": "3", "note": "x",
                                              "first_date": (w.today + timedelta(days=10)).isoformat()}),
    # -- managers and owners: approvals, plans, templates, settings --
    "task_decide": Rule(get=None, post=MANAGER, args=lambda w: {"pk": w.approval.pk}, scoped=True,
                        data=lambda w: {"do": "cancel"}),
    "action_bulk": Rule(get=None, post=MANAGER, data=lambda w: {"do": "cancel", "ids": [w.action.pk]}),
    "dunning:approve": Rule(get=None, post=MANAGER, args=lambda w: {"pk": w.action.pk}, scoped=True),
    "portal:revoke": Rule(get=None, post=MANAGER, args=_customer_id, scoped=True),
    "plan_list": Rule(get=MANAGER, post=MANAGER, writes=False),
    "plan_edit": Rule(get=MANAGER, post=MANAGER, args=lambda w: {"pk": _dunning_plan(w)}, scoped=True,
                      data=lambda w: _plan_form(w)),
    "template_list": Rule(get=MANAGER, post=MANAGER, writes=False),
    "template_edit": Rule(get=MANAGER, post=MANAGER,
                          args=lambda w: {"step": "reminder_1", "part": "email_text", "language": "fr"},
                          data=lambda w: {"source": "Bonjour {{ customer.name }}"}),
    "template_preview": Rule(get=None, post=MANAGER, writes=False,
                             data=lambda w: {"step": "reminder_1", "part": "email_text", "language": "fr",
                                             "customer": w.customer.pk, "source": "{{ customer.name }}"}),
    "settings": Rule(get=MANAGER, post=MANAGER,
                     data=lambda w: {**_form_data(ContactRulesForm(instance=w.org, prefix="rules")),
                                     "section": "rules", "rules-contact_spacing_days": "9"}),
    # -- owners: members and roles --
    "member_save": Rule(get=None, post=OWNER,
                        data=lambda w: {"membership": w.memberships[VIEWER].pk, "role": OWNER}),
    # -- install administrators (staff): the rate tables shared by every organisation --
    "legal:ecb_create": Rule(get=None, post=INSTALL_ADMIN, ok=(302, 400),
                             data=lambda w: {"effective_date": "2031-01-01", "rate": "1,00"}),
    "legal:ecb_edit": Rule(get=INSTALL_ADMIN, post=INSTALL_ADMIN, args=lambda w: {"pk": w.ecb.pk}, ok=(200, 302, 400),
                           data=lambda w: {"rate": "9,99"}),
    "legal:half_year_create": Rule(get=None, post=INSTALL_ADMIN, ok=(302, 400),
                                   data=lambda w: {"year": "2031", "half": "1", "ecb_rate": "1,00"}),
    "legal:half_year_edit": Rule(get=INSTALL_ADMIN, post=INSTALL_ADMIN, args=lambda w: {"pk": w.half_year.pk},
                                 ok=(200, 302, 400), data=lambda w: {"ecb_rate": "9,99"}),
    # -- the debtor portal: no account, the private link of one customer is the key --
    "portal:home": Rule(get=TOKEN, post=TOKEN, args=_token, writes=False),
    "portal:invoice_pdf": Rule(get=TOKEN, post=TOKEN, writes=False, args=lambda w: {"token": w.token, "pk": w.late.pk}),
    "portal:statement": Rule(get=TOKEN, post=TOKEN, args=_token, writes=False),
    "portal:logo": Rule(get=TOKEN, post=TOKEN, args=_token, writes=False, ok=(404,)),  # the org has no logo
    "portal:pay": Rule(get=TOKEN, post=TOKEN, args=_token, writes=False),
    "portal:paid": Rule(get=TOKEN, post=TOKEN, args=_token),
    "portal:promise": Rule(get=TOKEN, post=TOKEN, args=_token),
    "portal:dispute": Rule(get=TOKEN, post=TOKEN, args=_token),
    "portal:plan": Rule(get=TOKEN, post=TOKEN, args=_token),
}

#: URL namespaces with one rule for all their views (their names come from the admin registry and anymail)
NAMESPACES = {
    # Django's admin: staff of the install only; any other signed-in person is sent to the admin's sign-in.
    "admin": "staff",
    # Provider webhooks: no session; ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) is the key.
    "anymail": "webhook",
}


SAMPLES = Path(relance.imports.__file__).resolve().parent / "static" / "imports"  # the /imports/ page's examples


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- Walking the resolver --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    name: str | None  # "namespace:name"
    route: str
    namespace: str


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Found]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Found(name, prefix + str(pattern.pattern), namespace)


def test_every_url_declares_its_access_rule():
    """A new view must declare who may reach it: an entry in URLS, or a namespace with one rule for all."""
    found = list(walk())
    undeclared = sorted(f"{f.name} ({f.route})" for f in found
                        if f.namespace.split(":")[0] not in NAMESPACES and (f.name is None or f.name not in URLS))
    assert not undeclared, f"URLs without an access rule in test_security_matrix.URLS: {undeclared}"
    stale = sorted(set(URLS) - {f.name for f in found})
    assert not stale, f"URLS names no longer routed: {stale}"


# --- Helpers ---------------------------------------------------------------------------------------------------

def snapshot(org: Organisation) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to `org` (and every row of the tables shared by all organisations, and the queue of
    background tasks), to prove that a refused request wrote nothing nor queued anything. The portal's rate-limit
    counters count every request by design."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        ours = model.__module__.startswith("relance.") or model._meta.app_label == "django_tasks_database"
        if not ours or model is RateCounter:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        qs = model._default_manager.all()
        if model is Organisation:
            qs = qs.filter(pk=org.pk)
        elif model is User:
            qs = qs.filter(memberships__org=org)
        elif "org" in names:
            qs = qs.filter(org=org)
        columns = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows[model._meta.label] = list(qs.order_by("pk").values_list(*columns))
    return rows


def changed(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def url_of(name: str, w: SimpleNamespace) -> str:
    return reverse(name, kwargs=URLS[name].args(w))


def send(client: Client, name: str, method: str, w: SimpleNamespace) -> Any:
    rule, url = URLS[name], url_of(name, w)
    if method == "get":
        return client.get(url, rule.query(w))
    data = {k: (v.open("rb") if isinstance(v, ContentFile) else v) for k, v in rule.data(w).items()}
    return client.post(url, data)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sent_to_sign_in(response: Any, login: str = "login") -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(login))


def shown(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def rank(role: str) -> int:
    return ROLES.index(role)


SIGNED_IN = [n for n, r in URLS.items() if PUBLIC not in (r.get, r.post) and TOKEN not in (r.get, r.post)]
METHODS = ("get", "post")


# --- Anonymous visitors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "method"), [
    pytest.param(n, m, id=f"{n}-{m}") for n in SIGNED_IN for m in METHODS])
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(world, name, method):
    before = snapshot(world.org)
    response = send(Client(), name, method, world)
    assert sent_to_sign_in(response) or response.status_code in (403, 404), (name, method, response.status_code)
    assert not changed(before, snapshot(world.org)), (name, method)


@pytest.mark.parametrize("name", [n for n, r in URLS.items() if r.get in (PUBLIC, TOKEN)])
def test_the_allow_list_opens_without_signing_in(world, name):
    response = send(Client(), name, "get", world)
    assert response.status_code in URLS[name].ok, (name, response.status_code)
    assert not sent_to_sign_in(response)


# --- The owner of another organisation ------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "method"), [
    pytest.param(n, m, id=f"{n}-{m}") for n in SIGNED_IN for m in METHODS])
def test_another_organisation_never_reaches_nor_changes_its_data(world, name, method):
    """Scoped URLs: 404 (or 403/405). Lists and forms: the outsider's own, empty of A's rows, and a POST naming
    A's rows (ids in the body) changes nothing of A."""
    rule = URLS[name]
    before = snapshot(world.org)
    response = send(signed_in(world.outsider), name, method, world)
    served = rule.get if method == "get" else rule.post
    if rule.scoped or served is None:
        assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    else:
        text = shown(response)
        assert not [m for m in MARKERS if m in text], (name, method)
    assert not changed(before, snapshot(world.org)), (name, method)


# --- Each role of the organisation that owns the data ---------------------------------------------------------

def _below_floor() -> Iterator[Any]:
    for name, rule in URLS.items():
        for method, floor in (("get", rule.get), ("post", rule.post)):
            if floor in ROLES:
                below = ROLES[:rank(floor)]
            elif floor == INSTALL_ADMIN:
                below = ROLES  # every role inside an organisation, owner included
            else:
                continue
            for role in below:
                yield pytest.param(name, method, role, id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("name", "method", "role"), list(_below_floor()))
def test_a_role_below_the_rule_is_refused_and_nothing_is_written(world, name, method, role):
    before = snapshot(world.org)
    response = send(signed_in(world.people[role]), name, method, world)
    assert response.status_code == 403, (name, method, role, response.status_code)
    assert not changed(before, snapshot(world.org)), (name, method, role)


@pytest.mark.parametrize(("name", "method"), [
    (n, m) for n in SIGNED_IN for m in METHODS if (URLS[n].get if m == "get" else URLS[n].post) != SELF])
def test_a_signed_in_person_without_any_membership_is_refused_everywhere(world, name, method):
    """An account no organisation has added (or one just removed) reaches no organisation's page."""
    before = snapshot(world.org)
    response = send(signed_in(UserFactory(email="personne@example.fr")), name, method, world)
    assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    assert not changed(before, snapshot(world.org)), (name, method)


def _floors() -> Iterator[Any]:
    for name, rule in URLS.items():
        for method, floor in (("get", rule.get), ("post", rule.post)):
            if floor in ROLES or floor in (INSTALL_ADMIN, SELF):
                yield pytest.param(name, method, floor, id=f"{name}-{method}-{floor}")


@pytest.mark.parametrize(("name", "method", "floor"), list(_floors()))
def test_the_least_role_allowed_gets_through(world, name, method, floor):
    """The control of the refusals above: the same request by the least role the rule allows is served."""
    user = world.admin if floor == INSTALL_ADMIN else world.people[VIEWER if floor == SELF else floor]
    rule, before = URLS[name], snapshot(world.org)
    response = send(signed_in(user), name, method, world)
    assert response.status_code in rule.ok, (name, method, floor, response.status_code)
    assert name == "logout" or not sent_to_sign_in(response)
    if method == "post" and rule.writes:  # so "nothing written" after a refusal means the refusal stopped a write
        assert changed(before, snapshot(world.org)), (name, "the allowed POST wrote nothing")


@pytest.mark.parametrize(("name", "method"), [
    (n, m) for n, r in URLS.items() for m in METHODS if (r.get if m == "get" else r.post) is None])
def test_a_method_a_view_does_not_serve_is_refused_to_everyone(world, name, method):
    before = snapshot(world.org)
    response = send(signed_in(world.people[OWNER]), name, method, world)
    assert response.status_code == 405, (name, method, response.status_code)
    assert not changed(before, snapshot(world.org))


# --- Role rules inside a view (beyond its decorator) ----------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [(COLLECTOR, Action.Status.AWAITING_APPROVAL),
                                              (MANAGER, Action.Status.SENT)])
def test_only_a_manager_s_tick_carries_out_a_formal_notice_sent_now(world, role, status):
    """Send now: "Je valide cette étape" (approve=1) counts for managers and owners; a collector's tick is
    ignored and the formal notice waits for a manager (web.md, rule 12)."""
    world.customer.address, world.customer.postcode, world.customer.city = "1 rue du Port", "69003", "Lyon"
    world.customer.save()
    Action.objects.filter(pk=world.action.pk).delete()  # the formal notice the world keeps waiting
    response = signed_in(world.people[role]).post(
        reverse("customer_send_now", kwargs={"pk": world.customer.pk}),
        {"step": "formal_notice", "channel": "registered_letter", "approve": "1"})
    assert response.status_code == 302
    action = Action.objects.get(org=world.org, customer=world.customer, step="formal_notice")
    assert action.status == status, (role, action.status, action.last_error)


def test_a_collector_cannot_close_an_approval_task_without_a_manager_s_decision(world):
    from relance.activity.models import Task

    response = signed_in(world.people[COLLECTOR]).post(reverse("task_done", kwargs={"pk": world.approval.pk}),
                                                       {"outcome": "vu"})
    assert Task.objects.get(pk=world.approval.pk).status == Task.Status.OPEN, response.status_code


@pytest.mark.parametrize(("name", "data"), [
    ("action_bulk", {"do": "cancel", "ids": [], "next": "https://pirate.example/"}),
    ("set_language", {"language": "fr", "next": "https://pirate.example/"}),
])
def test_a_form_never_sends_its_user_to_another_site(world, name, data):
    response = signed_in(world.people[OWNER]).post(reverse(name), data)
    assert response.status_code == 302
    assert "pirate.example" not in response["Location"], (name, response["Location"])


def test_signing_in_never_sends_the_user_to_another_site(world):
    response = Client().post(reverse("login") + "?next=https://pirate.example/",
                             {"username": "alice@durand.fr", "password": PASSWORD})
    assert response.status_code == 302 and "pirate.example" not in response["Location"], response["Location"]


# --- A member of A naming B's rows in a request body (or mixing them into A's path) -------------------------

#: url name → (path of A's own rows, a body naming B's rows): probes by identifier, each must change nothing of B
PROBES: dict[str, tuple[Args, Args]] = {
    "customer_contact": (_customer, lambda w: {"contact": w.b.contact.pk, "name": "Pirate", "email": "p@x.fr"}),
    "customer_call": (_customer, lambda w: {"outcome": "reached", "dispute_invoice": w.b.invoice.pk,
                                            "dispute_reason": "x"}),
    "customer_dispute_open": (_customer, lambda w: {"invoice": w.b.invoice.pk, "reason": "x",
                                                    "reason_code": "other"}),
    "customer_dispute_resolve": (_customer, lambda w: {"invoice": w.b.disputed.pk}),
    "customer_plan_new": (_customer, lambda w: {
        "do": "create", "invoices": [w.b.invoice.pk], "count": "1", "first_date": "2099-01-01",
        "ech-TOTAL_FORMS": "1", "ech-INITIAL_FORMS": "0", "ech-0-due_date": "2099-01-01",
        "ech-0-amount": "1200,00"}),
    "customer_plan_cancel": (lambda w: {"pk": w.customer.pk, "plan_pk": w.b.plan.pk}, lambda w: {"reason": "x"}),
    "banking:assign": (lambda w: {"pk": w.payment.pk}, lambda w: {"invoices": [w.b.invoice.pk]}),
    "action_bulk": (_none, lambda w: {"do": "cancel", "ids": [w.b.action.pk]}),
    "member_save": (_none, lambda w: {"membership": w.b.membership.pk, "role": VIEWER}),
    "template_preview": (_none, lambda w: {"step": "reminder_1", "part": "email_text", "language": "fr",
                                           "customer": w.b.customer.pk, "source": "{{ customer.name }}"}),
    "portal:dispute": (_token, lambda w: {"invoice": w.b.invoice.pk, "reason_code": "other", "comment": "x"}),
}


@pytest.mark.parametrize("name", list(PROBES))
def test_naming_another_organisation_s_rows_in_a_body_changes_and_shows_nothing_of_them(world, name):
    path, body = PROBES[name]
    before = snapshot(world.other_org)
    client = Client() if URLS[name].post == TOKEN else signed_in(world.people[OWNER])
    response = client.post(reverse(name, kwargs=path(world)), body(world), follow=True)
    assert response.status_code in (200, 400, 404), (name, response.status_code)
    assert not [m for m in B_MARKERS if m in shown(response)], name
    assert not changed(before, snapshot(world.other_org)), name


#: url name → (path of A's own rows, a query naming B's rows); the page must show none of B's rows
GET_PROBES: dict[str, tuple[Args, Args]] = {
    "banking:review": (_none, lambda w: {"payment": w.payment.pk, "client": "C-AUTRE"}),
    "invoice_list": (_none, lambda w: {"customer": w.b.customer.pk, "status": "all"}),
    "customer_detail": (_customer, lambda w: {"facture": w.b.invoice.pk}),
    "portal:pay": (_token, lambda w: {"facture": w.b.invoice.pk}),
    "portal:dispute": (_token, lambda w: {"facture": w.b.invoice.pk}),
}


@pytest.mark.parametrize("name", list(GET_PROBES))
def test_naming_another_organisation_s_rows_in_a_query_shows_nothing_of_them(world, name):
    path, query = GET_PROBES[name]
    client = Client() if URLS[name].get == TOKEN else signed_in(world.people[OWNER])
    response = client.get(reverse(name, kwargs=path(world)), query(world))
    assert response.status_code == 200, (name, response.status_code)
    echoed = set(map(str, query(world).values()))  # a page may repeat what it was asked ("Client inconnu : …")
    assert not [m for m in B_MARKERS if m in shown(response) and m not in echoed], name


def test_a_portal_link_cannot_dispute_another_customer_s_invoice_of_the_same_organisation(world):
    invoice = Invoice.objects.get(org=world.org, number="FA-SECRET-4")  # customer C-SECRET-2's, not the link's
    response = Client().post(reverse("portal:dispute", kwargs={"token": world.token}),
                             {"invoice": invoice.pk, "reason_code": "other", "comment": "x"})
    assert response.status_code in (200, 400), response.status_code
    assert not Dispute.objects.filter(invoice=invoice).exists()


# --- The debtor portal: the link is the key, and the only key -------------------------------------------------

PORTAL = [n for n, r in URLS.items() if r.get == TOKEN]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", PORTAL)
def test_a_portal_page_with_an_unknown_link_is_not_found_and_changes_nothing(world, name, method):
    kwargs = {**URLS[name].args(world), "token": "x" * 43}
    before = snapshot(world.org)
    url = reverse(name, kwargs=kwargs)
    response = Client().get(url) if method == "get" else Client().post(url, URLS[name].data(world))
    assert response.status_code == 404, (name, method, response.status_code)
    assert not changed(before, snapshot(world.org))


def test_a_portal_link_never_opens_another_organisation_s_invoice(world):
    url = reverse("portal:invoice_pdf", kwargs={"token": world.token, "pk": world.stranger_invoice.pk})
    assert Client().get(url).status_code == 404


# --- Namespaces with one rule: the admin (staff) and the provider webhooks (shared secret) --------------------

def _admin_kwargs(route: str, w: SimpleNamespace) -> dict[str, Any]:
    candidates = {"object_id": str(w.customer.pk), "id": str(w.people[VIEWER].pk), "content_type_id": "1", "app_label": "ledger",
                  "url": "inconnu/"}
    return {k: v for k, v in candidates.items() if re.search(rf"[<:]{k}>", route)}


ADMIN = sorted({f.name for f in walk() if f.namespace == "admin" and f.name})


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ADMIN)
def test_the_admin_is_for_staff_only(world, name, method):
    """An owner of an organisation is no administrator of the install: sent to the admin's sign-in."""
    route = next(f.route for f in walk() if f.name == name)
    url = reverse(name, kwargs=_admin_kwargs(route, world))
    before = snapshot(world.org)
    for client in (Client(), signed_in(world.people[OWNER]), signed_in(world.outsider)):
        response = client.get(url) if method == "get" else client.post(url, {"name": "Piraté"})
        if name in ("admin:login", "admin:logout"):  # anyone may see the form, or sign themselves out
            assert response.status_code in (200, 302), (name, method, response.status_code)
            continue
        assert response.status_code == 405 or sent_to_sign_in(response, "admin:login") \
            or sent_to_sign_in(response), (name, method, response.status_code)
    assert not changed(before, snapshot(world.org))


ANYMAIL = sorted({f.name for f in walk() if f.namespace == "anymail" and f.name})
BASIC_AUTH_ONLY = ("anymail:brevo_tracking_webhook", "anymail:sendgrid_tracking_webhook",
                   "anymail:mailjet_tracking_webhook")


@pytest.mark.parametrize("name", BASIC_AUTH_ONLY)
def test_a_provider_webhook_refuses_a_post_without_the_shared_secret(world, settings, name):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "relance:un-secret-long"}
    before = snapshot(world.org)
    response = Client().post(reverse(name), {"event": "delivered"}, content_type="application/json")
    assert response.status_code in (400, 401, 403), (name, response.status_code)
    assert not changed(before, snapshot(world.org))


def test_a_provider_webhook_is_never_open_with_the_default_settings(world):
    assert not django_settings.ANYMAIL.get("WEBHOOK_SECRET")  # the default of settings.py
    event = {"event": "hard_bounce", "email": "compta@secret.fr", "message-id": "<inconnu@relance>",
             "ts_event": 1700000000}
    response = Client().post(reverse("anymail:brevo_tracking_webhook"), event, content_type="application/json")
    assert response.status_code in (400, 401, 403), response.status_code


def test_every_webhook_is_covered_by_the_webhook_rule():
    assert ANYMAIL, "no anymail URL found: the namespace rule tests nothing"
    assert set(BASIC_AUTH_ONLY) <= set(ANYMAIL)


# --- Commands: --user acts with that person's role -------------------------------------------------------------

@dataclass(frozen=True)
class CliRule:
    """A command (and sub-command) that changes data: its least role, and the arguments of one real change."""

    role: str
    args: Callable[[SimpleNamespace, Path], list[str]]
    writes: bool = True


def _org(w: SimpleNamespace) -> list[str]:
    return ["--org", w.org.slug]


CLI: dict[tuple[str, str], CliRule] = {
    # writes=False: the sub-command only reads; every member may run it, nobody from another organisation.
    ("dunning", "run"): CliRule(COLLECTOR, lambda w, tmp: ["run", *_org(w)]),
    ("dunning", "explain"): CliRule(VIEWER, lambda w, tmp: ["explain", "FA-SECRET-1", *_org(w)], writes=False),
    ("dunning", "approve"): CliRule(MANAGER, lambda w, tmp: ["approve", str(w.action.pk), *_org(w)]),
    ("dispute", "open"): CliRule(COLLECTOR, lambda w, tmp: ["open", "FA-SECRET-1", "--reason", "x", *_org(w)]),
    ("dispute", "resolve"): CliRule(COLLECTOR, lambda w, tmp: ["resolve", "FA-SECRET-2", *_org(w)]),
    ("promise", ""): CliRule(COLLECTOR, lambda w, tmp: [
        "C-SECRET", "--until", (w.today + timedelta(days=10)).isoformat(), *_org(w)]),
    ("import", "invoices"): CliRule(COLLECTOR, lambda w, tmp: [
        "invoices", str(SAMPLES / "modele-factures.csv"), *_org(w)]),
    ("import", "bank"): CliRule(COLLECTOR, lambda w, tmp: [
        "bank", str(SAMPLES / "modele-releve.csv"), *_org(w)]),
    ("plan", "create"): CliRule(COLLECTOR, lambda w, tmp: [
        "create", "C-SECRET-2", "--instalments", "2", *_org(w)]),
    ("plan", "cancel"): CliRule(COLLECTOR, lambda w, tmp: ["cancel", str(w.active_plan.pk), *_org(w)]),
    ("plan", "list"): CliRule(VIEWER, lambda w, tmp: ["list", *_org(w)], writes=False),
    ("portal", "purge"): CliRule(MANAGER, lambda w, tmp: ["purge", *_org(w)]),
    # letters and documents take --org and --user before their sub-command (run_cli puts --user first)
    ("letters", "batch"): CliRule(COLLECTOR, lambda w, tmp: [*_org(w), "batch", "--output", str(tmp / "lot.pdf")]),
    ("letters", "track"): CliRule(COLLECTOR, lambda w, tmp: [
        *_org(w), "track", str(w.action.pk), "--tracking", "1A00000000000"]),
    ("documents", "statement"): CliRule(VIEWER, lambda w, tmp: [
        *_org(w), "statement", "C-SECRET", "--output", str(tmp / "releve.pdf")], writes=False),
    ("documents", "litigation"): CliRule(COLLECTOR, lambda w, tmp: [
        *_org(w), "litigation", "C-SECRET", "--court", LYON_COURT, "--output",
        str(tmp / "c.zip")]),
    ("rates", "add"): CliRule(INSTALL_ADMIN, lambda w, tmp: [
        "add", "--kind", "ecb", "--from", "2031-01-01", "--rate", "1.00"]),
    ("kpi", ""): CliRule(VIEWER, lambda w, tmp: [*_org(w)], writes=False),
    ("payments", ""): CliRule(VIEWER, lambda w, tmp: [
        *_org(w), "--from", (w.today - timedelta(days=30)).isoformat(), "--to", w.today.isoformat()], writes=False),
}


def _commands_with_user() -> set[tuple[str, str]]:
    """(command, sub-command) of every relance command whose parser takes --user."""
    found: set[tuple[str, str]] = set()
    for name, app in get_commands().items():
        if not str(app).startswith("relance"):
            continue
        parser = load_command_class(app, name).create_parser("relance", name)
        subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        choices = subs[0].choices if subs else {}
        top = any("--user" in a.option_strings for a in parser._actions)
        if top and not choices:
            found.add((name, ""))
        for sub, subparser in choices.items():
            if top or any("--user" in a.option_strings for a in subparser._actions):
                found.add((name, sub))
    return found


def test_every_command_with_a_user_option_declares_its_rule():
    found = _commands_with_user()
    assert not sorted(found - set(CLI)), f"commands with --user missing from test_security_matrix.CLI: " \
                                         f"{sorted(found - set(CLI))}"
    assert not sorted(set(CLI) - found), f"CLI names no longer taking --user: {sorted(set(CLI) - found)}"





def run_cli(key: tuple[str, str], args: list[str], email: str) -> CommandError | None:
    top = key[0] in ("letters", "documents", "kpi", "payments")  # --user before the sub-command
    try:
        call_command(key[0], *(["--user", email, *args] if top else [*args, "--user", email]))
    except CommandError as exc:
        return exc
    return None


#: a member of A (the least role allowed) naming B's rows on the command line, with --org of A
CLI_PROBES: dict[str, tuple[str, tuple[str, str], Callable[[SimpleNamespace], list[str]]]] = {
    "dunning approve": (MANAGER, ("dunning", "approve"), lambda w: ["approve", str(w.b.action.pk), *_org(w)]),
    "dispute open": (COLLECTOR, ("dispute", "open"), lambda w: ["open", "FB-AUTRE-1", "--reason", "x", *_org(w)]),
    "dispute resolve": (COLLECTOR, ("dispute", "resolve"), lambda w: ["resolve", "FB-AUTRE-2", *_org(w)]),
    "promise": (COLLECTOR, ("promise", ""), lambda w: ["C-AUTRE", "--until", "2099-01-01", *_org(w)]),
    "plan cancel": (COLLECTOR, ("plan", "cancel"), lambda w: ["cancel", str(w.b.plan.pk), *_org(w)]),
    "letters track": (COLLECTOR, ("letters", "track"), lambda w: [*_org(w), "track", str(w.b.action.pk)]),
}


@pytest.mark.parametrize("probe", list(CLI_PROBES))
def test_a_command_never_reaches_another_organisation_s_rows_by_number_or_id(world, probe):
    role, key, args = CLI_PROBES[probe]
    before = snapshot(world.other_org)
    error = run_cli(key, args(world), world.people[role].email)
    assert error is not None and error.returncode == 2, probe
    assert not changed(before, snapshot(world.other_org)), probe


def test_a_command_refuses_a_deactivated_account(world):
    bob = world.people[COLLECTOR]
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    before = snapshot(world.org)
    error = run_cli(("dispute", "open"), ["open", "FA-SECRET-1", "--reason", "x", *_org(world)], bob.email)
    assert error is not None and error.returncode == 2
    assert not changed(before, snapshot(world.org))


def _cli_below() -> Iterator[Any]:
    for key, rule in CLI.items():
        below = ROLES if rule.role == INSTALL_ADMIN else ROLES[:rank(rule.role)]
        for role in below:
            yield pytest.param(key, role, id=f"{' '.join(key).strip()}-{role}")


@pytest.mark.parametrize(("key", "role"), list(_cli_below()))
def test_a_command_refuses_a_role_below_its_rule_with_exit_code_2(world, tmp_path, key, role):
    out = tmp_path / "out"  # where the command would write its file (MEDIA_ROOT is tmp_path itself)
    before = snapshot(world.org)
    error = run_cli(key, CLI[key].args(world, out), world.people[role].email)
    assert error is not None and error.returncode == 2, (key, role)
    assert "n'a pas le droit" in str(error), (key, role, str(error))
    assert not changed(before, snapshot(world.org)), (key, role)
    assert not out.exists(), "a refused command wrote a file"


@pytest.mark.parametrize("key", [pytest.param(k, id=" ".join(k).strip()) for k, r in CLI.items()
                                 if r.role != INSTALL_ADMIN])
def test_a_command_refuses_a_member_of_another_organisation(world, tmp_path, key):
    before = snapshot(world.org)
    error = run_cli(key, CLI[key].args(world, tmp_path), world.outsider.email)
    assert error is not None and error.returncode == 2 and "n'a pas le droit" in str(error), key
    assert not changed(before, snapshot(world.org)), key


@pytest.mark.parametrize("key", [pytest.param(k, id=" ".join(k).strip()) for k in CLI])
def test_a_command_runs_for_the_least_role_its_rule_allows(world, tmp_path, key):
    """The control of the refusals: the same command line, by the least role allowed, is not refused."""
    rule, out = CLI[key], tmp_path / "out"
    out.mkdir()
    email = world.admin.email if rule.role == INSTALL_ADMIN else world.people[rule.role].email
    before = snapshot(world.org)
    error = run_cli(key, rule.args(world, out), email)
    assert error is None, (key, str(error))
    if rule.writes:  # so "nothing written" after a refusal means the refusal stopped a write
        assert changed(before, snapshot(world.org)) or list(out.iterdir()), (key, "the allowed command wrote nothing")


@pytest.mark.parametrize("name", [n for n, r in URLS.items() if r.get in ROLES or r.get == INSTALL_ADMIN])
def test_a_staff_page_read_with_get_changes_nothing(world, name):
    """GET is safe: no cross-site link or prefetch can make a signed-in person's browser change data."""
    before = snapshot(world.org)
    floor = URLS[name].get
    user = world.admin if floor == INSTALL_ADMIN else world.people[floor]
    send(signed_in(user), name, "get", world)
    assert not changed(before, snapshot(world.org)), (name, changed(before, snapshot(world.org)))


def _csrf_cases() -> Iterator[Any]:
    for name, rule in URLS.items():
        if rule.post is not None and rule.post != PUBLIC:
            yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(_csrf_cases()))
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, name):
    """A cross-site form cannot act for a signed-in person (or a debtor's open link)."""
    rule = URLS[name]
    client = Client(enforce_csrf_checks=True)
    if rule.post != TOKEN:
        user = world.admin if rule.post == INSTALL_ADMIN else world.people[VIEWER if rule.post == SELF else rule.post]
        client.force_login(user)
    before = snapshot(world.org)
    response = send(client, name, "post", world)
    assert response.status_code == 403, (name, response.status_code)
    assert not changed(before, snapshot(world.org)), name

