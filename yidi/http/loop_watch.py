"""How late the process's event loop runs: `/healthz` fails when it lags.

A task asks to wake every `interval`; how much later than asked it wakes is the loop's
lag. While the loop is blocked the task cannot run at all, so the time since its last wake
counts too: a check answered right after a long block still sees it.
"""

import asyncio
import time


class LoopWatch:
    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.last_wake = time.monotonic()
        self.last_lag = 0.0

    async def run(self) -> None:
        while True:
            asked = time.monotonic()
            await asyncio.sleep(self.interval)
            self.last_wake = time.monotonic()
            self.last_lag = max(0.0, self.last_wake - asked - self.interval)

    def lag(self) -> float:
        """Seconds the loop is, or just was, behind."""
        overdue = time.monotonic() - self.last_wake - self.interval
        return max(self.last_lag, overdue, 0.0)
