"""Live modules: explain a real ``torch.nn.Module`` (torch installed, the ``shapewise[torch]`` extra).

The user's module is never moved or changed. Shapes come from one forward of a *copy* on the meta device (no
memory, no compute): ``copy.deepcopy`` with every parameter and buffer pre-mapped to an empty meta tensor, so no
weight is copied; forward hooks on the copy record each module's first input and output and its number of calls.
Parameters are read from the module itself (a tied tensor once, by identity). Each submodule is then mirrored by
shapewise's own module of the same class (made with the arguments read back from the real module's attributes,
so its weights carry their names: ``out_features × in_features``), or by a plain ``Module`` for a class shapewise
does not know; the mirror of a known module runs its rule on the recorded input, which gives its explanation. The
report is the same object as for pasted code (``model_report``). The forward's op events are recorded on the mirror
(``_LiveRecorder``), each real tensor with one Spec while the forward runs, so that its FLOPs and the memory of a
training step (shapewise.torch.memory: storages, views, gradients) are derived as pasted code's are.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import types

from ..dims import Known
from ..engine import Spec
from ..errors import ShapewiseError, UsageError
from . import nn as sw_nn
from .nn.module import Module, RuleModule
from .nn.parameter import Parameter
from .report import model_report
from .tensor import Tensor

_RNNS = {"RNN", "LSTM", "GRU"}
_RNN_ARGS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")
#: torchinfo.summary's own keyword arguments (any other is passed to the model's forward)
_TORCHINFO_OPTIONS = frozenset({"batch_dim", "cache_forward_pass", "col_names", "col_width", "depth", "device",
                                "mode", "row_settings", "verbose"})
_PLAIN = (int, float, bool, str, tuple, list, type(None))
#: modules whose forward is Python code calling their children: mirrored without running their constructor
_COMPOSITE = {"TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder",
              "Transformer"}


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - the extra is installed in CI
        raise UsageError("shapewise.torch.explain needs PyTorch installed (pip install shapewise[torch])") from None
    return torch


def _dtype_name(dtype):
    return str(dtype).replace("torch.", "")


# --------------------------------------------------------------------------------------------------------------
# Shapes: one forward of a meta copy


def _meta_copy(module, torch, pairs=None):
    """A deep copy of ``module`` with its parameters and buffers as empty meta tensors; ``pairs`` gets
    (real tensor, its meta copy) for each."""
    memo = {}
    for t in list(module.parameters()) + list(module.buffers()):
        if id(t) in memo:
            continue
        meta = torch.empty_like(t, device="meta")
        if isinstance(t, torch.nn.Parameter):
            meta = torch.nn.Parameter(meta, requires_grad=t.requires_grad)
        memo[id(t)] = meta
        if pairs is not None:
            pairs.append((t, meta))
    copied = copy.deepcopy(module, memo)
    _rebind_closures(module, copied, memo)
    return copied


def _rebind_closures(module, copied, memo):
    """A function kept on a module (``self.mlpf = lambda x: m.c_proj(m.c_fc(x))``, minGPT's) closes over the real
    submodules, and deepcopy copies no function: the copy gets the function remade over the copies' cells."""
    twins = {id(a): b for (_, a), (_, b) in zip(module.named_modules(remove_duplicate=False),
                                                copied.named_modules(remove_duplicate=False))}
    twins.update({k: v for k, v in memo.items() if not isinstance(v, list)})
    for m in copied.modules():
        d = m.__dict__
        for key, value in list(d.items()):
            if not isinstance(value, types.FunctionType) or not value.__closure__:
                continue
            cells = []
            for cell in value.__closure__:
                try:
                    content = cell.cell_contents
                except ValueError:  # an empty cell
                    cells.append(cell)
                    continue
                twin = twins.get(id(content))
                cells.append(types.CellType(twin) if twin is not None else cell)
            fn = types.FunctionType(value.__code__, value.__globals__, value.__name__, value.__defaults__,
                                    tuple(cells))
            fn.__kwdefaults__ = value.__kwdefaults__
            d[key] = fn


def _shape_of(value, torch):
    if isinstance(value, torch.Tensor):
        return [int(s) for s in value.shape]
    if isinstance(value, (tuple, list)):
        return [_shape_of(v, torch) for v in value]
    return None


def _to_meta(value, torch, memo):
    """A tensor on the meta device, one copy per tensor (an argument given twice, ``model(ids, targets=ids)``, is
    one tensor there too)."""
    if isinstance(value, (tuple, list)):
        items = [_to_meta(v, torch, memo) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {k: _to_meta(v, torch, memo) for k, v in value.items()}
    if not isinstance(value, torch.Tensor):
        return value
    got = memo.get(id(value))
    if got is None:
        got = memo[id(value)] = (value, value.to("meta"))
    return got[1]


def _inputs(torch, input_size, input_data, dtypes, memo=None):
    if input_data is not None:
        data = input_data if isinstance(input_data, (tuple, list)) else (input_data,)
        memo = {} if memo is None else memo
        return [_to_meta(d, torch, memo) for d in data]
    if input_size is None:
        return []
    sizes = [input_size] if all(isinstance(s, int) for s in input_size) else list(input_size)
    dtypes = list(dtypes) if dtypes else [torch.float32] * len(sizes)
    if len(dtypes) < len(sizes):
        dtypes += [dtypes[-1]] * (len(sizes) - len(dtypes))
    out = []
    for size, dtype in zip(sizes, dtypes):
        if dtype.is_floating_point:
            out.append(torch.randn(*size, dtype=dtype, device="meta"))
        else:
            out.append(torch.zeros(*size, dtype=dtype, device="meta"))
    return out


def _run_meta(module, inputs, torch, mirror=None, kwargs=None):
    """Forward of a meta copy: ({id(real submodule): record}, error). A record: [calls, args, kwargs, output].

    With ``mirror``, the op events of the forward are recorded on the mirror's modules, as a pasted model's are
    (shapewise.torch.compute): each module call pushes the mirror's call; a built-in module's call runs its rule
    on the call's shapes (its one event); the torch functions and tensor methods that other modules' forward code
    calls are recorded by a TorchFunctionMode."""
    pairs = []
    meta = _meta_copy(module, torch, pairs)
    real_of = dict(zip(map(id, (m for _, m in meta.named_modules(remove_duplicate=False))),
                       (m for _, m in module.named_modules(remove_duplicate=False))))
    records = {}
    recorder = None
    if mirror is not None:
        recorder = _LiveRecorder(mirror, torch)
        for real, copied in pairs:  # the copy's parameters and buffers are the mirror's tensors
            mine = mirror.params.get(id(real))
            if mine is not None:
                recorder.bind(copied, mine.spec)
                recorder.bind(real, mine.spec)  # (a closure in the forward may call the real module itself)

    def hook(m, args, kwargs, output):
        key = id(real_of.get(id(m), m))
        entry = records.get(key)
        if entry is None:
            records[key] = [1, args, kwargs, output]
        else:
            entry[0] += 1

    running = []  # the modules whose forward has started and not ended: the last one raised, if any

    def pre_hook(m, args, kwargs):
        running.append((id(real_of.get(id(m), m)), args, kwargs))
        if recorder is not None:
            recorder.enter(real_of.get(id(m), m), args, kwargs)

    def post_hook(m, args, kwargs, output):
        running.pop()
        hook(m, args, kwargs, output)
        if recorder is not None:
            recorder.leave(args, kwargs, output)

    handles = [m.register_forward_pre_hook(pre_hook, with_kwargs=True) for m in meta.modules()]
    handles += [m.register_forward_hook(post_hook, with_kwargs=True) for m in meta.modules()]
    # a forward that reaches the user's own modules (a lambda made in __init__ closes over them, and deepcopy
    # copies no function) runs them on the meta inputs: their calls are seen by global hooks, for the hooks above
    # are on the copy only
    users = {id(m) for m in module.modules()}

    def real_pre_hook(m, args):
        if id(m) in users:
            pre_hook(m, args, {})

    def real_post_hook(m, args, kwargs, output):
        if id(m) in users:
            post_hook(m, args, kwargs, output)

    handles.append(torch.nn.modules.module.register_module_forward_pre_hook(real_pre_hook))
    handles.append(torch.nn.modules.module.register_module_forward_hook(real_post_hook, with_kwargs=True))
    error = None
    try:
        # (the tensors the forward makes, torch.zeros(...) for an initial state, on the meta device too)
        with torch.enable_grad(), torch.device("meta"), \
                (recorder.mode() if recorder is not None else contextlib.nullcontext()):
            meta(*inputs, **(kwargs or {}))
    except Exception as e:  # the real forward's own error, reported as such
        error = (e, running[-1] if running else None)
    finally:
        for h in handles:
            h.remove()
    return records, error


class _LiveRecorder:
    """The op events of a meta forward, on the mirror's modules (see _run_meta).

    Each real tensor has one Spec while the forward runs (``specs``, by identity; the tensor is held so that its id
    is not reused): an op's result is the Spec the next op reads, a parameter of the copy is the mirror's
    parameter, and a built-in module's output is the Spec its rule made. So the events hand their tensors on as
    pasted code's do, and the memory walk (shapewise.torch.memory) follows storages, views and gradients."""

    def __init__(self, mirror, torch):
        from .compute import Recorder

        self.mirror = mirror
        self.torch = torch
        self.rec = Recorder()
        self.stack = []  # (call, mirror module) of the module calls in progress
        self.specs = {}  # id(real tensor) -> (the tensor, its Spec)

    def bind(self, tensor, spec):
        self.specs[id(tensor)] = (tensor, spec)

    def spec(self, tensor):
        got = self.specs.get(id(tensor))
        if got is not None and got[0] is tensor:
            return got[1]
        spec = Spec(tuple(Known(int(s)) for s in tensor.shape), _dtype_name(tensor.dtype))
        self.bind(tensor, spec)
        if not tensor.is_contiguous():  # an input laid out otherwise (another model's transposed output)
            from .memory import note_layout

            note_layout(spec, tuple(int(n) for n in tensor.stride()))
        return spec

    def value(self, value):
        """``value`` with each real tensor as a shapewise Tensor of its one Spec."""
        if isinstance(value, self.torch.Tensor):
            return Tensor(self.spec(value))
        if isinstance(value, (tuple, list)):
            items = [self.value(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def enter(self, real, args, kwargs):
        mine = self.mirror.modules.get(id(real))
        if mine is None:
            self.stack.append(None)
            return
        call = self.rec.push(mine, self.value(tuple(args)), {k: self.value(v) for k, v in kwargs.items()})
        self.stack.append((call, mine))

    def leave(self, args, kwargs, output):
        top = self.stack.pop()
        if top is None:
            return
        call, mine = top
        if isinstance(mine, RuleModule):  # its one event: its rule on this call's shapes
            from . import compute

            saved, compute.ACTIVE = compute.ACTIVE, self.rec
            try:
                made = RuleModule.forward(mine, *self.value(tuple(args)),
                                          **{k: self.value(v) for k, v in kwargs.items()})
            except ShapewiseError:
                made = None  # a rule that disagrees with torch: no event (the explanation shows none either)
            finally:
                compute.ACTIVE = saved
            if made is not None:  # the real results are the rule's: the next op reads what the rule made
                real = _flat_real(output, self.torch)
                mine_out = compute._flat_specs(made)
                if len(real) == len(mine_out):
                    for t, spec in zip(real, mine_out):
                        if tuple(int(n) for n in t.shape) == spec.values():
                            self.bind(t, spec)
        self.rec.pop(call, self.value(output))

    def op(self, func, args, kwargs, out):
        """A torch function or tensor method called by a module's own forward code (not a built-in module's)."""
        if not self.stack or self.stack[-1] is None or isinstance(self.stack[-1][1], RuleModule):
            return
        from .compute import OPERATOR_OPS
        from .costs import OP_COSTS

        name = getattr(func, "__name__", "")
        if name == "__get__":  # a property: x.T and x.mT are views (recorded as pasted code's are), others not ops
            name = getattr(getattr(func, "__self__", None), "__name__", "")
            if name not in ("T", "mT"):
                return
        elif name == "__setitem__":  # x[key] = value: in place on x
            name, out = "setitem", args[0] if args else out
        name = OPERATOR_OPS.get(name, name)
        if name not in OP_COSTS and not _has_tensor(out, self.torch):
            return  # a size, a dtype, a property read: not an op
        self.rec.op(name, self.value(tuple(args)), {k: self.value(v) for k, v in (kwargs or {}).items()},
                    self.value(out))

    def mode(self):
        from torch.overrides import TorchFunctionMode

        live = self

        class _Ops(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                live.op(func, args, kwargs, out)
                return out

        return _Ops()


def _flat_real(value, torch):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat_real(v, torch)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flat_real(v, torch)]
    return []


def _has_tensor(value, torch):
    if isinstance(value, torch.Tensor):
        return True
    return isinstance(value, (tuple, list)) and any(_has_tensor(v, torch) for v in value)


# --------------------------------------------------------------------------------------------------------------
# The mirror: shapewise modules with the real module's structure and parameters


def _ctor_kwargs(real, cls):
    name = type(real).__name__
    if name in _RNNS:
        names = _RNN_ARGS + (("proj_size",) if name == "LSTM" else ()) + (("nonlinearity",) if name == "RNN" else ())
        return {n: getattr(real, n) for n in names if hasattr(real, n)}
    if name == "MultiheadAttention":
        return {"embed_dim": real.embed_dim, "num_heads": real.num_heads, "dropout": real.dropout,
                "bias": real.in_proj_bias is not None, "add_bias_kv": real.bias_k is not None,
                "add_zero_attn": real.add_zero_attn, "kdim": real.kdim, "vdim": real.vdim,
                "batch_first": real.batch_first}
    kwargs = {}
    for pname, p in inspect.signature(cls.__init__).parameters.items():
        if pname in ("self", "device", "dtype") or pname.startswith("_") or p.kind in (p.VAR_POSITIONAL,
                                                                                       p.VAR_KEYWORD):
            continue
        if pname == "bias" and hasattr(real, "bias"):  # a flag in the constructor, a tensor (or None) after
            value = real.bias
            kwargs["bias"] = value if isinstance(value, bool) else value is not None
            continue
        if not hasattr(real, pname):
            continue
        value = getattr(real, pname)
        if isinstance(value, _PLAIN):
            kwargs[pname] = value
    if name == "Softmax" or name in ("LogSoftmax", "Softmin"):
        kwargs = {"dim": real.dim}
    return kwargs


class _Mirror:
    def __init__(self, torch):
        self.torch = torch
        self.params = {}  # id(real tensor) -> shapewise tensor
        self.modules = {}  # id(real module) -> shapewise module
        self.unknown = []

    def tensor(self, t, parameter):
        mine = self.params.get(id(t))
        if mine is None:
            spec = Spec(tuple(Known(int(s)) for s in t.shape), _dtype_name(t.dtype))
            mine = Parameter(Tensor(spec), requires_grad=t.requires_grad) if parameter else Tensor(spec)
            self.params[id(t)] = mine
        return mine

    def module(self, real):
        mine = self.modules.get(id(real))
        if mine is not None:
            return mine
        name = type(real).__name__
        # (a class of the user's own that has a built-in's name, a LayerNorm written by hand, is not that built-in)
        cls = sw_nn.MODULES.get(name) if type(real).__module__.startswith("torch.") else None
        mine = None
        if cls is not None and name not in _COMPOSITE and not issubclass(cls, (sw_nn.Sequential, sw_nn.ModuleList,
                                                                                 sw_nn.ModuleDict)):
            try:
                mine = cls(**_ctor_kwargs(real, cls))
            except (ShapewiseError, TypeError, ValueError):
                mine = None
        if mine is None:
            mine = object.__new__(cls if cls is not None else Module)
            Module.__init__(mine)
            if cls is None:
                self.unknown.append(name)
            for key, value in vars(real).items():
                if not key.startswith("_") and key != "training" and isinstance(value, _PLAIN):
                    object.__setattr__(mine, key, value)
            if name in _COMPOSITE and hasattr(real, "activation") and not isinstance(real.activation,
                                                                                     self.torch.nn.Module):
                object.__setattr__(mine, "activation", getattr(real.activation, "__name__", "relu"))
        mine.type_name = name
        mine.__dict__["training"] = real.training
        self.modules[id(real)] = mine
        d = mine.__dict__
        # parameters and buffers: the real ones' shapes, in the real order, each tensor one object (ties kept)
        own = {}
        for key, p in real._parameters.items():
            if p is None:
                own[key] = None
                continue
            made = d["_parameters"].get(key)
            if id(p) not in self.params and made is not None and \
                    [v.value for v in made.spec.shape] == [int(s) for s in p.shape]:
                made.requires_grad = p.requires_grad
                self.params[id(p)] = made  # the rule's own parameter, with its named dims
            own[key] = self.tensor(p, True)
        d["_parameters"] = own
        d["_buffers"] = {key: (None if b is None else self.tensor(b, False)) for key, b in real._buffers.items()}
        d["_non_persistent_buffers_set"] = set(real._non_persistent_buffers_set)
        d["_modules"] = {key: (None if m is None else self.module(m)) for key, m in real._modules.items()}
        for key in list(d):  # a plain attribute that shadows a registered name (a Lazy module's own) goes
            if key in d["_parameters"] or key in d["_modules"] or key in d["_buffers"]:
                if not key.startswith("_") and key not in ("training",):
                    del d[key]
        return mine


def _as_input(value, torch):
    if isinstance(value, torch.Tensor):
        return Tensor(Spec(tuple(Known(int(s)) for s in value.shape), _dtype_name(value.dtype)))
    if isinstance(value, (tuple, list)):
        return type(value)(_as_input(v, torch) for v in value)
    return value


def _explain_calls(mirror, records, torch, real_root):
    """Record the meta run's shapes on the mirrors; run each known rule on its recorded input (its explanation)."""
    for _, real in real_root.named_modules(remove_duplicate=False):
        mine = mirror.modules[id(real)]
        record = records.get(id(real))
        if record is None or mine.__dict__.get("_sw_calls"):
            continue
        calls, args, kwargs, output = record
        d = mine.__dict__
        values = list(args) + [v for v in kwargs.values() if isinstance(v, (torch.Tensor, tuple, list))]
        d["_sw_input"] = _shape_of(values[0], torch) if len(values) == 1 else [_shape_of(v, torch) for v in values]
        d["_sw_output"] = _shape_of(output, torch)
        d["_sw_calls"] = calls
        if isinstance(mine, RuleModule):
            try:
                RuleModule.forward(mine, *_as_input(tuple(args), torch),
                                   **{k: _as_input(v, torch) for k, v in kwargs.items()})
            except ShapewiseError:
                d.pop("_sw_ctx", None)  # a rule that disagrees explains nothing rather than something wrong


def mirror_of(module):
    """The shapewise mirror of a real module (structure and parameters; no call made)."""
    torch = _torch()
    mirror = _Mirror(torch)
    return mirror.module(module), mirror


def explain(module, input_size=None, input_data=None, dtypes=None, name=None, **kwargs):
    """The report of a real ``torch.nn.Module``: parameters from the module, shapes from a meta forward of a copy.

    A forward that fails on the meta device is reported as the report's ``error`` (torch's own exception,
    wrapped), with the shapes known up to that point. Other keyword arguments go to the model's forward (as
    torchinfo.summary's do), torchinfo's own options aside.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise UsageError(f"explain() takes a torch.nn.Module, got {type(module).__name__}")
    memo = {}
    inputs = _inputs(torch, input_size, input_data, dtypes, memo)
    # torchinfo's convention: the other keyword arguments are the forward's (its own options are not)
    forward_kwargs = {k: _to_meta(v, torch, memo) for k, v in kwargs.items()
                      if k not in _TORCHINFO_OPTIONS}
    mirror = _Mirror(torch)
    root = mirror.module(module)
    records, error = _run_meta(module, inputs, torch, mirror, forward_kwargs) if inputs or forward_kwargs \
        else ({}, None)
    _explain_calls(mirror, records, torch, module)
    report = model_report(root, name or type(module).__name__)
    if error is not None:
        report.error = _error_of(error, mirror, root, module, torch)
    return report


def _error_of(error, mirror, root, module, torch):
    """The meta forward's error as shapewise's: the failing module's rule run on its input (for the message torch
    gives on the CPU, and the fix), else torch's own message, with the module's qualified name."""
    from .report import qualify_error

    exc, running = error
    failing = None
    if running is not None:
        key, args, kwargs = running
        failing = next((m for m in module.modules() if id(m) == key), None)
        mine = mirror.modules.get(key)
        if isinstance(mine, RuleModule):
            try:
                RuleModule.forward(mine, *_as_input(tuple(args), torch),
                                   **{k: _as_input(v, torch) for k, v in kwargs.items()})
            except ShapewiseError as e:
                e.module = mine
                return qualify_error(e, root)
    e = ShapewiseError(f"{type(exc).__name__}: {exc}", layer_type=type(failing or module).__name__)
    e.exit_code = 1
    if failing is not None:
        e.module = mirror.modules.get(id(failing))
        qualify_error(e, root)
    return e


__all__ = ["explain", "mirror_of"]
