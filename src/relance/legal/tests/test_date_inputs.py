"""Date fields render ISO dates: an <input type=date> shows nothing for "01/11/2026" (the French format)."""

from datetime import date

import pytest
from django.utils import translation

from relance.channels.views import TrackingForm
from relance.legal.forms import EcbDecisionForm


@pytest.mark.parametrize(("form", "field"), [(EcbDecisionForm, "effective_date"), (TrackingForm, "acknowledged_on")])
def test_a_prefilled_date_input_carries_an_iso_date(form, field):
    with translation.override("fr"):
        html = str(form(initial={field: date(2026, 11, 1)})[field])
    assert 'type="date"' in html and 'value="2026-11-01"' in html
