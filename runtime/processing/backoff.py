"""Bounded exponential backoff with full jitter, for retrying DynamoDB writes.

"Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th
retry sleeps a uniformly random time in [0, min(cap, base * 2**n)]. Randomising the
whole interval spreads retries from many concurrent Lambda executions, which is
what actually relieves a throttled table. Bounded twice: by a number of attempts
and by a deadline, so a struggling table turns into reported failures (that SQS
retries later) instead of a timed-out invocation (that SQS would retry whole).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Backoff:
    """Retry schedule for one operation.

    Attributes:
        max_attempts: attempts in total, the first one included (default 6).
        base_s: bound of the first retry's sleep, seconds (default 0.05).
        cap_s: bound of any single sleep, seconds (default 2.0).
        deadline: ``time.monotonic()`` value after which no retry starts (default: none).
        sleep: the sleeping function (default ``time.sleep``).
        rand: the jitter source returning [0, 1) (default ``random.random``).
    """

    max_attempts: int = 6
    base_s: float = 0.05
    cap_s: float = 2.0
    deadline: Optional[float] = None
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    slept_s: float = field(default=0.0, init=False)

    def wait(self, attempt: int) -> bool:
        """Sleep before attempt number ``attempt + 1`` (``attempt`` counts from 1).

        Returns False, without sleeping, when no further attempt is allowed: the
        attempts are used up, or the sleep would end past the deadline.
        """
        if attempt >= self.max_attempts:
            return False
        delay = self.rand() * min(self.cap_s, self.base_s * (2 ** (attempt - 1)))
        if self.deadline is not None and time.monotonic() + delay > self.deadline:
            return False
        if delay > 0:
            self.sleep(delay)
            self.slept_s += delay
        return True
