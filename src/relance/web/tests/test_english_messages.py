"""The services' messages speak the reader's language: French by default (the command line, the worker, a
French user), English for a person who chose English; the catalogues leave nothing untranslated."""

from __future__ import annotations

import gettext
import importlib.util
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from conftest import refusal
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from relance.activity.models import Event, Task
from relance.activity.services import task_complete, task_create
from relance.banking.services import payment_assign
from relance.channels.services import registered_letter_get
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.dunning import services as dunning
from relance.ledger.models import Payment
from relance.ledger.selectors import invoice_get
from relance.legal.api import limitation_alerts
from relance.legal.penalties import compute_penalties
from relance.legal.services import rate_check

APPS = Path(settings.BASE_DIR)


def _script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRANSLATE_EN = _script(APPS / "web/locale/translate_en.py")
SERVICES_EN = _script(APPS / "locale/services_en.py")
CATALOGUES = [*TRANSLATE_EN.CATALOGUES, SERVICES_EN.CATALOGUE]




# --- Service messages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_dated_before_the_last_real_run_is_refused_in_the_reader_s_language(org, today):
    dunning.dunning_run(org=org, today=today)
    before = today - timedelta(days=1)
    run = lambda: dunning.dunning_run(org=org, today=before)  # noqa: E731
    d, b = today.strftime("%d/%m/%Y"), before.strftime("%d/%m/%Y")
    assert refusal(run, "en") == (f"A real run already took place on {d}: cannot run the dunning for {b}, "
                                  f"an earlier date (use --dry-run to simulate).")
    assert refusal(run) == (f"Un passage réel a déjà eu lieu le {d} : impossible de relancer pour le {b}, "
                            f"date antérieure (utilisez --dry-run pour simuler).")


@pytest.mark.django_db
def test_an_unknown_invoice_is_named_in_english(org):
    assert refusal(lambda: invoice_get(org=org, number="FA-404"), "en") == "Unknown invoice: FA-404"
    assert refusal(lambda: invoice_get(org=org, number="FA-404"), "fr") == "Facture inconnue : FA-404"
    assert refusal(lambda: invoice_get(org=org, number="FA-404")) == "Facture inconnue : FA-404"


def test_penalties_refuse_bad_input_in_english(today):
    def penalties(kind: str, principal: str):
        return lambda: compute_penalties(table=None, kind=kind, principal=Decimal(principal),  # type: ignore[arg-type]
                                         due_date=today, as_of=today)

    assert refusal(penalties("b2z", "10.00"), "en") == "Unknown customer type: b2z (expected b2b, b2c or public)."
    assert refusal(penalties("b2b", "-1.00"), "en") == "The amount cannot be negative."
    assert refusal(penalties("b2z", "10.00")) == "Type de client inconnu : b2z (attendu b2b, b2c ou public)."
    # a literal % next to the placeholders survives both languages
    assert refusal(lambda: rate_check(Decimal("250")), "en") == "Invalid rate: 250 % (expected between -10 and 100)."
    assert refusal(lambda: rate_check(Decimal("250"))) == "Taux invalide : 250 % (attendu entre -10 et 100)."


@pytest.mark.django_db
def test_a_payment_already_matched_says_so_with_its_status_in_english(org, today):
    payment = Payment.objects.create(org=org, date=today, amount=Decimal("100.00"), status=Payment.Status.MATCHED)
    assign = lambda: payment_assign(org=org, payment=payment, invoices=[], actor=None, today=today)  # noqa: E731
    assert refusal(assign, "en") == "This payment is already matched."
    assert refusal(assign) == "Ce paiement est déjà rapproché."


@pytest.mark.django_db
def test_channels_and_tasks_refuse_in_english(org, today):
    assert refusal(lambda: registered_letter_get(org=org, action_id=987), "en") == "Registered letter not found: 987"
    assert refusal(lambda: registered_letter_get(org=org, action_id=987)) == "Lettre recommandée introuvable : 987"
    task = task_create(org=org, kind=Task.Kind.CALL, title="Appeler", due=today)
    task_complete(org=org, task=task, day=today)
    assert refusal(lambda: task_complete(org=org, task=task, day=today), "en") == "The task is already done."
    assert refusal(lambda: task_complete(org=org, task=task, day=today)) == "La tâche est déjà fait."


@pytest.mark.django_db
def test_send_now_checks_and_labels_follow_the_language_but_the_timeline_stays_french(org, late_customer, today):
    paid_up = CustomerFactory(org=org, name="Boulangerie Martin", ref="C-MAR")
    with translation.override("en"):
        plan = dunning.send_now_plan(org=org, customer=paid_up, step="reminder_1", channel="email", today=today)
        assert plan.problem == "Boulangerie Martin has no overdue invoice: nothing to remind."
        assert (dunning.STEP_LABELS["formal_notice"], dunning.CHANNEL_LABELS["registered_letter"]) == (
            "formal notice", "registered letter")
        dunning.action_send_now(org=org, customer=late_customer, step="reminder_1", channel="email", today=today)
        again = lambda: dunning.action_send_now(org=org, customer=late_customer, step="reminder_1",  # noqa: E731
                                                channel="email", today=today)
        assert refusal(again) == ("The first reminder by e-mail has already been created today for "
                                  "Garage Lefèvre.")
    assert dunning.STEP_LABELS["formal_notice"] == "mise en demeure"
    # the recorded evidence does not depend on who clicked
    recorded = Event.objects.filter(org=org, type="dunning_action", customer=late_customer).values_list("message",
                                                                                                      flat=True)
    assert len(recorded) == 1 and recorded[0].startswith("Première relance par e-mail demandée par l'équipe (")


@pytest.mark.django_db
def test_limitation_alerts_read_in_english_with_an_english_date(org):
    customer = CustomerFactory(org=org, kind="b2c", name="M. Petit", ref="C-PET")
    InvoiceFactory(customer=customer, number="FA-OLD", issue_date=date(2022, 5, 1), due_date=date(2022, 6, 1),
                   total_incl_tax=Decimal("90.00"))
    [alert] = limitation_alerts(org=org, today=date(2024, 11, 1))
    with translation.override("en"):
        assert alert.message == ("Invoice FA-OLD time-barred since 2 June 2024 (2 years after the due date): "
                                 "no more reminders.")
    assert alert.message == ("Facture FA-OLD prescrite depuis le 2 juin 2024 (2 ans après l'échéance) : "
                             "plus aucune relance.")


# --- Through the web app ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_action_shows_its_error_in_the_user_s_language(late_customer, bob, client_for):
    invoice = invoice_get(org=late_customer.org, number="FA-LATE")
    url = reverse("customer_dispute_resolve", args=[late_customer.pk])
    c = client_for(bob)
    html = c.post(url, {"invoice": invoice.pk}, follow=True).content.decode()
    assert "La facture FA-LATE n&#x27;a pas de litige ouvert." in html
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.post(url, {"invoice": invoice.pk}, follow=True).content.decode()
    assert "Invoice FA-LATE has no open dispute." in html and "litige ouvert" not in html


@pytest.mark.django_db
def test_the_approval_spacing_refusal_is_in_english_on_the_send_now_page(late_customer, bob, client_for, today):
    dunning.action_send_now(org=late_customer.org, customer=late_customer, step="reminder_1", channel="email",
                            today=today)
    c = client_for(bob)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    preview = c.post(reverse("customer_send_now_preview", args=[late_customer.pk]),
                     {"step": "reminder_2", "channel": "email"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Garage Lefèvre received a message on" in preview and "days apart" in preview


# --- The catalogues ----------------------------------------------------------------------------------------


MSGCTXT = re.compile(r'msgctxt ((?:"(?:[^"\\]|\\.)*"\n)+)\Z')


def _entries(po: Path) -> dict[str, str]:
    """msgid → msgstr of the singular entries of a .po file (the header left out); a message with a context is
    keyed "context\x04msgid", as gettext keys it."""
    out = {}
    text = po.read_text(encoding="utf-8")
    for m in TRANSLATE_EN.ENTRY.finditer(text):
        _comments, msgid, plural, msgstr = m.groups()
        if not plural and TRANSLATE_EN.unquote(msgid):
            start = m.start(2) - len("msgid ")
            context = MSGCTXT.search(text[max(0, start - 500):start])
            key = TRANSLATE_EN.unquote(msgid)
            out[f"{TRANSLATE_EN.unquote(context.group(1))}\x04{key}" if context else key] = TRANSLATE_EN.unquote(msgstr)
    return out


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(APPS).parts[0])
def test_every_string_of_the_catalogues_has_its_english(po):
    assert TRANSLATE_EN.missing(po) == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(APPS).parts[0])
def test_the_compiled_catalogues_match_their_sources(po):
    """A .po edited without compiling (or the other way round) would show French, or stale English."""
    with po.with_suffix(".mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    source = {k: v for k, v in _entries(po).items() if v}
    assert {k: v for k, v in compiled.items() if isinstance(k, str) and k} == source


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(APPS).parts[0])
def test_the_english_keeps_every_placeholder(po):
    names = re.compile(r"%\(\w+\)[sd]|%%|\{\w*\}")
    wrong = {k: v for k, v in _entries(po).items() if sorted(names.findall(k)) != sorted(names.findall(v))}
    assert wrong == {}


def test_the_services_catalogue_holds_every_service_message(tmp_path):
    """Every `_()` of the service modules is in the committed catalogue (run services_en.py after adding one)."""
    strings = SERVICES_EN.extract()
    assert "Facture inconnue : %(number)s" in strings and "mise en demeure" in strings
    fresh = tmp_path / "django.po"
    assert SERVICES_EN.write(strings, fresh) == []
    assert _entries(fresh) == _entries(SERVICES_EN.CATALOGUE)
    assert set(SERVICES_EN.EN) <= set(strings), "English kept for strings no longer used"


def test_no_service_message_is_built_with_an_f_string():
    """`_(f"…")` would look up the filled-in text, which no catalogue has."""
    for path in SERVICES_EN.sources():
        assert not re.search(r"""\b_\(f["']""", path.read_text(encoding="utf-8")), path


def test_every_label_of_the_models_and_forms_has_its_english():
    """Field names, choices (customer types, statuses, roles…), form labels and errors: each has English in the
    project catalogue, or, for the forms of the web app, in its own catalogue (run services_en.py /
    translate_en.py after adding one)."""
    import ast

    labels: dict[str, list[str]] = {}
    for path in [*SERVICES_EN.label_sources(), APPS / "web/forms.py"]:
        SERVICES_EN._strings(ast.parse(path.read_text(encoding="utf-8")), path, labels)
    assert {"Entreprise", "Chargé de recouvrement", "À rapprocher", "période\x04Du", "raison sociale"} <= set(labels)
    english = {**_entries(TRANSLATE_EN.CATALOGUES[0]), **_entries(SERVICES_EN.CATALOGUE)}
    assert {text: where for text, where in labels.items() if not english.get(text)} == {}


def test_the_labels_read_in_english_for_an_english_reader():
    from relance.accounts.models import Role
    from relance.banking.forms import PeriodForm
    from relance.ledger.models import CustomerKind, Invoice

    with translation.override("en"):
        assert (str(CustomerKind.B2C.label), str(Role.COLLECTOR.label), str(Invoice.Status.OPEN.label)) == (
            "Consumer", "Collector", "Open")
        assert str(Payment._meta.get_field("method").verbose_name) == "method"
        form = PeriodForm({"start": "2026-11-02", "end": "2026-11-01"})
        assert (str(form["start"].label), str(form["end"].label)) == ("From", "To")
        assert form.errors["__all__"] == ["The start date must come before the end date."]
    assert str(Role.COLLECTOR.label) == "Chargé de recouvrement"
    assert str(PeriodForm()["end"].label) == "Au"
