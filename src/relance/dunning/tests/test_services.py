"""Approvals, promises, disputes and pauses: what they change, and the French refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relance.activity.models import Event, Task
from relance.core.errors import ApplicationError
from relance.dunning.models import Action, LadderMark
from relance.dunning.services import (
    action_approve,
    action_cancel,
    customer_pause,
    customer_resume,
    dispute_open,
    dispute_resolve,
    dunning_run,
    promise_record,
)
from relance.dunning.tests.test_run import debtor, invoice
from relance.ledger.models import Allocation, Promise

D = date.fromisoformat
pytestmark = pytest.mark.django_db
BEFORE_NOTICE = (("reminder_1", "2025-03-10"), ("reminder_2", "2025-03-24"), ("call", "2025-03-31"),
                 ("reminder_3", "2025-04-23"))


def at_formal_notice(org, ref="C100", number="FA-100"):
    customer = debtor(org, ref=ref)
    fa = invoice(customer, number=number)
    for step, day in BEFORE_NOTICE:
        LadderMark.objects.create(org=org, customer=customer, invoice=fa, step=step, day=D(day))
    return customer, fa


def test_formal_notice_awaits_approval_then_counts_on_the_approval_day(org, alice):
    customer, fa = at_formal_notice(org)
    result = dunning_run(org=org, today=D("2025-05-09"))
    assert [(a["step"], a["channel"], a["status"]) for a in result.actions] == [
        ("formal_notice", "registered_letter", "awaiting_approval")]
    assert not LadderMark.objects.filter(invoice=fa, step="formal_notice").exists()
    assert Task.objects.get(kind="approval").status == "open"
    assert dunning_run(org=org, today=D("2025-05-12")).actions == []  # no later run lists it again
    action = Action.objects.get()
    action = action_approve(org=org, action=action, today=D("2025-05-14"), actor=alice)
    assert action.approved_by == alice and action.approved_on == D("2025-05-14")
    assert action.status == "sent" and action.document.endswith(".pdf")  # the registered letter's PDF
    assert LadderMark.objects.get(invoice=fa, step="formal_notice").day == D("2025-05-14")
    assert Task.objects.get(kind="approval").status == "done"
    # litigation anchors on the approval day: 14/05 + 15 = 29/05 (Ascension Day) → 30/05
    assert dunning_run(org=org, today=D("2025-05-28")).actions == []
    assert [a["step"] for a in dunning_run(org=org, today=D("2025-05-30")).actions] == ["litigation"]


def test_approving_after_everything_was_paid_cancels_the_action(org):
    _, fa = at_formal_notice(org)
    dunning_run(org=org, today=D("2025-05-09"))
    Allocation.objects.create(org=org, invoice=fa, source="accounting", amount=fa.total_incl_tax, date=D("2025-05-10"))
    action = action_approve(org=org, action=Action.objects.get(), today=D("2025-05-12"))
    assert action.status == "cancelled"
    assert not LadderMark.objects.filter(step="formal_notice").exists()
    assert Event.objects.filter(type="action_cancelled").exists()


def test_the_run_cancels_an_approval_whose_invoices_were_all_paid(org):
    _, fa = at_formal_notice(org)
    dunning_run(org=org, today=D("2025-05-09"))
    Allocation.objects.create(org=org, invoice=fa, source="accounting", amount=fa.total_incl_tax, date=D("2025-05-10"))
    dunning_run(org=org, today=D("2025-05-12"))
    assert Action.objects.get().status == "cancelled"


def test_approving_an_action_that_does_not_await_approval_is_refused(org):
    invoice(debtor(org))
    dunning_run(org=org, today=D("2025-03-10"))
    action = Action.objects.get()
    with pytest.raises(ApplicationError, match="n'attend pas de validation"):
        action_approve(org=org, action=action, today=D("2025-03-11"))


def test_another_organisations_action_cannot_be_approved_or_cancelled(org, other_org):
    at_formal_notice(other_org)
    dunning_run(org=other_org, today=D("2025-05-09"))
    action = Action.objects.get()
    with pytest.raises(ApplicationError):
        action_approve(org=org, action=action, today=D("2025-05-12"))
    with pytest.raises(ApplicationError):
        action_cancel(org=org, action=action, today=D("2025-05-12"))
    assert Action.objects.get().status == "awaiting_approval"


def test_cancelling_a_pending_approval(org):
    at_formal_notice(org)
    dunning_run(org=org, today=D("2025-05-09"))
    assert action_cancel(org=org, action=Action.objects.get(), today=D("2025-05-12")).status == "cancelled"
    assert Task.objects.get(kind="approval").status == "cancelled"


def test_a_promise_covers_the_overdue_invoices_and_is_broken_after_its_grace(org):
    customer = debtor(org, ref="C200")
    fa = invoice(customer, number="FA-200")
    invoice(customer, number="FA-201", due="2025-06-30")  # not overdue: not covered by default
    promise = promise_record(org=org, customer=customer, until=D("2025-03-12"), today=D("2025-03-06"))
    assert list(promise.invoices.all()) == [fa]
    assert Event.objects.filter(type="promise_recorded", customer=customer).exists()
    assert dunning_run(org=org, today=D("2025-03-10")).actions == []
    assert dunning_run(org=org, today=D("2025-03-14")).actions == []  # P + 2
    result = dunning_run(org=org, today=D("2025-03-17"))
    assert result.events == [{"customer": "C200", "type": "promise_broken", "invoices": ["FA-200"]}]
    assert [a["step"] for a in result.actions] == ["reminder_1"]
    promise.refresh_from_db()
    assert promise.status == Promise.Status.BROKEN


def test_a_promise_in_the_past_or_without_overdue_invoices_is_refused(org):
    customer = debtor(org)
    invoice(customer, due="2025-06-30")
    with pytest.raises(ApplicationError, match="déjà passée"):
        promise_record(org=org, customer=customer, until=D("2025-03-01"), today=D("2025-03-06"))
    with pytest.raises(ApplicationError, match="aucune facture échue"):
        promise_record(org=org, customer=customer, until=D("2025-03-20"), today=D("2025-03-06"))
    assert not Promise.objects.exists()


def test_a_promise_on_another_customers_invoice_is_refused(org):
    a, b = debtor(org), debtor(org)
    theirs = invoice(b)
    with pytest.raises(ApplicationError, match="n'est pas une facture"):
        promise_record(org=org, customer=a, until=D("2025-03-20"), today=D("2025-03-06"), invoices=[theirs])


def test_a_dispute_stops_the_ladder_and_resolution_resumes_it_the_next_business_day(org):
    fa = invoice(debtor(org), number="FA-300")
    dispute_open(org=org, invoice=fa, reason="Livraison incomplète", today=D("2025-03-05"))
    assert Task.objects.filter(kind="dispute", status="open").count() == 1
    assert dunning_run(org=org, today=D("2025-03-10")).actions == []
    dispute_resolve(org=org, invoice=fa, today=D("2025-03-14"), resolution="Avoir émis")
    assert Task.objects.get(kind="dispute").status == "done"
    assert dunning_run(org=org, today=D("2025-03-14")).actions == []
    assert [a["step"] for a in dunning_run(org=org, today=D("2025-03-17")).actions] == ["reminder_1"]


def test_dispute_refusals(org):
    fa = invoice(debtor(org), number="FA-301")
    with pytest.raises(ApplicationError, match="pas de litige ouvert"):
        dispute_resolve(org=org, invoice=fa, today=D("2025-03-05"))
    dispute_open(org=org, invoice=fa, reason="Prix", today=D("2025-03-05"))
    with pytest.raises(ApplicationError, match="déjà en litige"):
        dispute_open(org=org, invoice=fa, reason="Encore", today=D("2025-03-06"))
    with pytest.raises(ApplicationError, match="obligatoire"):
        dispute_open(org=org, invoice=invoice(debtor(org)), reason="  ", today=D("2025-03-06"))


def test_a_paused_customer_gets_nothing_until_resumed(org):
    customer = debtor(org, ref="C400")
    invoice(customer)
    customer_pause(org=org, customer=customer, reason="Négociation en cours", today=D("2025-03-07"))
    assert dunning_run(org=org, today=D("2025-03-10")).actions == []
    with pytest.raises(ApplicationError, match="déjà suspendues"):
        customer_pause(org=org, customer=customer, reason="x", today=D("2025-03-10"))
    customer_resume(org=org, customer=customer, today=D("2025-03-11"))
    assert [a["step"] for a in dunning_run(org=org, today=D("2025-03-11")).actions] == ["reminder_1"]
    assert list(Event.objects.filter(customer=customer).order_by("id").values_list("type", flat=True))[:2] == [
        "customer_paused", "customer_resumed"]


def test_amounts_listed_are_frozen_when_the_action_is_created(org):
    fa = invoice(debtor(org), amount="500.00")
    dunning_run(org=org, today=D("2025-03-10"))
    Allocation.objects.create(org=org, invoice=fa, source="accounting", amount=Decimal("200.00"), date=D("2025-03-11"))
    line = Action.objects.get().lines.get()
    assert line.amount == Decimal("500.00") and line.advanced


@pytest.mark.parametrize(("grace", "quiet_until", "resumes"), [
    (0, "2025-03-12", "2025-03-13"),  # no grace: the next business day after P
    (5, "2025-03-17", "2025-03-18"),  # P + 5 = Monday 17: still covered, resumes Tuesday
])
def test_the_organisations_promise_grace_days_set_when_the_ladder_resumes(org, grace, quiet_until, resumes):
    org.promise_grace_days = grace
    org.save(update_fields=["promise_grace_days"])
    customer = debtor(org, ref="C210")
    invoice(customer, number="FA-210")
    promise_record(org=org, customer=customer, until=D("2025-03-12"), today=D("2025-03-06"))
    assert dunning_run(org=org, today=D(quiet_until), dry_run=True).actions == []
    result = dunning_run(org=org, today=D(resumes))
    assert [e["type"] for e in result.events] == ["promise_broken"]
    assert [a["step"] for a in result.actions] == ["reminder_1"]


def test_approving_a_message_respects_the_contact_spacing_then_goes_on_the_first_day_it_may(org, alice):
    customer, fa = at_formal_notice(org)
    dunning_run(org=org, today=D("2025-05-09"))
    notice = Action.objects.get(step="formal_notice")
    other = Action.objects.create(org=org, customer=customer, step="reminder_1", channel="email", date=D("2025-05-12"),
                                  status="sent", carried_out_on=D("2025-05-12"), amount_due=Decimal("10.00"))
    with pytest.raises(ApplicationError, match=r"reçu un message le 12/05/2025.*à partir du 15/05/2025"):
        action_approve(org=org, action=notice, today=D("2025-05-14"), actor=alice)
    notice.refresh_from_db()
    assert notice.status == "awaiting_approval" and not LadderMark.objects.filter(step="formal_notice").exists()
    assert action_approve(org=org, action=notice, today=D("2025-05-15"), actor=alice).status == "sent"
    assert LadderMark.objects.get(invoice=fa, step="formal_notice").day == D("2025-05-15")
    assert other.status == "sent"


def test_approving_a_litigation_task_is_not_held_by_the_spacing(org, alice):
    customer, fa = at_formal_notice(org)
    LadderMark.objects.create(org=org, customer=customer, invoice=fa, step="formal_notice", day=D("2025-05-09"))
    Action.objects.create(org=org, customer=customer, step="formal_notice", channel="registered_letter",
                          date=D("2025-05-09"), status="sent", carried_out_on=D("2025-05-26"), amount_due=Decimal("1"))
    dunning_run(org=org, today=D("2025-05-26"))
    litigation = Action.objects.get(step="litigation")
    assert action_approve(org=org, action=litigation, today=D("2025-05-27"), actor=alice).status == "task"
