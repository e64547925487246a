"""``shapewise explain [FILE|-]``: interpret a Keras snippet and explain every model it builds.

Exit status: 0 when the snippet builds, 1 for a shape error (as Keras would raise), 2 for a usage error, a
refused construct, or a snippet that builds no model.
"""

import argparse
import sys

EXAMPLE = """\
# The classic question: why does LSTM(32) on 10 timesteps of 64 features have 32 outputs and 12,416
# parameters, and why do the 10 timesteps change nothing?
from keras.models import Sequential
from keras.layers import LSTM, Dense

model = Sequential()
model.add(LSTM(32, input_shape=(10, 64)))
model.add(Dense(2))
model.summary()
"""


def _parser():
    p = argparse.ArgumentParser(prog="shapewise", description="Every shape and parameter of a Keras model, explained.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("explain", help="explain the models a Keras snippet builds")
    e.add_argument("file", nargs="?", help="a Python file with Keras code, or - for standard input "
                                            "(default: a built-in LSTM example)")
    e.add_argument("--format", choices=["text", "json", "markdown", "html", "svg"], default="text")
    e.add_argument("--no-explain", action="store_true", help="print only the summary tables")
    e.add_argument("--expand-nested", action="store_true", help="expand nested models in the summary")
    s = sub.add_parser("serve", help="a local web page: paste a model, see its shapes drawn (127.0.0.1 only)")
    s.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0 picks a free one)")
    s.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from .web.server import serve

        return serve(args.port, args.open)
    if args.file is None:
        source, filename = EXAMPLE, "<example>"
    elif args.file == "-":
        source, filename = sys.stdin.read(), "<stdin>"
    else:
        try:
            with open(args.file, encoding="utf-8") as f:
                source = f.read()
        except OSError as e:
            print(f"shapewise: cannot read {args.file}: {e.strerror}", file=sys.stderr)
            return 2
        filename = args.file

    from .engine import gc_paused
    from .frontends.snippet import interpret
    from .render import render

    # One burst of building and rendering whose objects all live to the end: no cyclic collection during it.
    result = gc_paused(interpret)(source, filename)
    text = gc_paused(render)(result, args.format, explain=not args.no_explain, expand_nested=args.expand_nested)
    sys.stdout.write(text)
    # The interpreter reports "no model found" (with the skipped lines) as a UsageError itself.
    return result.error.exit_code if result.error is not None else 0


if __name__ == "__main__":
    raise SystemExit(main())
