"""Which courts may hear an "injonction de payer", from the debtor's postcode (data/juridictions.csv).

Pure functions over a shipped table: the département from the postcode, then the tribunaux judiciaires
(civil claims, Cerfa 12948) and the commercial courts (Cerfa 12946) of that département. Where there are
several, only the debtor's commune decides: the caller lists them and asks the user to check.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from relance.core.errors import ApplicationError

DATA_FILE = Path(__file__).parent / "data" / "juridictions.csv"
ANNUAIRE_URL = "https://www.justice.fr/recherche/annuaire"
# Arrêté du 5 juillet 2024: twelve tribunaux de commerce are "tribunaux des activités économiques" for the
# four years of the experiment (loi n° 2023-1059, art. 26).
TAE_FROM, TAE_UNTIL = date(2025, 1, 1), date(2028, 12, 31)
TAE_SEATS = frozenset({"d'Auxerre", "d'Avignon", "du Havre", "du Mans", "de Limoges", "de Lyon", "de Marseille",
                       "de Nancy", "de Nanterre", "de Paris", "de Saint-Brieuc", "de Versailles"})
TC_PREFIX = "Tribunal de commerce "
TAE_PREFIX = "Tribunal des activités économiques "


class PostcodeError(ApplicationError):
    """The postcode gives no département of the table (the message says why, in French)."""


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    civil: tuple[str, ...]
    commercial: tuple[str, ...]
    commercial_complete: bool


@lru_cache(maxsize=1)
def departements() -> dict[str, Departement]:
    lines = [line for line in DATA_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    table = {}
    for row in csv.DictReader(lines, delimiter=";"):
        table[row["departement"]] = Departement(
            code=row["departement"], name=row["nom"], civil=_split(row["tribunaux_judiciaires"]),
            commercial=_split(row["juridictions_commerciales"]),
            commercial_complete=row["liste_commerciale_complete"] == "1")
    return table


def _split(cell: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in cell.split("|") if name.strip())


def departement_code(postcode: str) -> str:
    """The département of a French postcode: 75008 → 75, 20090 → 2A, 20200 → 2B, 97110 → 971."""
    code = "".join(postcode.split())
    if not code:
        raise PostcodeError("Code postal manquant dans l'adresse du client.")
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        raise PostcodeError(f"Code postal « {postcode} » invalide : 5 chiffres attendus.")
    if code.startswith("980"):
        raise PostcodeError(f"Code postal {code} : Monaco, hors des juridictions françaises.")
    if code.startswith(("986", "987", "988")):
        raise PostcodeError(f"Code postal {code} : collectivité du Pacifique, non couverte par la table.")
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    prefix = code[:3] if code.startswith("97") else code[:2]
    if prefix not in departements():
        raise PostcodeError(f"Code postal {code} : aucun département « {prefix} ».")
    return prefix


def commercial_name(name: str, *, today: date) -> str:
    """The court's name on `today`: a tribunal de commerce of the experiment is a TAE from 2025 to 2028."""
    seat = name.removeprefix(TC_PREFIX)
    if name.startswith(TC_PREFIX) and seat in TAE_SEATS and TAE_FROM <= today <= TAE_UNTIL:
        return f"{TAE_PREFIX}{seat}"
    return name


def stored_name(name: str) -> str:
    """The name to keep in the database: a TAE under its tribunal de commerce name (it outlives 2028)."""
    return TC_PREFIX + name.removeprefix(TAE_PREFIX) if name.startswith(TAE_PREFIX) else name


@dataclass(frozen=True)
class CourtCandidates:
    departement: Departement
    commercial: bool
    names: tuple[str, ...]
    complete: bool

    @property
    def single(self) -> str:
        """The court when the département has exactly one (and the list is known complete), else ""."""
        return self.names[0] if len(self.names) == 1 and self.complete else ""


def court_candidates(*, postcode: str, commercial: bool, today: date) -> CourtCandidates:
    dept = departements()[departement_code(postcode)]
    if commercial:
        names = tuple(commercial_name(n, today=today) for n in dept.commercial)
        return CourtCandidates(dept, True, names, dept.commercial_complete)
    return CourtCandidates(dept, False, dept.civil, True)
