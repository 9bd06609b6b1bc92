"""Validators for French and banking identifiers (python-stdnum, schwifty)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret


def validate_siren(value: str) -> None:
    if value and not siren.is_valid(value):
        raise ValidationError(f"SIREN invalide : {value}")


def validate_siret(value: str) -> None:
    if value and not siret.is_valid(value):
        raise ValidationError(f"SIRET invalide : {value}")


def validate_vat(value: str) -> None:
    if value:
        try:
            vat.validate(value)
        except StdnumError:
            raise ValidationError(f"Numéro de TVA invalide : {value}")


def validate_iban(value: str) -> None:
    if value:
        try:
            IBAN(value)
        except SchwiftyException as exc:
            raise ValidationError(f"IBAN invalide : {value} ({exc})")


def validate_bic(value: str) -> None:
    if value:
        try:
            BIC(value)
        except SchwiftyException as exc:
            raise ValidationError(f"BIC invalide : {value} ({exc})")


def normalise_iban(value: str) -> str:
    return str(IBAN(value)) if value else ""
