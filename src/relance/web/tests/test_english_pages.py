"""A staff member who chose English reads English on every staff page: labels, statuses, choices, forms,
explanations. What is recorded (timeline events, task titles, sent messages, customer data) stays as recorded,
so it is taken out of the page before looking for French."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from relance.accounts.models import Organisation, User
from relance.activity.models import Event, Task
from relance.banking.models import BankStatement
from relance.channels.models import Template
from relance.demo.generator import DemoParams
from relance.demo.services import demo_create
from relance.dunning.models import Action, ActionInvoice, DunningRun, Plan
from relance.dunning.services import dunning_run
from relance.ledger.models import Contact, Customer, Dispute, Invoice, Payment, Promise
from relance.ledger.selectors import invoices_with_outstanding
from relance.legal.models import EcbDecision, RateHalfYear

pytestmark = pytest.mark.django_db

#: French words of the interface (labels, statuses, choices, buttons, sentences) that no English page shows
#: once the recorded data is taken out. "Relance" alone is the product's name.
FRENCH = re.compile(r"\b(" + "|".join([
    "Facture", "Factures", "facture", "factures", "Statut", "statut", "Échue?s?", "échue?s?", "Échéance", "échéance",
    "Client", "Clients", "client", "clients", "Relances", "relances", "Montant", "montant", "Payée", "Ouverte",
    "Annulée", "Enregistrer", "Aucun", "Aucune", "Rapproché", "rapprocher", "Entreprise", "Particulier",
    "Acheteur public", "Propriétaire", "Responsable", "Chargé de recouvrement", "Lecture seule", "Virement",
    "Prélèvement", "Chèque", "Paiement", "Paiements", "Encaissé", "Encaissements", "Importer", "Valider", "Taux",
    "Semestre", "Du", "Au", "Téléphone", "Adresse", "Jours", "jours", "Délai", "Contentieux", "Litige", "Litiges",
    "litige", "Promesse", "Tâche", "Tâches", "Courrier", "Courriers", "Lettre", "Étape", "étape", "Canal",
    "Modèle", "Paramètres", "Tableau de bord", "Aujourd'hui", "Voir", "Fichier", "Simulation", "Historique",
    "Mise en demeure", "mise en demeure", "Appel", "appel", "inconnu", "Intérêts", "Indemnité", "Oui", "Non",
    "le", "la", "les", "des", "du", "et", "à", "pour", "sur", "une", "avec", "dans", "est", "sont", "pas",
]) + r")\b")


def recorded_texts(org: Organisation) -> list[str]:
    """What the pages show as recorded: evidence and data, in the language it was written in."""
    texts: list[str] = []
    for model, fields in ((Event, ["message"]), (Task, ["title", "body", "outcome"]),
                          (Customer, ["name", "notes", "pause_reason", "address", "city"]),
                          (Contact, ["name", "role", "email"]), (Dispute, ["reason", "resolution"]),
                          (Promise, ["note"]), (Payment, ["payer_name", "remittance", "reference"]),
                          (Plan, ["name"]), (Template, ["source"])):
        for row in model.objects.filter(org=org).values_list(*fields):
            texts += [t for t in row if t]
    for run in DunningRun.objects.filter(org=org):
        texts += list(run.warnings or [])
    texts += [s.file_name for s in BankStatement.objects.filter(org=org)]
    texts += [t for row in RateHalfYear.objects.values_list("source") for t in row if t]
    texts += [t for row in EcbDecision.objects.values_list("source") for t in row if t]
    texts += [org.name, org.address, org.city, org.legal_mentions, org.sender_name, org.sender_email, org.reply_to]
    texts += [t for u in User.objects.all() for t in (u.full_name, u.email) if t]
    # every piece of a recorded text that the page may show apart (a title cut to its first line, "…" added)
    pieces = {p.strip() for t in texts for p in re.split(r"[\n…]", t) if len(p.strip()) > 3}
    return sorted(set(texts) | pieces, key=len, reverse=True)


def interface_text(page: str, recorded: list[str]) -> str:
    """The visible text and labelling attributes of a page, recorded texts taken out."""
    page = re.sub(r"(?s)<(script|style|textarea)\b.*?</\1>", " ", page)
    page = re.sub(r'(?s)<ol class="timeline">.*?</ol>', " ", page)  # the customer's timeline is evidence
    attributes = re.findall(r'\b(?:title|placeholder|aria-label|alt)="([^"]*)"', page)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page) + "\n" + "\n".join(attributes))
    for value in recorded:
        text = text.replace(value, " ")
    return text


def french_left(page: str, recorded: list[str]) -> list[str]:
    lines = {line.strip() for line in interface_text(page, recorded).splitlines() if FRENCH.search(line)}
    # a recorded text cut short on the page ("Taux BCE au premier jour du semestre ; taux de l'intérêt lé…")
    cut = {line for line in lines if line.endswith("…") and any(r.startswith(line[:-1]) for r in recorded)}
    return sorted(lines - cut)


@pytest.fixture
def company(settings, tmp_path, today):
    """A small demo company after a dunning run, with a formal notice awaiting approval."""
    settings.VAR_DIR = tmp_path
    org = demo_create(params=DemoParams(today=today, seed=3, customers=25, invoices=300)).org
    dunning_run(org=org, today=today)
    late = invoices_with_outstanding(org).filter(status=Invoice.Status.OPEN, kind=Invoice.Kind.INVOICE,
                                                 due_date__lt=today - timedelta(days=30)).first()
    assert late is not None
    outstanding = late.outstanding  # type: ignore[attr-defined]  # annotated by invoices_with_outstanding
    action = Action.objects.create(org=org, customer=late.customer, step="formal_notice", channel="registered_letter",
                                   date=today, status=Action.Status.AWAITING_APPROVAL, amount_due=outstanding)
    ActionInvoice.objects.create(action=action, invoice=late, amount=outstanding)
    return org


@pytest.fixture
def english(company, client):
    owner = User.objects.get(email="demo@relance.local")
    owner.language = "en"
    owner.save()
    client.force_login(owner)
    return client


def staff_pages(org: Organisation) -> dict[str, str]:
    customers = Customer.objects.filter(org=org)
    open_invoices = Invoice.objects.filter(org=org, status=Invoice.Status.OPEN).order_by("due_date")
    pages = {
        "dashboard": reverse("dashboard"), "today": reverse("today"), "customers": reverse("customer_list"),
        "invoices": reverse("invoice_list"), "paid invoices": reverse("invoice_list") + "?status=paid",
        "actions": reverse("action_list"), "approvals": reverse("dunning:approvals"), "settings": reverse("settings"),
        "plans": reverse("plan_list"), "templates": reverse("template_list"), "bank": reverse("banking:review"),
        "bank report": reverse("banking:report"), "bank upload": reverse("banking:upload"),
        "imports": reverse("imports:upload"), "documents": reverse("channels:index"), "kpi": reverse("analytics:kpi"),
        "kpi help": reverse("analytics:help"), "rates": reverse("legal:rates"),
        "plan": reverse("plan_edit", args=[Plan.objects.filter(org=org).first().pk]),  # type: ignore[union-attr]
        "template": reverse("template_edit", args=["reminder_1", "email_subject", "fr"]),
        "letter template": reverse("template_edit", args=["formal_notice", "letter", "fr"]),
    }
    disputed = Dispute.objects.filter(org=org).select_related("invoice").first()
    promised = Promise.objects.filter(org=org).first()
    awaiting = Action.objects.filter(org=org, status=Action.Status.AWAITING_APPROVAL).first()
    chosen = [c for c in (disputed and disputed.invoice.customer, promised and promised.customer,
                          awaiting and awaiting.customer) if c] + list(customers[:3])
    for c in chosen:
        pages[f"customer {c.ref}"] = reverse("customer_detail", args=[c.pk])
    for i in [*open_invoices[:2], *open_invoices.reverse()[:2],
              *Invoice.objects.filter(org=org, status=Invoice.Status.PAID)[:1]]:
        pages[f"invoice {i.number}"] = reverse("invoice_detail", args=[i.pk])
    return pages


def test_every_staff_page_reads_in_english_for_an_english_speaking_member(company, english):
    recorded = recorded_texts(company)
    left = {}
    for name, url in staff_pages(company).items():
        response = english.get(url)
        assert response.status_code == 200, (name, url)
        page = response.content.decode()
        assert '<html lang="en">' in page, name
        if found := french_left(page, recorded):
            left[name] = found
    assert left == {}, "\n".join(f"{name}: {line}" for name, lines in left.items() for line in lines)


def test_the_check_sees_french_interface_text_but_not_recorded_text(company):
    recorded = recorded_texts(company)
    event = Event.objects.filter(org=company).exclude(message="").first()
    assert event is not None and FRENCH.search(event.message)  # the evidence is French…
    page = (f'<ol class="timeline"><li>{event.message}</li></ol><h2>Invoices</h2><p>{event.message}</p>'
            f'<label>Du</label><button title="Valider">Approve</button>')
    assert french_left(page, recorded) == ["Du", "Valider"]  # …and taken out; the labels are not


def test_the_same_pages_are_french_for_a_french_speaking_member(company, client):
    client.force_login(User.objects.get(email="demo@relance.local"))
    page = client.get(reverse("settings")).content.decode()
    assert "Propriétaire" in page and "Chargé de recouvrement" in page and "Délai de paiement (jours)" in page
    page = client.get(reverse("banking:report")).content.decode()
    assert 'for="id_start">Du' in page and 'for="id_end">Au' in page


def test_labels_of_choices_and_forms_are_english_on_the_pages(company, english):
    page = english.get(reverse("settings")).content.decode()
    assert "Owner" in page and "Collector" in page and "Payment terms (days)" in page
    page = english.get(reverse("customer_list")).content.decode()
    assert "Business" in page and "Consumer" in page
    page = english.get(reverse("banking:report")).content.decode()
    assert 'for="id_start">From' in page and 'for="id_end">To' in page and "Collections by invoice" in page
    page = english.get(reverse("banking:report") + "?start=2026-02-01&end=2026-01-01").content.decode()
    assert "The start date must come before the end date." in page


def test_identifier_errors_follow_the_reader_s_language():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from relance.core.validators import validate_siren

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_siren("123456789")
    assert caught.value.messages == ["Invalid SIREN: 123456789"]
    with pytest.raises(ValidationError) as caught:
        validate_siren("123456789")
    assert caught.value.messages == ["SIREN invalide : 123456789"]


def test_a_call_logged_in_english_stays_french_on_the_timeline(company, english, today):
    customer = Customer.objects.filter(org=company).first()
    assert customer is not None
    page = english.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "Financial difficulties" in page and "Difficultés financières" not in page
    english.post(reverse("customer_call", args=[customer.pk]),
                 {"outcome": "reached", "reason": "financial_difficulty", "note": ""})
    event = Event.objects.filter(org=company, customer=customer, type="call_logged").get()
    assert event.message == "Appel : Joint — Difficultés financières."



# --- The dunning planner's explanations (French in the planner and the CLI, English on an English page) -------


def literal(node: Any, module: Any) -> str | None:
    """The text of "a" + NAME + "b" (string constants and the module's constants), None for anything else."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
        return getattr(module, node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left, module), literal(node.right, module)
        return None if left is None or right is None else left + right
    return None


def planner_sentences() -> list[str]:
    """Every sentence of dunning/planner.py a staff page may show, formatted with sample values: the literal
    templates of its Reason(...) and note(...) calls, and the pieces _outcome_text and explain() add."""
    import ast
    import string
    from datetime import date
    from pathlib import Path

    from relance.dunning import planner

    step = planner.Step("reminder_2", 30, "reminder_1", 14, ("email", "sms"))
    due_step = planner.Step("reminder_1", 20, planner.ANCHOR_DUE, 7, ("email",))
    day = date(2026, 11, 13)
    tree = ast.parse(Path(planner.__file__).read_text(encoding="utf-8"))
    sentences = []
    for node in ast.walk(tree):
        name = getattr(node, "func", None) and getattr(node.func, "id", "")  # type: ignore[attr-defined]
        if name not in ("Reason", "note") or len(node.args) < 2:  # type: ignore[attr-defined]
            continue
        template = literal(node.args[1], planner)  # type: ignore[attr-defined]
        if template is None:
            continue  # the f-strings: their pieces are below
        fields = {int(f.split(".")[0].split(":")[0]) for _t, f, _s, _c in string.Formatter().parse(template) if f}
        args = [step if f"{{{i}." in template else day if f"{{{i}:%d" in template else "5"
                for i in range(max(fields, default=-1) + 1)]
        prefix = "étape « reminder_1 » due : " + planner.WHEN.format(due_step, day) + ". Mais " if name == "note" else ""
        sentences.append(prefix + template.format(*args))
    for anchored in (step, due_step):
        sentences.append(planner.WHEN.format(anchored, day) + ".")
    return [*sentences,
            "Facture FA-1, le 23/11/2026 : reçoit une étape (règle 3) — étape « reminder_2 » due : déclenchement le "
            "13/11/2026 (l'étape « reminder_1 » +14 j). Regroupée dans "
            "l'étape « call » du client (la plus avancée du jour, règle 5), via email, sms ; elle avance d'une étape.",
            "Facture FA-1, le 23/11/2026 : ne reçoit pas d'étape (règle 3) — aucune information. Elle part "
            "aujourd'hui, via aucun canal ; elle n'avance pas.",
            "Facture FA-1, le 23/11/2026 : reçoit une étape (règle 3) — étape « formal_notice » due : déclenchement "
            "le 13/11/2026 (l'étape « reminder_3 » +14 j). Elle part "
            "aujourd'hui — action en attente de validation (règle 12), via registered_letter.",
            "un échéancier de paiement en cours couvre la facture (échéance du 13/11/2026, délai de grâce compris) "
            ": pas de relance tant qu'il est respecté.",
            # dunning.services.dunning_explain, for an invoice the planner does not see
            "Facture AV-1, le 23/11/2026 : ne reçoit pas d'étape (règle 9) — c'est un avoir : un avoir n'est jamais "
            "relancé.",
            "Facture FA-1, le 23/11/2026 : ne reçoit pas d'étape (règle 9) — elle n'a plus de restant dû ou n'est pas "
            "ouverte (statut : paid)."]


def test_every_sentence_of_the_planner_reads_in_english_on_a_staff_page():
    from django.utils import translation

    from relance.web.selectors import staff_explanation

    sentences = planner_sentences()
    assert len(sentences) > 20
    with translation.override("en"):
        english = {s: staff_explanation(s) for s in sentences}
    left = [e for e in english.values() if FRENCH.search(e) or "«" in e]
    assert left == [], "\n".join(left)
    with translation.override("en"):
        assert staff_explanation(
            "Facture FA-1, le 23/11/2026 : ne reçoit pas d'étape (règle 3) — prochaine étape « pre_due » : "
            "déclenchement le 13/12/2026 (l'échéance -3 j), pas encore atteint.") == (
            "Invoice FA-1, on 23/11/2026: gets no step — next step “pre-due reminder”: triggered on 13/12/2026 "
            "(the due date -3 d), not reached yet.")
    # French readers keep the planner's sentences, with labels and without rule numbers
    assert staff_explanation("Facture FA-1, le 23/11/2026 : ne reçoit pas d'étape (règle 8) — la facture est en "
                             "litige : ni étape ni mention dans les messages.") == (
        "Facture FA-1, le 23/11/2026 : ne reçoit pas d'étape — la facture est en litige : ni étape ni mention dans "
        "les messages.")
