"""Errors that carry a message a French finance assistant can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


class ApplicationError(Exception):
    """A refused operation: shown to the user as is, exit code 2 on the command line."""

    def __init__(self, message: str, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


@dataclass(frozen=True)
class InputProblem:
    """One problem in an input file: where it is and why."""

    file: str
    line: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", ligne {self.line}"
        if self.field and self.field.startswith(("BT-", "BG-")):  # an EN 16931 term of an e-invoice's XML
            where += f", élément {self.field}"
        elif self.field:
            where += f", champ « {self.field} »"
        return f"{where} : {self.message}"


@dataclass
class InputError(Exception):
    """Bad input: every problem found, nothing written."""

    problems: list[InputProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
