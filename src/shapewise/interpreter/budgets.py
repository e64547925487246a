"""The interpreter's global budgets: sizes, loop iterations, depth, steps, time."""

from __future__ import annotations

from ..errors import RefusedError

MAX_SOURCE_CHARS = 1_000_000
MAX_ITERATIONS = 10_000
MAX_INT = 10**12
MAX_SEQUENCE = 100_000
MAX_DEPTH = 80
TIME_BUDGET = 5.0
MAX_STEPS = 2_000_000  # values visited while printing, comparing or converting (a list of 10**5 lists of 10**5...)
MAX_FORMAT_WIDTH = 1_000


class _Steps:
    count = 0


def _step(n=1):
    _Steps.count += n
    if _Steps.count > MAX_STEPS:
        raise RefusedError(f"this value is refused: printing, comparing or converting it takes more than "
                           f"{MAX_STEPS:,} steps")
