"""The summary every import prints (DESIGN.md: `relance import … --json`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from relance.core.errors import InputProblem


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[InputProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": [p.as_dict() for p in self.errors], "warnings": self.warnings, "dry_run": self.dry_run,
        }
