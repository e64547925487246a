"""The long fuzz run: ``python scripts/fuzz.py --inputs 50000 --seed 1`` (the CI test runs 5,000 in process)."""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "src"))

import test_fuzz  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--inputs", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    t0 = time.time()
    failures, growth = test_fuzz.run(args.inputs, args.seed)
    print(f"{args.inputs} inputs, seed {args.seed}: {len(failures)} failures, peak memory growth {growth:.0f} MiB, "
          f"{time.time() - t0:.0f} s")
    for label, source, problem in failures[:20]:
        print(f"--- {label}\n{source[:600]}\n{problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
