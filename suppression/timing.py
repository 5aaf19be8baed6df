"""Where a request's time goes, phase by phase, for a ``Server-Timing`` header.

The bulk check sends one when ``SUPPRESSION_API_SERVER_TIMING`` is on (``bench/api_bench.py``
turns it on for the server it starts and prints the phases' medians beside the figures).
"""

from __future__ import annotations

from time import perf_counter


class Phases:
    """Successive phases: ``done(name)`` ends the phase that started at the previous mark."""

    __slots__ = ("_last", "spent")

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._last = perf_counter()

    def done(self, name: str) -> None:
        now = perf_counter()
        self.spent[name] = self.spent.get(name, 0.0) + now - self._last
        self._last = now

    def header(self) -> str:
        """The ``Server-Timing`` value: ``name;dur=<milliseconds>`` per phase, in order."""
        return ", ".join(f"{name};dur={spent * 1000:.2f}" for name, spent in self.spent.items())
