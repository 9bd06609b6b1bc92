from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from relance.accounts.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db


def test_init_creates_the_organisation_and_its_owner_without_questions():
    call_command("init", "--org-name", "Atelier Durand", "--siren", "732 829 320",
                 "--admin-email", "sophie@durand.fr", "--admin-password", "s3cret-pass", "--no-input")
    org = Organisation.objects.get(slug="atelier-durand")
    assert org.siren == "732829320"
    membership = Membership.objects.get(org=org)
    assert membership.role == Role.OWNER
    assert membership.user.check_password("s3cret-pass")
    assert membership.user.password.startswith("argon2")


def test_init_refuses_an_invalid_siren_with_exit_code_2():
    with pytest.raises(CommandError) as exc:
        call_command("init", "--org-name", "X", "--siren", "123456789", "--admin-email", "a@b.fr",
                     "--admin-password", "pw-long-enough", "--no-input")
    assert exc.value.returncode == 2
    assert "SIREN" in str(exc.value)
    assert not Organisation.objects.exists()
