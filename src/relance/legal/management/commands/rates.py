"""relance rates list [--json] | relance rates add --kind ecb|legal_pro|legal_private --from YYYY-MM-DD --rate R"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import User
from relance.core.commands import RelanceCommand
from relance.core.dates import parse_date
from relance.core.errors import ApplicationError
from relance.core.money import parse_amount
from relance.legal.models import EcbDecision, RateHalfYear
from relance.legal.penalties import percent_fr
from relance.legal.rates import RATE_NAMES, RateKind, french_date
from relance.legal.selectors import ecb_decision_list, rate_half_year_list
from relance.legal.services import ecb_decision_add, legal_rate_set, rates_editor

UNKNOWN = "?"


def _pct(value: Any) -> str:
    return UNKNOWN if value is None else f"{value:.2f}"


def _row_json(row: RateHalfYear) -> dict[str, Any]:
    return {"year": row.year, "half": row.half, "first_day": row.first_day.isoformat(),
            "ecb": None if row.ecb_rate is None else _pct(row.ecb_rate),
            "legal_pro": None if row.legal_rate_other is None else _pct(row.legal_rate_other),
            "legal_private": None if row.legal_rate_private is None else _pct(row.legal_rate_private),
            "source": row.source, "source_url": row.source_url}


def _decision_json(d: EcbDecision) -> dict[str, Any]:
    return {"effective_date": d.effective_date.isoformat(), "rate": _pct(d.rate), "source": d.source}


class Command(RelanceCommand):
    help = "Affiche ou complète les tables de taux (BCE, intérêt légal)."
    needs_org = False
    requires_system_checks: list[str] = []  # reads and writes the rate tables only

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="list|add")
        listing = sub.add_parser("list", help="affiche les taux par semestre et les décisions BCE")
        listing.add_argument("--json", action="store_true")
        add = sub.add_parser("add", help="ajoute une décision BCE ou un taux légal semestriel")
        add.add_argument("--kind", help="ecb, legal_pro (autres cas) ou legal_private")
        add.add_argument("--from", dest="start",
                         help="date d'effet (ecb) ou début du semestre, 1er janvier ou 1er juillet (legal_*)")
        add.add_argument("--rate", help="taux annuel en %%")
        add.add_argument("--source", default="", help="texte de la source (arrêté, communiqué BCE)")
        add.add_argument("--source-url", default="")
        add.add_argument("--user", default=os.environ.get("RELANCE_USER"),
                         help="agir en tant que cet utilisateur (administrateur de l'installation) ; "
                              "défaut : RELANCE_USER")

    def run(self, org: Any, **options: Any) -> None:
        if options.get("action") is None:
            raise ApplicationError("Précisez l'action : « relance rates list » ou « relance rates add --kind … "
                                   "--from AAAA-MM-JJ --rate R ».")
        if options["action"] == "list":
            self.list(options)
        else:
            self.add(options)

    def list(self, options: dict[str, Any]) -> None:
        rows, decisions = list(rate_half_year_list()), list(ecb_decision_list())
        if options.get("json"):
            self.print_json({"half_years": [_row_json(r) for r in rows],
                             "ecb_decisions": [_decision_json(d) for d in decisions]})
            return
        self.stdout.write("Taux par semestre (%)   BCE au 1er jour | BCE+10 | BCE+8 | légal autres cas | "
                          "plancher 3× | légal créancier particulier")
        for r in rows:
            b2b = UNKNOWN if r.ecb_rate is None else _pct(r.ecb_rate + 10)
            public = UNKNOWN if r.ecb_rate is None else _pct(r.ecb_rate + 8)
            floor = UNKNOWN if r.legal_rate_other is None else _pct(r.legal_rate_other * 3)
            self.stdout.write(f"  {r.year} S{r.half}  {_pct(r.ecb_rate):>6} | {b2b:>6} | {public:>6} | "
                              f"{_pct(r.legal_rate_other):>6} | {floor:>6} | {_pct(r.legal_rate_private):>6}")
        self.stdout.write("Décisions BCE (taux de refinancement, par date d'effet)")
        for d in decisions:
            self.stdout.write(f"  {d.effective_date.isoformat()}  {_pct(d.rate):>6}")

    def add(self, options: dict[str, Any]) -> None:
        self.check_user(options.get("user"))
        missing = [f"--{name}" for name, key in (("kind", "kind"), ("from", "start"), ("rate", "rate")) if not options[key]]
        if missing:
            raise ApplicationError(f"Option(s) obligatoire(s) manquante(s) : {', '.join(missing)}.")
        try:
            kind = RateKind(options["kind"])
        except ValueError:
            raise ApplicationError(f"--kind : « {options['kind']} » inconnu (ecb, legal_pro ou legal_private).")
        try:
            start, rate = parse_date(options["start"]), parse_amount(options["rate"].replace("%", ""))
        except ValueError as exc:
            raise ApplicationError(str(exc))
        source = {"source": options["source"], "source_url": options["source_url"]}
        if kind == RateKind.ECB:
            decision, rows = ecb_decision_add(effective_date=start, rate=rate, **source)
            halves = ", ".join(str(r) for r in rows) or "aucun"
            self.stdout.write(f"Décision BCE du {french_date(start)} enregistrée : {percent_fr(decision.rate)}. "
                              f"Semestres où elle est en vigueur au premier jour : {halves}.")
        else:
            row = legal_rate_set(kind=kind, start=start, rate=rate, **source)
            self.stdout.write(f"{RATE_NAMES[kind].capitalize()} du {row} enregistré : {percent_fr(rate)}.")

    def check_user(self, email: str | None) -> None:
        """The rate tables are shared by every organisation: only an install administrator may change them."""
        if email and not rates_editor(User.objects.filter(email__iexact=email).first()):
            raise ApplicationError(f"{email} n'a pas le droit de modifier les taux : les tables sont communes à "
                                   "toute l'installation (administrateur de l'installation requis).")
