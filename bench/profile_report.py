"""Time shapewise's report and summary text per application: ``python bench/profile_report.py``.

For each application: build it once, then time ``model_report(m)`` and ``render_summary(report)`` separately,
min of N runs with the cyclic GC disabled around each measured call (the machine is shared and noisy; the
minimum is the stable figure). The build itself is not timed here (bench/run.py times build + summary).

Options: --apps A,B (default: five large ones), --repeats N (default 40), --profile APP (a cProfile of
report + text for one application, top functions by own time), --check (also print a hash of the text, to
compare outputs across versions), --run report|text|none (no timing: build the first application, make its
report and text once, then run only that phase N more times, GC off; for instruction counts, which do not
depend on the machine's load: the difference of two runs under valgrind, divided by N, is one call's count):

    PY=$(python -c 'import sys; print(sys.executable)')   # the interpreter itself, not a shell shim
    for phase in none report text; do PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        $PY bench/profile_report.py --apps DenseNet121 --repeats 5 --run $phase 2>&1 | grep Collected; done
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import pstats
import sys
import time

DEFAULT_APPS = ["DenseNet121", "EfficientNetB7", "ResNet152V2", "NASNetMobile", "MobileNetV3Large"]


def timed(fn, repeats):
    """Min of ``repeats`` calls, the GC off during each; the previous result is freed outside the timed call."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        result = None
        gc.collect()
        gc.disable()
        try:
            t = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t)
        finally:
            gc.enable()
    return best, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", default=",".join(DEFAULT_APPS))
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--run", choices=("report", "text", "none"))
    args = parser.parse_args(argv)

    import shapewise
    from shapewise import keras
    from shapewise.render.text import render_summary
    from shapewise.report import model_report

    print(f"shapewise from {shapewise.__file__}", file=sys.stderr)
    if args.run:
        gc.disable()
        m = getattr(keras.applications, args.apps.split(",")[0])(weights=None)
        report = model_report(m)
        render_summary(report)
        phase = {"report": lambda: model_report(m), "text": lambda: render_summary(report)}.get(args.run)
        for _ in range(args.repeats if phase else 0):
            phase()
        return
    keras.applications.MobileNetV3Small(weights=None)  # warm-up: lazy imports and first-call paths

    if args.profile:
        keras.clear_session()
        m = getattr(keras.applications, args.profile)(weights=None)
        render_summary(model_report(m))
        prof = cProfile.Profile()
        gc.collect()
        gc.disable()
        prof.enable()
        render_summary(model_report(m))
        prof.disable()
        gc.enable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
        return

    print(f"{'application':<18} {'layers':>6} {'report ms':>10} {'text ms':>9} {'µs/row':>7}"
          + ("  text sha1" if args.check else ""))
    for app in args.apps.split(","):
        keras.clear_session()
        m = getattr(keras.applications, app)(weights=None)
        t_report, report = timed(lambda m=m: model_report(m), args.repeats)
        t_text, text = timed(lambda report=report: render_summary(report), args.repeats)
        n = len(report.layers)
        line = (f"{app:<18} {n:>6} {t_report * 1e3:>10.2f} {t_text * 1e3:>9.2f} "
                f"{(t_report + t_text) * 1e6 / n:>7.1f}")
        if args.check:
            line += "  " + hashlib.sha1(text.encode()).hexdigest()[:12]
        print(line)


if __name__ == "__main__":
    main()
