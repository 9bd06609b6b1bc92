"""Message templates rendered in a Jinja2 sandbox over the documented context only.

Defaults live in files (channels/message_templates/<language>/<step>/<part>.<ext>); an organisation
overrides one part with a `Template` row. Templates see `context.template_variables()` and nothing else:
no model instance, no settings, and the sandbox refuses `_`-prefixed attributes and unsafe callables.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    meta,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from relance.channels.context import VARIABLES, MessageContext, template_variables
from relance.core.money import format_eur

DEFAULTS_DIR = Path(__file__).resolve().parent / "message_templates"

#: part → (channel, file extension); html parts are autoescaped
PARTS: dict[str, tuple[str, str]] = {
    "email_subject": ("email", "txt"),
    "email_text": ("email", "txt"),
    "email_html": ("email", "html"),
    "sms": ("sms", "txt"),
    "letter": ("letter", "html"),
}
PART_LABELS = {
    "email_subject": "Objet de l'e-mail",
    "email_text": "E-mail (texte)",
    "email_html": "E-mail (HTML)",
    "sms": "SMS",
    "letter": "Courrier (HTML, PDF)",
}
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def _eur(value: Any) -> str:
    return "" if value is None or value == "" else format_eur(Decimal(value))


def _short_date(value: Any, language: str = "fr") -> str:
    if not isinstance(value, date):
        return ""
    return value.strftime("%d/%m/%Y") if language == "fr" else value.strftime("%Y-%m-%d")


def _long_date(value: Any, language: str = "fr") -> str:
    if not isinstance(value, date):
        return ""
    if language == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS_FR[value.month - 1]} {value.year}"


def _make_env(autoescape: bool, undefined: type[Undefined] = Undefined) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(DEFAULTS_DIR), autoescape=autoescape, undefined=undefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )
    env.filters.update(eur=_eur, date=_short_date, long_date=_long_date)
    env.globals.clear()  # no range(), dict(), lipsum(), cycler(): only the documented context
    return env


@lru_cache(maxsize=4)
def environment(autoescape: bool, strict: bool = False) -> ImmutableSandboxedEnvironment:
    return _make_env(autoescape, StrictUndefined if strict else Undefined)


def is_html(part: str) -> bool:
    return PARTS[part][1] == "html"


def default_name(*, step: str, part: str, language: str) -> str:
    return f"{language}/{step}/{part}.{PARTS[part][1]}"


def default_source(*, step: str, part: str, language: str) -> str | None:
    path = DEFAULTS_DIR / default_name(step=step, part=part, language=language)
    return path.read_text(encoding="utf-8") if path.exists() else None


def _override_source(org: Any, *, step: str, part: str, language: str) -> str | None:
    if org is None:
        return None
    from relance.channels.models import Template

    row = Template.objects.filter(org=org, step=step, part=part, language=language).only("source").first()
    return row.source if row else None


def template_source(org: Any, *, step: str, part: str, language: str) -> str | None:
    """The organisation's version of a part, else the shipped default (French when a language lacks it)."""
    for lang in dict.fromkeys((language, "fr")):
        source = _override_source(org, step=step, part=part, language=lang)
        source = source if source is not None else default_source(step=step, part=part, language=lang)
        if source is not None:
            return source
    return None


def render_source(source: str, variables: dict[str, Any], *, html: bool, strict: bool = False) -> str:
    template = environment(html, strict).from_string(source)
    return template.render(variables).strip()


def render_part(ctx: MessageContext, part: str, *, org: Any = None,
                extra: dict[str, Any] | None = None) -> str:
    """Render one part of a message (e-mail subject, text, HTML, SMS, letter)."""
    source = template_source(org, step=ctx.step, part=part, language=ctx.language)
    if source is None:
        raise LookupError(f"Aucun modèle « {part} » pour l'étape {ctx.step}.")
    # The part decides the medium: a letter's body (shared with the e-mail) must use postal wording.
    variables = template_variables(ctx) | {"channel": PARTS[part][0]} | (extra or {})
    text = render_source(source, variables, html=is_html(part))
    if part == "email_subject":
        return " ".join(text.split())  # a header is one line
    return text if is_html(part) else re.sub(r"\n{3,}", "\n\n", text)


def allowed_includes() -> set[str]:
    return {str(p.relative_to(DEFAULTS_DIR)) for p in DEFAULTS_DIR.rglob("*") if p.is_file()}


def template_validate(source: str, *, html: bool = True) -> list[str]:
    """French problems with a template source; empty when it can be saved.

    Refuses syntax errors, unknown variables (jinja2.meta), includes of anything but the shipped
    partials, and anything the sandbox refuses when rendered on a sample customer.
    """
    env = environment(html, strict=True)
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        return [f"Erreur de syntaxe ligne {exc.lineno} : {exc.message}"]
    known = set(VARIABLES)
    problems = [
        f"Variable inconnue : « {name} ». Variables disponibles : {', '.join(sorted(VARIABLES))}."
        for name in sorted(meta.find_undeclared_variables(ast) - known)
    ]
    allowed = allowed_includes()
    for name in meta.find_referenced_templates(ast):
        if name is None or name not in allowed:
            problems.append(f"Inclusion refusée : « {name or 'nom calculé'} » (seuls les modèles fournis).")
    if problems:
        return problems
    from relance.channels.samples import sample_context

    try:
        render_source(source, template_variables(sample_context()),
                      html=html, strict=True)
    except SecurityError as exc:
        return [f"Opération interdite dans un modèle : {exc}"]
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        return [f"Le modèle ne peut pas être affiché : {exc}"]
    return []


def template_render_preview(*, org: Any, template_source: str, customer: Any, today: date,
                            step: str = "reminder_1", part: str = "email_html") -> str:
    """What the web editor shows: this source rendered for a real customer (or errors, in French)."""
    from relance.channels.builders import context_for_customer

    problems = template_validate(template_source, html=is_html(part))
    if problems:
        return "\n".join(problems)
    # A placeholder link: a preview must not mint a real portal token at every keystroke.
    ctx = context_for_customer(org=org, customer=customer, today=today, step=step, channel=PARTS[part][0],
                               portal_link=f"{settings.SITE_URL}/portail/apercu/")
    try:
        return render_source(template_source, template_variables(ctx),
                             html=is_html(part))
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        return f"Le modèle ne peut pas être affiché : {exc}"


__all__ = ["render_part", "template_render_preview", "template_source", "template_validate"]
