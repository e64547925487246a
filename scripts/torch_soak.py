"""Soak test: 20,000 random PyTorch models (or ``--models N``, from ``--start``) compared with real torch.

    python3 scripts/torch_soak.py [--models 20000] [--start 0]

Prints each group of disagreements with its smallest source, and exits 1 if there is any.
"""

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "src"), os.path.join(ROOT, "tests")]

from test_torch_random import run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=20000)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    t0 = time.time()
    groups, n, raised, kinds = run(args.models, args.start)
    print(f"{n} models ({dict(kinds)}), {raised} raise in torch, {time.time() - t0:.1f} s")
    for key, (count, source, problems) in groups.items():
        print(f"\n=== {count} model(s): {key}\n{source}")
        print("\n".join(problems[:8]))
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())
