"""Arguments every dunning command takes after its sub-command (argparse only sees them there)."""

from __future__ import annotations

import os
from argparse import ArgumentParser

from relance.core.commands import date_arg


def common(parser: ArgumentParser, *, json: bool = False) -> None:
    parser.add_argument("--date", type=date_arg, default=None, help="le jour considéré (AAAA-MM-JJ ; défaut : aujourd'hui)")
    parser.add_argument("--org", help="identifiant (slug) de l'organisation")
    parser.add_argument("--user", default=os.environ.get("RELANCE_USER"),
                        help="agir en tant que cet utilisateur (son rôle est vérifié) ; défaut : RELANCE_USER")
    if json:
        parser.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")
