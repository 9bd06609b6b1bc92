"""Apps register what a new organisation needs (its default plan, templates…) without import cycles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ORG_CREATED: list[Callable[[Any], None]] = []


def on_org_created(func: Callable[[Any], None]) -> Callable[[Any], None]:
    _ORG_CREATED.append(func)
    return func


def run_org_created_hooks(org: Any) -> None:
    for func in _ORG_CREATED:
        func(org)
