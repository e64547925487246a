"""``shapewise explain [FILE|-]``: interpret a Keras or PyTorch snippet and explain every model it builds.

Exit status: 0 when the snippet builds, 1 for a shape error (as Keras would raise), 2 for a usage error, a
refused construct, or a snippet that builds no model.
"""

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


#: ``shapewise explain``'s options: argparse's arguments, and what the fast path below reads (one source for both)
_EXPLAIN_OPTIONS = (
    ("--format", dict(choices=["text", "json", "markdown", "html", "svg"], default="text")),
    ("--no-explain", dict(action="store_true", help="print only the summary tables")),
    ("--expand-nested", dict(action="store_true", help="expand nested models in the summary")),
    ("--batch", dict(type=int, default=1, metavar="B",
                     help="the size of the unknown batch axis for FLOPs and memory (default 1); Keras only: a "
                          "PyTorch model's batch is its example input's")),
    ("--dtype", dict(choices=["float32", "bfloat16", "float16", "mixed"], default=None,
                     help="the dtype of the memory figures; mixed: 16-bit compute, float32 master weights "
                          "(default: the model's own policy, float32 unless the snippet sets a 16-bit one)")),
    ("--optimizer", dict(choices=["sgd", "momentum", "adam", "adamw"], default="adam",
                         help="the optimizer whose state the training-step memory includes (default adam)")),
    ("--columns", dict(default="", metavar="LIST",
                       help="extra summary columns, comma-separated: flops, activations")),
    ("--framework", dict(choices=["keras", "torch"], default=None,
                         help="the snippet's framework (default: detected from its imports)")),
    ("--input", dict(action="append", default=None, metavar="SIZES",
                     help="PyTorch: call the model(s) on a tensor of these sizes, e.g. 4,3,32,32 (repeatable, one "
                          "per argument; a dtype prefix for ids: long:8,128)")),
)


def _parser():
    import argparse

    p = argparse.ArgumentParser(prog="shapewise", description="Every shape and parameter of a Keras model, explained.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("explain", help="explain the models a Keras snippet builds")
    e.add_argument("file", nargs="?", help="a Python file with Keras code, or - for standard input "
                                            "(default: a built-in LSTM example)")
    for flag, kwargs in _EXPLAIN_OPTIONS:
        e.add_argument(flag, **kwargs)
    s = sub.add_parser("serve", help="a local web page: paste a model, see its shapes drawn (127.0.0.1 only)")
    s.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0 picks a free one)")
    s.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def _fast_args(argv):
    """The arguments of a plain ``explain`` command line, as argparse would parse them, without importing argparse
    (a few ms of every run); None for anything else (help, an error, an abbreviation, ``--opt=value``, ``--``):
    argparse parses those. tests/test_cli.py checks that both agree."""
    if not argv or argv[0] != "explain":
        return None
    options = dict(_EXPLAIN_OPTIONS)
    out = {"command": "explain", "file": None}
    out.update({flag[2:].replace("-", "_"): False if spec.get("action") == "store_true" else spec.get("default")
                for flag, spec in _EXPLAIN_OPTIONS})
    seen = set()
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if "file" in seen:
                return None
            seen.add("file")
            out["file"] = arg
            continue
        spec = options.get(arg)
        if spec is None:
            return None
        dest = arg[2:].replace("-", "_")
        if spec.get("action") == "store_true":
            out[dest] = True
            continue
        if i >= len(argv) or argv[i].startswith("-"):
            return None
        value = argv[i]
        i += 1
        if "choices" in spec and value not in spec["choices"]:
            return None
        if spec.get("type") is int:
            if not value.isascii() or not value.isdigit():
                return None
            value = int(value)
        if spec.get("action") == "append":
            out[dest] = (out[dest] or []) + [value]
        else:
            out[dest] = value
    import types

    return types.SimpleNamespace(**out)


def _decode(data):
    """Source bytes as text, as Python reads a source file (a coding declaration, else UTF-8; a BOM allowed), or
    the UsageError saying why they are not text."""
    from .errors import UsageError

    fix = "save the file as UTF-8 text"
    if data.startswith(b"\xef\xbb\xbf") or b"coding" in b"\n".join(data.split(b"\n", 2)[:2]):
        import io
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            encoding = "utf-8"  # no usable declaration: the decode below says where the bytes stop being UTF-8
        except LookupError as e:
            return UsageError(f"the file declares an encoding Python does not know: {e}", line=1, fix=fix)
    else:  # no BOM and no declaration in the first two lines: what detect_encoding says, without importing it
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        where = f" (byte {data[e.start]:#04x} at offset {e.start})" if isinstance(e, UnicodeDecodeError) else ""
        line = data[:e.start].count(b"\n") + 1 if isinstance(e, UnicodeDecodeError) else 1
        return UsageError(f"the file is not {encoding} text{where}", line=line, fix=fix)


class _Errors:
    """``parser.error`` for a command line parsed by the fast path: argparse's own message and exit status."""

    def error(self, message):
        _parser().error(message)


def main(argv=None):
    args = _fast_args(sys.argv[1:] if argv is None else list(argv))
    if args is None:
        args = _parser().parse_args(argv)
    parser = _Errors()
    if args.command == "serve":
        from .web.server import serve

        return serve(args.port, args.open)
    import gc

    if not gc.isenabled():
        return _explain(args, parser)
    # One burst of importing, building and rendering whose objects all live to the end: no cyclic collection during
    # it (the collections the allocations would trigger find nothing to free; see engine.gc_paused).
    gc.disable()
    try:
        return _explain(args, parser)
    finally:
        gc.enable()


def _explain(args, parser):
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
    settings = Settings(args.batch, args.dtype or _policy_dtype(result.models), args.optimizer)
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


def _policy_dtype(models):
    """The memory figures' dtype when --dtype is not given: the Keras models' own policy (``mixed`` where a weight's
    layer computes under mixed_float16 / mixed_bfloat16, a 16-bit dtype where every weight's layer has it), else
    float32."""
    seen = set()
    for m in models:
        if getattr(m, "framework", None) == "torch":
            continue
        for row in m.layers:
            for w in row._weights or ():
                dtype = getattr(w.owner, "dtype", None)
                if isinstance(dtype, str):
                    seen.add("mixed" if "mixed_" in dtype else dtype.rpartition("_from_")[2])
    if "mixed" in seen:
        return "mixed"
    return seen.pop() if len(seen) == 1 and seen <= {"bfloat16", "float16"} else "float32"


def run():
    """The process's entry point (the ``shapewise`` command, ``python -m shapewise``): ``main()``, then the process
    ends. Its objects are all freed at exit, where Python's shutdown runs full collections over everything still
    alive (the modules, the model, the report): a few milliseconds of every run, more than some whole runs. Frozen
    (moved out of the collector's sight) they are still freed, flushed and finalized as usual, only not traversed.
    Not in ``main()``: an in-process caller (a test, a notebook) goes on living and collecting."""
    code = main()
    import gc

    gc.disable()
    gc.freeze()
    return code


if __name__ == "__main__":
    raise SystemExit(run())
