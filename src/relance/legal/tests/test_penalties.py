"""Worked examples computed by hand (rates from LEGAL-FR.md §3), then properties of the pure core.

Formula: base × rate % × days / 365 per period, summed exactly, rounded once to the cent (half up).
Days run from the day after the due date to the settlement (or computation) date, both included.
"""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.core.errors import ApplicationError
from relance.legal.data import fact_sheet_table
from relance.legal.penalties import Settlement, compute_penalties, rate_text, round_cents
from relance.legal.rates import MissingRateError

TABLE = fact_sheet_table()


def run(kind="b2b", amount="1000.00", due=date(2025, 3, 1), paid=None, on=None, notice=None, contract=None,
        partial=(), split=True):
    settlements = [Settlement(day, D(value)) for day, value in partial]
    if paid is not None:
        rest = D(amount) - sum((s.amount for s in settlements), D("0"))
        settlements.append(Settlement(paid, rest))
    return compute_penalties(
        table=TABLE, kind=kind, principal=D(amount), due_date=due, as_of=paid or on, settlements=settlements,
        notice_date=notice, contract_rate=D(contract) if contract else None, split_half_years=split,
    )


def periods(result):
    return [(p.start, p.end, p.days, rate_text(p.rate), str(p.base)) for p in result.periods]


# --- Worked examples ------------------------------------------------------------------------------------------
EXAMPLES = [
    # One half-year (the DESIGN.md example). 2025 H1: ECB 3.15 + 10 = 13.15 %.
    # 2 March → 15 April: 30 + 15 = 45 days. 1000 × 13.15 × 45 / 36500 = 591750 / 36500 = 16.2123… → 16.21.
    ("one half-year", {"paid": date(2025, 4, 15)}, 45, "16.21", "40.00",
     [(date(2025, 3, 2), date(2025, 4, 15), 45, "13.15", "1000.00")]),
    # Two half-years: due 15 June 2025, paid 20 July 2025.
    # 16 → 30 June: 15 days at 13.15 → 197250 / 36500 = 5.4041…; 1 → 20 July: 20 days at 2025 H2 (2.15 + 10 =
    # 12.15) → 243000 / 36500 = 6.6575…; exact sum 440250 / 36500 = 12.0616… → 12.06.
    ("two half-years", {"due": date(2025, 6, 15), "paid": date(2025, 7, 20)}, 35, "12.06", "40.00",
     [(date(2025, 6, 16), date(2025, 6, 30), 15, "13.15", "1000.00"),
      (date(2025, 7, 1), date(2025, 7, 20), 20, "12.15", "1000.00")]),
    # Public buyer, same dates: the delay started in 2025 H1 → ECB 3.15 + 8 = 11.15 %, frozen for 35 days.
    # 1000 × 11.15 × 35 / 36500 = 390250 / 36500 = 10.6917… → 10.69.
    ("public, frozen across half-years", {"kind": "public", "due": date(2025, 6, 15), "paid": date(2025, 7, 20)},
     35, "10.69", "40.00", [(date(2025, 6, 16), date(2025, 7, 20), 35, "11.15", "1000.00")]),
    # Public buyer whose delay started in 2026 H1 and runs into the unknown 2026 H2: frozen, so no H2 rate needed.
    # 16 June → 10 July 2026 = 15 + 10 = 25 days at 2.15 + 8 = 10.15: 253750 / 36500 = 6.9520… → 6.95.
    ("public, frozen into an unknown half-year", {"kind": "public", "due": date(2026, 6, 15), "on": date(2026, 7, 10)},
     25, "6.95", "40.00", [(date(2026, 6, 16), date(2026, 7, 10), 25, "10.15", "1000.00")]),
    # Consumer, no formal notice: late (2 March → 30 June = 30 + 30 + 31 + 30 = 121 days) but no interest, no fee.
    ("consumer without notice", {"kind": "b2c", "on": date(2025, 6, 30)}, 121, "0.00", "0.00", []),
    # Consumer, notice 15 May 2025, computed on 10 July 2025: interest from 16 May at the legal rate "autres cas".
    # 16 May → 30 June: 16 + 30 = 46 days at 3.71 → 170660 / 36500 = 4.6756…; 1 → 10 July: 10 days at 2.76 →
    # 27600 / 36500 = 0.7561…; sum 198260 / 36500 = 5.4317… → 5.43. Late 2 March → 10 July = 131 days.
    ("consumer with notice", {"kind": "b2c", "on": date(2025, 7, 10), "notice": date(2025, 5, 15)}, 131, "5.43", "0.00",
     [(date(2025, 5, 16), date(2025, 6, 30), 46, "3.71", "1000.00"),
      (date(2025, 7, 1), date(2025, 7, 10), 10, "2.76", "1000.00")]),
    # Partial payment: 400 on 20 March, 600 on 15 April. 2 → 20 March: 19 days on 1000 → 249850 / 36500 = 6.8452…;
    # 21 March → 15 April: 11 + 15 = 26 days on 600 → 205140 / 36500 = 5.6202…; sum 12.4654… → 12.47.
    ("partial payment mid-delay", {"partial": [(date(2025, 3, 20), "400.00")], "paid": date(2025, 4, 15)},
     45, "12.47", "40.00",
     [(date(2025, 3, 2), date(2025, 3, 20), 19, "13.15", "1000.00"),
      (date(2025, 3, 21), date(2025, 4, 15), 26, "13.15", "600.00")]),
    # Contractual rate 10 % < 3 × 3.71 = 11.13 % (2025 H1): unlawful, the floor applies.
    # 1000 × 11.13 × 45 / 36500 = 500850 / 36500 = 13.7219… → 13.72.
    ("contract rate below the floor", {"paid": date(2025, 4, 15), "contract": "10"}, 45, "13.72", "40.00",
     [(date(2025, 3, 2), date(2025, 4, 15), 45, "11.13", "1000.00")]),
    # Contractual rate 15 % ≥ 11.13 %: it replaces ECB + 10. 1000 × 15 × 45 / 36500 = 18.4931… → 18.49.
    ("contract rate above the floor", {"paid": date(2025, 4, 15), "contract": "15"}, 45, "18.49", "40.00",
     [(date(2025, 3, 2), date(2025, 4, 15), 45, "15.00", "1000.00")]),
    # 2024 H1: no clause → ECB + 10 = 14.50 % even though 3 × 5.07 = 15.21 % is higher.
    # 2 Feb → 2 March 2024 (leap year): 28 + 2 = 30 days. 1000 × 14.5 × 30 / 36500 = 11.9178… → 11.92.
    ("2024, no clause: ECB + 10 below the 3x floor", {"due": date(2024, 2, 1), "paid": date(2024, 3, 2)},
     30, "11.92", "40.00", [(date(2024, 2, 2), date(2024, 3, 2), 30, "14.50", "1000.00")]),
    # 2024 H1 with a clause at 14.50 %: below 15.21 % → floor. 1000 × 15.21 × 30 / 36500 = 12.5013… → 12.50.
    ("2024, clause at ECB + 10 is below the floor", {"due": date(2024, 2, 1), "paid": date(2024, 3, 2), "contract": "14.5"},
     30, "12.50", "40.00", [(date(2024, 2, 2), date(2024, 3, 2), 30, "15.21", "1000.00")]),
    # Half up: 7.30 × 12.50 × 2 / 36500 = 182.5 / 36500 = 0.005 exactly → 0.01 (banker's rounding would give 0.00).
    ("exact half cent rounds up", {"amount": "7.30", "paid": date(2025, 3, 3), "contract": "12.5"}, 2, "0.01", "40.00",
     [(date(2025, 3, 2), date(2025, 3, 3), 2, "12.50", "7.30")]),
    # Paid on the due date: nothing.
    ("paid on time", {"paid": date(2025, 3, 1)}, 0, "0.00", "0.00", []),
    # Not yet due when computed: nothing.
    ("not yet due", {"on": date(2025, 2, 20)}, 0, "0.00", "0.00", []),
]


@pytest.mark.parametrize(("name", "args", "days_late", "interest", "indemnity", "expected_periods"), EXAMPLES,
                         ids=[e[0] for e in EXAMPLES])
def test_worked_examples_match_the_hand_computation(name, args, days_late, interest, indemnity, expected_periods):
    result = run(**args)
    assert result.days_late == days_late
    assert str(result.interest) == interest
    assert str(result.indemnity) == indemnity
    assert result.total == D(interest) + D(indemnity)
    assert [(s, e, d, r, str(b)) for s, e, d, r, b in periods(result)] == expected_periods


def test_the_documented_json_is_printed_exactly():
    assert run(paid=date(2025, 4, 15)).as_json() == {
        "principal": "1000.00", "days_late": 45, "interest": "16.21", "indemnity": "40.00", "total": "56.21",
        "periods": [{"from": "2025-03-02", "to": "2025-04-15", "days": 45, "rate": "13.15"}],
    }


def test_an_unlawful_contract_rate_is_flagged_with_the_floor_named():
    result = run(paid=date(2025, 4, 15), contract="10")
    assert result.contract_rate_unlawful
    assert "11,13 %" in result.warnings[0] and "1er semestre 2025" in result.warnings[0]
    assert result.as_json()["warnings"] == list(result.warnings)
    assert not run(paid=date(2025, 4, 15), contract="15").contract_rate_unlawful


def test_a_consumer_without_notice_is_told_why_there_is_no_interest():
    result = run(kind="b2c", on=date(2025, 6, 30))
    assert any("Aucune mise en demeure" in line for line in result.explanation)
    assert not any("Indemnité" in line for line in result.explanation)


def test_a_missing_half_year_rate_names_the_half_year_and_how_to_add_it():
    with pytest.raises(MissingRateError) as caught:
        run(due=date(2026, 6, 15), on=date(2026, 7, 10))
    message = caught.value.message
    assert message.startswith("taux BCE du 2e semestre 2026 inconnu : ajoutez-le dans Paramètres › Taux")
    assert "relance rates add --kind ecb" in message
    with pytest.raises(MissingRateError, match="intérêt légal .autres cas. du 2e semestre 2026 inconnu"):
        run(kind="b2c", due=date(2026, 6, 15), on=date(2026, 7, 10), notice=date(2026, 6, 20))


def test_a_missing_rate_is_an_application_error_for_callers_to_show():
    assert issubclass(MissingRateError, ApplicationError)


def test_without_half_year_split_the_b2b_rate_of_the_first_half_year_is_kept():
    # Due 15 June, paid 20 July 2025, split off: 35 days at 13.15 → 460250 / 36500 = 12.6095… → 12.61.
    result = run(due=date(2025, 6, 15), paid=date(2025, 7, 20), split=False)
    assert str(result.interest) == "12.61"
    assert [p.days for p in result.periods] == [35]


def test_a_payment_before_the_due_date_lowers_the_base_from_the_start():
    # 250 paid before the due date: 45 days on 750 at 13.15 → 443812.5 / 36500 = 12.1592… → 12.16.
    result = run(partial=[(date(2025, 2, 20), "250.00")], paid=date(2025, 4, 15))
    assert str(result.interest) == "12.16"


def test_a_partly_paid_late_invoice_still_owes_the_indemnity():
    result = run(partial=[(date(2025, 3, 10), "500.00")], on=date(2025, 4, 1))
    assert result.paid_on is None and result.indemnity == D("40.00")


def test_a_notice_before_the_due_date_starts_interest_the_day_after_the_due_date():
    result = run(kind="b2c", notice=date(2025, 2, 1), on=date(2025, 3, 31))
    assert result.periods[0].start == date(2025, 3, 2)


def test_the_result_carries_its_legal_sources():
    assert any("L441-10" in s for s in run(paid=date(2025, 4, 15)).sources)
    assert any("R2192-31" in s for s in run(kind="public", paid=date(2025, 4, 15)).sources)
    assert any("1231-6" in s for s in run(kind="b2c", on=date(2025, 4, 15)).sources)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "b2x"}, "Type de client inconnu"),
    ({"amount": "-1"}, "négatif"),
    ({"contract": "-2"}, "positif"),
])
def test_bad_input_is_refused_in_french(kwargs, message):
    with pytest.raises(ApplicationError, match=message):
        run(on=date(2025, 4, 1), **kwargs)


def test_round_cents_is_half_up():
    from fractions import Fraction

    assert str(round_cents(Fraction(5, 1000))) == "0.01"
    assert str(round_cents(Fraction(4999, 1000000))) == "0.00"
    assert str(round_cents(Fraction(12345, 1000))) == "12.35"


# --- Properties -----------------------------------------------------------------------------------------------
FIRST, LAST = date(2022, 1, 1), date(2026, 6, 30)  # the span the fact sheet covers
days_in_table = st.integers(0, (LAST - FIRST).days)
amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
kinds = st.sampled_from(["b2b", "b2c", "public"])
contracts = st.none() | st.decimals(min_value=D("1"), max_value=D("40"), places=2)


@settings(max_examples=60, deadline=None)
@given(kinds, amounts, days_in_table, days_in_table, days_in_table, contracts)
def test_interest_grows_with_days(kind, amount, a, b, notice, contract):
    due, later = FIRST + timedelta(days=min(a, b)), FIRST + timedelta(days=max(a, b))
    common = {"table": TABLE, "kind": kind, "principal": amount, "due_date": due, "contract_rate": contract,
                  "notice_date": FIRST + timedelta(days=notice)}
    mid = due + (later - due) / 2
    first = compute_penalties(as_of=mid, **common)
    second = compute_penalties(as_of=later, **common)
    assert first.interest <= second.interest
    assert first.days_late <= second.days_late


@settings(max_examples=60, deadline=None)
@given(kinds, amounts, amounts, days_in_table, days_in_table)
def test_interest_grows_with_the_amount(kind, x, y, a, b):
    due, on = FIRST + timedelta(days=min(a, b)), FIRST + timedelta(days=max(a, b))
    common = {"table": TABLE, "kind": kind, "due_date": due, "as_of": on, "notice_date": due}
    small = compute_penalties(principal=min(x, y), **common)
    big = compute_penalties(principal=max(x, y), **common)
    assert small.interest <= big.interest


@settings(max_examples=60, deadline=None)
@given(kinds, amounts, days_in_table, st.integers(0, 60), days_in_table, contracts)
def test_nothing_is_owed_when_paid_on_time(kind, amount, d, early, on, contract):
    due = FIRST + timedelta(days=d)
    result = compute_penalties(
        table=TABLE, kind=kind, principal=amount, due_date=due, as_of=max(due, FIRST + timedelta(days=on)),
        settlements=[Settlement(due - timedelta(days=early), amount)], contract_rate=contract, notice_date=due,
    )
    assert result.interest == 0 and result.indemnity == 0 and result.periods == ()


@settings(max_examples=60, deadline=None)
@given(amounts, days_in_table, days_in_table, st.none() | days_in_table, contracts)
def test_a_consumer_never_owes_an_indemnity(amount, a, b, notice, contract):
    result = compute_penalties(
        table=TABLE, kind="b2c", principal=amount, due_date=FIRST + timedelta(days=min(a, b)),
        as_of=FIRST + timedelta(days=max(a, b)), contract_rate=contract,
        notice_date=None if notice is None else FIRST + timedelta(days=notice),
    )
    assert result.indemnity == 0
    if notice is None:
        assert result.interest == 0


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["b2b", "public"]), amounts, days_in_table, days_in_table, st.integers(0, 100), st.integers(1, 99))
def test_a_partial_payment_never_increases_interest(kind, amount, a, b, offset, percent):
    due, on = FIRST + timedelta(days=min(a, b)), FIRST + timedelta(days=max(a, b))
    part = (amount * percent / 100).quantize(D("0.01"))
    common = {"table": TABLE, "kind": kind, "principal": amount, "due_date": due, "as_of": on}
    with_payment = compute_penalties(settlements=[Settlement(due + timedelta(days=offset), part)], **common)
    assert with_payment.interest <= compute_penalties(**common).interest
