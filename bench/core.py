"""Benchmark of the standing speed targets, side by side with the tools a user would otherwise run, as ratios.

    python bench/core.py [--runs N]     # prints a table and writes bench/RESULTS-core.md

1. Start-up, whole process, against a bare ``python3 -c pass`` and against the real framework doing the same:
   `shapewise explain` on the built-in example (target: within 1.5x of bare python) vs real Keras printing the
   same model's summary; a pasted snippet with a ``def`` and a custom layer (target: 1.5x) vs real Keras running
   the same file; a PyTorch snippet (the CIFAR-10 tutorial Net; target: 2x) vs torch + torchinfo.summary.
   The commands take turns (one run of each, N times) so that all are timed over the same stretch of a shared,
   noisy machine; the figures are medians (wall time; the CPU time of the same runs is shown beside it).
2. Import weight: the modules `import shapewise.keras` pulls in (target: nothing heavy: no numpy, torch, keras,
   tensorflow, jax, rich).
3. The interpreter on a pasted 10,000-layer loop (target: < 1 s).
4. Scaling: building Sequential stacks of N Dense layers, N = 100 .. 1600 (target: cost linear in N), and the same
   stack in real Keras (torch backend) for the ratio (target: >= 100x faster).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This checkout's shapewise (not another one an editable install may point to).
ENV = dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=str(HERE.parent / "src"))
# As an installed package runs: with its bytecode written (a session may set PYTHONDONTWRITEBYTECODE, which would
# time the compilation of every module instead).
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
HEAVY = ("numpy", "torch", "keras", "tensorflow", "jax", "rich")


def wall(cmd, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def take_turns(commands, repeats, heavy_every=5):
    """Median wall and CPU seconds of each command, run in turns (one run of each per round) after an untimed
    warm-up (which also writes the bytecode). A command marked heavy (a real framework: seconds a run) runs only
    every ``heavy_every``-th round. Returns {name: (wall, cpu, runs)}."""
    for _, cmd, _ in commands:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    walls = {name: [] for name, _, _ in commands}
    cpus = {name: [] for name, _, _ in commands}
    for round_ in range(repeats):
        for name, cmd, heavy in commands:
            if heavy and round_ % heavy_every:
                continue
            cpu, start = _children_cpu(), time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            walls[name].append(time.perf_counter() - start)
            cpus[name].append(_children_cpu() - cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]), len(walls[name]))
            for name in walls}


def imported_modules():
    code = "import sys, shapewise.keras, shapewise.cli; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=ENV).stdout
    return out.split()


BUILD_SHAPEWISE = """
import sys, time
import shapewise.keras as keras
from shapewise.report import model_report
n = int(sys.argv[1])
start = time.perf_counter()
model = keras.Sequential([keras.Input((16,))] + [keras.layers.Dense(16) for _ in range(n)])
report = model_report(model)
print(time.perf_counter() - start)
"""

BUILD_KERAS = """
import sys, time
import keras
n = int(sys.argv[1])
start = time.perf_counter()
model = keras.Sequential([keras.Input((16,))] + [keras.layers.Dense(16) for _ in range(n)])
model.count_params()
print(time.perf_counter() - start)
"""


#: The interpreter's standing targets (issue 9): a pasted 10,000-layer loop, and a small snippet with a function and
#: a custom layer, whole process.
LOOP_SNIPPET = """import keras
from keras import layers
def block(x, i):
    return layers.Dense(8, name=f"d{i}")(x)
x = inp = keras.Input((8,))
for i in range(10000):
    x = block(x, i)
model = keras.Model(inp, x)
"""
CUSTOM_SNIPPET = """import keras
from keras import layers, ops
class Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    def call(self, x):
        return x * self.w
def build_model(units=32):
    inp = keras.Input((10, 64))
    x = layers.LSTM(units)(inp)
    return keras.Model(inp, layers.Dense(2)(Scale()(x)))
model = build_model()
model.summary()
"""
INTERPRET = """
import sys, time
from shapewise.engine import gc_paused
from shapewise.frontends.snippet import interpret
source = open(sys.argv[1]).read()
start, cpu = time.perf_counter(), time.process_time()
result = gc_paused(interpret)(source, "<bench>")
assert result.error is None, result.error
print(time.process_time() - cpu, time.perf_counter() - start)
"""


def build_time(code, n, repeats=3):
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code, str(n)], check=True, capture_output=True, text=True,
                             env=ENV).stdout
        times.append(float(out.split()[-1]))
    return statistics.median(times)


TORCH_SNIPPET = HERE.parent / "tests" / "corpus" / "torch" / "036_tutorial_cifar10_net.py"
TORCHINFO = (
    "import torch, torchinfo\n"
    "exec(open({path!r}).read().split('net = Net()')[0])\n"
    "torchinfo.summary(Net(), input_size=(4, 3, 32, 32), device='cpu')\n"
)


def startup(tmp, runs):
    """The start-up table: each shapewise command against bare python and against the real framework."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from shapewise.cli import EXAMPLE

    example, custom = Path(tmp) / "example.py", Path(tmp) / "custom.py"
    example.write_text(EXAMPLE)
    custom.write_text(CUSTOM_SNIPPET)
    py, sw = sys.executable, [sys.executable, "-m", "shapewise", "explain"]
    commands = [
        ("bare", [py, "-c", "pass"], False),
        ("example", sw, False),
        ("example-json", sw + ["--format", "json"], False),
        ("custom", sw + [str(custom)], False),
        ("torch", sw + [str(TORCH_SNIPPET)], False),
        ("torch-json", sw + [str(TORCH_SNIPPET), "--format", "json"], False),
        ("bare-S", [py, "-S", "-c", "pass"], False),
        ("example-S", [py, "-S", "-m", "shapewise", "explain"], False),
        ("custom-S", [py, "-S", "-m", "shapewise", "explain", str(custom)], False),
        ("torch-S", [py, "-S", "-m", "shapewise", "explain", str(TORCH_SNIPPET)], False),
        ("keras-example", [py, str(example)], True),
        ("keras-custom", [py, str(custom)], True),
    ]
    try:
        import torchinfo  # noqa: F401

        commands.append(("torchinfo", [py, "-c", TORCHINFO.format(path=str(TORCH_SNIPPET))], True))
    except ImportError:
        pass
    t = take_turns(commands, runs)
    bare = t["bare"][0]

    def ms(name):
        wall_, cpu, n = t[name]
        return f"{wall_ * 1000:,.0f} ms (CPU {cpu * 1000:,.0f} ms; {n} runs)"

    def vs(name, reference):
        if reference not in t:
            return "(torchinfo not installed)"
        return f"{t[reference][0] / t[name][0]:.0f}x faster than {ms(reference)}"

    rows = [("python3 -c pass", ms("bare"), "1.00x", "", "")]
    for name, what, target, reference in (
            ("example", "`shapewise explain` (built-in LSTM example)", 1.5, "keras-example"),
            ("example-json", "`shapewise explain --format json`", 1.5, "keras-example"),
            ("custom", "`shapewise explain` a snippet with a def and a custom layer", 1.5, "keras-custom"),
            ("torch", "`shapewise explain` a PyTorch snippet (CIFAR-10 Net)", 2.0, "torchinfo"),
            ("torch-json", "`shapewise explain --format json`, the same PyTorch snippet", 2.0, "torchinfo")):
        ratio = t[name][0] / bare
        rows.append((what, ms(name), f"{ratio:.2f}x", f"<= {target}x: {'met' if ratio <= target else 'NOT met'}",
                     vs(name, reference)))
    # The same without the site module (``-S``): this machine's site-packages runs .pth hooks at every start (they
    # import certifi, importlib.resources, pathlib, typing, re, ...), which make the bare start slow and pre-import
    # much of what shapewise needs; a plain Python install pays less for ``-c pass`` and more for shapewise.
    bare_s = t["bare-S"][0]
    rows.append(("python3 -S -c pass (no site module)", ms("bare-S"), "1.00x", "", "reference for the rows below"))
    for name, what in (("example-S", "python3 -S -m shapewise explain (built-in example)"),
                       ("custom-S", "python3 -S -m shapewise explain (a def, a custom layer)"),
                       ("torch-S", "python3 -S -m shapewise explain (the PyTorch snippet)")):
        rows.append((what, ms(name), f"{t[name][0] / bare_s:.2f}x of -S", "(no target: see above)", ""))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=31, help="rounds of the start-up commands (default 31)")
    args = parser.parse_args()
    rows = []
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        start_rows = startup(tmp, args.runs)
        loop = Path(tmp) / "loop.py"
        loop.write_text(LOOP_SNIPPET)
        t = build_time(INTERPRET, str(loop))  # the wall time (the last figure printed)
        cpu = statistics.median(float(subprocess.run([sys.executable, "-c", INTERPRET, str(loop)], check=True,
                                                     capture_output=True, text=True, env=ENV).stdout.split()[0])
                                for _ in range(3))
        whole = wall([sys.executable, "-m", "shapewise", "explain", str(loop), "--no-explain"], repeats=3)
        rows.append(("10,000-layer loop", "interpreted, in process", f"{t * 1000:.0f} ms, CPU {cpu * 1000:.0f} ms "
                     f"(whole command {whole * 1000:.0f} ms)", "target: interpreting < 1 s"))

    heavy = sorted({m.split(".")[0] for m in imported_modules() if m.split(".")[0] in HEAVY})
    rows.append(("import", "heavy modules imported by shapewise", ", ".join(heavy) or "none", "target: none"))

    sizes = [100, 200, 400, 800, 1600]
    per_layer = []
    for n in sizes:
        t = build_time(BUILD_SHAPEWISE, n)
        per_layer.append(t / n)
        rows.append((f"build N={n}", f"shapewise {t * 1000:.1f} ms", f"{t / n * 1e6:.0f} µs/layer", ""))
    rows.append(("linearity", "µs/layer at N=1600 vs N=100", f"{per_layer[-1] / per_layer[0]:.2f}x",
                 "target: ~1x (linear)"))
    k = build_time(BUILD_KERAS, 100, repeats=1)
    s = build_time(BUILD_SHAPEWISE, 100)
    rows.append(("vs Keras N=100", f"keras {k * 1000:.0f} ms", f"shapewise {s * 1000:.1f} ms",
                 f"{k / s:.0f}x faster (target >= 100x)"))

    width = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["| what | reference | shapewise | result |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    start_lines = ["| command | median wall time | × python3 -c pass | target | vs the framework doing the same |",
                   "|---|---:|---:|---|---|"]
    start_lines += ["| " + " | ".join(r) + " |" for r in start_rows]
    print("\n".join(start_lines))
    print("\n".join("  ".join(c.ljust(w) for c, w in zip(r, width)) for r in rows))
    header = (f"# Core benchmark\n\nMeasured by `python bench/core.py` on this machine ({os.cpu_count()} cores, "
              f"shared with other jobs: noisy), {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
              "bytecode cached.\n\n## Start-up, whole process\n\nThe commands take turns (one run of each per "
              f"round, {args.runs} rounds; the real frameworks, seconds a run, every 5th round) so that all are timed "
              "over the same stretch of time; each figure is the median wall time, with the median CPU time (user + "
              "system) of the same runs beside it. The Keras references run the same file with real Keras 3 "
              "(KERAS_BACKEND=torch): `model.summary()`; the PyTorch reference is torch + `torchinfo.summary` of "
              "the same Net. The last rows run without the site module (`-S`): on this machine `site` runs "
              "site-packages' .pth hooks that import certifi, importlib.resources, pathlib, typing, re and more at "
              "every start (most of the bare start's time), modules shapewise would otherwise import itself; a plain "
              "Python install starts faster, so there the same shapewise run is a larger multiple of its bare "
              "start than the ratios above.\n\n")
    body = "\n".join(start_lines) + "\n\n## Interpreter, import weight, scaling\n\n" + "\n".join(lines) + "\n"
    (HERE / "RESULTS-core.md").write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main()
