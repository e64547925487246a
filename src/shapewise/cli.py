"""``shapewise explain [FILE|-]``: interpret a Keras or PyTorch snippet and explain every model it builds.

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
    e.add_argument("--batch", type=int, default=1, metavar="B",
                   help="the size of the unknown batch axis for FLOPs and memory (default 1); Keras only: a "
                        "PyTorch model's batch is its example input's")
    e.add_argument("--dtype", choices=["float32", "bfloat16", "float16", "mixed"], default="float32",
                   help="the dtype of the memory figures; mixed: 16-bit compute, float32 master weights")
    e.add_argument("--optimizer", choices=["sgd", "momentum", "adam", "adamw"], default="adam",
                   help="the optimizer whose state the training-step memory includes (default adam)")
    e.add_argument("--columns", default="", metavar="LIST",
                   help="extra summary columns, comma-separated: flops, activations")
    e.add_argument("--framework", choices=["keras", "torch"], default=None,
                   help="the snippet's framework (default: detected from its imports)")
    e.add_argument("--input", action="append", default=None, metavar="SIZES",
                   help="PyTorch: call the model(s) on a tensor of these sizes, e.g. 4,3,32,32 (repeatable, one "
                        "per argument; a dtype prefix for ids: long:8,128)")
    s = sub.add_parser("serve", help="a local web page: paste a model, see its shapes drawn (127.0.0.1 only)")
    s.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0 picks a free one)")
    s.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def _decode(data):
    """Source bytes as text, as Python reads a source file (a coding declaration, else UTF-8; a BOM allowed), or
    the UsageError saying why they are not text."""
    import io
    import tokenize

    from .errors import UsageError

    fix = "save the file as UTF-8 text"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"  # no usable declaration: the decode below says where the bytes stop being UTF-8
    except LookupError as e:
        return UsageError(f"the file declares an encoding Python does not know: {e}", line=1, fix=fix)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        where = f" (byte {data[e.start]:#04x} at offset {e.start})" if isinstance(e, UnicodeDecodeError) else ""
        line = data[:e.start].count(b"\n") + 1 if isinstance(e, UnicodeDecodeError) else 1
        return UsageError(f"the file is not {encoding} text{where}", line=line, fix=fix)


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        from .web.server import serve

        return serve(args.port, args.open)
    if args.batch < 1:
        parser.error(f"argument --batch: must be a positive integer, got {args.batch}")
    columns = tuple(c.strip() for c in args.columns.split(",") if c.strip())
    for c in columns:
        if c not in ("flops", "activations"):
            parser.error(f"argument --columns: unknown column {c!r} (choose from flops, activations)")
    if args.file is None:
        source, filename = EXAMPLE, "<example>"
    else:
        filename = "<stdin>" if args.file == "-" else args.file
        try:
            if args.file == "-":
                stream = getattr(sys.stdin, "buffer", None)
                data = stream.read() if stream is not None else sys.stdin.read()
            else:
                with open(args.file, "rb") as f:
                    data = f.read()
        except OSError as e:
            print(f"shapewise: cannot read {args.file}: {e.strerror}", file=sys.stderr)
            return 2
        source = data if isinstance(data, str) else _decode(data)

    from .compute import Settings
    from .engine import gc_paused
    from .frontends.snippet import interpret
    from .render import render

    # One burst of building and rendering whose objects all live to the end: no cyclic collection during it.
    if isinstance(source, str) and (args.framework or args.input):
        if args.input and args.framework == "keras":
            parser.error("argument --input: only for PyTorch snippets")
        result = gc_paused(interpret)(source, filename, framework="torch" if args.input else args.framework,
                                      torch_inputs=args.input)
    elif isinstance(source, str):
        result = gc_paused(interpret)(source, filename)
    else:  # the bytes were not text: reported like any other usage error, in the format asked for
        from .report import RunResult

        result = RunResult(error=source)
    if args.batch != 1 and any(getattr(m, "framework", None) == "torch" for m in result.models):
        print(f"shapewise: --batch {args.batch} does not apply to a PyTorch model: its batch is the first axis of "
              "the example input it is called on; call it on a batch of that size (or give --input "
              f"{args.batch},...)", file=sys.stderr)
        return 2
    settings = Settings(args.batch, args.dtype, args.optimizer)
    try:
        text = gc_paused(render)(result, args.format, explain=not args.no_explain, expand_nested=args.expand_nested,
                                 settings=settings, columns=columns)
    except Exception as e:  # noqa: BLE001 - a renderer's bug is reported as an error, in the format asked for
        from .errors import InternalError
        from .report import RunResult

        result = RunResult(error=InternalError.of(e))
        text = render(result, args.format, explain=False, expand_nested=False)
    # A snippet's strings may hold lone surrogates ("\\udc80" in a literal): written as escapes, never an error.
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    # The interpreter reports "no model found" (with the skipped lines) as a UsageError itself.
    return result.error.exit_code if result.error is not None else 0


if __name__ == "__main__":
    raise SystemExit(main())
