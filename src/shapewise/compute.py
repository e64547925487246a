"""Compute and memory: the work of one forward pass and the memory of one training step, derived.

Each layer class declares its cost in a ``compute(self, c)`` method beside its rule: the multiply-accumulates of
one forward pass (``c.macs``), the elementwise "other ops" (``c.ops``) and the tensors it saves for the backward
pass (``c.saves_input``, ``c.saves_output``, ``c.saves``). The method reads only the layer's configuration and
the call's input and output specs (``c.axes(i)``, ``c.out(i)``), so it costs nothing while a model is built: the
report calls it when a figure is asked for. Everything else is derived here: FLOPs (2 per multiply-accumulate,
as ``torch.utils.flop_counter.FlopCounterMode`` counts them), the values at a batch size, the formula texts, how a
layer's cost grows with its free input axes, totals, the memory of a training step and what dominates it.

Nothing here is specific to one framework: a rule of any front end fills a :class:`Cost` from Specs of Dims.
The definitions (and the per-element costs of the other ops) are in docs/COMPUTE.md.
"""

from __future__ import annotations

from .dims import (
    _CeilDiv, _ExactDiv, _FloorDiv, _Neg, _Prod, _Sum, Known, Named, Unknown, as_dim, fmt_int, product,
)

# --------------------------------------------------------------------------------------------------------------
# Per-element costs and what each activation saves, stated once (docs/COMPUTE.md repeats this table).

#: Other ops per element of an activation function; softmax and log_softmax: exp, sum and divide.
ACTIVATION_OPS = {"linear": 0, "softmax": 3, "log_softmax": 3}
#: Activations whose backward pass reads their output (torch saves the result); every other non-linear one
#: reads its input. Measured on Keras's torch backend (tests/test_compute_keras.py).
SAVES_OUTPUT = frozenset({"relu", "tanh", "sigmoid", "softmax", "log_softmax", "exponential"})

DTYPES = ("float32", "bfloat16", "float16", "mixed")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")

#: Bytes per element of a saved tensor by its kind: "act" is the compute dtype (set by --dtype).
_KIND_BYTES = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8, "float32": 4}


def activation_key(activation):
    """The name an activation goes by in the tables: None and "linear" are "linear"; a callable its name."""
    if activation is None:
        return "linear"
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", "custom")


class Settings:
    """The options a figure is computed for: ``--batch``, ``--dtype`` and ``--optimizer``."""

    __slots__ = ("batch", "dtype", "optimizer")

    def __init__(self, batch=1, dtype="float32", optimizer="adam"):
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValueError(f"--batch must be a positive integer, got {batch!r}")
        if dtype not in DTYPES:
            raise ValueError(f"--dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
        self.batch, self.dtype, self.optimizer = batch, dtype, optimizer

    def key(self):
        return (self.batch, self.dtype, self.optimizer)

    @property
    def act_bytes(self):
        """Bytes of one element of an activation (the compute dtype)."""
        return 4 if self.dtype == "float32" else 2

    @property
    def param_bytes(self):
        """Bytes of one stored parameter element: float32 master weights under mixed precision."""
        return 2 if self.dtype in ("bfloat16", "float16") else 4


DEFAULT = Settings()


# --------------------------------------------------------------------------------------------------------------
# The declaration


class Cost:
    """What a layer's ``compute(self, c)`` declares for one call. ``inputs`` and ``outputs`` are flat lists of
    Specs; ``ctx`` is the call's rule context (for the names the rule gave its axes) or None."""

    __slots__ = ("layer", "ctx", "inputs", "outputs", "kwargs", "terms", "saved", "aliases", "misses", "notes", "_axes", "local", "args", "grad_input", "masked",
                 "declared", "input_grads")

    def __init__(self, layer, ctx, inputs, outputs, kwargs=None):
        self.layer = layer
        self.ctx = ctx
        self.kwargs = kwargs or {}  # the call's keyword arguments (reverse=True, return_attention_scores=True, ...)
        self.inputs = inputs
        self.outputs = outputs
        self.terms = []  # ("macs" | "ops", Dim, what)
        self.saved = []  # (key or None, Dim size, what, kind)
        self.aliases = []  # (id of an output spec, id of the input spec it is a view of)
        self.misses = []  # (Dim macs, reason): work FlopCounterMode does not see
        self.notes = []
        self._axes = {}
        self.local = set()  # ids of Named dims made here or in a sublayer's cost (read through for dependence)
        self.args = ()  # the call's positional arguments (tensors), when the report has them
        self.grad_input = True  # whether an input needs a gradient (False right after the model's inputs)
        self.masked = False  # whether an input carries a Keras mask
        self.declared = True
        self.input_grads = None  # per input, whether it needs a gradient (None: as grad_input)

    def needs_grad(self, i):
        """Whether input ``i`` needs a gradient (torch keeps an operand only for the other operand's)."""
        if self.input_grads is None or i >= len(self.input_grads):
            return self.grad_input
        return self.input_grads[i]

    # --- reading the call ----------------------------------------------------------------------------------
    def axes(self, i=0, *names):
        """Input ``i``'s axes as Named dims: the names the rule bound them with, else ``names`` (by default
        ``batch`` then ``dim1``, ``dim2``, ...)."""
        got = self._axes.get(i if type(i) is int else id(i))
        if got is not None:
            return got
        spec = self.inputs[i] if type(i) is int else i
        bound = None
        ctx = self.ctx
        if ctx is not None and ctx.axes:
            # the axes the rule bound on this very tensor (each Named dim wraps the spec's own dim)
            for axes in ctx.bound_axes():
                if len(axes) == spec.rank and all(a.inner is d for a, d in zip(axes, spec.shape)):
                    bound = axes
                    break
        if bound is None:
            if not names:
                names = ("batch", *(f"dim{k}" for k in range(1, spec.rank)))
            from .engine import _named

            bound = _named(spec, names) if spec.rank else ()
        self._axes[i if type(i) is int else id(i)] = bound = tuple(bound)
        self.local.update(map(id, bound))
        return bound

    def out(self, i=0):
        """Output ``i``'s dims, an input's dim written with the name the input axis has here."""
        names = {}
        for k, spec in enumerate(self.inputs):
            for raw, named in zip(spec.shape, self.axes(k)):
                names.setdefault(id(raw), named)
        return tuple(names.get(id(d), d) for d in self.outputs[i].shape)

    def size(self, dims):
        return product(dims)

    def const(self, value, role):
        return Known(value, role)

    # --- declaring ------------------------------------------------------------------------------------------
    def macs(self, expr, what, uncounted=None):
        """Multiply-accumulates (2 FLOPs each). ``uncounted``: why FlopCounterMode does not see this work (a
        fused kernel); the explanation says so and the tests check the analytic count."""
        expr = as_dim(expr)
        self.terms.append(("macs", expr, what))
        if uncounted:
            self.misses.append((expr, uncounted, -1))

    def counter_extra(self, expr, why):
        """Multiply-accumulates FlopCounterMode counts beyond this layer's own work (Keras's torch backend running
        a step once more): not in the figures; the explanation says so and the tests allow for it."""
        self.misses.append((as_dim(expr), why, 1))

    def ops(self, expr, what):
        """Elementwise work, in the per-element costs of docs/COMPUTE.md."""
        self.terms.append(("ops", as_dim(expr), what))

    def activation(self, activation, dims, before="new", after="output", what=None):
        """An activation applied to a tensor of ``dims``: its ops, and the tensor its backward reads (its output,
        or its input: ``before`` is "input" when that is the layer's input, else a new tensor)."""
        name = activation_key(activation)
        if name == "linear":
            return
        n = self.size(dims)
        self.ops(scaled(ACTIVATION_OPS.get(name, 1), dims), what or name)
        if name in SAVES_OUTPUT:
            if after == "output":
                self.saves_output(0, f"{name}'s output")
            else:
                self.saves(n, f"{name}'s output")
        elif before == "input":
            self.saves_input(0, f"{name}'s input")
        else:
            self.saves(n, f"{name}'s input")

    def saves_input(self, i=0, what="input", for_weights=False):
        """Input ``i`` is kept for the backward pass (the same storage as the tensor that produced it).
        ``for_weights``: kept only for the weights' gradients (a matmul's input), so not when none is trainable."""
        spec = self.inputs[i]
        self.saved.append((id(spec), self.size(self.axes(i)), what, _kind_of(spec), for_weights))

    def saves_output(self, i=0, what="output"):
        spec = self.outputs[i]
        self.saved.append((id(spec), self.size(self.out(i)), what, _kind_of(spec), False))

    def saves(self, expr, what, kind="act", for_weights=False):
        """A tensor of its own (a mask, statistics, a copy in another layout) kept for the backward pass."""
        self.saved.append((None, as_dim(expr), what, kind, for_weights))

    def view(self, out=0, inp=0):
        """Output ``out`` shares input ``inp``'s storage (a reshape): a later layer saving it saves nothing new."""
        self.aliases.append((id(self.outputs[out]), id(self.inputs[inp])))

    def arg(self, position, name):
        """The spec of a call argument given by position or by keyword (a tensor's spec, else the value)."""
        if name in self.kwargs:
            value = self.kwargs[name]
        elif position < len(self.args):
            value = self.args[position]
        else:
            return None
        return getattr(value, "spec", value)

    def note(self, text):
        self.notes.append(text)

    def sublayer(self, layer, inputs, outputs, times=1, ctx=None, views=False, node=None):
        """Add a sublayer's cost on these specs, ``times`` times (an RNN's cell at every timestep). ``views``: the
        sublayer's inputs are views of this call's inputs (TimeDistributed's reshape). ``node``: the sublayer's
        call, when known (its arguments by name: a query, a mask)."""
        sub = Cost(layer, ctx, inputs, outputs, node.kwargs if node is not None else None)
        if node is not None:
            sub.args = node.args
        sub.grad_input, sub.masked = self.grad_input, self.masked
        fn = getattr(type(layer), "compute", None)
        if fn is None:
            sub.declared = False
        else:
            fn(layer, sub)
        if not sub.declared:
            self.declared = False
        t = as_dim(times)
        self.terms += [(kind, t * expr if times != 1 else expr, what) for kind, expr, what in sub.terms]
        self.misses += [(t * expr if times != 1 else expr, why, sign) for expr, why, sign in sub.misses]
        mine = {id(s): id(o) for s, o in zip(inputs, self.inputs)} if views else {}
        for key, size, what, kind, for_weights in sub.saved:
            if key is None and times != 1:
                size = t * size
            self.saved.append((mine.get(key, key), size, what, kind, for_weights))
        self.aliases += sub.aliases
        self.notes += sub.notes
        self.local |= sub.local
        return sub


def scaled(k, dims):
    """``k`` times the product of ``dims``, written ``k·a·b`` (not ``k·(a·b)``)."""
    return product((k, *dims))


def _kind_of(spec):
    """A saved tensor's kind: its integer or bool dtype, else "act" (the compute dtype)."""
    dtype = spec.dtype
    return dtype if dtype in _KIND_BYTES and dtype != "float32" else "act"


def no_compute(self, c):
    """The declaration of a layer that only moves or relabels values: no arithmetic, nothing saved."""


def view_compute(self, c):
    """A layer whose output is a view of its input (a reshape): no arithmetic, nothing saved, same storage."""
    c.view()


def layer_cost(layer, ctx, inputs, outputs, kwargs=None, args=()):
    c = Cost(layer, ctx, inputs, outputs, kwargs)
    c.args = args
    fn = getattr(type(layer), "compute", None)
    if fn is None:
        c.declared = False
    else:
        fn(layer, c)
    return c


# --------------------------------------------------------------------------------------------------------------
# Evaluating and reading expressions


def evaluate(dim, batch):
    """The value of ``dim`` with the unknown batch axis set to ``batch``; None when another dim is unknown."""
    v = dim.value
    if v is not None:
        return v
    if not _MEMO_ON:
        return _eval(dim, batch, {})
    memo = _MEMO.get(batch)
    if memo is None:
        memo = _MEMO[batch] = _Memo()
    return _eval(dim, batch, memo)


class _Memo(dict):
    """The shared memo of model_compute: it also holds the dims it has values for, so no id is reused meanwhile
    by a temporary dim made and freed during the derivation."""

    __slots__ = ("alive",)

    def __init__(self):
        super().__init__()
        self.alive = []


#: Values of dims at a batch size, kept while one model's compute is derived (model_compute), when every dim is
#: alive: an axis renamed by each of 10,000 layers is then walked once, not once per layer.
_MEMO = {}
_MEMO_ON = False


def _eval(d, batch, memo):
    v = d.value
    if v is not None:
        return v
    if type(d) is Named:  # an axis renamed by every layer it passes (a 10,000-layer chain): a loop, not recursion
        chain = []
        while type(d) is Named and d.value is None and id(d) not in memo:
            chain.append(d)
            d = d.inner
        r = d.value if d.value is not None else memo[id(d)] if id(d) in memo else _eval(d, batch, memo)
        for named in chain:
            memo[id(named)] = r
        if type(memo) is _Memo:
            memo.alive.extend(chain)  # an id stays this dim's while the memo lives
        return r
    key = id(d)
    if key in memo:
        return memo[key]
    cls = type(d)
    if cls is Named:
        r = _eval(d.inner, batch, memo)
    elif cls is Unknown:
        r = batch if d.name == "batch" else None
    elif cls is _Sum or cls is _Prod:
        a, b = _eval(d.left, batch, memo), _eval(d.right, batch, memo)
        r = None if a is None or b is None else (a + b if cls is _Sum else a * b)
    elif cls is _Neg:
        a = _eval(d.operand, batch, memo)
        r = None if a is None else -a
    elif cls in (_FloorDiv, _ExactDiv, _CeilDiv):
        a, b = _eval(d.num, batch, memo), _eval(d.den, batch, memo)
        if a is None or not b:
            r = None
        else:
            r = -(-a // b) if cls is _CeilDiv else a // b
    else:
        r = None
    memo[key] = r
    if type(memo) is _Memo:
        memo.alive.append(d)
    return r


def _degrees(d, variables, local):
    """How an expression grows with each variable (ids of Named axes): {id: degree}. A Named dim that is not a
    variable is read through when it was derived in this layer (``local`` ids), else it is a constant."""
    cls = type(d)
    if cls is Named:
        if id(d) in variables:
            return {id(d): 1}
        if id(d) in local:
            return _degrees(d.inner, variables, local)
        return {}
    if cls is _Sum:
        a, b = _degrees(d.left, variables, local), _degrees(d.right, variables, local)
        return {k: max(a.get(k, 0), b.get(k, 0)) for k in {**a, **b}}
    if cls is _Prod:
        a, b = _degrees(d.left, variables, local), _degrees(d.right, variables, local)
        return {k: a.get(k, 0) + b.get(k, 0) for k in {**a, **b}}
    if cls is _Neg:
        return _degrees(d.operand, variables, local)
    if cls in (_FloorDiv, _ExactDiv, _CeilDiv):
        a, b = _degrees(d.num, variables, local), _degrees(d.den, variables, local)
        return {k: a[k] - b.get(k, 0) for k in a if a[k] - b.get(k, 0) > 0}
    return {}


_ORDER = {1: "linear", 2: "quadratic", 3: "cubic"}


def _axis_label(axis):
    if axis.value is None:
        return axis.role
    return f"{axis.role} ({axis.value})"


def dependence_text(expr, cost):
    """How a layer's work grows with the input axes that can change without changing its weights: "linear in
    batch and timesteps (10)", "quadratic in steps (64)"."""
    ctx = cost.ctx
    free = None
    if ctx is not None and ctx.weights:
        free = {id(a) for a in ctx.free_axes()}
    variables = {}
    seen_roles = set()
    for i in range(len(cost.inputs)):
        for a in cost.axes(i):
            if (free is None or id(a) in free or a.role == "batch") and a.role not in seen_roles:
                variables[id(a)] = a
    local = set(cost.local) - set(variables)
    if ctx is not None:
        local.update(id(d) for d in ctx.derived)
    for i in range(len(cost.outputs)):
        local.update(id(d) for d in cost.out(i) if type(d) is Named)
    degrees = _degrees(expr, variables, local)
    # one name per role (a self-attention's query and value are the same axis: their degrees add up)
    by_role = {}
    for key, axis in variables.items():
        deg = degrees.get(key)
        if not deg:
            continue
        label = _axis_label(axis)
        by_role[label] = by_role.get(label, 0) + deg
    if not by_role:
        return "the same for any input size"
    groups = {}
    for label, deg in by_role.items():
        groups.setdefault(deg, []).append(label)
    parts = []
    for deg in sorted(groups):
        labels = groups[deg]
        names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        parts.append(f"{_ORDER.get(deg, f'degree {deg}')} in {names}")
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------------------------
# Derived per layer and per model


class LayerCompute:
    """One layer's figures (summed over its calls in the model) at some Settings, and the texts that explain
    them. Values are ints, or None where an unknown dim (other than the batch) leaves them open."""

    __slots__ = ("macs", "flops", "other_ops", "activation_bytes", "declared", "text", "ops_text", "saved_text",
                 "uncounted_flops", "macs_expr", "ops_expr")

    def to_json(self):
        return {"flops": self.flops, "macs": self.macs, "other_ops": self.other_ops,
                "activation_bytes": self.activation_bytes}

    def lines(self):
        """The explanation's compute sentences: the FLOPs formula, the other ops, what is saved for backward."""
        out = list(self.text)
        out += self.ops_text
        if self.saved_text:
            total = fmt_int(self.activation_bytes) + " B" if self.activation_bytes is not None else "open"
            out.append(f"saves for backward ({total}): " + "; ".join(self.saved_text))
        if not self.declared:
            out.append("this layer declares no compute: its work is not counted")
        if not out:
            out.append("no arithmetic: it only moves values, and saves nothing for the backward pass")
        return out

    def explanation_text(self):
        return "; ".join(self.lines())


def _sum(exprs):
    total = None
    for e in exprs:
        total = e if total is None else total + e
    return Known(0) if total is None else total


def _add(a, b):
    return None if a is None or b is None else a + b


def _numbers_text(expr):
    names, numbers = expr.names(), expr.numbers()
    return names if names == numbers else f"{names} = {numbers}"


def _twice(expr):
    """'2·batch·features·units = 2·batch·32·2': FLOPs as twice the multiply-accumulates, names then numbers."""
    def two(text):
        return f"2·({text})" if type(expr) is _Sum or type(expr) is _Neg else f"2·{text}"
    names, numbers = expr.names(), expr.numbers()
    return two(names) if names == numbers else f"{two(names)} = {two(numbers)}"


def _describe(cost, settings):
    """(macs, other ops, FLOPs text, other-ops text, uncounted FLOPs) of one call."""
    macs_terms = [(e, w) for k, e, w in cost.terms if k == "macs"]
    ops_terms = [(e, w) for k, e, w in cost.terms if k == "ops"]
    macs_expr = _sum(e for e, _ in macs_terms)
    ops_expr = _sum(e for e, _ in ops_terms)
    batch = settings.batch
    macs = evaluate(macs_expr, batch)
    ops = evaluate(ops_expr, batch)
    misses = [evaluate(e, batch) for e, _, _ in cost.misses]
    # FLOPs FlopCounterMode reports minus ours: negative where it misses work, positive where it sees more
    uncounted = None if None in misses else 2 * sum(m * sign for m, (_, _, sign) in zip(misses, cost.misses))
    text = None
    if macs_terms:
        value = f"{fmt_int(2 * macs)} FLOPs at batch {batch}" if macs is not None else \
            "FLOPs: a formula in the unknown dims"
        whats = ", ".join(w for _, w in macs_terms)
        text = f"{_twice(macs_expr)} = {value} ({whats}); {dependence_text(macs_expr, cost)}"
        if cost.misses:
            why = "; ".join(sorted({w for _, w, _ in cost.misses}))
            if macs is not None and uncounted is not None:
                seen = fmt_int(2 * macs + uncounted)
                diff = (f"does not see {fmt_int(-uncounted)} of these FLOPs" if uncounted < 0 else
                        f"counts {fmt_int(uncounted)} FLOPs more")
            else:
                seen, diff = "a different figure", "differs"
            text += f". torch's FlopCounterMode {diff} ({why}): it reports {seen}"
    ops_text = None
    if ops_terms:
        whats = ", ".join(dict.fromkeys(w for _, w in ops_terms))
        value = fmt_int(ops) if ops is not None else "a formula in the unknown dims"
        ops_text = f"other ops {_numbers_text(ops_expr)} = {value} ({whats})"
    return macs_expr, ops_expr, macs, ops, text, ops_text, uncounted


class ModelCompute:
    """The figures of a model at some Settings: per row (by the row's index) and in total."""

    __slots__ = ("settings", "rows", "compute", "memory", "flops_formula", "dominant", "undeclared", "counter_diff")

    def compute_json(self):
        return dict(self.compute)

    def memory_json(self):
        return dict(self.memory)


def _kind_bytes(kind, settings):
    return settings.act_bytes if kind == "act" else _KIND_BYTES[kind]


def model_compute(model_report, model, settings=DEFAULT):
    """Derive a model's compute and memory from its layers' declarations (the layers of ``model_report``, the
    calls of ``model``'s own graph)."""
    global _MEMO_ON
    if _MEMO_ON:  # a nested model's figures, inside its parent's: the memo is already on
        return _model_compute(model_report, model, settings)
    _MEMO_ON = True
    try:
        return _model_compute(model_report, model, settings)
    finally:
        _MEMO_ON = False
        _MEMO.clear()


def _model_compute(model_report, model, settings=DEFAULT):
    from .graph import InputLayer, Model

    batch = settings.batch
    calls = _calls(model)  # [(layer, node)] in execution order
    by_layer = {}
    for layer, node in calls:
        by_layer.setdefault(id(layer), []).append(node)
    alias = {}  # id of a spec -> id of the spec whose storage it shares
    spec_of = {}  # id -> the spec of every tensor a call reads or makes
    saved_seen = set()
    rows = []
    undeclared = []
    total_macs = total_ops = 0
    total_act = 0
    counter_diff = 0  # FLOPs FlopCounterMode reports beyond ours (negative: work it does not see)
    grad = set()  # ids of specs that require a gradient (computed from a trainable weight)
    unknown_names = {}  # id of an unknown input dim -> the name the first layer reading it gave it
    masked = set()  # ids of specs that carry a Keras mask (after Masking, Embedding(mask_zero=True))
    sym_macs = []  # expressions of calls whose value is open
    all_macs = []  # every call's expression (a nested model's as its number)
    for r, layer in zip(model_report.layers, model.layers):
        lc = LayerCompute()
        lc.declared = True
        macs = ops = act = 0
        texts, ops_texts, saved_texts, uncounted = [], [], [], 0
        macs_exprs, ops_exprs = [], []
        nodes = by_layer.get(id(layer), [])
        if isinstance(layer, InputLayer):
            nodes = []
        for node in nodes:
            inputs = [t.spec for t in node.input_tensors]
            outputs = [t.spec for t in node.output_tensors]
            for spec in inputs + outputs:
                spec_of[id(spec)] = spec
            if isinstance(layer, Model):
                inner = r.nested.compute(settings) if r.nested is not None else None
                if inner is None:
                    continue
                m = inner.compute
                all_macs.append(Known(m["macs"]) if m["macs"] is not None else Unknown(f"MACs({layer.name})"))
                counter_diff = _add(counter_diff, inner.counter_diff)
                if layer.trainable_weights or any(id(s) in grad for s in inputs):
                    grad.update(map(id, outputs))
                macs = _add(macs, m["macs"])
                ops = _add(ops, m["other_ops"])
                act = _add(act, inner.memory["activations"])
                if inner.undeclared:
                    lc.declared = False
                    undeclared += inner.undeclared
                texts.append(f"the {len(layer.layers)} layers of {layer.name}: {fmt_int(m['flops'])} FLOPs"
                             if m["flops"] is not None else f"the layers of {layer.name}")
                continue
            cost = Cost(layer, node.ctx, inputs, outputs, node.kwargs)
            cost.args = node.args
            cost.input_grads = tuple(id(s) in grad for s in inputs)
            cost.grad_input = any(cost.input_grads)
            cost.masked = any(id(s) in masked for s in inputs)
            if getattr(layer, "makes_mask", False) or (cost.masked and _keeps_mask(inputs, outputs)):
                masked.update(map(id, outputs))
            fn = getattr(type(layer), "compute", None)
            if fn is None:
                cost.declared = False
            else:
                fn(layer, cost)
            if not cost.declared:
                lc.declared = False
                undeclared.append(type(layer).keras_name)
            for out_id, in_id in cost.aliases:
                alias[out_id] = alias.get(in_id, in_id)
            for axes in list(cost._axes.values()):
                for a in axes:
                    inner = a.inner
                    if type(inner) is Unknown and inner.name != "batch":
                        unknown_names.setdefault(id(inner), a.role)
            macs_expr, ops_expr, m_val, o_val, text, ops_text, unc = _describe(cost, settings)
            macs_exprs.append(macs_expr)
            ops_exprs.append(ops_expr)
            all_macs.append(macs_expr)
            if m_val is None:
                sym_macs.append(macs_expr)
            macs, ops = _add(macs, m_val), _add(ops, o_val)
            uncounted = _add(uncounted, unc)
            counter_diff = _add(counter_diff, unc)
            if text:
                texts.append(text)
            if ops_text:
                ops_texts.append(ops_text)
            mine = []
            # torch keeps nothing for a call whose inputs need no gradient and that has no trainable weight
            trains = any(w.trainable for w in layer.weights)
            needed = trains or any(id(s) in grad for s in inputs)
            if needed:
                grad.update(map(id, outputs))
            for key, size, what, kind, for_weights in cost.saved if needed else ():
                if for_weights and not trains:
                    continue
                if key is not None:
                    root = alias.get(key, key)
                    if root != key and root in spec_of:  # a view: the storage is its root tensor's
                        size = product(spec_of[root].shape)
                    key = root
                    if key in saved_seen:
                        mine.append(f"{what} (already kept by an earlier layer)")
                        continue
                    saved_seen.add(key)
                n = evaluate(size, batch)
                b = None if n is None else n * _kind_bytes(kind, settings)
                act = _add(act, b)
                mine.append(f"{what} {fmt_int(b) + ' B' if b is not None else size.names()}"
                            + (f" ({kind})" if kind != "act" else ""))
            if mine:
                saved_texts.append(", ".join(mine))
            for n in cost.notes:
                texts.append(n)
        lc.macs = macs
        lc.flops = None if macs is None else 2 * macs
        lc.other_ops = ops
        lc.activation_bytes = act
        lc.macs_expr = macs_exprs
        lc.ops_expr = ops_exprs
        lc.uncounted_flops = uncounted
        lc.text = texts
        lc.ops_text = ops_texts
        lc.saved_text = saved_texts
        rows.append(lc)
        total_macs = _add(total_macs, macs)
        total_ops = _add(total_ops, ops)
        total_act = _add(total_act, act)
    mc = ModelCompute()
    mc.settings = settings
    mc.rows = rows
    mc.undeclared = sorted(set(undeclared))
    mc.counter_diff = counter_diff
    mc.compute = {"batch": batch, "flops": None if total_macs is None else 2 * total_macs, "macs": total_macs,
                  "other_ops": total_ops}
    mc.flops_formula = None
    if sym_macs:
        mc.flops_formula = _global_text(Known(2) * _sum(all_macs), batch, unknown_names)
        mc.compute["flops_formula"] = mc.flops_formula
    mc.memory = _memory(model, settings, total_act, _inference_activations(calls, rows, model_report, settings))
    mc.dominant = _dominant(mc.memory, settings)
    return mc


def _keeps_mask(inputs, outputs):
    """Whether a layer passes its input's mask on, approximately: its output keeps the (batch, time) axes."""
    a, b = inputs[0].shape, outputs[0].shape if outputs else ()
    return len(a) >= 2 and len(b) >= 3 and a[1].value == b[1].value


def _calls(model):
    """The layer calls of a model's own graph, in execution order: [(layer, node)]."""
    from .graph import Functional, InputLayer

    if isinstance(model, Functional):
        out = []
        for depth in sorted(model._nodes_by_depth, reverse=True):
            for node in model._nodes_by_depth[depth]:
                if not node.is_input and not getattr(node.layer, "is_operation", False):
                    out.append((node.layer, node))
        return out
    layers = getattr(model, "_layers", [])
    if not layers or not isinstance(layers[0], InputLayer):
        return []
    t = layers[0]._input_tensor
    out = []
    for layer in layers[1:]:
        node = next((n for n in layer._inbound_nodes if n.input_tensors and n.input_tensors[0] is t), None)
        if node is None:
            break
        out.append((layer, node))
        t = node.output_tensors[0]
    return out


def _spec_bytes(spec, settings):
    n = evaluate(product(spec.shape), settings.batch) if spec.shape else 1
    if n is None:
        return None
    kind = spec.dtype
    size = _KIND_BYTES.get(kind, settings.act_bytes) if "int" in kind or kind == "bool" else settings.act_bytes
    return n * size


def _inference_activations(calls, rows, model_report, settings):
    """The most bytes of tensors alive at once in an inference pass: each tensor from the call that makes it to
    the last call that reads it (the model's inputs from the start, its outputs to the end)."""
    last_use = {}
    for k, (layer, node) in enumerate(calls):
        for t in node.input_tensors:
            last_use[id(t)] = k
    live = {}
    peak = 0
    for k, (layer, node) in enumerate(calls):
        for t in node.input_tensors:
            if id(t) not in live:
                b = _spec_bytes(t.spec, settings)
                if b is None:
                    return None
                live[id(t)] = b
        step = 0
        for t in node.output_tensors:
            b = _spec_bytes(t.spec, settings)
            if b is None:
                return None
            live[id(t)] = b
        peak = max(peak, sum(live.values()) + step)
        for t in node.input_tensors:
            if last_use.get(id(t)) == k:
                live.pop(id(t), None)
    return peak


_INTEGER_BYTES = {k: v for k, v in _KIND_BYTES.items() if not k.startswith("float")}  # (kept whatever --dtype)


def _memory(model, settings, activations, inference_live):
    weights = model.weights
    pbytes = settings.param_bytes

    def stored(w):  # a quantized layer's integer tables keep their own dtype whatever --dtype says
        return w.size * _INTEGER_BYTES.get(w.dtype, pbytes)
    params = sum(stored(w) for w in weights if w.declared_trainable)
    buffers = sum(stored(w) for w in weights if not w.declared_trainable)
    trainable = [w for w in model.trainable_weights] if model.trainable else []
    grads = sum(w.size for w in trainable) * pbytes
    opt = settings.optimizer
    if opt == "sgd":
        state = 0
    elif opt == "momentum":
        state = grads
    else:  # adam, adamw: two moments per parameter, and a float32 step count per tensor (torch's state["step"])
        state = 2 * grads + 4 * len(trainable)
    peak = None if activations is None else params + buffers + grads + state + activations
    inference = None if inference_live is None else params + buffers + inference_live
    return {"batch": settings.batch, "dtype": settings.dtype, "optimizer": opt, "parameters": params,
            "buffers": buffers, "gradients": grads, "optimizer_state": state, "activations": activations,
            "training_peak": peak, "inference_peak": inference}


def _dominant(memory, settings):
    """A sentence on what dominates a training step's memory, and what would shrink it."""
    peak = memory["training_peak"]
    if not peak:
        return None
    parts = {"parameters": memory["parameters"] + memory["buffers"], "gradients": memory["gradients"],
             "optimizer state": memory["optimizer_state"], "activations": memory["activations"]}
    name, value = max(parts.items(), key=lambda kv: kv[1])
    share = 100 * value / peak
    advice = {
        "activations": "halve the batch or use bfloat16" if settings.dtype == "float32" else "halve the batch",
        "optimizer state": (f"{settings.optimizer} keeps two moments per parameter; momentum keeps one, sgd none"
                            if settings.optimizer in ("adam", "adamw") else "sgd without momentum keeps none"),
        "parameters": "bfloat16 halves them" if settings.param_bytes == 4 else "they are fixed by the model",
        "gradients": "bfloat16 halves them" if settings.param_bytes == 4 else "they are fixed by the model",
    }[name]
    return f"{name}, {share:.0f}% at batch {settings.batch} ({advice})"


def _global_text(expr, batch, names=None):
    """An expression over a whole model as a polynomial in its unknown dims, the batch set and every known dim a
    number: ``448·steps − 896``. ``names``: the name to write for each unknown leaf (by id)."""
    names = names or {}
    atoms = {}
    poly = _poly(expr, batch, names, atoms, {})
    if poly is None:
        return _render_global(expr, batch, names)
    # each monomial by its factors' names, in name order (the atoms' keys are ids: their order is the memory's,
    # which would make the same model's formula differ from run to run)
    by_names = {}
    for key, coeff in poly.items():
        written = tuple(sorted(atoms[a] for a in key))
        by_names[written] = by_names.get(written, 0) + coeff
    terms = []
    for written in sorted(by_names, key=lambda k: (-len(k), k)):
        coeff = by_names[written]
        if not coeff:
            continue
        factors = "·".join(written)
        if not factors:
            text = fmt_int(abs(coeff))
        elif abs(coeff) == 1:
            text = factors
        else:
            text = f"{fmt_int(abs(coeff))}·{factors}"
        terms.append((coeff < 0, text))
    if not terms:
        return "0"
    out = ("−" if terms[0][0] else "") + terms[0][1]
    for neg, text in terms[1:]:
        out += f" {'−' if neg else '+'} {text}"
    return out


def _poly(d, batch, names, atoms, memo):
    """{sorted tuple of atom keys: coefficient}, or None where the expression is not a polynomial of its leaves
    (a division of unknowns is kept as one atom)."""
    key = id(d)
    if key in memo:
        return memo[key]
    v = _eval(d, batch, {})
    cls = type(d)
    if v is not None:
        r = {(): v}
    elif cls is Named:
        r = _poly(d.inner, batch, names, atoms, memo)
    elif cls is Unknown:
        atoms[key] = names.get(key, d.name if d.name != "None" else "n")
        r = {(key,): 1}
    elif cls is _Sum:
        a, b = _poly(d.left, batch, names, atoms, memo), _poly(d.right, batch, names, atoms, memo)
        r = None if a is None or b is None else _padd(a, b)
    elif cls is _Neg:
        a = _poly(d.operand, batch, names, atoms, memo)
        r = None if a is None else {k: -c for k, c in a.items()}
    elif cls is _Prod:
        a, b = _poly(d.left, batch, names, atoms, memo), _poly(d.right, batch, names, atoms, memo)
        r = None if a is None or b is None else _pmul(a, b)
    else:  # a division with an unknown: one atom, written out
        atoms[key] = _render_global(d, batch, names)
        r = {(key,): 1}
    memo[key] = r
    return r


def _padd(a, b):
    out = dict(a)
    for k, c in b.items():
        out[k] = out.get(k, 0) + c
    return out


def _pmul(a, b):
    out = {}
    for ka, ca in a.items():
        for kb, cb in b.items():
            k = tuple(sorted(ka + kb))
            out[k] = out.get(k, 0) + ca * cb
    return out


def _render_global(d, batch, names=None):
    names = names or {}
    v = _eval(d, batch, {})
    if v is not None:
        return fmt_int(v) if v >= 0 else f"−{fmt_int(-v)}"
    cls = type(d)
    if cls is Named:
        return _render_global(d.inner, batch, names)
    if cls is Unknown:
        return names.get(id(d), d.name if d.name != "None" else "n")
    if cls is _Sum:
        return f"{_render_global(d.left, batch, names)} + {_render_global(d.right, batch, names)}"
    if cls is _Prod:
        def wrap(x):
            s = _render_global(x, batch, names)
            return f"({s})" if type(_unwrap(x)) is _Sum else s
        return f"{wrap(d.left)}·{wrap(d.right)}"
    if cls is _Neg:
        return f"−({_render_global(d.operand, batch, names)})"
    if cls is _FloorDiv:
        return f"⌊({_render_global(d.num, batch, names)}) / {_render_global(d.den, batch, names)}⌋"
    if cls is _CeilDiv:
        return f"⌈({_render_global(d.num, batch, names)}) / {_render_global(d.den, batch, names)}⌉"
    if cls is _ExactDiv:
        return f"({_render_global(d.num, batch, names)}) / {_render_global(d.den, batch, names)}"
    return "?"


def _unwrap(d):
    while type(d) is Named and d.value is None:
        d = d.inner
    return d


def readable_flops(n):
    """245,888 -> '245.89 KFLOPs' style, for the footer."""
    if n is None:
        return "?"
    for unit, scale in (("T", 10 ** 12), ("G", 10 ** 9), ("M", 10 ** 6), ("K", 10 ** 3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}FLOPs"
    return f"{n} FLOPs"


__all__ = ["ACTIVATION_OPS", "Cost", "DEFAULT", "LayerCompute", "ModelCompute", "SAVES_OUTPUT", "Settings",
           "activation_key", "evaluate", "layer_cost", "model_compute", "no_compute", "view_compute"]
