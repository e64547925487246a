"""shapewise vs real Keras 3 on this machine: ``python bench/run.py``.

(a) The cold command: the seed question's DenseNet121 snippet as a file, through ``shapewise explain FILE`` and
    through ``python FILE`` with real Keras (KERAS_BACKEND=torch): whole process, median of a few runs.
(b) Warm build + summary of every application, one process per application and framework: imports and a small
    warm-up model are excluded from the time; the build and the summary table are timed, each after an untimed
    ``clear_session()`` and ``gc.collect()`` that free the previous model. The two processes take
    turns (shapewise builds, one Keras build, shapewise builds, ...), so both sides are timed over the same
    stretch of time: on a shared machine the speed of the CPU drifts by 2× and more within seconds, and a
    shapewise process timed alone (half a second) would draw one random moment while Keras's builds average
    over many.
Peak memory is each child process's own maxrss (os.wait4's rusage). Prints a table and writes bench/RESULTS.md.

Options: --apps A,B (a subset), --cold-repeats N (default 5 shapewise / 3 Keras), --warm-repeats S,K (default 16
shapewise / 3 Keras builds per application, median; the shapewise builds are split into K + 1 turns around the
Keras builds), --skip-keras (shapewise only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SEED_SNIPPET = """\
import keras
from keras import applications
from keras.layers import Dense, Input
from keras import Model

INPUT_SHAPE = (224, 224, 1)
n_output_units = 2
activation_fn = 'sigmoid'
densenet_121_model = applications.densenet.DenseNet121(include_top=False, weights=None, input_shape=INPUT_SHAPE,
                                                       pooling='avg')
inputs = Input(shape=INPUT_SHAPE, name='input')
model_base = densenet_121_model(inputs)
output = Dense(units=n_output_units, activation=activation_fn)(model_base)
model = Model(inputs=inputs, outputs=output)
model.summary()

INPUT_SHAPE = (512, 512, 1)
densenet_121_model = applications.densenet.DenseNet121(include_top=False, weights=None, input_shape=INPUT_SHAPE,
                                                       pooling='avg')
inputs = Input(shape=INPUT_SHAPE, name='input')
model_base = densenet_121_model(inputs)
output = Dense(units=n_output_units, activation=activation_fn)(model_base)
model = Model(inputs=inputs, outputs=output)
model.summary()
"""

APPS = [
    "ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5",
    "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S",
    "EfficientNetV2M", "EfficientNetV2L",
    "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large",
    "NASNetMobile", "NASNetLarge", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2",
    "ResNet152V2", "VGG16", "VGG19", "Xception",
]

# One worker per (framework, application). After its warm-up it prints "ready"; then for each line N on its stdin it
# builds and summarizes the application N times and prints one JSON line: the times and the param count.
WARM_CHILD = r"""
import gc, json, sys, time
framework, app = sys.argv[1], sys.argv[2]
if framework == "keras":
    import keras
    from keras.src.applications import nasnet
    import types
    # Keras refuses NASNet on torch up front (a runtime bug); bypass that one check to time the build.
    proxy = types.SimpleNamespace(**{k: getattr(nasnet.backend, k) for k in dir(nasnet.backend)
                                     if not k.startswith("__")})
    proxy.backend = lambda: "jax"
    nasnet.backend = proxy

    clear_session = keras.backend.clear_session

    def build_and_summarize(name):
        m = getattr(keras.applications, name)(weights=None)
        lines = []
        m.summary(print_fn=lambda *a, **k: lines.append(a[0] if a else ""))
        return m.count_params()
else:
    import shapewise.keras as keras
    from shapewise.render.text import render_summary
    from shapewise.report import model_report

    clear_session = keras.clear_session

    def build_and_summarize(name):
        m = getattr(keras.applications, name)(weights=None)
        render_summary(model_report(m))
        return m.count_params()

build_and_summarize("MobileNetV3Small")  # warm-up: lazy imports and first-call paths
print("ready", flush=True)
for line in sys.stdin:
    times = []
    for _ in range(int(line)):
        # Untimed, on both sides: reset the names and free the previous model, so each timed build starts from the
        # same clean heap. (Keras's clear_session() runs gc.collect() itself, about 250 ms here; shapewise's
        # only resets the names, and the previous model's garbage would be collected at some later allocation.)
        clear_session()
        gc.collect()
        t = time.perf_counter()
        params = build_and_summarize(app)
        times.append(time.perf_counter() - t)
    print(json.dumps({"times": times, "params": params}), flush=True)
"""


# Where shapewise's own time goes, for the report: phases, then the top functions of a cProfile run.
PROFILE_CHILD = r"""
import cProfile, io, pstats, statistics, sys, time
import shapewise.keras as keras
from shapewise.render.text import render_summary
from shapewise.report import model_report
app = sys.argv[1]
keras.applications.MobileNetV3Small(weights=None)
phases = {"build": [], "report": [], "summary text": []}
for _ in range(3):
    keras.clear_session()
    t0 = time.perf_counter(); m = getattr(keras.applications, app)(weights=None)
    t1 = time.perf_counter(); r = model_report(m)
    t2 = time.perf_counter(); render_summary(r)
    t3 = time.perf_counter()
    for k, v in zip(phases, (t1 - t0, t2 - t1, t3 - t2)):
        phases[k].append(v)
print(" | ".join(f"{k} {statistics.median(v) * 1000:,.0f} ms" for k, v in phases.items()))
keras.clear_session()
prof = cProfile.Profile()
prof.enable(); render_summary(model_report(getattr(keras.applications, app)(weights=None))); prof.disable()
out = io.StringIO()
st = pstats.Stats(prof, stream=out); st.sort_stats("tottime").print_stats(8)
for line in out.getvalue().splitlines():
    if "/shapewise/" in line or "{" in line:
        parts = line.split(None, 5)
        print(f"    {parts[1]:>7}s self  {parts[3]:>7}s cum  {parts[0]:>9} calls  " + parts[5].split("/src/")[-1])
"""


def run_child(cmd, env=None, capture=False):
    """Run a child process; return (wall seconds, peak RSS in MiB, stdout, returncode)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE if capture else subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if capture else ""
    err = proc.stderr.read() if capture else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if capture and proc.returncode != 0:
        out = out + err
    return wall, usage.ru_maxrss / 1024, out, proc.returncode


def env_with(**extra):
    env = dict(os.environ)
    # As installed packages are (pip compiles them): let Python keep its bytecode cache, for both sides. With
    # PYTHONDONTWRITEBYTECODE=1 (set on some CI machines) every shapewise run would recompile its own source,
    # while Keras's site-packages already ship compiled.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def cold(repeats_sw, repeats_keras, skip_keras):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SEED_SNIPPET)
        path = f.name
    shapewise_cmd = [sys.executable, "-m", "shapewise", "explain", path]
    keras_cmd = [sys.executable, path]
    rows = {}
    run_child(shapewise_cmd, env=env_with())  # untimed: writes the bytecode cache, warms the OS file cache
    runs = [run_child(shapewise_cmd, env=env_with(), capture=True) for _ in range(repeats_sw)]
    ok = all(r[3] == 0 for r in runs)
    rows["shapewise"] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs), ok,
                         "" if ok else runs[0][2].strip().splitlines()[-1:])
    if not skip_keras:
        run_child(keras_cmd, env=env_with(KERAS_BACKEND="torch"))  # untimed warm-up, as above
        runs = [run_child(keras_cmd, env=env_with(KERAS_BACKEND="torch"), capture=True)
                for _ in range(repeats_keras)]
        ok = all(r[3] == 0 for r in runs)
        rows["keras"] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs), ok,
                         "" if ok else runs[0][2].strip().splitlines()[-1:])
    os.unlink(path)
    return rows


class Worker:
    """A warm worker process (WARM_CHILD) for one framework and application."""

    def __init__(self, framework, app):
        self.proc = subprocess.Popen([sys.executable, "-c", WARM_CHILD, framework, app], env=env_with(KERAS_BACKEND="torch"),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.times, self.params, self.error = [], None, None
        if self.proc.stdout.readline().strip() != "ready":
            self._failed()

    def build(self, n):
        """Time n more builds (nothing once the worker has failed)."""
        if self.error is not None:
            return
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self._failed()
            return
        data = json.loads(line)
        self.times += data["times"]
        self.params = data["params"]

    def _failed(self):
        self.error = (self.proc.stderr.read().strip().splitlines() or ["worker exited"])[-1]

    def finish(self):
        """End the worker; the result as a dict: seconds (median) and params, or error; and rss (peak, MiB)."""
        self.proc.stdin.close()
        _, _, usage = os.wait4(self.proc.pid, 0)
        out = {"rss": usage.ru_maxrss / 1024}
        if self.error is not None or not self.times:
            out["error"] = self.error or "no builds"
        else:
            out["seconds"], out["params"] = statistics.median(self.times), self.params
        return out


def warm(app, repeats_sw, repeats_keras, skip_keras):
    """Both sides' warm build + summary of ``app``, taking turns: a share of the shapewise builds, then one Keras
    build, and so on, ending with shapewise; each side's median."""
    sw = Worker("shapewise", app)
    keras = None if skip_keras else Worker("keras", app)
    turns = 1 if keras is None else repeats_keras + 1
    share = -(-repeats_sw // turns)
    sw.build(share)
    for _ in range(turns - 1):
        keras.build(1)
        sw.build(share)
    return sw.finish(), ({"error": "skipped", "rss": 0} if keras is None else keras.finish())


def fmt_ms(seconds):
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--apps", help="comma-separated subset of applications")
    p.add_argument("--cold-repeats", type=int, default=None)
    p.add_argument("--warm-repeats", default="16,3", help="builds per application, shapewise,Keras (median)")
    p.add_argument("--skip-keras", action="store_true")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = p.parse_args(argv)
    apps = args.apps.split(",") if args.apps else APPS
    warm_sw, warm_keras = (int(n) for n in args.warm_repeats.split(","))

    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)
        if not args.no_write:  # rewritten as it goes, so an interrupted run still leaves its rows
            with open(os.path.join(HERE, "RESULTS.md"), "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")

    out("# shapewise vs Keras 3: benchmark")
    out()
    out(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"Keras with KERAS_BACKEND=torch. Generated by `python bench/run.py`.")
    out()
    out("## (a) Cold command: the seed's DenseNet121 snippet (two models, 224 and 512), whole process")
    out()
    c = cold(args.cold_repeats or 5, args.cold_repeats or 3, args.skip_keras)
    out("| command | median wall time | peak RSS | ok |")
    out("|---|---:|---:|---|")
    out(f"| `shapewise explain seed.py` | {fmt_ms(c['shapewise'][0])} | {c['shapewise'][1]:,.0f} MiB | "
        f"{'yes' if c['shapewise'][2] else 'no: ' + str(c['shapewise'][3])} |")
    if "keras" in c:
        out(f"| `python seed.py` (Keras) | {fmt_ms(c['keras'][0])} | {c['keras'][1]:,.0f} MiB | "
            f"{'yes' if c['keras'][2] else 'no: ' + str(c['keras'][3])} |")
        ratio = c["keras"][0] / c["shapewise"][0]
        out()
        out(f"Speed-up: **{ratio:,.1f}×** (target ≥ 20×: {'met' if ratio >= 20 else 'MISSED'}); "
            f"memory: {c['keras'][1] / c['shapewise'][1]:,.1f}× less.")
    out()
    out("## (b) Warm build + summary of each application (weights=None), one process each")
    out()
    turns = 1 if args.skip_keras else warm_keras + 1
    out(f"Median of {-(-warm_sw // turns) * turns} shapewise and {warm_keras} Keras builds (each the build and the "
        f"summary table, timed after an untimed `clear_session()` and `gc.collect()` that free the previous model) "
        f"per application, after a warm-up build in the same process. The two processes "
        f"take turns ({-(-warm_sw // turns)} shapewise builds, 1 Keras build, ...), so both are timed over the same "
        f"stretch of time: this machine's speed drifts by 2× and more within seconds.")
    out()
    out("| application | params | shapewise | Keras | speed-up | shapewise RSS | Keras RSS |")
    out("|---|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for app in apps:
        s, k = warm(app, warm_sw, warm_keras, args.skip_keras)
        if "error" in s:
            out(f"| {app} | | error: {s['error'][:80]} | {fmt_ms(k['seconds']) if 'seconds' in k else ''} | | | |")
            continue
        params = f"{s['params']:,}"
        if "seconds" in k:
            if k["params"] != s["params"]:
                params += f" (Keras {k['params']:,}!)"
            ratio = k["seconds"] / s["seconds"]
            ratios.append((ratio, app))
            out(f"| {app} | {params} | {fmt_ms(s['seconds'])} | {fmt_ms(k['seconds'])} | {ratio:,.0f}× | "
                f"{s['rss']:,.0f} MiB | {k['rss']:,.0f} MiB |")
        else:
            out(f"| {app} | {params} | {fmt_ms(s['seconds'])} | {k['error'][:60]} | | {s['rss']:,.0f} MiB | |")
    if ratios:
        worst = min(ratios)
        out()
        out(f"Smallest speed-up: **{worst[0]:,.0f}×** ({worst[1]}); median {statistics.median(r for r, _ in ratios):,.0f}× "
            f"(target ≥ 100× for every application: "
            f"{'met' if worst[0] >= 100 else 'MISSED for ' + ', '.join(a for r, a in ratios if r < 100)}).")
    out()
    out("## (c) Where shapewise's time goes (in-process, median of 3; then cProfile's top functions by own time)")
    out()
    out("```")
    for app in ("DenseNet121", "EfficientNetB7"):
        _, _, text, code = run_child([sys.executable, "-c", PROFILE_CHILD, app], env=env_with(), capture=True)
        out(f"{app}: " + text.strip())
    out("```")


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(ROOT, "src"))
    main()
