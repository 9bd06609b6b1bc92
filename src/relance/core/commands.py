"""The base of every `relance` command: --org, --json, dates, and the exit-code contract.

0 success, 2 bad input or refused operation (message on stderr), 1 unexpected error.
"""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError, OperationalError, ProgrammingError

from relance.accounts.models import Membership, Organisation
from relance.core.dates import local_today, parse_date
from relance.core.errors import ApplicationError, InputError

NOT_INITIALISED = "La base de données n'est pas initialisée : lancez d'abord « relance migrate »."
NOT_UP_TO_DATE = "La base de données n'est pas à jour : lancez « relance migrate »."
#: "précisez --org" names at most this many organisations
SHOWN_ORGS = 10


def database_state_problem() -> str | None:
    """Why the database cannot serve this version: never migrated, or migrations pending.

    Called only after a query failed (no cost on the happy path); None when the migrations are all applied
    or when the migration table itself cannot be read."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if not executor.loader.applied_migrations:
            return NOT_INITIALISED
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return NOT_UP_TO_DATE
    except DatabaseError:
        return None
    return None


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

    def execute(self, *args: Any, **options: Any) -> Any:
        """From the command line, a refusal prints its French message alone on stderr (Django would prefix it
        with "CommandError: "); call_command still raises CommandError."""
        if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
            return super().execute(*args, **options)
        try:
            return super().execute(*args, **options)
        except SystemCheckError:
            raise  # Django formats these itself
        except CommandError as exc:
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)

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
            if problem := database_state_problem():
                raise CommandError(problem, returncode=2) from exc
            if "no such table" in str(exc) or "does not exist" in str(exc):  # e.g. no database at all
                raise CommandError(NOT_INITIALISED, returncode=2) from exc
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
                raise ApplicationError(f"Plusieurs organisations existent : précisez --org IDENTIFIANT "
                                       f"({_org_slugs()}).")
            org = orgs[0]
        if user_email:
            membership = Membership.objects.filter(org=org, user__email__iexact=user_email, user__is_active=True).first()
            if membership is None or not membership.can(self.required_role):
                raise ApplicationError(f"{user_email} n'a pas le droit de faire cela dans « {org.slug} ».")
        return org

    def today(self, options: dict[str, Any]) -> date:
        return options.get("date") or local_today()

    def print_json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))


def _org_slugs() -> str:
    """The first organisations' slugs, alphabetically, for a message: "alpha, beta, … (25 en tout)"."""
    slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:SHOWN_ORGS + 1])
    if len(slugs) <= SHOWN_ORGS:
        return ", ".join(slugs)
    return f"{', '.join(slugs[:SHOWN_ORGS])}, … ({Organisation.objects.count()} en tout)"
