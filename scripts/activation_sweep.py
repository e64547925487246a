"""Activation sweep: every differential case of the Keras layer families, shapewise's saved-for-backward bytes against
the bytes real Keras (torch backend, CPU) keeps, measured with ``saved_tensors_hooks`` in the same run.

``python scripts/activation_sweep.py`` (every family; ``--family rnn,attention`` for some, ``-k lstm`` to filter the
case ids, ``--show`` to print each case over the tolerance with its source). Cases real Keras cannot build or run on
a batch (an unknown non-batch dim, an error on purpose) are skipped. FLOPs are compared too: FlopCounterMode's
figure must be shapewise's plus the differences the layers declare.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "src"))
os.environ.setdefault("KERAS_BACKEND", "torch")

FAMILIES = ("activations", "attention", "conv", "core", "merge", "misc", "normalization", "pooling", "preprocessing",
            "regularization", "reshaping", "rnn", "wrappers")
TABLES = ("CASES", "CALL_KWARGS", "TEXT_CASES")


_SEQUENTIAL_INPUT = re.compile(r"keras\.Sequential\(\[keras\.Input\(\(([0-9, ]+)\)(?:, dtype='float32')?\), ")


def after_dense(source):
    """The same case with a Dense layer before it (``--grad``), so that its input needs a gradient: a Sequential
    whose float Input has known sizes; None for any other source."""
    m = _SEQUENTIAL_INPUT.search(source)
    if m is None:
        return None
    sizes = [s for s in m.group(1).replace(" ", "").split(",") if s]
    return source[:m.end()] + f"layers.Dense({sizes[-1]}), " + source[m.end():]


def cases(families, pattern=None, grad=False):
    for family in families:
        module = importlib.import_module(f"test_{family}_keras")
        for table in TABLES:
            for name, source in getattr(module, table, {}).items():
                if pattern is None or pattern in name:
                    if grad:
                        source = after_dense(source)
                        if source is None:
                            continue
                    yield f"{family}:{name}", source


def measure(source):
    """(shapewise bytes, measured bytes, flops agree) or None where real Keras does not build and run the case."""
    import test_compute_keras as tc

    try:
        keras_model, report = tc.build_both(source)
    except Exception:  # noqa: BLE001 - a case that fails on purpose, or one shapewise refuses (the family test says)
        return None
    if not hasattr(keras_model, "inputs") or not keras_model.inputs or tc._inputs(keras_model, tc.BATCH) is None:
        return None
    try:
        real = tc.measure_keras(keras_model)
    except Exception:  # noqa: BLE001 - built but not runnable on data
        return None
    mc = tc.shapewise_figures(report)
    if mc.undeclared or mc.memory["activations"] is None:
        return None
    flops_ok = mc.compute["flops"] is not None and real["flops"] == mc.compute["flops"] + mc.counter_diff
    return mc.memory["activations"], real["activations"], flops_ok


def run(families, pattern=None, tolerance=0.10, show=False, show_inexact=False, out=print, grad=False):
    """Sweep; returns (counts, the cases over the tolerance as (id, shapewise, measured, source))."""
    counts = {"compared": 0, "exact": 0, "within": 0, "beyond": 0, "skipped": 0, "flops_differ": 0}
    beyond = []
    for case_id, source in cases(families, pattern, grad):
        result = measure(source)
        if result is None:
            counts["skipped"] += 1
            continue
        sw, real, flops_ok = result
        counts["compared"] += 1
        counts["flops_differ"] += not flops_ok
        if sw == real:
            counts["exact"] += 1
        elif abs(sw - real) <= tolerance * real:
            counts["within"] += 1
            if show_inexact:
                out(f"{case_id:60s} shapewise {sw:>10,} measured {real:>10,}  ×{sw / real:.3f} (within)")
        else:
            counts["beyond"] += 1
            beyond.append((case_id, sw, real, source))
            ratio = f"{sw / real:.2f}" if real else "inf"
            out(f"{case_id:60s} shapewise {sw:>10,} measured {real:>10,}  ×{ratio}")
            if show:
                out("    " + source.strip().replace("\n", "\n    "))
        if not flops_ok:
            out(f"{case_id:60s} FLOPs differ from FlopCounterMode")
    return counts, beyond


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--family", default=",".join(FAMILIES))
    p.add_argument("-k", dest="pattern", default=None)
    p.add_argument("--tolerance", type=float, default=0.10)
    p.add_argument("--show", action="store_true", help="print the source of each case over the tolerance")
    p.add_argument("--grad", action="store_true",
                   help="run each Sequential case after a Dense layer (its input then needs a gradient)")
    p.add_argument("--inexact", action="store_true", help="also list the cases within the tolerance but not equal")
    args = p.parse_args()
    t0 = time.time()
    counts, beyond = run(args.family.split(","), args.pattern, args.tolerance, args.show, args.inexact, grad=args.grad)
    print(f"{counts['compared']} compared ({counts['skipped']} skipped): {counts['exact']} exact, "
          f"{counts['within']} within {args.tolerance:.0%}, {counts['beyond']} beyond; "
          f"FLOPs differ in {counts['flops_differ']}; {time.time() - t0:.0f} s")
    return 1 if beyond or counts["flops_differ"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
