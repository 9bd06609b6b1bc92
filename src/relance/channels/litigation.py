"""The litigation file: one PDF (claim, chronology, formal notice, "injonction de payer" data) plus the
original invoices, the formal notice and an account statement, zipped."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Event, Task
from relance.channels.builders import context_for_customer
from relance.channels.courts import ANNUAIRE_URL, PostcodeError, commercial_name, court_candidates
from relance.channels.models import CourtChoice, Document
from relance.channels.pdf import html_to_document, media_path
from relance.channels.statement import statement_pdf
from relance.core.errors import ApplicationError
from relance.core.money import money
from relance.ledger.models import Customer, Invoice


@dataclass(frozen=True)
class Court:
    cerfa: str
    court: str
    note: str
    #: every court of the debtor's département when the postcode alone cannot decide
    candidates: tuple[str, ...] = ()
    departement: str = ""


PUBLIC_NOTE = ("Acheteur public : pas d'injonction de payer ; demander un référé-provision au tribunal "
               "administratif (ou passer par Chorus Pro et le comptable public).")


def competent_court(*, kind: str, postcode: str, city: str, today: date, chosen: str = "") -> Court:
    """Which form and court for an "injonction de payer" (CPC 1405–1425), by the debtor's address.

    Commercial claims against a business go to the commercial court (Cerfa 12946), others to the tribunal
    judiciaire (Cerfa 12948), both of the debtor's domicile (CPC 1406), looked up in data/juridictions.csv.
    `chosen` is the court a person recorded for this customer when the département has several.
    """
    if kind == "public":
        return Court("", "Tribunal administratif", PUBLIC_NOTE)
    commercial = kind == "b2b"
    cerfa = "12946" if commercial else "12948"
    try:
        found = court_candidates(postcode=postcode, commercial=commercial, today=today)
    except PostcodeError as exc:
        return Court(cerfa, "À déterminer", f"{exc.message} Corriger l'adresse du client, ou trouver la "
                     f"juridiction de sa commune sur l'annuaire des juridictions ({ANNUAIRE_URL}).")
    dept = found.departement
    where = f"{dept.name} ({dept.code})"
    scope = ("Si le débiteur professionnel n'est ni commerçant ni artisan (profession libérale, association…), "
             "la requête va au tribunal judiciaire (Cerfa 12948). ") if commercial else ""
    if chosen:
        chosen = commercial_name(chosen, today=today) if commercial else chosen
        return Court(cerfa, chosen, f"{scope}Juridiction choisie pour ce client parmi celles du département "
                     f"{where}.", found.names, dept.code)
    if found.single:
        return Court(cerfa, found.single, f"{scope}Seule juridiction compétente du département {where} : "
                     "vérifier que le débiteur y demeure bien (le code postal suit parfois un département voisin).",
                     found.names, dept.code)
    listed = " ; ".join(found.names) or "aucune dans la table livrée"
    several = (f"compte plusieurs juridictions : {listed}." if len(found.names) > 1
               else f"n'est couvert qu'en partie par la table livrée (qui donne : {listed}).")
    partial = " La table livrée ne couvre pas tout ce département." if len(found.names) > 1 and not found.complete else ""
    return Court(cerfa, "À déterminer parmi les juridictions du département", (
        f"{scope}Le département {where} {several}{partial} Seule la commune du débiteur ({city or 'inconnue'}) "
        f"décide : vérifier son ressort sur l'annuaire des juridictions ({ANNUAIRE_URL}), puis enregistrer le "
        "choix pour ce client (page « Juridiction » du client sous /documents/, ou relance documents "
        "litigation CODE_CLIENT --court « … »)."), found.names, dept.code)


def chosen_court(*, org: Organisation, customer: Customer) -> str:
    """The court recorded for this customer, while its postcode is the one it was chosen for."""
    choice = CourtChoice.objects.filter(org=org, customer=customer, commercial=customer.kind == "b2b",
                                        postcode=customer.postcode.strip()).first()
    return choice.court if choice else ""


CHRONOLOGY_TYPES = {
    "email_sent": "E-mail envoyé", "sms_sent": "SMS envoyé", "letter_produced": "Courrier produit",
    "formal_notice": "Mise en demeure", "registered_letter_tracked": "Recommandé : suivi",
    "reply_received": "Réponse du client", "email_bounced": "E-mail non distribué",
    "promise_broken": "Promesse non tenue", "promise_recorded": "Promesse de paiement",
    "promise_kept": "Promesse tenue", "portal_promise": "Promesse (espace client)",
    "dispute_opened": "Litige ouvert", "dispute_resolved": "Litige résolu", "portal_dispute": "Litige (espace client)",
    "call_logged": "Appel", "payment": "Paiement reçu", "payment_reversed": "Paiement annulé",
    "payment_plan_created": "Échéancier accordé", "portal_plan_approved": "Échéancier accordé",
    "payment_plan_broken": "Échéancier non respecté", "payment_plan_completed": "Échéancier soldé",
    "payment_plan_cancelled": "Échéancier annulé", "portal_payment_claimed": "Paiement déclaré (espace client)",
}


STEP_LABELS = {
    "pre_due": "rappel avant échéance", "reminder_1": "relance 1", "reminder_2": "relance 2", "call": "appel",
    "reminder_3": "relance 3", "formal_notice": "mise en demeure", "litigation": "contentieux",
    "instalment_reminder": "rappel d'échéance", "complete_contact": "compléter le contact",
}
CHANNEL_LABELS = {"email": "e-mail", "sms": "SMS", "letter": "courrier", "registered_letter": "recommandé",
                  "phone": "appel", "task": "tâche"}


def _action_rows(org: Organisation, customer: Customer) -> tuple[list[dict[str, Any]], set[int]]:
    """The dunning engine's actions for this customer (when the engine is installed)."""
    try:
        action_model = apps.get_model("dunning", "Action")
    except LookupError:
        return [], set()
    rows, ids = [], set()
    for action in action_model.objects.filter(org=org, customer=customer).prefetch_related("invoices"):
        ids.add(action.pk)
        numbers = ", ".join(i.number for i in action.invoices.all())
        rows.append({"date": action.carried_out_on or action.date, "kind": "Relance",
                     "text": f"{STEP_LABELS.get(action.step, action.step)} par "
                             f"{CHANNEL_LABELS.get(action.channel, action.channel)} "
                             f"({action.get_status_display().lower()}) — {numbers}"
                             + (f" — recommandé n° {action.tracking_number}" if action.tracking_number else "")})
    return rows, ids


def chronology(*, org: Organisation, customer: Customer) -> list[dict[str, Any]]:
    """Every reminder (action), call, reply and event of the customer, oldest first."""
    rows, action_ids = _action_rows(org, customer)
    calls_logged: set[tuple[date, str]] = set()
    for event in Event.objects.filter(org=org, customer=customer).order_by("date", "id"):
        if event.type in ("email_sent", "sms_sent", "letter_produced") and (event.data or {}).get(
                "action_id") in action_ids:
            continue  # already listed as the action itself
        if event.type == "call_logged":
            calls_logged.add((event.date, event.message))
        rows.append({"date": event.date, "kind": CHRONOLOGY_TYPES.get(event.type, event.type),
                     "text": event.message})
    for task in Task.objects.filter(org=org, customer=customer, kind=Task.Kind.CALL, status=Task.Status.DONE):
        day, text = task.done_on or task.due_date, task.outcome or task.title
        if any(d == day and message.startswith(text) for d, message in calls_logged):
            continue  # the logged call closed this task: listed once, as the call
        rows.append({"date": day, "kind": "Appel", "text": text})
    return sorted(rows, key=lambda r: r["date"])


def _formal_notices(org: Organisation, customer: Customer) -> list[Document]:
    return list(Document.objects.filter(org=org, customer=customer, kind=Document.Kind.REGISTERED_LETTER,
                                        step="formal_notice").order_by("day"))


def litigation_data(*, org: Organisation, customer: Customer, today: date) -> dict[str, Any]:
    ctx = context_for_customer(org=org, customer=customer, today=today, step="litigation", channel="letter",
                               portal_link="")
    if not ctx.invoices:
        raise ApplicationError(_("%(customer)s n'a aucune facture impayée : pas de dossier contentieux.")
                               % {"customer": customer.name})
    court = competent_court(kind=customer.kind, postcode=customer.postcode, city=customer.city, today=today,
                            chosen=chosen_court(org=org, customer=customer))
    total = money(ctx.total_outstanding + ctx.total_interest + ctx.total_indemnity)
    return {
        "ctx": ctx, "org": org, "customer": customer, "today": today, "court": court, "total": total,
        "chronology": chronology(org=org, customer=customer), "notices": _formal_notices(org, customer),
        # interest_pending: a half-year rate is missing, so part of the interest is claimed « à parfaire »
        "claim": {"principal": ctx.total_outstanding, "interest": ctx.total_interest,
                  "indemnity": ctx.total_indemnity, "total": total, "interest_pending": ctx.interest_pending},
    }


def _injonction_json(data: dict[str, Any]) -> bytes:
    ctx, org, customer = data["ctx"], data["org"], data["customer"]
    payload = {
        "cerfa": data["court"].cerfa, "court": asdict(data["court"]),
        "creditor": {"name": org.name, "siren": org.siren, "address": ctx.organisation.address_lines},
        "debtor": {"name": customer.name, "siren": customer.siren, "kind": customer.kind,
                   "address": ctx.customer.address_lines},
        "invoices": [{"number": i.number, "issue_date": i.issue_date, "due_date": i.due_date,
                      "principal": i.outstanding, "interest": i.interest, "indemnity": i.indemnity,
                      "interest_pending": i.interest_pending}
                     for i in ctx.invoices],
        "claim": data["claim"],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode()


def litigation_file(*, org: Organisation, customer: Customer, today: date) -> bytes:
    """The zip to hand to a lawyer or to file with the court."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    data = litigation_data(org=org, customer=customer, today=today)
    document = html_to_document(render_to_string("channels/litigation.html", data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("01-dossier-contentieux.pdf", document.write_pdf())
        archive.writestr("02-donnees-injonction-de-payer.json", _injonction_json(data))
        archive.writestr("03-releve-de-compte.pdf", statement_pdf(org=org, customer=customer, today=today)[0])
        for notice in data["notices"]:
            if media_path(notice.path).exists():
                archive.write(media_path(notice.path), f"04-mise-en-demeure-{notice.day:%Y-%m-%d}.pdf")
        numbers = [i.number for i in data["ctx"].invoices]
        for invoice in Invoice.objects.filter(org=org, customer=customer, number__in=numbers).exclude(document=""):
            with invoice.document.open("rb") as handle:
                name = f"Facture-{invoice.number}.pdf".replace("/", "-")
                archive.writestr(f"factures/{name}", handle.read())
    return buffer.getvalue()
