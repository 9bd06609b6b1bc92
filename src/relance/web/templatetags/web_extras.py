from __future__ import annotations

from django import template

from relance.dunning.services import STEP_LABELS

register = template.Library()


@register.filter
def step_label(code: str) -> str:
    """« mise en demeure » for `formal_notice`: the French name of a ladder step."""
    return STEP_LABELS.get(code, code)
