"""Models: ``Input``/``InputLayer``, functional models and ``Sequential``, all usable as layers.

Graph order (``model.layers``) follows Keras 3's ``map_graph`` exactly: a depth-first walk from the outputs
gives each layer a traversal index, layers are grouped by depth from the outputs, deepest first, and ordered by
traversal index within a depth.
"""

from __future__ import annotations

from . import engine
from .dims import Unknown, as_dim
from .engine import (
    Context,
    KerasTensor,
    Layer,
    Node,
    Spec,
    _dtype_name,
    flatten,
    map_structure,
    register,
)
from .compute import no_compute
from .errors import ArgumentError, ShapeError


def standardize_shape(shape, arg="shape"):
    """Keras's standardize_shape: a tuple/list of non-negative ints or None (Dims from data allowed)."""
    if shape is None:
        raise ArgumentError("Undefined shapes are not supported.", expected=f"{arg}=(d1, d2, ...)")
    if hasattr(shape, "value") and not isinstance(shape, int) and shape.value is None:
        # a value taken from data the snippet does not have (X.shape[1:] after pd.read_csv): not even its rank is known
        raise ArgumentError(
            f"the {arg} `{shape.names()}` comes from data the snippet does not have, so neither its number of axes "
            f"nor their sizes are known",
            expected=f"{arg}= as a tuple of numbers, e.g. {arg}=(13,)",
            fix=f"write the {arg} out as numbers (what `{shape.names()}` is for your data)")
    if not isinstance(shape, (tuple, list)):
        raise ArgumentError(
            f"Cannot convert '{shape}' to a shape.",
            expected="a tuple of dimensions",
            fix=f"write {arg}=({shape},) — a one-element tuple needs the trailing comma",
        )
    out = []
    for d in shape:
        if d is None or (hasattr(d, "value") and not isinstance(d, int)):
            out.append(d)
            continue
        if isinstance(d, bool) or not isinstance(d, int):
            raise ArgumentError(
                f"Cannot convert '{tuple(shape)}' to a shape. Found invalid dimension '{d}' of type "
                f"'{type(d).__name__}'.",
                expected="ints or None", fix="use integers for sizes, None for a size that varies",
            )
        if d < 0:
            raise ArgumentError(
                f"Cannot convert '{tuple(shape)}' to a shape. Negative dimensions are not allowed.",
                expected="sizes ≥ 0",
            )
        out.append(d)
    return tuple(out)


def _input_dim(d, index):
    """An Input's dim: None becomes a named unknown (batch for axis 0)."""
    if d is None:
        return Unknown("batch" if index == 0 else "None")
    return as_dim(d)


@register()
class InputLayer(Layer):
    """The model's entry point: produces a symbolic tensor of the given shape, with no weights."""

    compute = no_compute  # the entry point does no work and keeps nothing

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        Layer.__init__(self, name=name)
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ArgumentError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}",
                                layer=self.name, layer_type="InputLayer")
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ArgumentError(
                    f"Argument `input_tensor` must be a KerasTensor. Received invalid type: "
                    f"input_tensor={input_tensor!r}", layer=self.name, layer_type="InputLayer")
            batch_shape = input_tensor.shape
            dtype = input_tensor.dtype
        else:
            if shape is not None and batch_shape is not None:
                raise ArgumentError("You cannot pass both `shape` and `batch_shape` at the same time.",
                                    layer=self.name, layer_type="InputLayer")
            if batch_size is not None and batch_shape is not None:
                raise ArgumentError("You cannot pass both `batch_size` and `batch_shape` at the same time.",
                                    layer=self.name, layer_type="InputLayer")
            if shape is None and batch_shape is None:
                raise ArgumentError("You must pass a `shape` argument.", layer=self.name,
                                    layer_type="InputLayer", fix="Input(shape=(...))")
            if shape is not None:
                batch_shape = (batch_size,) + standardize_shape(shape)
        self.batch_shape = standardize_shape(batch_shape, "batch_shape")
        self.dtype = _dtype_name(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self._weights = []
        spec = Spec(tuple(_input_dim(d, i) for i, d in enumerate(self.batch_shape)), self.dtype)
        if input_tensor is not None:
            tensor = input_tensor
        else:
            tensor = KerasTensor(spec, self, 0, 0, name=name)
            tensor._keras_history = (self, 0, 0)
        self._input_tensor = tensor
        ctx = Context(self, [])
        ctx.bind(spec, *(["batch"] + [f"dim{i}" for i in range(1, spec.rank)]))
        ctx.note("the model's entry point; its shape is what you declared, with the batch axis first")
        self._build_ctx = ctx
        node = Node(self, (), {}, tensor, ctx, is_input=True)
        self._inbound_nodes.append(node)

    def infer(self, ctx, *inputs):
        return self._input_tensor.spec

    def compute(self, c):
        """The model's entry point: no work (its tensor is the batch the user feeds)."""


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional=False):
    """A symbolic input tensor, as ``keras.Input``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, optional=optional)
    return layer._input_tensor


class Model(Layer):
    """Base of functional and sequential models: weights are those of its layers, each counted once."""

    def _record_weights(self, ctx):
        return None

    def _call_arg_names(self):
        return ("inputs", "training", "mask")  # Keras's Functional/Sequential.call (for the masks a call fills)

    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """``model.quantize(mode)``: its Dense and Embedding layers quantized (rules/quantization.py)."""
        from .rules.quantization import quantize_model

        quantize_model(self, mode, config=config, filters=filters, **kwargs)

    @property
    def built(self):
        return all(layer.built for layer in self.layers)

    @property
    def weights(self):
        seen = set()
        out = []
        for layer in self.layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self.layers:
            layer.trainable = value

    # Keras model methods a snippet calls; they change nothing that shapewise reports.
    def compile(self, *args, **kwargs):
        return None

    def summary(self, *args, **kwargs):
        # The front end records summary() calls; direct API users render with shapewise.report.
        from .render.text import render_summary
        from .report import model_report

        print(render_summary(model_report(self)), end="")

    def count_params(self):
        return sum(w.size for w in self.weights)

    def _repr_html_(self):
        """Notebooks show the model drawn, with its summary and every layer's explanation."""
        from .web.notebook import model_html

        return model_html(self)

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ArgumentError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}.")


# --------------------------------------------------------------------------------------------------------------
# Functional


def map_graph(inputs, outputs):
    """Port of keras.src.ops.function.map_graph: (operations, nodes_by_depth).

    Nodes, tensors and layers hash by identity, so they key the sets and dicts directly.
    """
    finished, in_progress = set(), set()
    nodes_in_order = []
    op_index = {}
    inputs = flatten(inputs)
    input_set = set(inputs)

    for output in flatten(outputs):
        # Iterative post-order DFS (Keras recurses; deep models must not hit the recursion limit).
        stack = [(output, False)]
        while stack:
            tensor, expanded = stack.pop()
            layer, node_index, _ = tensor._keras_history
            if layer is None:
                continue
            node = layer._inbound_nodes[node_index]
            if expanded:
                finished.add(node)
                in_progress.discard(node)
                nodes_in_order.append(node)
                continue
            if node in finished:
                continue
            if not node.is_input and tensor in input_set:
                finished.add(node)
                continue
            if node in in_progress:
                # Reached again through another path while still open: Keras would have finished it
                # on the first path; defer to that.
                continue
            if layer not in op_index:
                op_index[layer] = len(op_index)
            in_progress.add(node)
            stack.append((tensor, True))
            if not node.is_input:
                for t in reversed(node.input_tensors):
                    stack.append((t, False))

    # Keras visits children in order with recursion; the reversed push reproduces that order, but a node reached
    # twice before finishing would be appended twice: keep the first completion only (dicts keep order).
    nodes_in_order = list(dict.fromkeys(nodes_in_order))
    in_graph = set(nodes_in_order)

    node_depth = {}  # node -> depth
    layer_depth = {}
    for node in reversed(nodes_in_order):
        depth = node_depth.setdefault(node, 0)
        layer = node.layer
        if layer_depth.get(layer, 0) > depth:
            depth = layer_depth[layer]
        layer_depth[layer] = depth
        node_depth[node] = depth
        parent_depth = depth + 1
        for t in node.input_tensors:
            layer, node_index, _ = t._keras_history
            if layer is None:
                continue
            parent = layer._inbound_nodes[node_index]
            if parent in in_graph and node_depth.get(parent, 0) < parent_depth:
                node_depth[parent] = parent_depth  # (a parent not seen yet is added here, as in Keras)

    for t in inputs:
        layer = t._keras_history[0]
        if layer is not None and layer not in layer_depth:
            node = layer._inbound_nodes[t._keras_history[1]]
            if node.is_input:
                layer_depth[layer] = 0
                op_index[layer] = -1
                node_depth[node] = 0

    by_depth = {}
    for layer, depth in layer_depth.items():
        by_depth.setdefault(depth, []).append(layer)
    operations = []
    for depth in sorted(by_depth, reverse=True):
        ops = by_depth[depth]
        operations.extend(sorted(ops, key=op_index.__getitem__) if len(ops) > 1 else ops)

    nodes_by_depth = {}
    for node, depth in node_depth.items():
        nodes_by_depth.setdefault(depth, []).append(node)

    # Every tensor a node reads must be computable from the inputs.
    computable = set(input_set)
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for t in node.input_tensors:
                if t not in computable:
                    raise ShapeError(
                        f"Graph disconnected: cannot find parent for tensor {t} at layer '{node.layer.name}'.",
                        layer=node.layer.name, layer_type=type(node.layer).__name__,
                        fix="pass every Input the outputs depend on in Model(inputs=[...])",
                    )
            computable.update(node.output_tensors)

    if len(operations) != len({op.name for op in operations}):
        counts = {}
        for op in operations:
            counts[op.name] = counts.get(op.name, 0) + 1
        for name, count in counts.items():
            if count != 1:
                raise ArgumentError(
                    f'The name "{name}" is used {count} times in the model. All operation names '
                    f"should be unique.", fix="give each layer its own name=")
    return operations, nodes_by_depth


class Functional(Model):
    """A model defined by calling layers on symbolic tensors: ``Model(inputs, outputs)``."""

    _convert_input_args = False  # (as Keras's Functional: a call records its arguments as given, masks included)

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        for t in flatten(inputs) + flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise ArgumentError(
                    f"All `inputs` and `outputs` values must be KerasTensors. Received: {t!r}",
                    fix="pass the tensors returned by Input(...) and by calling layers",
                )
        Layer.__init__(self, name=name or engine.session().auto_name("functional"), trainable=trainable, **kwargs)
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and not isinstance(inputs[0], (list, dict)):
            inputs = inputs[0] if isinstance(inputs, tuple) else inputs
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        _check_not_empty("inputs", self.inputs, inputs)
        _check_not_empty("outputs", self.outputs, outputs)
        self._layers, self._nodes_by_depth = map_graph(self.inputs, self.outputs)
        # trainable=False here, as in Keras, only sets the model's own flag (Layer.__init__): its layers and their
        # weights stay trainable, but the model lists none of them as trainable (Layer.trainable_weights)
        _check_connected(self.inputs, self.outputs, self._nodes_by_depth)

    @property
    def layers(self):
        # Operations recorded by tensor arithmetic (``a + b``) are graph nodes but not layers, as in Keras.
        return [op for op in self._layers if not getattr(op, "is_operation", False)]

    @property
    def input_shape(self):
        shapes = map_structure(lambda t: t.shape, self._inputs_struct)
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = map_structure(lambda t: t.shape, self._outputs_struct)
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    def infer(self, ctx, *args, **kwargs):
        """Run the whole graph on new input specs (the model used as a layer)."""
        given = flatten(list(args))
        if len(given) != len(self.inputs):
            ctx.fail(f"expects {len(self.inputs)} input(s), but it received {len(given)} input tensors",
                     expected=f"{len(self.inputs)} tensors")
        values = {}
        for t, spec in zip(self.inputs, given):
            values[id(t)] = _model_input(ctx, t.shape, spec)
        return _run_graph(ctx, self._nodes_by_depth, values, self._outputs_struct)


def _model_input(ctx, want, spec):
    """Keras's check of a model's input; returns the spec the graph runs on.

    As Keras (InputSpec with ``allow_last_axis_squeeze``): a trailing axis of size 1 is dropped on both sides
    before comparing, and only the axes both shapes still have are compared, so (None, 1) passes for (None, 2)
    and (None, 2, 5) for (None, 2). A symbolic call runs the layers on the shape as it is (Keras adjusts the rank
    only when it runs on data), each layer asked only for its output shape.
    """
    got = spec.values()
    w = (None,) + tuple(want[1:])
    g = tuple(got)
    if g and g[-1] == 1:
        g = g[:-1]
    if w and w[-1] == 1:
        w = w[:-1]
    incompatible = any(a is not None and b is not None and a != b for a, b in zip(w, g))
    if not incompatible:
        return spec
    ctx.fail(f"the input is incompatible with the model: expected shape {want}, found shape {got}",
             expected=str(want), fix=_reshape_advice(want, got))


def _reshape_advice(want, got):
    """What to do when a built model gets an input of another shape."""
    from math import prod

    w, g = want[1:], got[1:]
    if None not in w and None not in g and prod(w) == prod(g):
        target = "(" + ", ".join(str(d) for d in w) + ("," if len(w) == 1 else "") + ")"
        layer = "Flatten()" if len(w) == 1 else f"Reshape({target})"
        return f"the sizes match ({prod(g)} values per sample): put {layer} before the model to rearrange them"
    return "build the model for this input shape (its Input), or resize the data to what the model was built for"


def _check_connected(inputs, outputs, nodes_by_depth):
    """Keras runs the graph from ``inputs`` when a model is made; an output it cannot reach is an error."""
    reached = set(inputs)
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if not node.is_input and reached.issuperset(node.input_tensors):
                reached.update(node.output_tensors)
    for i, t in enumerate(outputs):
        if t not in reached:
            source = [n.layer.name for d in nodes_by_depth.values() for n in d
                      if n.is_input and id(n.output_tensors[0]) not in {id(x) for x in inputs}]
            raise ShapeError(
                f"Output {i} ({t.name}) is not connected to `inputs`: it depends on "
                f"{', '.join(repr(s) for s in source) or 'a tensor'} which is not among the model's inputs",
                expected="outputs computed only from the tensors passed as inputs",
                fix="add every Input the outputs depend on to Model(inputs=[...])")


def _run_graph(ctx, nodes_by_depth, values, outputs):
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if node.is_input or all(id(t) in values for t in node.output_tensors):
                continue
            args, kwargs = node.args, node.kwargs
            spec_args = map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, args)
            spec_kwargs = {k: map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, v)
                           for k, v in kwargs.items()}
            child = _inner_context(ctx, node.layer, [values[id(t)] for t in node.input_tensors])
            out = node.layer.infer(child, *spec_args, **spec_kwargs)
            for t, spec in zip(node.output_tensors, flatten(out)):
                values[id(t)] = spec
    return map_structure(lambda t: values[id(t)], outputs)




# --------------------------------------------------------------------------------------------------------------
# Sequential


def _check_not_empty(what, flat, given):
    """Keras's Function: a model's inputs or outputs with no tensor in them (a layer's empty output structure)."""
    if not flat:
        raise ArgumentError(f"`{what}` argument cannot be empty. Received: {what}={given!r}",
                            expected=f"at least one tensor in the model's {what}",
                            fix="check the last layer's output_shape: an empty structure gives no tensor")


class Sequential(Model):
    """A stack of layers, each fed the previous one's output."""

    def __init__(self, layers=None, trainable=True, name=None):
        Layer.__init__(self, name=name, trainable=trainable)
        self._layers = []
        self._outputs = None  # output of the first self._n_called layers after the InputLayer
        self._n_called = 0
        self._names = {}  # layer name -> layer, for Keras's unique-name check in constant time
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise ArgumentError("`layers` must be a list of layers.", layer=self.name, layer_type="Sequential")
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    @property
    def layers(self):
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return list(self._layers)

    def add(self, layer, rebuild=True):
        if not self._layers and getattr(layer, "_input_shape_arg", None) is not None:
            self.add(InputLayer(shape=layer._input_shape_arg))
        if isinstance(layer, KerasTensor):
            origin = layer._keras_history[0]
            if isinstance(origin, InputLayer):
                layer = origin
        if not isinstance(layer, Layer):
            raise ArgumentError(
                f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer!r}",
                layer=self.name, layer_type="Sequential",
                fix="add layer objects, e.g. model.add(layers.Dense(10)), not the result of calling one",
            )
        ref = self._names.get(layer.name)
        if ref is not None and ref is not layer:
            raise ArgumentError(
                f"All layers added to a Sequential model should have unique names. Name '{layer.name}' is "
                f"already the name of a layer in this model. Update the `name` argument to pass a unique "
                f"name.", layer=layer.name, layer_type=type(layer).__name__,
                fix="pass a different name= to this layer")
        if isinstance(layer, InputLayer) and self._layers and isinstance(self._layers[0], InputLayer):
            raise ArgumentError(
                f"Sequential model '{self.name}' has already been configured to use input shape "
                f"{self._layers[0].batch_shape}. You cannot add a different Input layer to it.",
                layer=self.name, layer_type="Sequential")
        self._layers.append(layer)
        self._names[layer.name] = layer
        if rebuild:
            self._maybe_rebuild()

    def _maybe_rebuild(self):
        if len(self._layers) < 2:
            return
        if isinstance(self._layers[0], InputLayer):
            self._call_pending()
        elif isinstance(self._layers[0], Model) and self._layers[0].built:
            # Keras builds from the first layer's input shape when it has one (a model used as first layer).
            self.build(self._layers[0].input_shape)

    def _call_pending(self):
        # Keras rebuilds the whole stack on each add and then names a new Functional; calling only the layers
        # not yet called gives the same shapes in linear time, and taking the uid keeps auto-names in step.
        if self._outputs is None:
            self._outputs = self._layers[0]._input_tensor
            self._n_called = 0
        for layer in self._layers[1 + self._n_called:]:
            if isinstance(layer, Sequential) and not layer.built_graph:
                layer.build(self._outputs.shape)
            self._outputs = layer(self._outputs)
            self._n_called += 1
        _check_not_empty("outputs", flatten(self._outputs), self._outputs)  # (Keras builds a Functional of them)
        engine.session().uid("functional")

    @property
    def built_graph(self):
        return bool(self._layers) and isinstance(self._layers[0], InputLayer) and \
            self._n_called == len(self._layers) - 1

    @property
    def built(self):
        return self.built_graph

    def pop(self):
        layer = self._layers.pop()
        del self._names[layer.name]
        for kept in self._layers:
            kept._inbound_nodes = [n for n in kept._inbound_nodes if n.is_input]
        self._outputs, self._n_called = None, 0
        self._maybe_rebuild()
        return layer

    def build(self, input_shape=None):
        if input_shape is None or not isinstance(input_shape, (tuple, list)) or \
                (input_shape and isinstance(input_shape[0], (tuple, list))):
            return  # Keras does not build from a nested or missing shape
        input_shape = tuple(input_shape)
        if not self._layers:
            raise ArgumentError(
                f"Sequential model {self.name} cannot be built because it has no layers. Call `model.add(layer)`.",
                layer=self.name, layer_type="Sequential")
        if isinstance(self._layers[0], InputLayer):
            if tuple(self._layers[0].batch_shape) != input_shape:
                raise ArgumentError(
                    f"Sequential model '{self.name}' has already been configured to use input shape "
                    f"{self._layers[0].batch_shape}. You cannot build it with input_shape {input_shape}",
                    layer=self.name, layer_type="Sequential")
        else:
            first = InputLayer(batch_shape=input_shape, dtype=self._layers[0].dtype)
            self._layers = [first] + self._layers
            self._names[first.name] = first
            self._outputs, self._n_called = None, 0
        if len(self._layers) > 1:
            self._call_pending()

    @property
    def inputs(self):
        if self._layers and isinstance(self._layers[0], InputLayer):
            return [self._layers[0]._input_tensor]
        raise ArgumentError(f"Sequential model '{self.name}' has no defined inputs yet.",
                            fix="start the model with Input(shape=...) or pass input_shape= to the first layer")

    @property
    def outputs(self):
        if self._outputs is None:
            raise ArgumentError(f"Sequential model '{self.name}' has no defined outputs yet.",
                                fix="start the model with Input(shape=...) or pass input_shape= to the first layer")
        return [self._outputs]

    @property
    def input_shape(self):
        return self.inputs[0].shape

    @property
    def output_shape(self):
        return self.outputs[0].shape

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        return self.outputs[0]

    def __call__(self, *args, **kwargs):
        if not self.built_graph:
            first = flatten(list(args))[0]
            if isinstance(first, KerasTensor):
                self.build(first.shape)
        return Layer.__call__(self, *args, **kwargs)

    def infer(self, ctx, x, **kwargs):
        spec = x
        if self._layers and isinstance(self._layers[0], InputLayer):
            # Keras checks a built Sequential's input against its Input, as a functional model does.
            spec = _model_input(ctx, self._layers[0]._input_tensor.shape, x)
        for layer in self.layers:
            child = _inner_context(ctx, layer, [spec])
            spec = layer.infer(child, spec)
        return spec


def _inner_context(ctx, layer, specs):
    """The context of one layer of a model run on a new input.

    A built model used as a layer: Keras's compute_output_spec runs each layer's compute_output_spec on the new
    shapes (its layers are built, nothing is asserted but the model's own input check). A hypothetical build (the
    report's ``fresh`` run) builds and calls every layer again.
    """
    return Context(layer, specs, building=ctx.building, called=ctx.building, fresh=ctx.fresh)


# Keras's public name for a functional model built with keras.Model(inputs, outputs).
def make_model(*args, **kwargs):
    """``keras.Model(...)``: a functional model (subclassing is not supported in pasted code)."""
    if not args and "inputs" not in kwargs:
        raise ArgumentError(
            "Model() without inputs and outputs is a subclassed model, which shapewise cannot interpret",
            fix="build the model functionally: Model(inputs=..., outputs=...)")
    return Functional(*args, **kwargs)


# --------------------------------------------------------------------------------------------------------------
# keras.models.clone_model


def _clone_layer(layer):
    """Keras's default clone_function, ``layer.__class__.from_config(layer.get_config())``: a layer of the same
    configuration and name (an explicit name takes no auto-name), not built, with no calls and no weights. Its
    sublayers (a wrapper's, a pipeline's) are fresh copies too; a nested model is cloned as a model."""
    import copy

    if isinstance(layer, Model):
        return clone_model(layer)
    memo = {}
    stack = [layer]
    seen = set()
    while stack:  # the layers held by this one, at any depth: their graph state is not copied
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Layer):
            memo[id(obj._inbound_nodes)] = []
            for attr in ("_weights", "_build_ctx", "_built_spec"):
                value = obj.__dict__.get(attr)
                if value is not None:
                    memo[id(value)] = None
            stack.extend(v for v in vars(obj).values() if isinstance(v, (Layer, list, tuple, dict)))
        elif isinstance(obj, (list, tuple)):
            stack.extend(v for v in obj if isinstance(v, (Layer, list, tuple, dict)))
        elif isinstance(obj, dict):
            stack.extend(v for v in obj.values() if isinstance(v, (Layer, list, tuple, dict)))
    new = copy.deepcopy(layer, memo)
    for obj in _held_layers(new):
        if obj.__dict__.get("lora_enabled"):
            obj.lora_enabled = False  # from_config: LoRA is enabled again when the clone is built (lora_rank)
    return new


def _held_layers(layer):
    out, stack, seen = [], [layer], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Layer):
            out.append(obj)
            stack.extend(vars(obj).values())
        elif isinstance(obj, (list, tuple)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())
    return out


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False, **kwargs):
    """``keras.models.clone_model``: the same architecture with new layers (same names and configuration) and
    new weights, on new Inputs (or on ``input_tensors``)."""
    if kwargs:
        raise ArgumentError(f"clone_model() got unexpected keyword arguments: {sorted(kwargs)}")
    if clone_function is not None or call_function is not None:
        raise ArgumentError("clone_model(clone_function=/call_function=) runs a function of the snippet on every "
                            "layer, which shapewise does not do",
                            fix="clone with the default (layers rebuilt from their configuration)")
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors)
    raise ArgumentError(f"Expected `model` argument to be a `Model` instance. Received: model={model!r}",
                        fix="pass a keras.Sequential or keras.Model")


def _clone_sequential(model, input_tensors):
    new_layers = [_clone_layer(layer) for layer in model.layers]
    first = model._layers[0] if model._layers else None
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ArgumentError("Argument `input_tensors` must contain a single tensor.")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ArgumentError(f"Argument `input_tensors` must be a KerasTensor. Received invalid value: "
                                f"input_tensors={input_tensors!r}")
        name = first.name if isinstance(first, InputLayer) else None
        new_layers = [InputLayer(input_tensor=input_tensors, name=name)] + new_layers
    elif isinstance(first, InputLayer):
        new_layers = [InputLayer(batch_shape=first.batch_shape, dtype=first.dtype, name=first.name,
                                 optional=first.optional)] + new_layers
    return Sequential(new_layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors):
    if input_tensors is not None:
        given = flatten(input_tensors)
        if not all(isinstance(t, KerasTensor) for t in given):
            raise ArgumentError(f"All entries in `input_tensors` must be KerasTensors. Received invalid values: "
                                f"inputs_tensors={input_tensors!r}")
        if len(given) != len(model.inputs):
            raise ArgumentError("`input_tensors` must have the same structure as model.input",
                                expected=f"{len(model.inputs)} tensor(s)")
        new_inputs = input_tensors
    else:
        new_inputs = map_structure(lambda t: Input(batch_shape=t.shape, dtype=t.dtype, name=t.name),
                                   model._inputs_struct)
    values = {id(t): n for t, n in zip(model.inputs, flatten(new_inputs))}
    clones = {}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if node.is_input:
                continue
            layer = node.layer
            new_layer = clones.get(id(layer))
            if new_layer is None:
                new_layer = clones[id(layer)] = _clone_layer(layer)  # a shared layer stays shared
            args = map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, node.args)
            kwargs = {k: map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, v)
                      for k, v in node.kwargs.items()}
            outputs = new_layer(*args, **kwargs)
            for old, new in zip(node.output_tensors, flatten(outputs)):
                values[id(old)] = new
    new_outputs = map_structure(lambda t: values[id(t)], model._outputs_struct)
    return Functional(new_inputs, new_outputs, name=model.name)
