"""The base of every `relance` command: --org, --json, dates, and the exit-code contract.

0 success, 2 bad input or refused operation (message on stderr), 1 unexpected error.
"""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.utils import OperationalError, ProgrammingError

from relance.accounts.models import Membership, Organisation
from relance.core.dates import local_today, parse_date
from relance.core.errors import ApplicationError, InputError


def date_arg(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ArgumentTypeError(str(exc))


class RelanceCommand(BaseCommand):
    """Subclasses implement `run(org, **options)`; errors become exit code 2 with a French message."""

    needs_org = True
    #: the least role a --user must have (the CLI without --user acts as the system operator)
    required_role = "viewer"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django exits 1 on argparse errors; the contract wants 2 for bad input — argparse already uses 2.
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        if self.needs_org:
            parser.add_argument("--org", help="identifiant (slug) de l'organisation")
            parser.add_argument(
                "--user", default=os.environ.get("RELANCE_USER"),
                help="agir en tant que cet utilisateur (son rôle est vérifié) ; défaut : RELANCE_USER",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = self.resolve_org(options.get("org"), options.get("user")) if self.needs_org else None
            self.run(org, **{k: v for k, v in options.items() if k != "org"})
        except InputError as exc:
            if options.get("json"):
                self.print_json({"created": 0, "updated": 0, "unchanged": 0,
                                 "errors": [p.as_dict() for p in exc.problems]})
            raise CommandError(str(exc), returncode=2)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2)
        except (OperationalError, ProgrammingError) as exc:
            if "no such table" in str(exc) or "does not exist" in str(exc):
                raise CommandError(
                    "La base de données n'est pas initialisée : lancez d'abord « relance migrate ».", returncode=2
                )
            raise

    def run(self, org: Organisation | None, **options: Any) -> None:
        raise NotImplementedError

    def resolve_org(self, slug: str | None, user_email: str | None) -> Organisation:
        if slug:
            org = Organisation.objects.filter(slug=slug).first()
            if org is None:
                raise ApplicationError(f"Organisation inconnue : {slug}")
        else:
            orgs = list(Organisation.objects.order_by("id")[:2])
            if not orgs:
                raise ApplicationError("Aucune organisation : lancez d'abord « relance init --org-name … ».")
            if len(orgs) > 1:
                raise ApplicationError("Plusieurs organisations existent : précisez --org IDENTIFIANT.")
            org = orgs[0]
        if user_email:
            membership = Membership.objects.filter(org=org, user__email__iexact=user_email).first()
            if membership is None or not membership.can(self.required_role):
                raise ApplicationError(f"{user_email} n'a pas le droit de faire cela dans « {org.slug} ».")
        return org

    def today(self, options: dict[str, Any]) -> date:
        return options.get("date") or local_today()

    def print_json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
