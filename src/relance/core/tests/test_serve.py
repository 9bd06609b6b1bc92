"""`relance serve` prints the address it really serves, the demo's sign-in included (make run's last words)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_prints_the_served_address_in_the_demo_sign_in(tmp_path):
    (tmp_path / "demo_login.txt").write_text("Démonstration « Durand SARL » : http://127.0.0.1:8000/\n"
                                             "Identifiant : alice@durand.fr\nMot de passe : s3cret\n")
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings", "RELANCE_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    server = subprocess.Popen([sys.executable, "-m", "relance.cli", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        lines = [server.stdout.readline() for _ in range(4)]  # type: ignore[union-attr]
    finally:
        server.kill()
        server.wait(timeout=30)
    url = f"http://127.0.0.1:{port}/"
    assert url in lines[0]
    assert lines[1].strip() == f"Démonstration « Durand SARL » : {url}"
    assert "Identifiant : alice@durand.fr" in lines[2] and "8000" not in "".join(lines)
