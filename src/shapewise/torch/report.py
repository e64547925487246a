"""The report of a PyTorch model: DESIGN.md's "PyTorch JSON" model object, as plain data renderers read.

Rows follow ``named_modules()`` (the root excluded, a module registered twice listed once under its first name);
each row's ``params`` counts its parameters and its children's, each tensor once; ``weights`` are its own
parameters with ``same_as`` naming the first holder of a tied tensor; shapes are those of the first call. The
explanation of a built-in module is derived from what its rule declared on its first call (the engine's
mechanism, as for Keras); its weights are the module's own parameters, whose dims carry their roles
(``out_features × in_features``), so the formula and the count cannot disagree.
"""

from __future__ import annotations

import math

from ..dims import Known, Named, fmt_int, leaves
from ..errors import ShapeError, ShapewiseError
from ..report import Explanation, WeightReport, _specs_text
from .compute import recording
from .nn.module import Module
from .tensor import DTYPES, Tensor, as_dtype_name, randint, randn, zeros

# --------------------------------------------------------------------------------------------------------------
# Weights and explanations


class _Weight:
    """What WeightReport reads of a weight: a module's own parameter as the explanation shows it."""

    __slots__ = ("dims", "name", "shape", "size", "trainable")

    def __init__(self, name, tensor):
        self.name = name
        self.dims = tensor.spec.shape
        self.shape = tuple(d.value for d in self.dims)
        self.size = math.prod(self.shape)
        self.trainable = bool(tensor.requires_grad)


def _roles(dims):
    out = set()
    for d in dims:
        for leaf in leaves(d):
            role = getattr(leaf, "role", None)
            if role:
                out.add(role)
    return out


def explanation_of(module, weights, tied_notes):
    """A module's explanation: from its rule's first call when it has one, else from its weights alone."""
    ctx = module.__dict__.get("_sw_ctx")
    ex = Explanation()
    ex.weights = [WeightReport(w, None, w.trainable) for w in weights]
    total = sum(w.size for w in weights)
    ex.children = []
    if ctx is None:
        ex.inputs = None
        ex.outputs = _io_text(module)
        ex.notes = list(tied_notes)
        ex.derived = []
        ex.formula = ex.formula_numbers = None
        ex.free, ex.free_text, ex.units = [], None, None
        children = [n for n, m in module.named_children()]
        own = getattr(type(module), "_sw_structure", None)
        if own is not None:
            ex.notes.insert(0, own(module))
        elif children:
            ex.notes.insert(0, f"contains {len(children)} submodule{'s' if len(children) != 1 else ''}: "
                               + ", ".join(children))
        if not module.calls and type(module).__name__ in _CONTAINERS:
            ex.notes.append("a container: it holds modules and is never called itself")
        elif not module.calls:
            ex.notes.append("never called: its shapes are not known (its parameters are)")
        # no rule of its own: the sentences are the whole shape text
        ex.outputs, ex.notes = "; ".join(ex.notes), []
        return ex
    outs = module.__dict__.get("_sw_out_specs") or []
    ex.inputs = _specs_text(ctx.bound_axes() or [s.shape for s in ctx.input_specs]) if ctx.input_specs else None
    ex.outputs = _specs_text([s.shape for s in outs]) if outs else _io_text(module)
    ex.notes = list(ctx.notes) + list(tied_notes)
    ex.derived = [f"{d.role} = {d.inner.names()} = {d.inner.numbers()} = {d.value}"
                  if d.inner.names() != d.inner.numbers() else f"{d.role} = {d.inner.names()} = {d.value}"
                  for d in ctx.derived]
    formula = ctx.param_formula
    if formula is not None and formula.value == total and weights:
        ex.formula, ex.formula_numbers = formula.names(), formula.numbers()
    else:
        ex.formula = ex.formula_numbers = None
    used = set()
    bound_roles = {axis.role for bound in ctx.bound_axes() for axis in bound}
    for w in weights:
        roles = _roles(w.dims)
        used |= roles
        if not roles & bound_roles:  # a weight tied from another module: its dims carry that module's names
            sizes = set(w.shape)
            used |= {axis.role for bound in ctx.bound_axes() for axis in bound[-1:] if axis.value in sizes}
    free = []
    seen = set()
    for bound in ctx.bound_axes():
        for axis in bound:
            if axis.role not in used and axis.role not in seen:
                seen.add(axis.role)
                free.append((axis.role, axis.value))
    ex.free = free if weights else []
    ex.free_text = ctx.free_text
    ex.units = ctx.unit_text
    return ex


_CONTAINERS = {"ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "ParametrizationList"}


def _io_text(module):
    out = module.__dict__.get("_sw_output")
    return "" if out is None else str(out)


# --------------------------------------------------------------------------------------------------------------
# Rows and the model


class TorchLayerReport:
    __slots__ = (
        "_explanation",
        "_module",
        "compute",
        "memory",
        "_own",
        "_tied_notes",
        "buffers",
        "calls",
        "depth",
        "input_shape",
        "name",
        "non_trainable",
        "output_shape",
        "params",
        "shared_names",
        "tied",
        "trainable",
        "type",
        "weights",
    )

    @property
    def explanation(self):
        if self._explanation is None:
            self._explanation = explanation_of(self._module, self._own, self._tied_notes)
        return self._explanation

    def to_json(self, explain=True, settings=None):
        out = {
            "name": self.name, "type": self.type, "depth": self.depth, "params": self.params,
            "trainable": self.trainable, "non_trainable": self.non_trainable, "input_shape": self.input_shape,
            "output_shape": self.output_shape, "calls": self.calls, "weights": self.weights, "buffers": self.buffers,
        }
        compute = getattr(self, "compute", None)  # set by TorchModelReport.compute (shapewise.torch.costs)
        if compute is not None:
            out.update(compute.to_json())
        memory = getattr(self, "memory", None)  # set by TorchModelReport.memory (shapewise.torch.memory)
        if memory is not None:
            out["activation_bytes"] = memory.activation_bytes
        if explain:
            ex = self.explanation
            out["explanation"] = ex.to_json() if ex is not None else None
            if out["explanation"] is not None and compute is not None:
                out["explanation"]["compute"] = compute.explanation_text()
            if out["explanation"] is not None and memory is not None:
                text = out["explanation"].get("compute")
                out["explanation"]["compute"] = "; ".join(([text] if text else []) + memory.lines)
        return out


class TorchModelReport:
    framework = "torch"

    __slots__ = (
        "_computed",
        "_memory",
        "buffers",
        "error",
        "input_shape",
        "layers",
        "name",
        "non_trainable_params",
        "output_shape",
        "root",
        "total_params",
        "trainable_params",
        "type",
    )

    def compute(self, settings=None):
        """The model's compute (shapewise.torch.costs.TorchModelCompute) from the op events of its recorded calls,
        derived on first use; each row's figures are set on it. None when no call was recorded. (PyTorch's batch is
        the example input's: ``settings`` does not change the figures.)"""
        if not hasattr(self, "_computed"):
            from .costs import model_compute

            self._computed = model_compute(self)
            if self._computed is not None:
                for r, row in zip(self.layers, self._computed.rows):
                    r.compute = row
        return self._computed

    def memory(self, settings=None):
        """The memory of a training step at ``settings`` (shapewise.torch.memory.TorchModelMemory: ``--dtype`` and
        ``--optimizer``; the batch is the example input's), from the model's first recorded call; each row's
        figures are set on it. None when no call was recorded."""
        from ..compute import DEFAULT
        from .memory import model_memory

        settings = settings or DEFAULT
        if not hasattr(self, "_memory"):
            self._memory = {}
        key = settings.key()
        if key not in self._memory:
            self._memory[key] = model_memory(self, settings)
        mm = self._memory[key]
        for r, row in zip(self.layers, mm.rows if mm is not None else ()):
            r.memory = row
        return mm

    def to_json(self, explain=True, settings=None):
        mc = self.compute(settings)
        mm = self.memory(settings)
        out = {
            "name": self.name, "type": self.type, "framework": "torch",
            "layers": [layer.to_json(explain) for layer in self.layers],
            "total_params": self.total_params, "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params, "buffers": self.buffers,
        }
        if mc is not None:
            out["compute"] = mc.compute_json()
        if mm is not None:
            out["memory"] = mm.memory_json()
        return out

    def __str__(self):
        from ..render.torch_text import render_model

        return render_model(self)

    __repr__ = __str__


def _numel(t):
    return math.prod(d.value for d in t.spec.shape)


def model_report(model, name=None):
    """The report of ``model`` (a shapewise.torch Module) as it stands: its first calls' shapes, if any."""
    if not isinstance(model, Module):
        raise ShapeError(f"expected an nn.Module, got {type(model).__name__}", layer_type="summary")
    r = TorchModelReport()
    r.name = name or model.type_name
    r.type = model.type_name
    r.root = model
    r.error = None
    r.input_shape = model.__dict__.get("_sw_input")
    r.output_shape = model.__dict__.get("_sw_output")
    # the first holder of each tensor, by identity: (qualified name, holder module)
    first = {}
    holders = {}
    for mod_name, m in model.named_modules(remove_duplicate=False):
        for p_name, p in m.__dict__["_parameters"].items():
            if p is None:
                continue
            full = f"{mod_name}.{p_name}" if mod_name else p_name
            first.setdefault(id(p), (full, m))
            holders.setdefault(id(p), [])
            if all(h[1] is not m for h in holders[id(p)]):
                holders[id(p)].append((full, m))
    all_names = {}
    for mod_name, m in model.named_modules(remove_duplicate=False):
        all_names.setdefault(id(m), []).append(mod_name)
    r.layers = []
    for mod_name, m in model.named_modules():
        if m is model:
            continue
        row = TorchLayerReport()
        row.name = mod_name
        row.type = m.type_name
        row.depth = mod_name.count(".") + 1
        distinct = list(m.parameters())
        row.params = sum(map(_numel, distinct))
        row.trainable = sum(_numel(p) for p in distinct if p.requires_grad)
        row.non_trainable = row.params - row.trainable
        calls = m.__dict__.get("_sw_calls", 0)
        row.calls = calls
        row.input_shape = m.__dict__.get("_sw_input") if calls else None
        row.output_shape = m.__dict__.get("_sw_output") if calls else None
        row.weights = []
        row._own = []
        row.tied = []
        notes = []
        for p_name, p in m.named_parameters(recurse=False):
            full = f"{mod_name}.{p_name}"
            holder_name, holder = first[id(p)]
            same_as = holder_name if holder_name != full else None
            row.weights.append({"name": p_name, "shape": [d.value for d in p.spec.shape],
                                "trainable": bool(p.requires_grad), "same_as": same_as})
            row._own.append(_Weight(p_name, p))
            others = [(n, h) for n, h in holders[id(p)] if h is not m]
            if same_as is not None:
                owner = holder_name.rsplit(".", 1)[0] if "." in holder_name else ""
                text = (f"{p_name} shares weight with {owner or model.type_name} ({holder.type_name}): counted once"
                        f" (as {holder_name})")
                notes.append(text)
                row.tied.append(text)
            elif others:
                names = ", ".join(f"{n.rsplit('.', 1)[0]} ({h.type_name})" for n, h in others)
                text = f"{p_name} is shared with {names}: counted once, here"
                notes.append(text)
                row.tied.append(text)
        row.buffers = [{"name": b_name, "shape": [d.value for d in b.spec.shape]}
                       for b_name, b in m.named_buffers(recurse=False)]
        row.shared_names = all_names[id(m)][1:]
        if row.shared_names:
            notes.append(f"also registered as {', '.join(row.shared_names)}: one module, its parameters counted "
                         "once")
        if calls > 1:
            notes.append(f"called {calls} times: the shapes shown are its first call's")
        row._module = m
        row._tied_notes = notes
        row._explanation = None
        r.layers.append(row)
    params = list(model.parameters())
    r.total_params = sum(map(_numel, params))
    r.trainable_params = sum(_numel(p) for p in params if p.requires_grad)
    r.non_trainable_params = r.total_params - r.trainable_params
    r.buffers = sum(map(_numel, model.buffers()))
    return r


# --------------------------------------------------------------------------------------------------------------
# Errors: the qualified name of the module that raised


def qualify_error(error, root):
    """Fill in an error's ``layer`` with the qualified name of the module that raised it (``""`` for the root's
    own forward) and put that name into its fix. Returns the error."""
    module = getattr(error, "module", None)
    if module is None or not isinstance(root, Module):
        if error.fix and "{module}" in error.fix:
            error.fix = error.fix.replace("{module}", "this module")
        return error
    name = None
    for mod_name, m in root.named_modules():
        if m is module:
            name = mod_name
            break
    if name is None:
        name = module.type_name
    error.layer = name
    error.layer_type = module.type_name
    if error.fix and "{module}" in error.fix:
        error.fix = error.fix.replace("{module}", name or "the model")
    if error.got is None:
        error.got = module.__dict__.get("_sw_input")
    return error


# --------------------------------------------------------------------------------------------------------------
# summary(): torchinfo's call


def _example(size, dtype):
    name = as_dtype_name(dtype)
    if name in ("int64", "int32", "int16", "int8", "uint8"):
        return randint(0, 2, tuple(size), dtype=DTYPES[name])
    if name == "bool":
        return zeros(*size, dtype=DTYPES["bool"])
    return randn(*size, dtype=DTYPES[name])


def example_inputs(input_size, dtypes=None):
    """torchinfo's input_size: one size (``(4, 3, 32, 32)``) or a list of sizes, with optional dtypes."""
    sizes = input_size
    if isinstance(sizes, (tuple, list)) and sizes and all(isinstance(s, int) for s in sizes):
        sizes = [tuple(sizes)]
    sizes = [tuple(s) for s in sizes]
    dtypes = list(dtypes) if dtypes else [None] * len(sizes)
    if len(dtypes) < len(sizes):
        dtypes += [dtypes[-1]] * (len(sizes) - len(dtypes))
    return [_example(s, d) for s, d in zip(sizes, dtypes)]


_RECORDED = ("_sw_calls", "_sw_input", "_sw_output", "_sw_ctx", "_sw_out_specs", "_sw_rec_calls")


def forget_calls(model):
    """Forget what earlier calls recorded on ``model`` and its submodules (shapes, calls, explanations)."""
    for _, m in model.named_modules(remove_duplicate=False):
        d = m.__dict__
        for key in _RECORDED:
            d.pop(key, None)


def parse_input(text):
    """One ``--input`` value: ``4,3,32,32``, or with a dtype prefix ``long:8,128`` / ``float16:2,3``: (size, dtype
    name). For the CLI; a bad value is a UsageError naming it."""
    from ..errors import UsageError

    dtype, _, sizes = text.rpartition(":")
    try:
        size = tuple(int(v) for v in sizes.replace("x", ",").split(",") if v.strip())
        name = as_dtype_name(dtype or None)
    except (ValueError, ShapewiseError):
        raise UsageError(f"--input {text!r}: expected sizes like 4,3,32,32, optionally after a dtype (long:8,128)",
                         expected="comma-separated sizes, e.g. 4,3,32,32 or long:8,128") from None
    if not size or min(size) < 0:
        raise UsageError(f"--input {text!r}: expected at least one non-negative size")
    return size, name


def inputs_from_text(values):
    """Example tensors for ``--input`` values (repeatable: one per model argument)."""
    return [_example(size, dtype) for size, dtype in map(parse_input, values)]


def summary(model, input_size=None, input_data=None, dtypes=None, batch_dim=None, name=None, **kwargs):
    """Run ``model`` once on example inputs (``input_size`` as torchinfo takes it, or ``input_data``) and report.

    Shapes recorded by earlier calls are forgotten first. A shape error does not raise: the report carries it (``report.error``, qualified with the module's name),
    with the shapes known up to that point; a model that is not called at all reports its parameters only.
    """
    args, call_kwargs = (), {}
    if input_data is not None:
        if isinstance(input_data, Tensor):
            args = (input_data,)
        elif isinstance(input_data, dict):
            call_kwargs = dict(input_data)
        else:
            args = tuple(input_data)
    elif input_size is not None:
        if batch_dim is not None:
            input_size = [tuple(s[:batch_dim]) + (1,) + tuple(s[batch_dim:]) for s in
                          ([input_size] if all(isinstance(v, int) for v in input_size) else input_size)]
        args = tuple(example_inputs(input_size, dtypes))
    error = None
    if args or call_kwargs:
        forget_calls(model)  # torchinfo runs a forward of its own: the report shows this one
        try:
            with recording():  # the op events the compute is derived from
                model(*args, **call_kwargs)
        except ShapewiseError as e:
            error = qualify_error(e, model)
    report = model_report(model, name)
    report.error = error
    return report


def torchsummary(model, input_size, batch_size=-1, device="cpu", dtypes=None):
    """``torchsummary.summary(model, (3, 224, 224))``: the input size without the batch axis (torchsummary runs a
    batch of 2)."""
    sizes = [input_size] if all(isinstance(v, int) for v in input_size) else list(input_size)
    batch = 2 if batch_size == -1 else batch_size
    return summary(model, input_size=[(batch, *s) for s in sizes], dtypes=dtypes)


__all__ = [
    "Known",
    "Named",
    "TorchLayerReport",
    "TorchModelReport",
    "example_inputs",
    "fmt_int",
    "model_report",
    "qualify_error",
    "summary",
    "torchsummary",
]
