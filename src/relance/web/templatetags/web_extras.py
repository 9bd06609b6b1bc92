from __future__ import annotations

from django import template

from relance.dunning.services import STEP_LABELS

register = template.Library()


@register.filter
def step_label(code: str) -> str:
    """« mise en demeure » for `formal_notice`: the French name of a ladder step."""
    return STEP_LABELS.get(code, code)


@register.filter
def risk_label(level: int) -> str:
    """« élevé » for 2: the French (or the user's language) name of a customer's risk level."""
    from relance.web.selectors import RISK_LABELS

    return str(RISK_LABELS.get(level, ""))


@register.filter
def staff_explanation(text: str) -> str:
    """The planner's explanation with step labels and without rule numbers (see web.selectors)."""
    from relance.web.selectors import staff_explanation as words

    return words(text or "")
