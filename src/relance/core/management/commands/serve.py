from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sert l'application web (waitress, fichiers statiques par WhiteNoise)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from relance.wsgi import application

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"Relance est servi sur {url}  (Ctrl+C pour arrêter)")
        login_file = settings.VAR_DIR / "demo_login.txt"
        if login_file.exists():  # the demo's sign-in, pointing at the address actually served
            lines = login_file.read_text().strip().splitlines()
            self.stdout.write("\n".join(f"{ln.rsplit(' : ', 1)[0]} : {url}" if ln.startswith("Démonstration") else ln
                                        for ln in lines))
        self.stdout.flush()
        # Refuse request bodies larger than the biggest import allowed (plus form overhead) before Django
        # reads them: CSRF checking would otherwise spool any upload to disk, even an anonymous one.
        max_body = (settings.RELANCE_IMPORT_MAX_MB + 5) * 1024 * 1024
        serve(application, host=options["host"], port=options["port"], threads=options["threads"],
              max_request_body_size=max_body)
