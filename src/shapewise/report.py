"""The result: plain data about a built model, derived from the rules' declarations. Renderers read only this.

Everything a user sees about parameters is computed here from the weights a rule declared: the count is the
sum over weights of the product of each weight's dims, the formula text is those dims rendered with names and
with numbers, and the free dims are the input axes no weight mentions.
"""

from __future__ import annotations

import re
from itertools import chain
from operator import attrgetter

from .dims import Known, Named, Unknown, fmt_int
from .engine import Context, Layer, Node, Spec, gc_paused
from .errors import NotReplayableError, ShapewiseError, UnknownDimError
from .graph import Functional, InputLayer, Model, Sequential

_VALUE = attrgetter("value")
_TRAINABLE = attrgetter("trainable")
_INPUT_TENSORS = attrgetter("input_tensors")
_DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1, "int16": 2,
                "int32": 4, "int64": 8, "bool": 1}


def weight_bytes(w):
    """The bytes of one number of a weight, as Keras's summary counts them: its own dtype (a quantized layer's int8
    kernel), else its layer's variable dtype (``int8_from_bfloat16`` keeps its scales and bias in bfloat16)."""
    return _DTYPE_BYTES.get(w.dtype or w.owner.variable_dtype, 4)


class WeightReport:
    __slots__ = ("name", "shape", "trainable", "size", "owner", "_dims")

    def __init__(self, w, owner_path=None, trainable=None):
        self.name = w.name
        self.shape = list(w.shape)
        self.trainable = w.trainable if trainable is None else trainable
        self.size = w.size
        self.owner = owner_path
        self._dims = w.dims

    @property
    def formula(self):
        """The shape with names: ``features × 4·units``."""
        return " × ".join(d.names() for d in self._dims)

    @property
    def numbers(self):
        """The shape with numbers: ``64 × 128``."""
        return " × ".join(str(v) for v in self.shape)

    @property
    def label(self):
        return f"{self.owner}/{self.name}" if self.owner else self.name

    def to_json(self):
        out = {"name": self.name, "shape": self.shape, "trainable": self.trainable, "formula": self.formula,
               "size": self.size}
        if self.owner:
            out["sublayer"] = self.owner
        return out


class Explanation:
    __slots__ = ("inputs", "outputs", "notes", "derived", "weights", "formula", "formula_numbers", "free",
                 "free_text", "units", "children")

    def shape_text(self):
        text = f"{self.inputs} → {self.outputs}" if self.inputs is not None else self.outputs
        if self.notes:
            text += ": " + "; ".join(self.notes)
        return text

    def params_text(self):
        if not self.weights:
            return "no weights: 0 parameters"
        parts = [f"{w.label}: {w.formula or 'scalar'} = {_eq_numbers(w)}{fmt_int(w.size)}" for w in self.weights]
        total = sum(w.size for w in self.weights)
        tail = f"total {fmt_int(total)}"
        if self.formula:
            tail += f" = {self.formula} = {self.formula_numbers}"
        elif len(self.weights) > 1:
            tail += " = " + " + ".join(fmt_int(w.size) for w in self.weights)
        return "; ".join(parts + [tail])

    def free_dims(self):
        return [role for role, _ in self.free if role != "batch"]

    def to_json(self):
        return {
            "shape": self.shape_text(),
            "derived": self.derived,
            "params": self.params_text(),
            "formula": self.formula,
            "free_dims": self.free_dims(),
            "free": self.free_text,
            "units": self.units,
        }


def _eq_numbers(w):
    """'64 × 128 = ' when the dims show numbers worth writing out; '' for a single known dim equal to itself."""
    if w.formula == w.numbers:
        return ""
    if len(w.shape) == 1:
        return ""
    return f"{w.numbers} = "


class LayerReport:
    """One row of the summary, and what the explanation and JSON need about the layer.

    What only the explanation or the JSON reads (the input shape, the per-weight reports, the explanation) is
    derived on first use from objects that do not change once built (the layer's node, its weights, its build
    context and the trainable flags as they were when the report was made), so a summary alone never pays for it.
    """

    __slots__ = ("name", "type", "output_shape", "params", "trainable", "non_trainable", "connected_to", "nested",
                 "built", "_input", "_weights", "_flags", "_weight_reports", "_explanation", "_relevant", "compute")
    # compute: the layer's figures (shapewise.compute.LayerCompute), set when its model's compute is derived

    # _input: the input shape, or the node to derive it from (a Node). _weights: the layer's Weights in Keras's
    # order (a shared empty tuple when it has none). _flags: their trainable flags when the report was made, or,
    # when they are all the layer's own weights, the layer's trainable flag then (a bool: each weight's flag is its
    # declared flag and the layer's, as Weight.trainable computes it): no list per row. _explanation: the
    # explanation, or the layer's build context to derive it from, or None. _relevant: the model's relevant node
    # ids.

    @property
    def input_shape(self):
        value = self._input
        if type(value) is Node:
            value = self._input = _shape_json(value.input_tensors)
        return value

    @input_shape.setter
    def input_shape(self, value):
        self._input = value

    def _weight_flags(self):
        flags = self._flags
        if type(flags) is bool:
            return [w.declared_trainable and flags for w in self._weights]
        return flags

    @property
    def weights(self):
        """A WeightReport per weight, in Keras's order, with the trainable flags of when the report was made."""
        if self._weight_reports is None:
            self._weight_reports = [WeightReport(w, None, t) for w, t in zip(self._weights, self._weight_flags())]
        return self._weight_reports

    @weights.setter
    def weights(self, value):
        self._weight_reports = value

    @property
    def explanation(self):
        """Derived on first use from the rule's declarations: a summary alone never pays for it."""
        ctx = self._explanation
        if type(ctx) is Context:
            relevant = self._relevant
            nodes = ctx.layer._inbound_nodes
            later = [(k + 1, n.ctx) for k, n in enumerate(nodes) if k and n.ctx is not None
                     and (relevant is None or id(n) in relevant)]
            trainable = dict(zip(map(id, self._weights), self._weight_flags()))  # as when the report was made
            outputs = [t.spec for t in nodes[0].output_tensors] if nodes else []  # built by build(shape): no call
            self._explanation = explanation_of(ctx, outputs, later, trainable)
        return self._explanation

    def to_json(self, explain=True, settings=None):
        out = {
            "name": self.name, "type": self.type, "input_shape": self.input_shape,
            "output_shape": self.output_shape, "params": self.params, "trainable": self.trainable,
            "non_trainable": self.non_trainable, "weights": [w.to_json() for w in self.weights],
        }
        compute = getattr(self, "compute", None)
        if compute is not None:
            out.update(compute.to_json())
        if explain:
            out["explanation"] = self.explanation.to_json() if self.explanation else None
            if out["explanation"] is not None and compute is not None:
                out["explanation"]["compute"] = compute.explanation_text()
        if self.connected_to is not None:
            out["connected_to"] = self.connected_to
        if self.nested is not None:
            out["model"] = self.nested.to_json(explain, settings)
        return out


class InputAxis:
    """One axis of a model input, and whether the model's parameter count depends on its size.

    ``affects_params`` is False when the whole model builds with that axis unknown (so no weight's shape can
    depend on it), True when some weight needs its size (``because`` names the layer and weight), and None when
    the model cannot be built with that axis unknown for another reason.
    """

    __slots__ = ("input", "axis", "role", "size", "affects_params", "because")

    def to_json(self):
        return {"input": self.input, "axis": self.axis, "name": self.role, "size": self.size,
                "affects_params": self.affects_params, "because": self.because}


class ModelReport:
    __slots__ = ("name", "type", "layers", "rows", "total_params", "trainable_params", "non_trainable_params",
                 "total_bytes", "trainable_bytes", "non_trainable_bytes", "sequential_like", "_model", "_input_axes",
                 "_graph", "_computed")

    def compute(self, settings=None):
        """The model's compute and memory at ``settings`` (shapewise.compute.Settings; default batch 1, float32,
        adam), derived on first use from the layers' declarations; each row's figures are set on it."""
        from .compute import DEFAULT, model_compute

        settings = settings or DEFAULT
        cache = self._computed
        if cache is None:
            cache = self._computed = {}
        mc = cache.get(settings.key())
        if mc is None:
            mc = cache[settings.key()] = model_compute(self, self._graph, settings)
        for r, row in zip(self.layers, mc.rows):
            r.compute = row
        return mc

    @property
    def input_axes(self):
        """Computed on first use (it rebuilds the model once per input axis); a summary alone never pays for it."""
        if self._input_axes is None:
            self._input_axes = input_axes(self._model)
            self._model = None
        return self._input_axes

    def to_json(self, explain=True, settings=None):
        mc = self.compute(settings)
        out = {
            "name": self.name, "type": self.type,
            "layers": [layer.to_json(explain, settings) for layer in self.layers],
            "total_params": self.total_params, "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "compute": mc.compute_json(), "memory": mc.memory_json(),
        }
        if self.rows is not self.layers:
            # ops applied to the model's tensors outside any layer: rows of Keras's summary, not in model.layers
            in_layers = set(map(id, self.layers))
            out["operations"] = [r.to_json(False) for r in self.rows if id(r) not in in_layers]
            out["summary"] = [r.name for r in self.rows]
        if explain:
            out["input_dims"] = [a.to_json() for a in self.input_axes]
        return out


# --------------------------------------------------------------------------------------------------------------


def _shape_json(tensors):
    """A flat list of tensors as JSON shapes: one list, or a list of lists for several tensors."""
    if len(tensors) == 1:
        return list(map(_VALUE, tensors[0].spec.shape))  # = list(t.shape), without the intermediate tuple
    return [list(map(_VALUE, t.spec.shape)) for t in tensors]


def _axis_text(d):
    """How one dim reads in a shape explanation: 'batch', 'timesteps=10', 'units=32', '5'."""
    if isinstance(d, Named) or (isinstance(d, Known) and d.role):
        if d.value is None:
            return d.role
        return f"{d.role}={d.value}"
    if d.value is None:
        return d.names()
    names = d.names()
    return names if names == str(d.value) else f"{names}={d.value}"


def _shape_text(dims):
    return "(" + ", ".join(_axis_text(d) for d in dims) + ")"


def _specs_text(specs):
    texts = [_shape_text(s) for s in specs]
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"


def explanation_of(ctx, out_specs, later=(), trainable=None):
    """Derive a layer's explanation from the context its rule filled in (``later``: the layer's later calls, as
    (call number, context), whose warnings are added to the notes; ``trainable``: each weight's trainable flag by
    id, as when the report was made, else each weight's flag now)."""
    ex = Explanation()
    if ctx.input_specs:
        ex.inputs = _specs_text(ctx.bound_axes() or [s.shape for s in ctx.input_specs])
        ex.outputs = _specs_text([s.shape for s in out_specs])
    else:  # an InputLayer: only its own (named) axes
        ex.inputs = None
        ex.outputs = _specs_text(ctx.bound_axes() or [s.shape for s in out_specs])
    ex.notes = list(ctx.notes)
    for k, later_ctx in later:
        ex.notes.extend(f"call {k}: {w}" for w in later_ctx.all_warnings())
    ex.derived = [f"{d.role} = {d.inner.names()} = {d.inner.numbers()} = {d.value if d.value is not None else 'None'}"
                  if d.inner.names() != d.inner.numbers() else f"{d.role} = {d.inner.names()} = {d.value}"
                  for d in ctx.derived]
    owners = {}
    _weight_owners(ctx, "", owners)
    if len({owners.get(id(w)) for w in ctx.weights}) <= 1:
        owners = {}  # one owner (an LSTM's cell): the label would only add noise
    if trainable is None:
        trainable = {}
    ex.weights = [WeightReport(w, owners.get(id(w)), trainable.get(id(w))) for w in ctx.weights]
    total = sum(w.size for w in ctx.weights)
    if ctx.param_formula is not None:
        if ctx.param_formula.value != total:
            raise AssertionError(
                f"{ctx.layer.name}: the rule's formula {ctx.param_formula.names()} = {ctx.param_formula.value} "
                f"disagrees with its weights ({total})")
        ex.formula = ctx.param_formula.names()
        ex.formula_numbers = ctx.param_formula.numbers()
    else:
        ex.formula = ex.formula_numbers = None
    free = ctx.free_axes() if ctx.weights else []
    ex.free = [(a.role, a.value) for a in free]
    ex.free_text = ctx.free_text
    ex.units = ctx.unit_text
    ex.children = [(label, explanation_of(child, [], (), trainable)) for label, child in ctx.children]
    return ex


def _weight_owners(ctx, prefix, owners):
    """Label each weight a sublayer declared with its sublayer path, as Keras's weight paths do
    (``query/kernel``, ``forward_lstm/lstm_cell/kernel``); the deepest sublayer wins."""
    for _, child in ctx.children:
        path = f"{prefix}{child.layer.name}"
        for w in child.weights:
            owners[id(w)] = path
        _weight_owners(child, path + "/", owners)


def layer_report(layer, node=None, relevant=None):
    """The report of one layer, at ``node`` (by default its last call among the ``relevant`` node ids)."""
    weights = layer.weights
    return _layer_report(layer, node, relevant, weights, list(map(_TRAINABLE, weights)))


def _layer_report(layer, node, relevant, weights, flags):
    """layer_report, given the layer's weights and their trainable flags (``Weight.trainable`` asks the owning
    layer, so model_report reads the flags once and uses them for the rows and the totals). model_report makes
    the rows of most layers itself (see there); this is the general case."""
    r = LayerReport()
    r.name = layer.name
    is_model = isinstance(layer, Model)
    r.type = type(layer).__name__ if is_model else type(layer).keras_name
    if node is None:
        nodes = layer._inbound_nodes
        node = nodes[-1] if nodes else None
        if relevant is not None and node is not None and id(node) not in relevant:
            node = next((n for n in reversed(nodes) if id(n) in relevant), None)
    r.built = layer.built
    if node is None:
        r._input, r.output_shape = None, _built_shape(layer)
    elif isinstance(layer, InputLayer):
        r._input = r.output_shape = list(layer._input_tensor.shape)
    else:
        r._input = node  # for the input shape, on first use
        outputs = node.output_tensors  # = flatten(node.outputs)
        r.output_shape = list(map(_VALUE, outputs[0].spec.shape)) if len(outputs) == 1 else _shape_json(outputs)
    params = trainable = 0
    if weights:
        for w, t in zip(weights, flags):
            params += w.size
            if t:
                trainable += w.size
    if not layer.trainable:  # Keras: a layer that is not trainable lists none of its weights as trainable
        trainable = 0
    r.params = params
    r.trainable = trainable
    r.non_trainable = params - trainable
    r._weights, r._flags, r._weight_reports = weights, flags, None
    r.connected_to = None
    r.nested = model_report(layer) if is_model else None
    r._explanation = None if is_model else layer._build_ctx  # the explanation is derived from it on first use
    r._relevant = relevant
    return r


def _built_shape(layer):
    """The output shape of a layer built by ``layer.build(shape)`` and never called (as Keras's summary shows it),
    else None."""
    spec = layer.__dict__.get("_built_output")
    return list(spec.values()) if isinstance(spec, Spec) else None


def _plain_kind(cls):
    """The Keras name of a layer class whose rows model_report makes itself: a layer (not a model, not an input)
    whose weights, built and trainable are Layer's own. "" for any other class."""
    if issubclass(cls, (Model, InputLayer)) or cls.weights is not Layer.weights or cls.built is not Layer.built \
            or cls.trainable is not Layer.trainable:
        return ""
    return cls.keras_name


@gc_paused  # one burst of objects that all stay alive (see engine.gc_paused)
def model_report(model):
    m = ModelReport()
    m.name = model.name
    m.type = type(model).__name__
    layers = model.layers
    relevant = None
    sequential_like = True
    operations = False
    if isinstance(model, Functional):
        # Keras's summary of a functional model lists its operations (model._operations): its layers and the ops
        # applied to its tensors outside any layer (``x * 2``, ``ops.mean(x)``), in graph order
        if len(model._layers) != len(layers):
            layers, operations = model._layers, True
        by_depth = model._nodes_by_depth.values()
        relevant = set(map(id, chain.from_iterable(by_depth)))
        # Keras draws a functional model as a sequential one when no depth has several nodes, no node has several
        # input tensors, and no layer has several relevant calls (that last test is made in the loop below).
        if max(map(len, by_depth), default=0) > 1 or \
                max(map(len, map(_INPUT_TENSORS, chain.from_iterable(by_depth))), default=0) > 1:
            sequential_like = False
    m.layers = reports = []
    # The totals are over model.weights: every layer's weights, in layer order, each weight once. They are summed
    # row by row while no weight can be in two rows (each row's weights are its own layer's); else (a nested
    # model, a wrapper, another layer's weight) they are recomputed at the end, each weight once.
    by_rows = True
    trainable_params = non_trainable_params = trainable_bytes = non_trainable_bytes = 0
    kinds = {}  # by class: _plain_kind
    for layer in layers:
        # The node the row shows: the layer's last relevant call.
        nodes = layer._inbound_nodes
        if len(nodes) == 1:
            node = nodes[0]
            if relevant is not None and id(node) not in relevant:
                node = None
        elif not nodes:
            node = None
        elif relevant is None:
            node = nodes[-1]
        else:
            if sequential_like and sum(1 for n in nodes if id(n) in relevant) > 1:
                sequential_like = False  # (Keras's test, see above): the rows before this one get their inputs
                for r, earlier in zip(reports, layers):
                    r.connected_to = _connections(earlier, relevant)
            node = next((n for n in reversed(nodes) if id(n) in relevant), None)
        cls = type(layer)
        kind = kinds.get(cls)
        if kind is None:
            kind = kinds[cls] = _plain_kind(cls)
        if operations and getattr(cls, "is_operation", False):
            kind = layer.keras_name  # the op's Keras class (Multiply, Mean): an Operation, no weights, params 0
        ws = layer._weights if kind else None
        if ws:
            # Layer.weights is the trainable weights, then the others; the row is made here when they are in that
            # order already and all the layer's own (as nearly always).
            params = trainable = 0
            frozen = typed = False
            for w in ws:
                if w.owner is not layer or (frozen and w.declared_trainable):
                    kind = ""
                    break
                params += w.size
                if w.declared_trainable:
                    trainable += w.size
                else:
                    frozen = True
                if w.dtype is not None:
                    typed = True  # a quantized layer's int8 weights: their own byte size
        if not kind:  # the general case
            weights = layer.weights
            flags = list(map(_TRAINABLE, weights)) if weights else []
            r = _layer_report(layer, node, relevant, weights, flags)
            if weights:
                by_rows = False
            if not sequential_like:
                r.connected_to = _connections(layer, relevant)
            reports.append(r)
            continue
        # A plain layer: _layer_report, inlined.
        r = LayerReport()
        r.name = layer.name
        r.type = kind
        if node is None:
            r._input, r.output_shape = None, _built_shape(layer)
        else:
            r._input = node  # for the input shape, on first use
            outputs = node.output_tensors  # = flatten(node.outputs)
            r.output_shape = [d.value for d in outputs[0].spec.shape] if len(outputs) == 1 else _shape_json(outputs)
        if ws:
            r.built = True
            flag = layer.trainable  # every weight is the layer's own: its flag is its declared flag and this
            if not flag:
                trainable = 0
            r.params, r.trainable, r.non_trainable = params, trainable, params - trainable
            r._weights, r._flags = ws, flag
            trainable_params += trainable
            non_trainable_params += params - trainable
            if typed:
                for w in ws:
                    if w.declared_trainable and flag:
                        trainable_bytes += w.size * weight_bytes(w)
                    else:
                        non_trainable_bytes += w.size * weight_bytes(w)
            else:
                size = _DTYPE_BYTES.get(layer.dtype, 4)
                trainable_bytes += trainable * size
                non_trainable_bytes += (params - trainable) * size
        else:
            r.built = ws is not None
            r.params = r.trainable = r.non_trainable = 0
            r._weights = r._flags = ()  # one shared empty tuple: no list per weightless row
        if sequential_like:
            r.connected_to = None
        elif len(nodes) == 1 and node is not None and len(node.input_tensors) == 1:
            # one call (the relevant one) on one tensor: _connections, inlined
            inbound, node_index, tensor_index = node.input_tensors[0]._keras_history
            if node_index or tensor_index:
                r.connected_to = [f"{inbound.name}[{node_index}][{tensor_index}]"]
            else:  # nearly always: no ints to format
                r.connected_to = [inbound.name + "[0][0]"]
        else:
            r.connected_to = _connections(layer, relevant)
        r.nested = r._weight_reports = None
        r._explanation = layer._build_ctx  # the explanation is derived from it on first use
        r._relevant = relevant
        reports.append(r)
    m.sequential_like = sequential_like
    m.rows = reports
    if operations:
        m.layers = reports = [r for r, layer in zip(reports, layers) if not getattr(layer, "is_operation", False)]
    if getattr(model, "is_custom", False):
        # In a subclassed model (no graph), Keras's summary shows a nested model's own output shape (its graph's,
        # batch axis unknown) rather than that of the call that ran it
        for r, layer in zip(reports, layers):
            if isinstance(layer, Functional) or (isinstance(layer, Sequential) and layer.built_graph is not None):
                try:
                    shape = layer.output_shape
                except ShapewiseError:
                    continue
                r.output_shape = list(shape) if isinstance(shape, tuple) else [list(x) for x in shape]
    if not by_rows or getattr(model, "_own", None):
        trainable_params = non_trainable_params = trainable_bytes = non_trainable_bytes = 0
        all_weights = []
        all_flags = []
        for r in reports:
            all_weights += r._weights
            all_flags += r._weight_flags()
        # A subclassed model's own weights (its add_weight) are in no layer's row but in its totals, as Keras's
        own = getattr(model, "_own", None)
        if own:
            all_weights += own
            all_flags += [w.declared_trainable for w in own]
        for w, t in dict(zip(map(id, all_weights), zip(all_weights, all_flags))).values():
            size = w.size
            if t:
                trainable_params += size
                trainable_bytes += size * weight_bytes(w)
            else:
                non_trainable_params += size
                non_trainable_bytes += size * weight_bytes(w)
    # A model that is not trainable lists all its weights as non-trainable (each weight keeps its own flag).
    if not model.trainable:
        non_trainable_params += trainable_params
        non_trainable_bytes += trainable_bytes
        trainable_params = trainable_bytes = 0
    m.trainable_params, m.non_trainable_params = trainable_params, non_trainable_params
    m.total_params = trainable_params + non_trainable_params
    m.trainable_bytes, m.non_trainable_bytes = trainable_bytes, non_trainable_bytes
    m.total_bytes = trainable_bytes + non_trainable_bytes
    m._model, m._input_axes = model, None
    m._graph, m._computed = model, None  # (the compute is derived from the model's graph when asked)
    return m


def _inputs_of(model):
    try:
        return list(model.inputs)
    except ShapewiseError:
        return []  # an unbuilt Sequential has no inputs yet


def _axis_role(model, tensor, axis):
    """The name the first layer reading ``tensor`` gave to ``axis`` (Conv2D calls it height, LSTM timesteps)."""
    for layer in model.layers:
        for node in layer._inbound_nodes:
            if tensor in node.input_tensors:
                k = node.input_tensors.index(tensor)
                if isinstance(layer, Model):
                    inner = _inputs_of(layer)
                    if k < len(inner):
                        return _axis_role(layer, inner[k], axis)
                ctx = node.ctx
                if ctx is not None and k < len(ctx.axes) and axis < len(ctx.bound_axes()[k]):
                    return ctx.axes[k][axis].role
                return f"dim{axis}"
    return f"dim{axis}"


def input_axes(model):
    """For each known non-batch axis of each input: does the parameter count depend on its size?

    Derived, not declared: the model is run again with that one axis unknown; if every weight still has a known
    shape, no weight can depend on it.
    """
    inputs = _inputs_of(model)
    if not inputs or not model.built:
        return []
    out = []
    for i, tensor in enumerate(inputs):
        for axis in range(1, len(tensor.shape)):
            size = tensor.shape[axis]
            if size is None:
                continue
            a = InputAxis()
            a.input, a.axis, a.size = tensor._keras_history[0].name, axis, size
            a.role = _axis_role(model, tensor, axis)
            specs = [t.spec for t in inputs]
            shape = list(specs[i].shape)
            shape[axis] = Unknown(a.role)
            specs[i] = Spec(shape, specs[i].dtype)
            try:
                model.infer(Context(model, specs, fresh=True), specs if len(specs) > 1 else specs[0])
            except NotReplayableError:
                return []  # a custom layer's code is only run on the real input: no claim about any axis
            except UnknownDimError as e:
                a.affects_params, a.because = True, f"{e.layer} ({e.layer_type}): {e.message}"
            except ShapewiseError as e:
                a.affects_params, a.because = None, f"{e.layer} ({e.layer_type}): {e.message}"
            else:
                a.affects_params, a.because = False, None
            out.append(a)
    return out


def _connections(layer, relevant):
    """Keras's "Connected to": each input of the layer's relevant calls, as ``inbound_layer[node][tensor]``."""
    out = []
    for node in layer._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue
        for t in node.input_tensors:
            inbound, node_index, tensor_index = t._keras_history
            if node_index == 0 == tensor_index:  # nearly always: no ints to format
                out.append(inbound.name + "[0][0]")
            else:
                out.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    return out


def readable_bytes(n):
    """Keras's readable_memory_size: '48.76 KB'."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


class RunResult:
    """What running a snippet produced, in order: printed lines and model reports; then an error, if any.

    ``events`` is a list of ("print", text) and ("model", ModelReport); ``skipped`` lists (line, reason) for
    statements that were skipped because they have nothing to do with the model; ``notes`` lists (line, text)
    for lines that make a model shapewise does not build (``keras.models.load_model(...)``): the models reported
    are then not all the snippet's models, and every format says so.
    """

    __slots__ = ("events", "error", "skipped", "notes")

    def __init__(self, events=None, error=None, skipped=None, notes=None):
        self.events = events or []
        self.error = error
        self.skipped = skipped or []
        self.notes = notes or []

    def note_lines(self):
        """The notes as sentences, one per line of the snippet."""
        return [f"line {line}: {text}" for line, text in self.notes]

    @property
    def models(self):
        return [item for kind, item in self.events if kind == "model"]

    @property
    def printed(self):
        return [item for kind, item in self.events if kind == "print"]

    def to_json(self, explain=True, settings=None):
        return {
            "schema": "shapewise/1",
            "models": [m.to_json(explain, settings) for m in self.models],
            "printed": self.printed,
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
            **({"notes": [{"line": line, "text": text} for line, text in self.notes]} if self.notes else {}),
            "error": self.error.to_json() if self.error is not None else None,
        }


# A block in Keras's layer names: conv2_block1_0_bn, block3a_expand_conv, block_5_project, ..._stage_1_block_2_...
_BLOCK = r"^(?P<stage>.*?)_?block_?(?P<id>\d+[a-z]?)(?:_|$)"  # compiled on the first model with a "block" name


def block_groups(model):
    """Repeated blocks of a large model, found from Keras's layer names (``conv2_block1_0_bn``,
    ``block3a_expand_conv``, ``block_5_project``, ``convnext_tiny_stage_1_block_2_...``).

    Returns [(stage, [block ids in order], n_layers, params)], plus a last entry with stage None for the layers
    outside any block. Empty when the names show no blocks.
    """
    if not any("block" in layer.name for layer in model.layers):
        return []  # no name can match
    block_re = re.compile(_BLOCK)
    stages = {}
    outside_layers = outside_params = 0
    for layer in model.layers:
        match = block_re.match(layer.name)
        if not match:
            outside_layers += 1
            outside_params += layer.params
            continue
        stage, block = match.group("stage"), match.group("id")
        if not stage and block[-1].isalpha():
            stage = "block" + block[:-1]
        entry = stages.setdefault(stage, [[], 0, 0])
        if block not in entry[0]:
            entry[0].append(block)
        entry[1] += 1
        entry[2] += layer.params
    if not stages:
        return []
    groups = [(stage, ids, n, params) for stage, (ids, n, params) in stages.items()]
    groups.append((None, [], outside_layers, outside_params))
    return groups
