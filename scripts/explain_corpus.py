"""Write every explanation shapewise gives for a fixed corpus, to diff two versions after a refactor.

    PYTHONPATH=path/to/src python scripts/explain_corpus.py OUT [--random N]

The corpus: every keras.applications model (text with explanations, and JSON), the seed questions, and N random
models from tests/generator.py (derandomized, so the same sources every run). The same corpus run through two
versions of shapewise must give byte-identical files when a change is meant to keep behaviour (a speed-up, a
refactor). Needs no Keras.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--random", type=int, default=300)
    args = p.parse_args(argv)

    from shapewise.frontends.snippet import interpret
    from shapewise.render import render

    sources = []
    import shapewise.keras.applications as apps

    for name in sorted(n for n in dir(apps) if n[0].isupper()):
        sources.append((f"application {name}",
                        f"import keras\nmodel = keras.applications.{name}(weights=None)\n"))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "seed", "*.py"))):
        with open(path, encoding="utf-8") as f:
            sources.append((f"seed {os.path.basename(path)}", f.read()))
    if args.random:
        import generator

        for i, case in enumerate(generator.draw_cases(args.random)):
            sources.append((f"random {i}", case.source))

    with open(args.out, "w", encoding="utf-8") as out:
        for label, source in sources:
            result = interpret(source, label)
            for fmt in ("text", "json"):
                out.write(f"===== {label} [{fmt}]\n")
                out.write(render(result, fmt, explain=True))
    print(f"{len(sources)} sources written to {args.out}")


if __name__ == "__main__":
    main()
