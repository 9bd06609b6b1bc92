"""Writes on channel documents: the registered letter's postal tracking and acknowledgement, the court
chosen for a customer's "injonction de payer"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.services import event_record
from relance.channels.courts import court_candidates, stored_name
from relance.channels.models import CourtChoice, Document
from relance.core.errors import ApplicationError
from relance.ledger.models import Customer

TRACKING_MAX = 40


def registered_letter_get(*, org: Organisation, action_id: int | None = None,
                          document_id: int | None = None) -> Document:
    qs = Document.objects.filter(org=org, kind=Document.Kind.REGISTERED_LETTER)
    document = (qs.filter(action_id=action_id).last() if action_id is not None
                else qs.filter(pk=document_id or 0).first())
    if document is None:
        raise ApplicationError(_("Lettre recommandée introuvable : %(id)s") % {"id": action_id or document_id})
    return document


@transaction.atomic
def registered_letter_track(*, org: Organisation, document: Document, tracking_number: str,
                            acknowledged_on: date | None, today: date, actor: Any = None) -> Document:
    """Record the postal tracking number and the acknowledgement date (on the document and the action)."""
    if document.org_id != org.id or document.kind != Document.Kind.REGISTERED_LETTER:
        raise ApplicationError(_("Lettre recommandée introuvable."))
    tracking_number = tracking_number.strip().replace(" ", "").upper()
    if not tracking_number and acknowledged_on is None:
        raise ApplicationError(_("Indiquez le numéro de suivi ou la date de l'accusé de réception."))
    if len(tracking_number) > TRACKING_MAX:
        raise ApplicationError(_("Numéro de suivi trop long (%(max)s caractères au plus).") % {"max": TRACKING_MAX})
    if acknowledged_on is not None and not document.day <= acknowledged_on <= today:
        raise ApplicationError(_("L'accusé de réception doit être daté entre l'envoi (%(sent)s) et aujourd'hui.")
                               % {"sent": f"{document.day:%d/%m/%Y}"})
    document.tracking_number = tracking_number or document.tracking_number
    document.acknowledged_on = acknowledged_on or document.acknowledged_on
    document.save(update_fields=["tracking_number", "acknowledged_on"])
    if document.action_id is not None:
        action_model = apps.get_model("dunning", "Action")
        action_model.objects.filter(org=org, pk=document.action_id).update(
            tracking_number=document.tracking_number, acknowledged_on=document.acknowledged_on)
    ack = f", AR signé le {document.acknowledged_on:%d/%m/%Y}" if document.acknowledged_on else ""
    event_record(org=org, customer=document.customer, type="registered_letter_tracked", day=today, actor=actor,
                 message=f"Recommandé n° {document.tracking_number or '—'}{ack}",
                 data={"document_id": document.pk, "action_id": document.action_id,
                       "tracking_number": document.tracking_number,
                       "acknowledged_on": document.acknowledged_on.isoformat() if document.acknowledged_on else None})
    return document


def template_save(*, org: Organisation, step: str, part: str, language: str, source: str,
                  user: Any = None) -> Any:
    """Save an organisation's version of a template part; refused (French messages) when invalid."""
    from relance.channels.models import Template
    from relance.channels.rendering import PARTS, is_html, template_validate

    if part not in PARTS or language not in ("fr", "en"):
        raise ApplicationError(_("Modèle inconnu : %(part)s (%(language)s).") % {"part": part, "language": language})
    problems = template_validate(source, html=is_html(part))
    if problems:
        raise ApplicationError(" ".join(problems), extra={"problems": problems})
    template, _created = Template.objects.update_or_create(
        org=org, step=step, part=part, language=language, defaults={"source": source, "updated_by": user})
    return template


def template_reset(*, org: Organisation, step: str, part: str, language: str) -> None:
    """Back to the shipped default."""
    from relance.channels.models import Template

    Template.objects.filter(org=org, step=step, part=part, language=language).delete()


@transaction.atomic
def court_choice_record(*, org: Organisation, customer: Customer, court: str, today: date,
                        actor: Any = None) -> CourtChoice:
    """Record which of the département's courts hears this customer's case (checked on the annuaire)."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    if customer.kind == "public":
        raise ApplicationError(_("Acheteur public : pas d'injonction de payer, aucune juridiction à choisir."))
    commercial = customer.kind == "b2b"
    found = court_candidates(postcode=customer.postcode, commercial=commercial, today=today)
    if not found.names:
        raise ApplicationError(_("Aucune juridiction de ce type dans la table pour le département %(departement)s : "
                                 "voir l'annuaire des juridictions sur justice.fr.")
                               % {"departement": found.departement.name})
    wanted = " ".join(court.split()).casefold()
    match = next((name for name in found.names if name.casefold() == wanted), None)
    if match is None:
        raise ApplicationError(_("« %(court)s » n'est pas une juridiction du département %(departement)s (%(code)s). "
                                 "Choix possibles : %(choices)s.")
                               % {"court": court, "departement": found.departement.name,
                                  "code": found.departement.code, "choices": " ; ".join(found.names)})
    choice, _created = CourtChoice.objects.update_or_create(
        org=org, customer=customer, commercial=commercial,
        defaults={"court": stored_name(match), "postcode": customer.postcode.strip(), "chosen_on": today,
                  "chosen_by": actor if getattr(actor, "pk", None) else None})
    return choice
