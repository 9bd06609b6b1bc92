from __future__ import annotations

import getpass
import secrets
from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Role
from relance.accounts.services import member_add, organisation_create
from relance.core.commands import RelanceCommand
from relance.core.errors import ApplicationError


class Command(RelanceCommand):
    help = "Crée une organisation et son premier administrateur."
    needs_org = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org-name", required=True, help="raison sociale")
        parser.add_argument("--slug", default="", help="identifiant (défaut : dérivé du nom)")
        parser.add_argument("--siren", default="")
        parser.add_argument("--iban", default="")
        parser.add_argument("--bic", default="")
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")
        parser.add_argument("--no-input", action="store_true", help="ne pose aucune question")

    def run(self, org: Any, **options: Any) -> None:
        email, password = options["admin_email"], options["admin_password"]
        if not options["no_input"]:
            email = email or input("E-mail de l'administrateur : ").strip()
            password = password or getpass.getpass("Mot de passe : ")
        if not email:
            raise ApplicationError("--admin-email est obligatoire avec --no-input.")
        generated = not password
        password = password or secrets.token_urlsafe(12)
        org = organisation_create(name=options["org_name"], slug=options["slug"], siren=options["siren"],
                                  iban=options["iban"], bic=options["bic"])
        member_add(org=org, email=email, password=password, role=Role.OWNER, is_staff=True)
        self.stdout.write(f"Organisation « {org.name} » créée (identifiant : {org.slug}).")
        self.stdout.write(f"Administrateur : {email}" + (f" — mot de passe : {password}" if generated else ""))
