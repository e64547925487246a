"""By-hand soak: many random models through real Keras and shapewise; results go to SOAK.md.

    python scripts/soak.py --models 20000 --seed N [--out SOAK.md] [--dump DIR]

Each model is drawn by tests/generator.py (hypothesis, seeded, no shrinking), compared in worker processes and compared with
generator.compare (same success with equal layers/weights/totals, or failure on the same line naming the same
layer). Disagreements are grouped by a signature (the first line of the description) and one smallest source per
group is written to SOAK.md (and to --dump DIR, one file per group, to minimize into tests/regressions/).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import re
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import generator  # noqa: E402


def signature(desc):
    first = desc.splitlines()[0]
    first = re.sub(r"\d+", "N", first)
    first = re.sub(r"'[^']*'", "'…'", first)
    return first[:160]


def run(models, seed_value, progress=True, workers=None):
    stats = collections.Counter()
    covered = collections.Counter()
    groups = collections.OrderedDict()  # signature -> [count, smallest source, description]
    t0 = time.time()
    cases = []

    def feed():
        for case in generator.iter_cases(models, seed=seed_value):
            cases.append(case)
            yield case

    for i, (desc, k_ok) in enumerate(generator.run_many(feed(), workers)):
        case = cases[i]
        cases[i] = None  # keep memory flat on long soaks
        stats["tried"] += 1
        for t in case.types:
            covered[t] += 1
        stats["valid" if k_ok else "invalid"] += 1
        stats["intended_valid" if case.intended_valid else "intended_invalid"] += 1
        if desc is not None:
            stats["disagreements"] += 1
            sig = signature(desc)
            g = groups.setdefault(sig, [0, case.source, desc])
            g[0] += 1
            if len(case.source) < len(g[1]):
                g[1], g[2] = case.source, desc
        if progress and stats["tried"] % 500 == 0:
            rate = stats["tried"] / (time.time() - t0)
            print(f"{stats['tried']} models, {rate:.1f}/s, {stats['disagreements']} disagreements "
                  f"in {len(groups)} groups", file=sys.stderr, flush=True)
    return stats, covered, groups, time.time() - t0


def write_report(path, args, stats, covered, groups, elapsed):
    avail = generator.available()
    never = [n for n in avail if not covered.get(n)]
    lines = [
        f"## Soak {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC — seed {args.seed}",
        "",
        f"- models tried: {stats['tried']} in {elapsed:.0f} s ({stats['tried'] / max(elapsed, 1e-9):.1f}/s)",
        f"- valid (Keras built them): {stats['valid']}, invalid (Keras raised): {stats['invalid']} "
        f"(generator intended {stats['intended_invalid']} invalid)",
        f"- layer types drawable (registered and in the generator table): {len(avail)}; drawn: "
        f"{len(avail) - len(never)}" + (f"; never drawn: {', '.join(never)}" if never else ""),
        f"- disagreements: {stats['disagreements']} in {len(groups)} groups",
        "",
    ]
    for sig, (count, src, desc) in groups.items():
        lines += [f"### {count}× {sig}", "", "```", desc.strip(), "```", "", "```python", src.strip(), "```", ""]
    lines += ["Layer types drawn (models containing each):", "",
              ", ".join(f"{n} {covered[n]}" for n in sorted(covered)), "", ""]
    header = "# Soak results\n\nRecorded by `python scripts/soak.py --models N --seed S` (newest first).\n\n"
    old = ""
    if os.path.exists(path):
        old = open(path).read()
        old = old[len(header):] if old.startswith(header) else old
    with open(path, "w") as f:
        f.write(header + "\n".join(lines) + old)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join(ROOT, "SOAK.md"))
    p.add_argument("--workers", type=int, default=None, help="processes comparing models (default: CPUs)")
    p.add_argument("--dump", default=None, help="directory to write one source per disagreement group")
    args = p.parse_args(argv)
    stats, covered, groups, elapsed = run(args.models, args.seed, workers=args.workers)
    write_report(args.out, args, stats, covered, groups, elapsed)
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        for i, (sig, (count, src, desc)) in enumerate(groups.items()):
            with open(os.path.join(args.dump, f"group{i:03d}.py"), "w") as f:
                f.write("# " + "\n# ".join(desc.splitlines()) + "\n" + src)
    print(f"{stats['tried']} models ({stats['valid']} valid, {stats['invalid']} invalid), "
          f"{stats['disagreements']} disagreements in {len(groups)} groups, {elapsed:.0f} s -> {args.out}")
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())
