from decimal import Decimal

from django import template

from relance.core.money import format_eur

register = template.Library()


@register.filter
def eur(value: Decimal | None, currency: str = "EUR") -> str:
    return "" if value is None else format_eur(Decimal(value), currency)
