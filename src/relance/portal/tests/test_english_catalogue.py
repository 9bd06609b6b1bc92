"""The portal speaks English to an English-speaking debtor or team member: its catalogue leaves nothing
untranslated, holds every string of the portal's code and templates, and the payment-plan refusals follow
the reader's language (French stays the default, as on the command line)."""

from __future__ import annotations

import gettext
import importlib.util
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from conftest import refusal
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from relance.portal import plans, schedule

PORTAL = Path(__file__).resolve().parents[1]
PO = PORTAL / "locale/en/LC_MESSAGES/django.po"
#: their messages live in the project catalogue (src/relance/locale/services_en.py), not the portal's
SERVICE_MODULES = ["services.py", "selectors.py", "api.py"]


def _translate_en() -> ModuleType:
    """The web app's catalogue reader (one parser of .po files for the project)."""
    path = Path(settings.BASE_DIR) / "web/locale/translate_en.py"
    spec = importlib.util.spec_from_file_location("translate_en", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRANSLATE_EN = _translate_en()


def entries(po: Path) -> dict[str, list[str]]:
    """msgid → its msgstr (one per plural form), the header left out."""
    out = {}
    for m in TRANSLATE_EN.ENTRY.finditer(po.read_text(encoding="utf-8")):
        _comments, msgid, _plural, msgstrs = m.groups()
        if TRANSLATE_EN.unquote(msgid):
            forms = re.split(r"^msgstr(?:\[\d\])? ", msgstrs, flags=re.M)[1:]
            out[TRANSLATE_EN.unquote(msgid)] = [TRANSLATE_EN.unquote(f) for f in forms]
    return out


def test_every_entry_of_the_portal_catalogue_has_its_english():
    untranslated = [msgid for msgid, forms in entries(PO).items() if not all(forms)]
    assert untranslated == []
    assert "#, fuzzy\nmsgid" not in PO.read_text(encoding="utf-8")  # a fuzzy guess is not used by gettext


def test_the_compiled_catalogue_matches_its_source():
    with PO.with_suffix(".mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    singular = {k: v[0] for k, v in entries(PO).items() if len(v) == 1}
    assert {k: v for k, v in compiled.items() if isinstance(k, str) and k} == singular


def test_the_english_keeps_every_placeholder():
    names = re.compile(r"%\(\w+\)[sd]|%%")
    wrong = {k: v for k, v in entries(PO).items()
             if any(sorted(names.findall(k)) != sorted(names.findall(form)) for form in v)}
    assert wrong == {}


def test_the_catalogue_holds_every_string_of_the_portal_code_and_templates(tmp_path, monkeypatch):
    """What `makemessages` finds in the portal (its service modules excepted) is all in the catalogue: a
    string added to the code or a template without its English fails here."""
    copy = tmp_path / "portal"
    shutil.copytree(PORTAL, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "locale"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_location=True, ignore_patterns=SERVICE_MODULES, verbosity=0)
    found = set(entries(copy / "locale/en/LC_MESSAGES/django.po"))
    assert "Payer par virement" in found and "Échéancier introuvable." in found
    assert sorted(found - set(entries(PO))) == []


# --- Payment-plan refusals ---------------------------------------------------------------------------------




@pytest.mark.django_db
def test_plan_refusals_read_in_english_and_stay_french_by_default(org, customer, invoices, today):
    no_invoice = lambda: plans.payment_plan_create(  # noqa: E731
        org=org, customer=customer, invoices=[], instalments=[(today, Decimal("1"))], today=today)
    assert refusal(no_invoice, "en") == "Choose at least one invoice."
    assert refusal(no_invoice) == "Choisissez au moins une facture."
    unknown = lambda: plans.plan_get(org=org, pk=404)  # noqa: E731
    assert refusal(unknown, "en") == "Payment plan not found."
    assert refusal(unknown, "fr") == "Échéancier introuvable."
    plan = plans.payment_plan_create(org=org, customer=customer, invoices=invoices, today=today,
                                     instalments=[(today + timedelta(days=30), Decimal("1500.50"))])
    second = lambda: plans.payment_plan_create(  # noqa: E731
        org=org, customer=customer, invoices=invoices, instalments=[(today, Decimal("1"))], today=today)
    assert refusal(second, "en") == "Boulangerie Martin already has a payment plan in progress: cancel it first."
    plans.payment_plan_cancel(org=org, plan=plan, today=today)
    with translation.override("en"):
        again = refusal(lambda: plans.payment_plan_cancel(org=org, plan=plan, today=today))
    assert again == "This payment plan is not in progress (status: cancelled)."


def test_schedule_problems_read_in_english():
    today = date(2026, 1, 15)
    rows = [(date(2026, 1, 10), Decimal("100.00")), (date(2026, 1, 5), Decimal("-1"))]
    with translation.override("en"):
        problems = schedule.schedule_problems(rows, total=Decimal("300.00"), today=today)
        too_many = schedule.schedule_problems([(today, Decimal("1"))] * 37, total=Decimal("37"), today=today)
    assert problems == ["Instalment 1: 10/01/2026 is already past.",
                        "Instalment 2: the amount must be positive, to the cent.",
                        "Instalment 2: 05/01/2026 is already past.",
                        "Instalment 2: the dates must follow one another (after 10/01/2026)."]
    assert too_many == ["A payment plan has from 1 to 36 instalments."]
    with translation.override("en"):
        gap = schedule.schedule_problems([(today, Decimal("100.00"))], total=Decimal("300.00"), today=today)
    assert gap[0].startswith("The instalments (100,00\u00a0€) must add up to what the chosen invoices still owe")


@pytest.mark.django_db
def test_the_pay_screen_reads_in_english(client, url, customer):
    customer.language = "en"
    customer.save()
    page = client.get(url("payer/")).content.decode()
    assert "Invoices to pay" in page and "Update the amount" in page and "due since" in page
    assert "Factures à payer" not in page and "Mettre à jour" not in page
