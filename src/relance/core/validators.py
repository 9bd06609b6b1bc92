"""Validators for French and banking identifiers (python-stdnum, schwifty)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret


def validate_siren(value: str) -> None:
    if value and not siren.is_valid(value):
        raise ValidationError(_("SIREN invalide : %(value)s") % {"value": value})


def validate_siret(value: str) -> None:
    if value and not siret.is_valid(value):
        raise ValidationError(_("SIRET invalide : %(value)s") % {"value": value})


def validate_vat(value: str) -> None:
    if value:
        try:
            vat.validate(value)
        except StdnumError:
            raise ValidationError(_("Numéro de TVA invalide : %(value)s") % {"value": value})


def validate_iban(value: str) -> None:
    if value:
        try:
            IBAN(value)
        except SchwiftyException as exc:
            raise ValidationError(_("IBAN invalide : %(value)s (%(why)s)") % {"value": value, "why": exc})


def validate_bic(value: str) -> None:
    if value:
        try:
            BIC(value)
        except SchwiftyException as exc:
            raise ValidationError(_("BIC invalide : %(value)s (%(why)s)") % {"value": value, "why": exc})


def normalise_iban(value: str) -> str:
    return str(IBAN(value)) if value else ""
