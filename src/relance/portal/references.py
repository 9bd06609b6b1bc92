"""The reference a debtor writes on a transfer (SEPA remittance information, 140 characters at most).

Pure: the customer code followed by the invoice numbers when they fit, which the bank matcher reads back
one by one; otherwise an ISO 11649 creditor reference ("RF…") that stands for the whole selection.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

#: SEPA unstructured remittance information (and the EPC QR code's) holds 140 characters.
REMITTANCE_MAX = 140
#: RF + 2 check digits + this many characters (21 at most); digits and capitals without look-alikes
#: (no O/0, I/1), so that a reference read aloud or typed from the screen survives.
BODY_LENGTH = 12
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def numbers_reference(customer_ref: str, numbers: Sequence[str]) -> str | None:
    """"C-MARTIN FA-101 FA-102" when it fits the remittance field, else None: a cut reference would
    name only some of the invoices its amount pays, and the others would stay unmatched."""
    reference = " ".join([customer_ref, *numbers]).strip()
    return reference if len(reference) <= REMITTANCE_MAX else None


def creditor_reference(body: str) -> str:
    """The ISO 11649 reference (compact: "RF18ABC…") of an alphanumeric body."""
    body = body.upper()
    reference = f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"
    return iso11649.validate(reference)


def creditor_reference_new() -> str:
    return creditor_reference("".join(secrets.choice(_ALPHABET) for _ in range(BODY_LENGTH)))
