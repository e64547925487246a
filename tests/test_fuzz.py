"""Fuzzing the interpreter in CI: no input may give a traceback, a memory blow-up, invalid JSON or two outputs.

``SHAPEWISE_FUZZ=N`` sets how many inputs (default 5,000); ``python scripts/fuzz.py --inputs 50000`` is the long run.
"""

import json
import os
import resource
import traceback

from fuzz_inputs import inputs
from shapewise.errors import InternalError
from shapewise.frontends.snippet import interpret
from shapewise.render import render

N = int(os.environ.get("SHAPEWISE_FUZZ", "5000"))
MAX_GROWTH_MIB = 400


def check(label, source, twice=False):
    """None when the input is handled (a result or an explained error, valid JSON, the same bytes twice), else
    what went wrong."""
    try:
        result = interpret(source, f"<{label}>")
        text = render(result, "text", explain=True, expand_nested=False)
        data = render(result, "json", explain=True, expand_nested=False)
        doc = json.loads(data)
        if doc.get("schema") != "shapewise/1":
            return "JSON without the schema"
        if " object at 0x" in text or " object at 0x" in data:
            return "an object's address in the output (it differs from run to run)"
        if isinstance(result.error, InternalError):
            return f"internal error: {result.error.message}"
        if result.error is not None and result.error.exit_code not in (1, 2):
            return f"exit code {result.error.exit_code}"
        if twice:
            again = interpret(source, f"<{label}>")
            if render(again, "json", explain=True, expand_nested=False) != data or \
                    render(again, "text", explain=True, expand_nested=False) != text:
                return "not deterministic"
    except Exception:  # noqa: BLE001 - any escape is the defect this test looks for
        return traceback.format_exc(limit=8)
    return None


def run(n, seed=0):
    failures = []
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i, (label, source) in enumerate(inputs(n, seed)):
        problem = check(label, source, twice=i % 25 == 0)
        if problem is not None:
            failures.append((label, source, problem))
    growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024
    return failures, growth_mib


def test_fuzz_interpreter():
    failures, growth = run(N)
    shown = "\n\n".join(f"--- {label}\n{source[:400]}\n{problem}" for label, source, problem in failures[:5])
    assert not failures, f"{len(failures)} of {N} inputs broke shapewise:\n{shown}"
    assert growth < MAX_GROWTH_MIB, f"peak memory grew by {growth:.0f} MiB over the fuzz run"
