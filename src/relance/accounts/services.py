from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relance.accounts.models import Membership, Organisation, Role, User
from relance.core.errors import ApplicationError


@transaction.atomic
def organisation_create(*, name: str, siren: str = "", iban: str = "", bic: str = "", slug: str = "") -> Organisation:
    from django.core.exceptions import ValidationError

    slug = slug or slugify(name)[:50] or "organisation"
    if Organisation.objects.filter(slug=slug).exists():
        raise ApplicationError(_("Une organisation « %(slug)s » existe déjà.") % {"slug": slug})
    org = Organisation(name=name, slug=slug, siren=siren.replace(" ", ""), iban=iban.replace(" ", "").upper(), bic=bic)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ApplicationError("; ".join(f"{k} : {' '.join(v)}" for k, v in exc.message_dict.items()))
    org.save()
    _after_organisation_created(org)
    return org


def _after_organisation_created(org: Organisation) -> None:
    """Give a new organisation its defaults (the standard dunning plan, templates)."""
    from relance.core.hooks import run_org_created_hooks

    run_org_created_hooks(org)


@transaction.atomic
def member_add(*, org: Organisation, email: str, password: str | None, role: str = Role.OWNER,
               full_name: str = "", is_staff: bool = False) -> Membership:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name, is_staff=is_staff)
    membership, _created = Membership.objects.update_or_create(user=user, org=org, defaults={"role": role})
    return membership
