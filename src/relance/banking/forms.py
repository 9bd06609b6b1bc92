from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodForm(forms.Form):
    # <input type="date"> accepts only ISO dates: the French "01/11/2026" would leave the field empty.
    start = forms.DateField(label=pgettext_lazy("période", "Du"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("période", "Au"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("La date de début doit précéder la date de fin."))
        return data


def month_bounds(today: date) -> tuple[date, date]:
    """The report's default period: the current month up to today."""
    return today.replace(day=1), today
