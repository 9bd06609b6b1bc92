"""`relance demo`: the company, its login, the ledger in the database, batches and --if-empty."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from relance.accounts.models import Membership, Organisation, Role, User
from relance.activity.models import Event, Task
from relance.demo.generator import DemoParams
from relance.demo.services import OWNER_EMAIL, demo_create
from relance.ledger.models import Allocation, Contact, Customer, Dispute, Invoice, Payment, Promise
from relance.ledger.selectors import customer_unapplied_credit, invoices_with_outstanding, scoped

TODAY = date(2025, 6, 16)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    return tmp_path


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--today", TODAY.isoformat(), *args, stdout=out, verbosity=0)
    return out.getvalue()


def ledger_snapshot(org: Organisation) -> list[tuple]:
    return list(scoped(Invoice, org).order_by("number").values_list(
        "number", "kind", "customer__ref", "customer__name", "issue_date", "due_date", "total_incl_tax", "status"))


@pytest.mark.django_db
def test_it_creates_the_company_its_owner_and_a_ledger(var_dir):
    output = run_demo("--customers", "40", "--invoices", "600")
    org = Organisation.objects.get()
    assert org.siren and org.iban and org.bic and org.sender_email and org.city == "Lyon"
    org.full_clean()  # SIREN, SIRET, VAT, IBAN and BIC are valid
    assert f"RCS Lyon {org.siren[:3]} {org.siren[3:6]} {org.siren[6:]} —" in org.legal_mentions
    assert org.phone.startswith("+334")  # a Lyon landline
    assert scoped(Customer, org).count() == 40
    assert scoped(Invoice, org).filter(kind=Invoice.Kind.INVOICE).count() == 600
    assert scoped(Invoice, org).filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert scoped(Payment, org).exists() and scoped(Contact, org).exists()
    owner = Membership.objects.get(org=org, user__email=OWNER_EMAIL)
    assert owner.role == Role.OWNER
    assert Membership.objects.filter(org=org, role=Role.COLLECTOR).exists()
    assert "demo@relance.local" in output and "http://" in output


@pytest.mark.django_db
def test_the_login_file_holds_a_password_that_works(var_dir):
    output = run_demo("--customers", "5", "--invoices", "20")
    text = (var_dir / "demo_login.txt").read_text()
    password = text.split("Mot de passe :")[1].strip()
    assert OWNER_EMAIL in text and "http://" in text and password in output
    assert User.objects.get(email=OWNER_EMAIL).check_password(password)
    assert len(password) >= 12


@pytest.mark.django_db
def test_a_second_demo_organisation_keeps_the_same_login(var_dir):
    run_demo("--customers", "3", "--invoices", "5")
    first = (var_dir / "demo_login.txt").read_text().split("Mot de passe :")[1].strip()
    run_demo("--customers", "3", "--invoices", "5", "--org-name", "Autre Démo SARL")
    second = (var_dir / "demo_login.txt").read_text().split("Mot de passe :")[1].strip()
    assert first == second
    assert Membership.objects.filter(user__email=OWNER_EMAIL).count() == 2


@pytest.mark.django_db
def test_if_empty_does_nothing_when_an_organisation_exists(var_dir, org):
    output = run_demo("--if-empty", "--customers", "5", "--invoices", "20")
    assert "existe déjà" in output
    assert Organisation.objects.count() == 1
    assert not Invoice.objects.exists()
    assert not (var_dir / "demo_login.txt").exists()


@pytest.mark.django_db
def test_if_empty_loads_the_demo_on_an_empty_database(var_dir):
    run_demo("--if-empty", "--customers", "5", "--invoices", "20")
    assert Organisation.objects.count() == 1 and Invoice.objects.filter(kind="invoice").count() == 20


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_ledger(var_dir):
    run_demo("--customers", "20", "--invoices", "150", "--seed", "3")
    run_demo("--customers", "20", "--invoices", "150", "--seed", "3", "--org-name", "Jumelle SAS")
    run_demo("--customers", "20", "--invoices", "150", "--seed", "4", "--org-name", "Autre SAS")
    first, twin, other = Organisation.objects.order_by("id")
    assert ledger_snapshot(first) == ledger_snapshot(twin)
    assert ledger_snapshot(first) != ledger_snapshot(other)


@pytest.mark.django_db
def test_statuses_follow_allocations_and_outstanding_is_derived(var_dir):
    run_demo("--customers", "40", "--invoices", "600")
    org = Organisation.objects.get()
    rows = invoices_with_outstanding(org).filter(kind=Invoice.Kind.INVOICE).exclude(status="cancelled")
    statuses = Counter()
    for invoice in rows:
        statuses[invoice.status] += 1
        assert invoice.allocated <= invoice.total_incl_tax, invoice.number
        assert (invoice.status == "paid") == (invoice.outstanding == 0), invoice.number
    assert statuses["paid"] > 0 and statuses["open"] > 0
    assert not Allocation.objects.filter(invoice__status="cancelled").exists()
    overdue = invoices_with_outstanding(org).filter(kind="invoice", status="open", due_date__lt=TODAY, outstanding__gt=0)
    assert overdue.count() > 20
    for payment in scoped(Payment, org).annotate(used=Sum("allocations__amount")):
        assert payment.used is not None and payment.used <= payment.amount
    credit = sum((customer_unapplied_credit(org=org, customer=c) for c in scoped(Customer, org)), Decimal("0"))
    assert credit >= 0


@pytest.mark.django_db
def test_disputes_promises_missing_emails_and_their_timeline_are_in_the_database(var_dir):
    run_demo("--customers", "200", "--invoices", "1500", "--seed", "7")
    org = Organisation.objects.get()
    open_disputes = scoped(Dispute, org).filter(status=Dispute.Status.OPEN)
    assert open_disputes.exists()
    assert all(d.invoice.status == "open" for d in open_disputes)
    active = scoped(Promise, org).filter(status=Promise.Status.ACTIVE)
    assert active.exists() and all(p.invoices.exists() and p.until > TODAY for p in active)
    without_email = scoped(Customer, org).exclude(contacts__email__gt="").count()
    assert 0 < without_email < 40
    kinds = Counter(scoped(Customer, org).values_list("kind", flat=True))
    assert kinds["public"] >= 3 and 10 <= kinds["b2c"] <= 35
    assert_the_timeline_holds_the_evidence_and_the_open_work(org)


@pytest.mark.django_db
def test_a_streamed_run_inserts_in_batches(var_dir):
    params = DemoParams(today=TODAY, customers=100, invoices=2000)
    with CaptureQueriesContext(connection) as queries:
        summary = demo_create(params=params, batch_size=500)
    assert summary.counts["invoices"] >= 2000
    inserts = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    # at least four chunks of ~500 invoices, each a handful of multi-row INSERTs, never one per row
    invoice_inserts = [q for q in inserts if '"ledger_invoice"' in q["sql"]]
    assert 4 <= len(invoice_inserts) <= 10
    assert len(queries.captured_queries) < 150


@pytest.mark.django_db
def test_bad_sizes_are_refused_with_exit_code_2(var_dir):
    with pytest.raises(CommandError) as error:
        run_demo("--customers", "0")
    assert error.value.returncode == 2
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_an_existing_demo_name_is_refused_with_exit_code_2(var_dir):
    run_demo("--customers", "2", "--invoices", "3")
    with pytest.raises(CommandError) as error:
        run_demo("--customers", "2", "--invoices", "3")
    assert error.value.returncode == 2 and "existe déjà" in str(error.value)


def assert_the_timeline_holds_the_evidence_and_the_open_work(org: Organisation) -> None:
    events = scoped(Event, org)
    assert events.filter(type="payment").count() == scoped(Payment, org).count()
    assert not events.filter(date__gt=TODAY).exists()
    open_disputes = scoped(Dispute, org).filter(status=Dispute.Status.OPEN)
    assert events.filter(type="dispute_opened").count() == scoped(Dispute, org).count()
    dispute_tasks = scoped(Task, org).filter(kind=Task.Kind.DISPUTE, status=Task.Status.OPEN)
    assert sorted(t.data["dispute_id"] for t in dispute_tasks) == sorted(d.pk for d in open_disputes)
    active = scoped(Promise, org).filter(status=Promise.Status.ACTIVE)
    promise_tasks = scoped(Task, org).filter(kind=Task.Kind.PROMISE)
    assert sorted(t.data["promise_id"] for t in promise_tasks) == sorted(p.pk for p in active)
    assert events.filter(type="promise_recorded").count() == scoped(Promise, org).count()
    assert events.filter(type="promise_kept").exists()
    first = events.filter(type="payment").order_by("id").first()
    assert first.customer_id and "Paiement de" in first.message and first.data["invoices"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_small_demo_leaves_nothing_behind(var_dir, monkeypatch):
    from relance.demo import services

    def broken_timeline(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_timeline", broken_timeline)
    with pytest.raises(RuntimeError):
        run_demo("--customers", "5", "--invoices", "20")
    assert not Organisation.objects.exists() and not Invoice.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_the_demo_company_has_yesterdays_bank_statement_so_its_first_run_is_not_warned(var_dir):
    from relance.banking.api import bank_staleness_warning
    from relance.banking.models import BankStatement

    run_demo("--customers", "30", "--invoices", "400")
    org = Organisation.objects.get()
    statement = BankStatement.objects.get(org=org)
    assert statement.closing_date == TODAY - timedelta(days=1) and statement.account_iban == org.iban
    in_window = scoped(Payment, org).filter(bank_transaction_id__isnull=False, date__gt=TODAY - timedelta(days=32),
                                            date__lt=TODAY)
    assert statement.payments_created == in_window.count() > 0
    assert bank_staleness_warning(org=org, today=TODAY) is None
    assert bank_staleness_warning(org=org, today=TODAY + timedelta(days=10)) is not None  # it still ages
