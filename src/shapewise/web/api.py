"""What the page asks, answered by the same code path as the command line. Runs inside a worker process.

``explain`` is exactly ``shapewise explain --format json`` for a source. ``what_if`` answers "what if this input
dimension were N?": it finds the integer literal in the source that sets that dimension (by trying the literals of
that value one by one with the interpreter and keeping the one that moves exactly that dimension), edits it, and
returns the report for the edited source beside the original one. The page compares the two; it computes nothing.
"""

from __future__ import annotations

import ast
import json
import time

MAX_CANDIDATES = 24  # literals tried per change: each try is one interpretation, under the interpreter's budgets
MAX_CHANGES = 8
SEARCH_BUDGET = 10.0  # seconds of trying literals per what-if request, all changes together


class WhatIfError(Exception):
    """A what-if request that cannot be answered (a bad request, or no literal sets that dimension)."""


def _run(source):
    from ..engine import gc_paused
    from ..frontends.snippet import interpret

    return gc_paused(interpret)(source, "<stdin>")


def explain(source):
    """(exit status, the JSON text of ``shapewise explain --format json``) for ``source``."""
    from ..engine import gc_paused
    from ..render import render

    result = _run(source)
    text = gc_paused(render)(result, "json", explain=True, expand_nested=False)
    return (result.error.exit_code if result.error is not None else 0), text


def _input_sizes(result, model_index):
    """{(input name, axis): size} of the known non-batch input axes of the model at ``model_index``, or None."""
    models = result.models
    if result.error is not None or model_index >= len(models):
        return None
    return {(a.input, a.axis): a.size for a in models[model_index].input_axes}


def _int_literals(tree, value):
    """The int literals equal to ``value``, those written inside a tuple or list (shape literals) first."""
    in_shape, other = [], []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                if isinstance(elt, ast.Constant) and type(elt.value) is int and elt.value == value:
                    in_shape.append(elt)
    seen = set(map(id, in_shape))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value == value and id(node) not in seen:
            other.append(node)
    key = lambda n: (n.lineno, n.col_offset)  # noqa: E731
    return sorted(in_shape, key=key) + sorted(other, key=key)


def _replace(source, node, text):
    lines = source.splitlines(keepends=True)
    if node.lineno != node.end_lineno:
        return None
    # ast offsets are in UTF-8 bytes
    line = lines[node.lineno - 1].encode("utf-8")
    lines[node.lineno - 1] = (line[:node.col_offset] + text.encode() + line[node.end_col_offset:]).decode("utf-8")
    return "".join(lines)


def _parse_changes(request):
    source = request.get("source")
    if not isinstance(source, str):
        raise WhatIfError('the request needs "source": the Python code, as a string')
    model = request.get("model", 0)
    if type(model) is not int or model < 0:
        raise WhatIfError('"model" must be the index of a model in the report (0 for the first)')
    changes = request.get("changes")
    if not isinstance(changes, list) or not changes or len(changes) > MAX_CHANGES:
        raise WhatIfError(f'"changes" must be a list of 1 to {MAX_CHANGES} '
                          '{"input": name, "axis": k, "size": n} objects')
    out = []
    for c in changes:
        if not isinstance(c, dict) or not isinstance(c.get("input"), str) or type(c.get("axis")) is not int \
                or type(c.get("size")) is not int:
            raise WhatIfError('each change must be {"input": name, "axis": k, "size": n}, with k and n integers')
        if not 1 <= c["size"] <= 10**6:
            raise WhatIfError(f"size {c['size']} is refused: a what-if size must be from 1 to 1,000,000")
        out.append((c["input"], c["axis"], c["size"]))
    return source, model, out


def what_if(request):
    """The answer to a what-if request, as a dict: the edited source, each edit, and both reports (JSON objects)."""
    source, model_index, changes = _parse_changes(request)
    result = _run(source)
    sizes = _input_sizes(result, model_index)
    if sizes is None:
        raise WhatIfError("there is no model to change: the snippet must build it first (see its error)")
    name = result.models[model_index].name
    edits = []
    current = source
    deadline = time.monotonic() + SEARCH_BUDGET
    for input_name, axis, size in changes:
        if (input_name, axis) not in sizes:
            raise WhatIfError(f"model '{name}' has no known axis {axis} on input '{input_name}'")
        old = sizes[(input_name, axis)]
        if old == size:
            continue
        want = dict(sizes)
        want[(input_name, axis)] = size
        tree = ast.parse(current)
        broke = None  # (line, error) of the first edit that made the code raise a shape error
        for node in _int_literals(tree, old)[:MAX_CANDIDATES]:
            if time.monotonic() > deadline:
                raise WhatIfError(f"finding the number that sets axis {axis} of input '{input_name}' takes longer "
                                  f"than {SEARCH_BUDGET:g} s: edit the code directly")
            edited = _replace(current, node, str(size))
            if edited is None:
                continue
            trial = _run(edited)
            if broke is None and trial.error is not None and trial.error.exit_code == 1:
                broke = node.lineno, trial.error
            if len(trial.models) == len(result.models) and _input_sizes(trial, model_index) == want \
                    and trial.models[model_index].name == name:
                line = current.splitlines()[node.lineno - 1].encode("utf-8")
                column = len(line[:node.col_offset].decode("utf-8")) + 1  # in characters, not UTF-8 bytes
                edits.append({"line": node.lineno, "column": column, "old": str(old), "new": str(size),
                              "input": input_name, "axis": axis})
                current, sizes = edited, want
                break
        else:
            if broke is not None:
                raise WhatIfError(f"changing the {old} on line {broke[0]} to {size} breaks the model: {broke[1]}")
            raise WhatIfError(f"no number {old} in the source sets axis {axis} of input '{input_name}' of model "
                              f"'{name}' on its own (it may be computed, or shared with another axis): "
                              "edit the code directly")
    _, before = explain(source)
    _, after = explain(current)
    return {"source": current, "model": model_index, "edits": edits, "before": json.loads(before),
            "after": json.loads(after)}


def handle(request):
    """A worker's answer to one request: (HTTP status, content type, body bytes). Never raises."""
    kind, payload = request
    try:
        if kind == "explain":
            code, text = explain(payload)
            return 200, "application/json; charset=utf-8", text.encode("utf-8"), code
        if kind == "whatif":
            try:
                answer = what_if(payload)
            except WhatIfError as e:  # an answer ("it cannot be done, because..."), not a failed request
                return 200, "application/json; charset=utf-8", _error_body(str(e)), 2
            return 200, "application/json; charset=utf-8", \
                json.dumps(answer, indent=2, ensure_ascii=False).encode("utf-8") + b"\n", 0
        return 404, "application/json; charset=utf-8", _error_body(f"unknown request {kind!r}"), 2
    except MemoryError:
        return 503, "application/json; charset=utf-8", _error_body("the snippet ran out of memory"), 2
    except Exception as e:  # a bug in shapewise: reported, and the worker lives on
        return 500, "application/json; charset=utf-8", \
            _error_body(f"shapewise failed on this snippet ({type(e).__name__}: {e}); please report it"), 2


def _error_body(message):
    return json.dumps({"error": {"message": message}}, ensure_ascii=False).encode("utf-8") + b"\n"
