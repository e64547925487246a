"""Whole-process time of ``shapewise explain`` on a PyTorch snippet (the CIFAR-10 tutorial Net), against a bare
``python3 -c pass`` and against real torch + torchinfo doing the same summary.

    python3 bench/torch_bench.py [--runs N]      # writes bench/RESULTS-torch.md

torchinfo is needed for the last column only (``pip install torchinfo``); it is not a dependency of shapewise.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CIFAR = os.path.join(ROOT, "tests", "corpus", "torch", "036_tutorial_cifar10_net.py")
TORCHINFO = (
    "import torch, torchinfo\n"
    "exec(open({path!r}).read().split('net = Net()')[0])\n"
    "torchinfo.summary(Net(), input_size=(4, 3, 32, 32), device='cpu')\n"
)


def _time(cmd, env, runs):
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - start)
    return statistics.median(out), min(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the bytecode is cached after the first run
    rows = [("python3 -c pass", [sys.executable, "-c", "pass"]),
            ("shapewise explain (text)", [sys.executable, "-m", "shapewise", "explain", CIFAR]),
            ("shapewise explain --format json", [sys.executable, "-m", "shapewise", "explain", CIFAR, "--format",
                                                 "json"])]
    try:
        import torchinfo  # noqa: F401

        rows.append(("torch + torchinfo.summary", [sys.executable, "-c", TORCHINFO.format(path=CIFAR)]))
    except ImportError:
        pass
    results = [(name, *_time(cmd, env, args.runs if "torchinfo" not in name else max(3, args.runs // 3)))
               for name, cmd in rows]
    bare = results[0][1]
    lines = ["# PyTorch snippet: whole-process time", "",
             f"The CIFAR-10 tutorial Net (`tests/corpus/torch/036_tutorial_cifar10_net.py`), median of {args.runs} "
             f"runs (torchinfo: fewer), `{platform.python_implementation()} {platform.python_version()}`, "
             f"{platform.machine()}, a shared machine (2 cores, 5 other engineers), bytecode cached. Written by "
             "`bench/torch_bench.py`.", "",
             "| command | median (ms) | best (ms) | × python3 -c pass |", "| --- | ---: | ---: | ---: |"]
    for name, median, best in results:
        lines.append(f"| {name} | {median * 1000:.0f} | {best * 1000:.0f} | {median / bare:.2f} |")
    with open(os.path.join(ROOT, "bench", "RESULTS-torch.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
