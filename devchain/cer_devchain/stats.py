"""Always-on counters behind ``devchain_stats`` / ``devchain_resetStats``.

Per JSON-RPC method: number of calls, errors and the wall-clock seconds spent
in its handler (measured around the handler, inside the chain lock, so time
spent waiting for the lock is not included). Per chain: blocks mined,
transactions mined, gas used and the seconds spent building blocks. The cost
is two ``perf_counter`` calls and a few additions per request.
"""

from __future__ import annotations

import time
from typing import Any


class MethodStats:
    """Counters of one JSON-RPC method."""

    __slots__ = ("calls", "errors", "seconds")

    def __init__(self) -> None:
        self.calls = 0
        self.errors = 0
        self.seconds = 0.0


class Stats:
    """Counters since creation or the last :meth:`reset` (not thread-safe: used under the lock)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        """Forget every counter; the measurement window starts now."""
        self.started = self._clock()
        self.methods: dict[str, MethodStats] = {}
        self.blocks = 0
        self.transactions = 0
        self.gas_used = 0
        self.mining_seconds = 0.0

    def record_call(self, method: str, seconds: float, failed: bool) -> None:
        """Account one handled request of ``method``."""
        entry = self.methods.get(method)
        if entry is None:
            entry = self.methods[method] = MethodStats()
        entry.calls += 1
        entry.seconds += seconds
        if failed:
            entry.errors += 1

    def record_block(self, transactions: int, gas_used: int, seconds: float) -> None:
        """Account one mined block."""
        self.blocks += 1
        self.transactions += transactions
        self.gas_used += gas_used
        self.mining_seconds += seconds

    def to_json(self) -> dict[str, Any]:
        """The ``devchain_stats`` result (plain JSON numbers, not hex quantities)."""
        methods = {
            name: {"calls": m.calls, "errors": m.errors, "seconds": round(m.seconds, 6)}
            for name, m in sorted(self.methods.items())
        }
        total_seconds = sum(m.seconds for m in self.methods.values())
        return {
            "elapsedSeconds": round(self._clock() - self.started, 6),
            "methods": methods,
            "totals": {
                "calls": sum(m.calls for m in self.methods.values()),
                "errors": sum(m.errors for m in self.methods.values()),
                "seconds": round(total_seconds, 6),
            },
            "blocks": self.blocks,
            "transactions": self.transactions,
            "gasUsed": self.gas_used,
            "miningSeconds": round(self.mining_seconds, 6),
        }
