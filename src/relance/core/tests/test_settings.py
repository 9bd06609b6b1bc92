from __future__ import annotations

import os
import subprocess
import sys


def _check_deploy(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings", **env_extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this same process
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _check_deploy({
        "RELANCE_ENV": "production", "SECRET_KEY": "x" * 30 + "-Production-Secret-Key-0123456789",
        "ALLOWED_HOSTS": "relance.example.fr", "RELANCE_VAR_DIR": str(tmp_path),
    })
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_settings_do_not_pass_the_deploy_check(tmp_path):
    result = _check_deploy({"RELANCE_ENV": "development", "RELANCE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0


def test_a_secret_key_is_generated_once_into_var(tmp_path):
    env = {**os.environ, "RELANCE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "relance.settings"}
    env.pop("SECRET_KEY", None)
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
