"""Shared by the bench scripts (not a benchmark itself: `make bench` skips files starting with "_")."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from typing import Any


class StepTimer:
    """Wall time, CPU time and calls of named functions of the product, wrapped for this run only.

        with StepTimer({"relance.banking.services": ["match_payment", …]}) as steps: …
        steps.spent["match_payment"]  # [wall s, CPU s, calls]
    """

    def __init__(self, targets: dict[str, Iterable[str]]) -> None:
        self.targets = {module: list(names) for module, names in targets.items()}
        self.spent: dict[str, list[float]] = {name: [0.0, 0.0, 0] for names in self.targets.values()
                                              for name in names}
        self.saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> StepTimer:
        for module_name, names in self.targets.items():
            module = importlib.import_module(module_name)
            for name in names:
                original = getattr(module, name)
                self.saved.append((module, name, original))
                setattr(module, name, self._timed(self.spent[name], original))
        return self

    @staticmethod
    def _timed(spent: list[float], function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - wall
                spent[1] += time.process_time() - cpu
                spent[2] += 1
        return timed

    def __exit__(self, *exc: object) -> None:
        for module, name, original in self.saved:
            setattr(module, name, original)
