"""The differential harness for PyTorch: run the same source with real torch (meta device) and with shapewise.torch.

A case is Python source written as PyTorch code (``import torch``, ``import torch.nn as nn``,
``import torch.nn.functional as F``, ``from collections import OrderedDict``...). It leaves the model to compare in
a variable named ``model`` and usually calls it on example tensors. Real torch runs it with ``exec`` inside
``torch.device("meta")`` (no memory, no compute; where the meta device and shapewise disagree on whether the
case raises, the case is run again on the CPU, whose kernels are what users run; this is our own test code, never a user's); shapewise runs the
same text with every ``torch`` import resolved to ``shapewise.torch``.

Both sides are described by the same plain structure, so a failure diff is readable: for every module of
``model.named_modules()`` (the root included, as ""), its class, qualified name, output shapes of its first call,
number of calls, first input shapes, own parameters (name, shape, requires_grad), total distinct parameters and buffers; then the
model's distinct totals. Or, when the source raises: both must raise.
"""

from __future__ import annotations

import builtins
import math
import warnings

_torch = None


def real_torch():
    global _torch
    if _torch is None:
        import torch  # the oracle (installed by .ci/run)

        _torch = torch
    return _torch


# --------------------------------------------------------------------------------------------------------------
# Running a source


def _shapes(value, tensor_type):
    if isinstance(value, tensor_type):
        return list(value.shape)
    if isinstance(value, (tuple, list)):
        return [_shapes(v, tensor_type) for v in value]
    return None


def _import_as_shapewise(name, globals=None, locals=None, fromlist=(), level=0):
    """``import torch...`` resolved to shapewise.torch (and torchinfo's summary to shapewise's)."""
    if name == "torch" or name.startswith("torch."):
        target = "shapewise." + name
        module = builtins.__import__(target, globals, locals, fromlist, level)
        if fromlist:
            return module
        import shapewise.torch

        return shapewise.torch
    if name == "torchinfo":
        import shapewise.torch

        return shapewise.torch
    return builtins.__import__(name, globals, locals, fromlist, level)


def run_real(source, device="meta"):
    """Exec with real torch on the meta device (or ``device``): (namespace, error, calls by module id)."""
    torch = real_torch()
    calls = {}

    def hook(module, args, kwargs, output):
        entry = calls.get(id(module))
        if entry is None:
            values = list(args) + [v for v in kwargs.values() if isinstance(v, (torch.Tensor, tuple, list))]
            inputs = _shapes(values[0] if len(values) == 1 else values, torch.Tensor)
            calls[id(module)] = [1, _shapes(output, torch.Tensor), inputs]
        else:
            entry[0] += 1

    handle = torch.nn.modules.module.register_module_forward_hook(hook, with_kwargs=True)
    ns = {"__name__": "__torch_case__"}
    error = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.device(device):
                exec(compile(source, "<case>", "exec"), ns)
    except Exception as e:  # the oracle's own error: compared with shapewise's
        error = e
    finally:
        handle.remove()
    return ns, error, calls


def run_shapewise(source):
    """Exec with shapewise.torch bound to every torch import: (namespace, error)."""
    from shapewise.engine import clear_session

    clear_session()
    builtins_ns = dict(vars(builtins))
    builtins_ns["__import__"] = _import_as_shapewise
    ns = {"__name__": "__torch_case__", "__builtins__": builtins_ns}
    error = None
    try:
        exec(compile(source, "<case>", "exec"), ns)
    except Exception as e:
        error = e
    return ns, error


# --------------------------------------------------------------------------------------------------------------
# Describing a model


def _numel(shape):
    return math.prod(shape)


def describe(model, calls_of, type_of):
    """The plain structure both sides are compared on. ``calls_of(module)`` -> (calls, output) or None."""
    modules = []
    for name, m in model.named_modules():
        own = [(n, list(p.shape), bool(p.requires_grad)) for n, p in m.named_parameters(recurse=False)]
        total = sum(_numel(p.shape) for p in m.parameters())
        buffers = [(n, list(b.shape)) for n, b in m.named_buffers(recurse=False)]
        called = calls_of(m)
        modules.append({
            "name": name, "type": type_of(m), "own": own, "params": total, "buffers": buffers,
            "calls": called[0] if called else 0, "output": called[1] if called else None,
            "input": called[2] if called else None,
        })
    params = list(model.parameters())
    return {
        "modules": modules,
        "total_params": sum(_numel(p.shape) for p in params),
        "trainable_params": sum(_numel(p.shape) for p in params if p.requires_grad),
        "buffers": sum(_numel(b.shape) for b in model.buffers()),
    }


def describe_real(model, calls):
    return describe(model, lambda m: calls.get(id(m)), lambda m: type(m).__name__)


def describe_shapewise(model):
    def calls_of(m):
        n = m.__dict__.get("_sw_calls", 0)
        return (n, m.__dict__.get("_sw_output"), m.__dict__.get("_sw_input")) if n else None

    return describe(model, calls_of, lambda m: m.type_name)


def _diff(a, b, path="model"):
    if type(a) is not type(b):
        return [f"{path}: torch {a!r} ≠ shapewise {b!r}"]
    if isinstance(a, dict):
        out = []
        for k in a:
            out += _diff(a[k], b.get(k), f"{path}.{k}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: torch has {len(a)} entries, shapewise {len(b)}:\n  torch:     {a!r}\n  shapewise: {b!r}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            label = x.get("name") if isinstance(x, dict) and "name" in x else i
            out += _diff(x, y, f"{path}[{label!r}]")
        return out
    if isinstance(a, tuple):
        a, b = list(a), list(b)
    return [] if a == b else [f"{path}: torch {a!r} ≠ shapewise {b!r}"]


def compare(source):
    """Run both sides; return (list of differences, torch error, shapewise error)."""
    from shapewise.errors import ShapewiseError

    real_ns, real_error, calls = run_real(source)
    sw_ns, sw_error = run_shapewise(source)
    if (real_error is None) != (sw_error is None):
        # The meta device checks less than the CPU kernels in places (a transposed convolution's channels) and more
        # in others (max pooling's padding with dilation): what a user's model does is what the CPU does.
        real_ns, real_error, calls = run_real(source, "cpu")
    problems = []
    if (real_error is None) != (sw_error is None):
        if real_error is None:
            problems.append(f"shapewise raised, torch did not: {type(sw_error).__name__}: {sw_error}")
        else:
            problems.append(f"torch raised, shapewise did not: {type(real_error).__name__}: {real_error}")
        return problems, real_error, sw_error
    if sw_error is not None:
        if not isinstance(sw_error, ShapewiseError) and type(sw_error).__name__ != type(real_error).__name__:
            problems.append(f"shapewise crashed with {type(sw_error).__name__}: {sw_error} (torch: "
                            f"{type(real_error).__name__}: {real_error})")
        return problems, real_error, sw_error
    if "model" not in real_ns:
        return ["the case defines no `model`"], None, None
    problems += _diff(describe_real(real_ns["model"], calls), describe_shapewise(sw_ns["model"]))
    return problems, None, None


def assert_same_torch(source):
    """Fail unless real torch and shapewise agree on every module of ``model`` (or both raise)."""
    problems, real_error, sw_error = compare(source)
    if problems:
        raise AssertionError("shapewise disagrees with torch on:\n" + source + "\n" + "\n".join(problems[:20]))
    return real_error, sw_error


def assert_both_raise(source):
    """The case must fail in torch and in shapewise (with a ShapewiseError): returns shapewise's error."""
    from shapewise.errors import ShapewiseError

    real_error, sw_error = assert_same_torch(source)
    assert real_error is not None, "torch did not raise on:\n" + source
    assert isinstance(sw_error, ShapewiseError), f"shapewise raised {type(sw_error).__name__}: {sw_error}"
    return sw_error
