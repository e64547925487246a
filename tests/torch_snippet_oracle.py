"""The differential harness for pasted PyTorch files: real torch runs the file, ``shapewise explain --format json``
interprets it (never runs it), and both are described by the same plain structure.

Real torch (2.13.0) runs the file with ``exec`` (our own test code on our own corpus, never a user's) inside
``torch.device("meta")`` (and again on the CPU where the meta device and shapewise disagree on raising). The
modules to compare are collected by DESIGN.md's rule, the same rule shapewise applies: the modules the file calls
at top level (outside any forward) on example tensors, losses excluded; else every module bound to a global name
at the end that no other bound module holds. Each is described, every module in ``named_modules()`` order: class,
qualified name, first call's output and input shapes, calls, own parameters (name, shape, requires_grad), its
recursive distinct parameter count and buffers; then the distinct totals.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
import types
import warnings

from torch_oracle import _diff, _shapes, real_torch


def run_real(source, device="meta", namespace=None):
    """(list of (name, module) per the rule, calls by module id, error); ``namespace``, a dict, gets the file's
    globals."""
    torch = real_torch()
    calls = {}
    depth = [0]
    top = []

    def pre(module, args):
        if depth[0] == 0 and not isinstance(module, torch.nn.modules.loss._Loss) and \
                all(m is not module for m in top):
            top.append(module)
        depth[0] += 1

    def hook(module, args, kwargs, output):
        depth[0] -= 1
        entry = calls.get(id(module))
        if entry is None:
            values = list(args) + [v for v in kwargs.values() if isinstance(v, (torch.Tensor, tuple, list))]
            inputs = _shapes(values[0] if len(values) == 1 else values, torch.Tensor)
            calls[id(module)] = [1, _shapes(output, torch.Tensor), inputs]
        else:
            entry[0] += 1

    h1 = torch.nn.modules.module.register_module_forward_pre_hook(pre)
    h2 = torch.nn.modules.module.register_module_forward_hook(hook, with_kwargs=True)
    module = types.ModuleType("__torch_case__")  # a real module: @dataclass looks its class's module up
    ns = module.__dict__
    sys.modules["__torch_case__"] = module
    error = None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            with torch.device(device):
                exec(compile(source, "<case>", "exec"), ns)
    except Exception as e:  # the oracle's own error: compared with shapewise's
        error = e
        depth[0] = 0
    finally:
        h1.remove()
        h2.remove()
        sys.modules.pop("__torch_case__", None)
        if namespace is not None:
            namespace.update(ns)

    def name_of(module):
        for name, value in ns.items():
            if value is module and not name.startswith("_"):
                return name
        return None

    if top:
        return [(name_of(m), m) for m in top], calls, error
    bound, seen = [], set()
    for name, value in ns.items():
        if isinstance(value, torch.nn.Module) and not isinstance(value, torch.nn.modules.loss._Loss) and \
                id(value) not in seen:
            seen.add(id(value))
            bound.append((name, value))
    inner = {id(sub) for _, m in bound for _, sub in m.named_modules() if sub is not m}
    return [(n, m) for n, m in bound if id(m) not in inner], calls, error


def describe_real(name, model, calls):
    rows = []
    for qual, m in model.named_modules():
        if m is model:
            continue
        called = calls.get(id(m))
        rows.append({
            "name": qual, "type": type(m).__name__,
            "own": [[n, list(p.shape), bool(p.requires_grad)] for n, p in m.named_parameters(recurse=False)],
            "params": sum(math.prod(p.shape) for p in m.parameters()),
            "buffers": [[n, list(b.shape)] for n, b in m.named_buffers(recurse=False)],
            "calls": called[0] if called else 0,
            "output": called[1] if called else None, "input": called[2] if called else None,
        })
    params = list(model.parameters())
    return {"name": name or type(model).__name__, "type": type(model).__name__, "layers": rows,
            "total_params": sum(math.prod(p.shape) for p in params),
            "trainable_params": sum(math.prod(p.shape) for p in params if p.requires_grad),
            "buffers": sum(math.prod(b.shape) for b in model.buffers())}


def describe_json(model):
    rows = [{
        "name": r["name"], "type": r["type"],
        "own": [[w["name"], w["shape"], w["trainable"]] for w in r["weights"]],
        "params": r["params"], "buffers": [[b["name"], b["shape"]] for b in r["buffers"]],
        "calls": r["calls"], "output": r["output_shape"], "input": r["input_shape"],
    } for r in model["layers"]]
    return {"name": model["name"], "type": model["type"], "layers": rows, "total_params": model["total_params"],
            "trainable_params": model["trainable_params"], "buffers": model["buffers"]}


def run_shapewise(source, filename="<case>"):
    """``shapewise explain --format json`` in process: the parsed JSON."""
    from shapewise.frontends.snippet import interpret
    from shapewise.render import render

    result = interpret(source, filename)
    return json.loads(render(result, "json"))


def _real(source, device):
    """(names, descriptions, error) of the real run of ``source`` on ``device``: the shared run where one was made
    (tests/torch_shared_run.py: the FLOPs and memory oracles run the corpus files there, once), else a run here."""
    from torch_shared_run import peek_run

    run = peek_run(source, device)
    if run is not None:
        return run.names, run.descriptions, run.error
    real, calls, error = run_real(source, device)
    described = [describe_real(name, model, calls) for name, model in real] if error is None else []
    return [name for name, _ in real], described, error


def compare(source):
    """(problems, real error, shapewise JSON)."""
    names, described, real_error = _real(source, "meta")
    out = run_shapewise(source)
    sw_error = out["error"]
    if real_error is not None or sw_error is not None:
        # the meta device cannot read values (.item(), .tolist()) and checks less or more than the CPU kernels in
        # places: where either side raises, what a user's model does on the CPU decides
        names, described, real_error = _real(source, "cpu")
    problems = []
    if (real_error is None) != (sw_error is None):
        if real_error is None:
            problems.append(f"shapewise raised, torch did not: {sw_error.get('message')} (line {sw_error.get('line')})")
        else:
            problems.append(f"torch raised, shapewise did not: {type(real_error).__name__}: {real_error}")
        return problems, real_error, out
    if real_error is not None:
        return problems, real_error, out
    models = [m for m in out["models"] if m.get("framework") == "torch"]
    if len(models) != len(names):
        problems.append(f"torch reports {len(names)} model(s) {names}, shapewise "
                        f"{len(models)} {[m['name'] for m in models]}")
        return problems, None, out
    for name, description, sw in zip(names, described, models):
        problems += _diff(description, describe_json(sw), path=name or "model")
    return problems, None, out
