"""The default plan every organisation gets, and which plan applies to which customer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from relance.core.hooks import on_org_created
from relance.dunning import planner
from relance.dunning.models import Plan, Step

STANDARD_NAME = "Plan standard"

#: DESIGN.md's default plan: (code, order, anchor, days, channels, needs_approval, template)
STANDARD_STEPS: list[tuple[str, int, str, int, list[str], bool]] = [
    (s.code, s.order, s.anchor, s.days, list(s.channels), s.needs_approval) for s in planner.STANDARD_PLAN
]


@transaction.atomic
def plan_create_standard(*, org: Any) -> Plan:
    """Create the "Plan standard" of an organisation (idempotent)."""
    plan, created = Plan.objects.get_or_create(org=org, name=STANDARD_NAME, defaults={"is_default": True})
    if created:
        Step.objects.bulk_create(
            Step(plan=plan, code=code, order=order, anchor=anchor, days=days, channels=channels,
                 needs_approval=approval, template=code)
            for code, order, anchor, days, channels, approval in STANDARD_STEPS
        )
    return plan


@on_org_created
def _default_plan(org: Any) -> None:
    plan_create_standard(org=org)


def plan_steps(plan_id: int, rows: Sequence[Mapping[str, Any]]) -> tuple[planner.Step, ...]:
    return tuple(
        planner.Step(r["code"], r["order"], r["anchor"], r["days"], tuple(r["channels"]), r["needs_approval"])
        for r in sorted(rows, key=lambda r: r["order"]) if r["plan_id"] == plan_id
    )


class PlanChooser:
    """Which steps apply to a customer: a plan naming it, else a plan for its kind, else the default plan."""

    def __init__(self, org: Any) -> None:
        plans = list(Plan.objects.filter(org=org).values("id", "customer_kinds", "is_default", "name"))
        rows = list(Step.objects.filter(plan__org=org).values("plan_id", "code", "order", "anchor", "days",
                                                              "channels", "needs_approval"))
        self.steps = {p["id"]: plan_steps(p["id"], rows) for p in plans}
        self.by_kind: dict[str, int] = {}
        self.default: tuple[planner.Step, ...] = planner.STANDARD_PLAN
        for p in sorted(plans, key=lambda p: (not p["is_default"], p["id"])):
            for kind in p["customer_kinds"] or []:
                self.by_kind.setdefault(kind, p["id"])
        default = next((p for p in plans if p["is_default"]), None) or next(
            (p for p in plans if p["name"] == STANDARD_NAME), None)
        if default is not None and self.steps[default["id"]]:
            self.default = self.steps[default["id"]]
        through = Plan.customers.through
        self.explicit = dict(through.objects.filter(plan__org=org).values_list("customer_id", "plan_id"))

    def earliest_offset(self) -> int:
        """planner.earliest_offset over every plan of the organisation (and the default)."""
        return min(planner.earliest_offset(steps) for steps in (self.default, *self.steps.values()))

    def for_customer(self, customer_id: int, kind: str) -> tuple[planner.Step, ...]:
        plan_id = self.explicit.get(customer_id) or self.by_kind.get(kind)
        steps = self.steps.get(plan_id) if plan_id else None
        return steps or self.default
