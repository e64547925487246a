"""Benchmark of the standing speed targets, side by side with real Keras, reported as ratios.

    python bench/core.py            # prints a table and writes bench/RESULTS-core.md

1. Start-up: `shapewise explain` on the built-in example (whole process) vs a bare `python3 -c pass`
   (target: within 2x).
2. Import weight: the modules `import shapewise.keras` pulls in (target: nothing heavy: no numpy, torch, keras,
   tensorflow, jax, rich).
3. Scaling: building Sequential stacks of N Dense layers, N = 100 .. 1600 (target: cost linear in N), and the same
   stack in real Keras (torch backend) for the ratio (target: >= 100x faster).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = dict(os.environ, KERAS_BACKEND="torch")
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


def imported_modules():
    code = "import sys, shapewise.keras, shapewise.cli; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
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
start = time.perf_counter()
result = gc_paused(interpret)(source, "<bench>")
assert result.error is None, result.error
print(time.perf_counter() - start)
"""


def build_time(code, n, repeats=3):
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code, str(n)], check=True, capture_output=True, text=True,
                             env=ENV).stdout
        times.append(float(out.split()[-1]))
    return statistics.median(times)


def main():
    rows = []
    bare = wall([sys.executable, "-c", "pass"])
    explain = wall([sys.executable, "-m", "shapewise", "explain"])
    rows.append(("start-up", f"python3 -c pass {bare * 1000:.0f} ms", f"shapewise explain {explain * 1000:.0f} ms",
                 f"{explain / bare:.2f}x of bare python (target <= 2x)"))

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        custom, loop = Path(tmp) / "custom.py", Path(tmp) / "loop.py"
        custom.write_text(CUSTOM_SNIPPET)
        loop.write_text(LOOP_SNIPPET)
        t = wall([sys.executable, "-m", "shapewise", "explain", str(custom)])
        rows.append(("start-up, pasted code", f"python3 -c pass {bare * 1000:.0f} ms",
                     f"explain (a def, a custom layer) {t * 1000:.0f} ms", f"{t / bare:.2f}x of bare python "
                     "(target <= 1.5x)"))
        t = build_time(INTERPRET, str(loop))
        whole = wall([sys.executable, "-m", "shapewise", "explain", str(loop), "--no-explain"], repeats=3)
        rows.append(("10,000-layer loop", "interpreted, in process", f"{t * 1000:.0f} ms (whole command "
                     f"{whole * 1000:.0f} ms)", "target: interpreting < 1 s"))

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
    table = "\n".join(lines)
    print("\n".join("  ".join(c.ljust(w) for c, w in zip(r, width)) for r in rows))
    header = (f"# Core benchmark\n\nMeasured by `python bench/core.py` on this machine ({os.cpu_count()} cores), "
              f"{time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}. Medians of repeated whole-process "
              f"runs.\n\n")
    (HERE / "RESULTS-core.md").write_text(header + table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
