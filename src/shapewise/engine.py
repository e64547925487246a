"""The engine: symbolic tensors, layers, and the context a rule declares itself through.

A layer's rule is its ``infer(ctx, *inputs, **call_kwargs)`` method. It binds names to its input axes, declares
its weights and returns its output spec(s); it may add a sentence on the shape, on what each unit sees and on why
the free dims are free. Parameter counts, formulas and free dims are derived here from those declarations, so
the explanation cannot disagree with the number.
"""

from __future__ import annotations

import functools
import gc
import math
import operator
import re

from .dims import _DIM_TYPES, Dim, Known, Named, Unknown, as_dim, as_dims, leaves
from .errors import ArgumentError, ShapeError, ShapewiseError, UnknownDimError

# --------------------------------------------------------------------------------------------------------------
# Session state: Keras's auto-naming counters. One session per snippet / per test, like keras.backend.clear_session.


class Session:
    def __init__(self):
        self.uids = {}
        # keras.config.set_dtype_policy / keras.mixed_precision.set_global_policy: the policy of a layer given no
        # dtype (Keras keeps it in the global state clear_session resets)
        self.dtype_policy = "float32"
        # Layers whose weights must be shown: creation order, for reporting models still bound at the end.
        self.models = []

    def uid(self, prefix):
        n = self.uids.get(prefix, 0) + 1
        self.uids[prefix] = n
        return n

    def auto_name(self, prefix):
        n = self.uid(prefix)
        return prefix if n == 1 else f"{prefix}_{n - 1}"


_session = Session()


def session():
    return _session


def gc_paused(fn):
    """Run ``fn`` with Python's cyclic garbage collector paused (restored after, even on error).

    Building a large model is one burst of allocations that are all still alive at its end (layers, nodes,
    tensors, dims), so the collections that the allocation count triggers during it find nothing to free: they
    only cost time (a tenth of a build, and pauses of tens of milliseconds when a full collection falls inside).
    The same remedy as mypy's raised thresholds. Objects that become garbage are collected after, as usual.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


def clear_session():
    """Reset auto-naming, as ``keras.backend.clear_session()`` does."""
    global _session
    _session = Session()
    return _session


@functools.lru_cache(maxsize=None)
def to_snake_case(name):
    """Keras's own conversion: ``Conv2DTranspose`` -> ``conv2d_transpose``, ``LSTM`` -> ``lstm``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# --------------------------------------------------------------------------------------------------------------
# Specs and symbolic tensors


_VALUE = operator.attrgetter("value")  # a Dim's int or None


class Spec:
    """What a rule sees of one tensor: its shape (a tuple of Dims) and dtype."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype="float32"):
        shape = tuple(shape)
        if not _DIM_TYPES.issuperset(map(type, shape)):  # (as_dims, inlined: a Spec is made per layer call)
            shape = tuple(map(as_dim, shape))
        self.shape = shape
        self.dtype = dtype

    @property
    def rank(self):
        return len(self.shape)

    def values(self):
        return tuple(map(_VALUE, self.shape))

    def __repr__(self):
        return f"Spec{format_shape(self.values())}"


def format_shape(values):
    """(None, 32) as Keras prints a shape tuple."""
    inner = ", ".join("None" if v is None else str(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


class KerasTensor:
    """A symbolic tensor: a spec plus the history of the layer call that produced it."""

    __slots__ = ("spec", "_keras_history", "_name", "_keras_mask")

    def __init__(self, spec, layer=None, node_index=0, tensor_index=0, name=None):
        self.spec = spec
        self._keras_history = (layer, node_index, tensor_index)
        self._keras_mask = None  # the Keras mask it carries (a KerasTensor), set by the layer that made it
        if not name:
            # Keras's auto-name, keras_tensor_<n>: the number is taken now, the text made when asked for
            uids = _session.uids
            name = uids["keras_tensor"] = uids.get("keras_tensor", 0) + 1
        self._name = name

    @property
    def name(self):
        n = self._name
        if type(n) is int:
            return "keras_tensor" if n == 1 else f"keras_tensor_{n - 1}"
        return n

    @property
    def shape(self):
        return self.spec.values()

    @property
    def dtype(self):
        return self.spec.dtype

    @property
    def ndim(self):
        return self.spec.rank

    def __repr__(self):
        return (
            f"<KerasTensor shape={format_shape(self.shape)}, dtype={self.dtype}, sparse=False, "
            f"ragged=False, name={self.name}>"
        )


def flatten(structure):
    """Tensors of a nested list/tuple/dict, in Keras's order (dicts by sorted key)."""
    kind = type(structure)
    if kind is KerasTensor or kind is Spec:  # the common case, first
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [t for item in structure for t in flatten(item)]
    if isinstance(structure, dict):
        return [t for key in sorted(structure) for t in flatten(structure[key])]
    return [structure]


def call_tensors(args, kwargs):
    """The symbolic tensors among a call's arguments, in order."""
    if not kwargs and len(args) == 1:
        arg = args[0]
        if type(arg) is KerasTensor:  # the common case
            return [arg]
        if type(arg) is list and all(type(t) is KerasTensor for t in arg):  # a merge's [a, b]
            return list(arg)
    return [t for t in flatten([list(args), kwargs]) if isinstance(t, KerasTensor)]


def map_structure(fn, structure):
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


class Node:
    """One call of a layer: the tensors it read and the tensors it produced."""

    __slots__ = ("layer", "args", "kwargs", "outputs", "input_tensors", "output_tensors", "is_input", "ctx")

    def __init__(self, layer, args, kwargs, outputs, ctx=None, is_input=False, input_tensors=None,
                 output_tensors=None):
        self.layer = layer
        self.args = args  # the call's positional arguments, as given (tensors inside)
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = call_tensors(args, kwargs) if input_tensors is None else input_tensors
        self.output_tensors = flatten(outputs) if output_tensors is None else output_tensors
        self.is_input = is_input
        self.ctx = ctx

    @property
    def inputs(self):
        """The call's tensor inputs: one tensor, or the list/dict the layer was called on."""
        return self.args[0] if len(self.args) == 1 and not self.kwargs else list(self.args)

    @property
    def parent_nodes(self):
        out = []
        for t in self.input_tensors:
            layer, node_index, _ = t._keras_history
            if layer is not None:
                out.append(layer._inbound_nodes[node_index])
        return out


# --------------------------------------------------------------------------------------------------------------
# Weights


class Weight:
    """One weight tensor a rule declared. Its size is the product of its dims."""

    __slots__ = ("name", "dims", "declared_trainable", "owner", "shape", "size", "dtype")

    def __init__(self, name, dims, trainable, owner, shape=None, dtype=None):
        self.name = name
        self.dims = dims
        self.declared_trainable = trainable
        self.owner = owner
        self.dtype = dtype  # the stored dtype where it is not the layer's variable dtype (a quantized int8 kernel)
        if shape is None:
            shape = tuple(map(_VALUE, dims))
        self.shape = shape  # dims are immutable: computed once
        self.size = math.prod(shape)

    @property
    def trainable(self):
        return self.declared_trainable and self.owner.trainable

    def __repr__(self):
        return f"<Weight {self.name} shape={self.shape} trainable={self.trainable}>"


# --------------------------------------------------------------------------------------------------------------
# The rule context


@functools.lru_cache(maxsize=None)
def _expand_names(names, rank):
    """``("batch", ..., "features")`` for a rank: the middle axes named ``dim1``, ``dim2``, ..."""
    i = names.index(Ellipsis)
    before, after = names[:i], names[i + 1 :]
    n_middle = rank - len(before) - len(after)
    if n_middle < 0:
        raise AssertionError("bind() called with more names than axes; check rank first")
    return (*before, *(f"dim{len(before) + k}" for k in range(n_middle)), *after)


class Context:
    """What a rule uses to declare itself; one per layer call.

    Records the named input axes, derived dims, weights and sentences; the report derives everything else.
    """

    def __init__(self, layer, input_specs, building=True, called=True, fresh=False):
        self.layer = layer
        self.input_specs = input_specs  # flat list of Spec
        #: This call builds the layer: Keras runs its build(), so the rule makes the checks Keras makes there and
        #: declares the weights. False when the layer is already built: Keras skips build() and only asks
        #: compute_output_shape for the output, so the rule skips the build-time checks (and declares no weights).
        self.building = building
        #: The layer is called (Layer.__call__), so Keras asserts its InputSpec (the rank checks rules make).
        #: False where Keras only builds it and asks its compute_output_shape: a wrapper's inner layer, or the
        #: layers of a nested model run on a new input shape (Keras's compute_output_spec).
        self.called = called
        #: A hypothetical build of layers that are already built (the report asking whether an input axis sets a
        #: weight's size): sublayers are built again too, and nothing is recorded on the layers.
        self.fresh = fresh
        self.axes = []  # one tuple of Named per bound input (or a _Pending, see name_axes and bound_axes)
        self._notes = []  # sentences on the shape rule
        # (weights, built_spec, warnings, derived, children and the sentences below start as the class's
        # defaults: most calls never set them, and a Context is made for every layer call)

    # The class's defaults of what most calls never set. The lists become the instance's own on first append.
    weights = ()  # the Weights declared, in order (a list of the instance's own once there is one)
    built_spec = None  # the InputSpec Keras sets when it builds the layer (see input_spec)
    warnings = ()  # see warn()
    derived = ()  # Named dims the rule derived (out_height = ...)
    children = ()  # (label, Context) of sublayers run inside this call
    # The sentences and the formula: each may be given as a function and its arguments, called only when an
    # explanation is asked for (most builds only need shapes and counts); the properties below resolve them.
    _unit_text = None
    _free_text = None
    _formula = None

    # --- binding and building dims --------------------------------------------------------------------------
    def bind(self, spec, *names):
        """Give local names to the axes of an input: ``ctx.bind(x, "batch", ..., "features")``.

        ``...`` stands for any number of middle axes, which are named ``dim1``, ``dim2``, ...
        """
        bound = _named(spec, names)
        self.axes.append(bound)
        return bound

    def name_axes(self, spec, *names):
        """``bind`` for the explanation only, when the rule does not use the named dims: they are made when an
        explanation reads them (``bound_axes``), not on every build."""
        self.axes.append(_Pending(spec, names))

    def bound_axes(self):
        """``axes``, each input's tuple of Named dims, with those of ``name_axes`` made now (once)."""
        axes = self.axes
        for i, bound in enumerate(axes):
            if type(bound) is _Pending:
                axes[i] = _named(bound.spec, bound.names)
        return axes

    def const(self, value, role):
        """A number from the layer's configuration, with the role it plays: ``ctx.const(32, "units")``."""
        return Known(value, role)

    def derive(self, role, expr):
        """An output dim computed from others, kept with its formula for the explanation."""
        named = Named(role, as_dim(expr))
        if type(self.derived) is tuple:
            self.derived = []
        self.derived.append(named)
        return named

    # --- weights --------------------------------------------------------------------------------------------
    def weight(self, name, shape, trainable=True, dtype=None):
        if not self.building:
            return  # an already built layer keeps the weights of its first call
        dims = as_dims(shape)
        values = tuple(map(_VALUE, dims))
        for d in dims if None in values else ():
            if d.value is None:
                self.fail(
                    f"cannot create its weight '{name}': its shape {' × '.join(x.names() for x in dims)} "
                    f"depends on a dimension that is not known ({d.names()})",
                    expected="a known size on that axis of the input",
                    fix="give the input a concrete size there (e.g. in Input(shape=...)) instead of None",
                    error=UnknownDimError,
                )
        if type(self.weights) is tuple:
            self.weights = []
        self.weights.append(Weight(name, dims, trainable, self.layer, values, dtype))

    def input_spec(self, ndim=None, min_ndim=None, axes=None):
        """The InputSpec Keras sets in build(): a later call of the built layer must satisfy it (Layer.__call__
        asserts it before anything else); ``axes`` maps an axis to the size it must have."""
        if self.building:
            self.built_spec = (ndim, min_ndim, axes)  # made into an InputSpec only when a later call checks it

    def built_for(self, weight, axis, dim, what, layer=None):
        """On a call that does not build the layer: note when the input's ``dim`` (``what``, e.g. "features")
        differs from the size the built ``weight`` (of ``layer``, by default this layer) has on ``axis``. Keras
        accepts such a call (it only computes the output shape) but the layer would fail when run on data."""
        if self.building or dim.value is None:
            return
        built = next((w for w in (layer or self.layer)._weights or () if w.name == weight), None)
        if built is None or not -len(built.shape) <= axis < len(built.shape) or built.shape[axis] == dim.value:
            return
        self.warn(f"this layer was built for {what}={built.shape[axis]} (its {weight} is {built.shape}) and now "
                  f"gets {what}={dim.value}: Keras accepts the call (a built layer only computes its output shape), "
                  f"but run on data it would fail")

    def warn(self, text):
        """A note that Keras accepts this call although the layer would fail when run on data (shown for later
        calls too, which otherwise have no explanation of their own)."""
        self.note(text)
        if type(self.warnings) is tuple:
            self.warnings = []
        self.warnings.append(text)

    def all_warnings(self):
        """This call's warnings and those of the sublayers it ran."""
        out = list(self.warnings)
        for _, child in self.children:
            out.extend(w for w in child.all_warnings() if w not in out)
        return out

    def call(self, layer, *args, label=None, **kwargs):
        """Run a sublayer's rule inside this call (a wrapper's inner layer, an RNN's cell).

        As a Keras wrapper does, the sublayer is built when this layer is being built and the sublayer is not built
        yet (``if not self.layer.built: self.layer.build(...)``); it is never *called*, so its InputSpec is not
        asserted. Otherwise only its output shape is computed.
        """
        building = self.building and (self.fresh or not layer.built)
        child = Context(layer, [a for a in flatten(list(args)) if isinstance(a, Spec)], building=building,
                        called=False, fresh=self.fresh)
        out = layer.infer(child, *args, **kwargs)
        if type(self.children) is tuple:
            self.children = []
        self.children.append((label or layer.name, child))
        if building:
            if child.weights:
                self.weights = [*self.weights, *child.weights]
            if not self.fresh:
                layer._weights = child.weights
                layer._build_ctx = child
                layer._built_spec = child.built_spec
        elif self.building and layer._weights:  # a sublayer built before: its weights are tracked here too
            self.weights = [*self.weights, *layer._weights]
        return out

    # --- sentences ------------------------------------------------------------------------------------------
    # Each takes the text (or expression), or a function and the arguments to call it with: a rule on a hot path
    # writes ``ctx.units(_units_text, channels)`` so the sentence is only composed when someone reads it. (A
    # module-level function and its arguments, kept as one tuple, rather than a closure: a closure is a function
    # object and a cell per variable, objects the cyclic GC must walk for as long as the model lives.)
    def note(self, text, *args):
        self._notes.append((text, *args) if args else text)

    def units(self, text, *args):
        self._unit_text = (text, *args) if args else text

    def free(self, text, *args):
        self._free_text = (text, *args) if args else text

    def formula(self, expr, *args):
        """A compact parameter formula; the report checks it equals the sum of the weight sizes."""
        self._formula = (expr, *args) if args else expr

    @property
    def notes(self):
        notes = self._notes
        for i, n in enumerate(notes):
            if type(n) is not str:
                notes[i] = _resolve(n)
        return notes  # the list itself: a wrapper may extend it with its inner layer's notes

    @property
    def unit_text(self):
        self._unit_text = text = _resolve(self._unit_text)
        return text

    @unit_text.setter
    def unit_text(self, text):
        self._unit_text = text

    @property
    def free_text(self):
        self._free_text = text = _resolve(self._free_text)
        return text

    @property
    def param_formula(self):
        f = _resolve(self._formula)
        if f is not None and not isinstance(f, Dim):
            f = as_dim(f)
        self._formula = f
        return f

    # --- errors ---------------------------------------------------------------------------------------------
    def fail(self, message, expected=None, fix=None, error=ShapeError, expected_rank=None):
        got = [s.values() for s in self.input_specs]
        raise error(
            message,
            layer=self.layer.name,
            layer_type=type(self.layer).__name__,
            got=got[0] if len(got) == 1 else got,
            expected=expected,
            fix=fix,
            expected_rank=expected_rank,
        )

    def spec(self, shape, dtype=None):
        """An output spec. dtype defaults to the layer's compute dtype."""
        return Spec(shape, dtype or self.layer.compute_dtype)  # (a property: layers may override it)

    # --- derived facts, used by the report ------------------------------------------------------------------
    def _descendants(self):
        for _, child in self.children:
            yield from child._descendants()
            yield child

    def free_axes(self):
        """Input axes that no weight's shape mentions: changing them does not change the parameter count."""
        used = set()
        for w in self.weights:
            for d in w.dims:
                for leaf in leaves(d):
                    used.add(id(leaf))
        # Descendants deepest first (a Bidirectional's LSTM's cell before the LSTM), so use climbs every level.
        for child in self._descendants():
            for bound in child.bound_axes():
                for axis in bound:
                    # A child's axis used by a weight counts as used when it stands for one of ours.
                    if id(axis) in used:
                        used.add(id(axis.inner))
        out = []
        seen = set()
        for bound in self.bound_axes():
            for axis in bound:
                if id(axis) not in used and id(axis.inner) not in used and axis.role not in seen:
                    seen.add(axis.role)
                    out.append(axis)
        return out


def _named(spec, names):
    """The axes of ``spec`` as Named dims with ``names`` (see Context.bind)."""
    shape = spec.shape if type(spec) is Spec else tuple(spec)
    if Ellipsis in names:
        names = _expand_names(names, len(shape))
    if len(names) != len(shape):
        raise AssertionError(f"bind() got {len(names)} names for rank {len(shape)}")
    return tuple(map(Named, names, shape))


class _Pending:
    """An input's axes named by Context.name_axes, not yet made into Named dims."""

    __slots__ = ("names", "spec")

    def __init__(self, spec, names):
        self.spec = spec
        self.names = names


def _resolve(value):
    """A sentence or formula as given to the Context: itself, or composed now from a (function, *args) tuple or a
    function of no arguments."""
    if type(value) is tuple:
        return value[0](*value[1:])
    if callable(value):
        return value()
    return value


# --------------------------------------------------------------------------------------------------------------
# Layers

class Layer:
    """Base of every layer. A subclass takes Keras's constructor arguments and implements ``infer``."""

    #: Keras class name; set by @register (aliases share the class, so the name is the canonical one)
    keras_name = "Layer"

    def __init__(self, *, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 activity_regularizer=None, autocast=True, **kwargs):
        if kwargs:
            raise ArgumentError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}",
                layer_type=type(self).__name__,
                fix=_kwargs_fix(kwargs),
            )
        if trainable is not True and not isinstance(trainable, bool):
            raise ArgumentError(
                f"Expected `trainable` to be a boolean. Received: trainable={trainable!r}",
                layer_type=type(self).__name__,
            )
        if name is None:
            name = _session.auto_name(to_snake_case(type(self).__name__))
        elif type(name) is not str and not isinstance(name, str):
            raise ArgumentError(f"Expected `name` to be a string. Received: name={name!r}",
                                layer_type=type(self).__name__)
        self.name = name
        self._trainable = trainable
        _check_dtype_policy(type(self).__name__, dtype)
        self.dtype = _session.dtype_policy if dtype is None else _dtype_name(dtype)
        if input_dim is not None:
            input_shape = (input_dim,)
        self._input_shape_arg = tuple(input_shape) if input_shape is not None else None
        self._inbound_nodes = []
        self._weights = None  # list of Weight once built
        self._build_ctx = None

    #: Layers this one owns (a wrapper's inner layer, an RNN's cells): they follow its ``trainable``. Most layers
    #: have none: the class's empty tuple, until a layer sets its own list.
    _sublayers = ()

    # --- Keras attributes -----------------------------------------------------------------------------------
    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for sub in self._sublayers:
            sub.trainable = value

    @property
    def compute_dtype(self):
        dtype = self.dtype  # a mixed policy computes in its 16-bit dtype and keeps float32 variables
        return dtype[6:] if dtype.startswith("mixed_") else dtype

    @property
    def variable_dtype(self):
        """Keras's ``layer.dtype``: the policy's variable dtype (float32 under mixed_float16; a quantized policy's
        source dtype, which rules/quantization.py keeps in ``_variable_dtype``)."""
        dtype = getattr(self, "_variable_dtype", None) or self.dtype
        return "float32" if dtype.startswith("mixed_") else dtype

    @property
    def built(self):
        return self._weights is not None

    @property
    def weights(self):
        ws = self._weights
        if not ws:
            return []
        trainable = [w for w in ws if w.declared_trainable]
        if len(trainable) == len(ws):  # nearly always: no reordering to do
            return trainable
        return trainable + [w for w in ws if not w.declared_trainable]

    # As Keras: each weight has its own trainable flag (Weight.trainable), and a layer that is not trainable lists
    # none of its weights as trainable, whatever their flags. The two differ after ``Layer(..., trainable=False)``
    # around a sublayer created trainable (``RNN(LSTMCell(4), trainable=False)``): the sublayer's weights keep
    # their flag, so the layer's own row shows 0 trainable while a model around it counts them as trainable.
    @property
    def trainable_weights(self):
        return [w for w in self.weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [w for w in self.weights if not w.trainable] if self.trainable else self.weights

    def count_params(self):
        return sum(w.size for w in self.weights)

    @property
    def input(self):
        return self._only_node("input").inputs

    @property
    def output(self):
        return self._only_node("output").outputs

    @property
    def input_shape(self):
        return map_structure(lambda t: t.shape, self._only_node("input").inputs)

    @property
    def output_shape(self):
        return map_structure(lambda t: t.shape, self._only_node("output").outputs)

    def _only_node(self, what):
        if not self._inbound_nodes:
            raise ShapeError(f"The layer {self.name} has never been called and thus has no defined {what}.",
                             layer=self.name, layer_type=type(self).__name__)
        return self._inbound_nodes[0]

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    #: The layer's cost declaration, ``compute(self, c)`` beside ``infer`` (see shapewise.compute.Cost): the
    #: multiply-accumulates and other ops of one forward pass and the tensors it saves for the backward pass,
    #: read from the layer's config and a call's specs only when a report asks. None: not declared yet.
    compute = None

    # --- masks (keras/src/layers/layer.py: __call__ steps 6 and after 7, _set_mask_metadata) ---------------------
    #: Whether the layer sets a mask on its outputs (Keras's ``supports_masking``): the mask its input carries
    #: (compute_mask's default), or one it computes (Embedding(mask_zero=True), Masking). A layer that does not
    #: support masking drops the mask (Keras warns).
    supports_masking = False
    #: Keras's Layer._convert_input_args: whether __call__ converts its inputs first (a functional model does not)
    _convert_input_args = True

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs (a KerasTensor, a structure of them, or None); its ops are keras.ops on the
        graph's tensors, as in Keras (``mask_op``)."""
        return previous_mask

    def _call_arg_names(self):
        """The names of the call()'s arguments, in order (Keras binds a call to them to find its masks): those of
        the rule, which takes Keras's call() arguments. () for a rule that takes **kwargs and binds them itself."""
        code = self.infer.__code__
        if code.co_flags & 0x08:
            return ()
        return code.co_varnames[2:code.co_argcount + code.co_kwonlyargcount]

    # --- the rule --------------------------------------------------------------------------------------------
    def infer(self, ctx, *inputs, **kwargs):  # pragma: no cover - every registered layer overrides it
        raise AssertionError(f"{type(self).__name__} has no rule")

    def __call__(self, *args, **kwargs):
        """Call on symbolic tensors: run the rule, record the node, return new symbolic tensors."""
        if len(args) == 1 and not kwargs and type(args[0]) is KerasTensor and (
                args[0]._keras_mask is None or "mask" not in self._call_arg_names()):  # the common case, layer(x)
            tensors = [args[0]]
            previous_mask = args[0]._keras_mask
            node_kwargs = kwargs
        else:
            given_args, given_kwargs = args, kwargs
            if kwargs or len(args) > 1:
                args, kwargs = _call_arguments(self, args, kwargs)
            masks, previous_mask = _call_masks(self, args, kwargs)
            node_kwargs = kwargs
            if masks:  # the masks the inputs carry, passed as call() arguments
                kwargs = {**kwargs, **masks}
                if not self._convert_input_args:  # (a functional model): the arguments as given, masks added
                    given_kwargs = {**given_kwargs, **masks}
                    node_kwargs = kwargs
                elif not given_kwargs and len(given_args) == 1 and type(given_args[0]) is KerasTensor and \
                        given_args[0].dtype == self.compute_dtype:
                    # Keras records a call's node with the arguments as given, in a dict that its __call__ fills
                    # with the masks in place, unless it first converted the inputs (keyword arguments, several
                    # or nested inputs, another dtype: a new dict): only then are the masks inputs of the call
                    given_kwargs = masks
                    node_kwargs = kwargs
            tensors = call_tensors(given_args, given_kwargs)  # in Keras's order: keyword arguments by sorted name
        if not tensors:
            raise ArgumentError(
                f"Layer '{self.name}' was called on something that is not a symbolic tensor: {args!r}",
                layer=self.name, layer_type=type(self).__name__,
                expected="the output of Input(...) or of another layer",
            )
        if kwargs and not (code := self.infer.__code__).co_flags & 0x08:
            # the rule takes no **kwargs: check names as Python would
            allowed = code.co_varnames[2:code.co_argcount + code.co_kwonlyargcount]
            for key in kwargs:
                if key not in allowed:
                    signature = _keras_call_signature(self, allowed)
                    raise ArgumentError(
                        f"{type(self).__name__}.call() got an unexpected keyword argument '{key}'",
                        layer=self.name, layer_type=type(self).__name__,
                        expected=f"a keyword of Keras's {type(self).__name__}.call({', '.join(signature)})",
                        fix=f"leave out {key}=, or pass it to the layer's constructor if it is a setting")
        building = not self.built
        if not building and self._built_spec is not None:
            InputSpec(*self._built_spec).check(self, tensors[0].shape)
        specs = [t.spec for t in tensors]
        ctx = Context(self, specs, building)
        try:
            if len(args) == 1 and not kwargs and (type(args[0]) is KerasTensor or (
                    type(args[0]) is list and len(args[0]) == len(tensors) and args[0] == tensors)):
                # the common cases: layer(x), and a merge's layer([a, b]) on a flat list of tensors
                out_specs = self.infer(ctx, specs[0] if type(args[0]) is KerasTensor else list(specs))
            else:
                spec_args = map_structure(_to_spec, list(args))
                spec_kwargs = {k: map_structure(_to_spec, v) for k, v in kwargs.items()}
                out_specs = self.infer(ctx, *spec_args, **spec_kwargs)
        except (AttributeError, TypeError):
            # A rule reads its inputs as Specs; a container or a plain value where a tensor goes (the trailing comma
            # of `x = Input((2, 3)),` makes x a tuple) is reported as Keras reports it: the layer cannot take it.
            strange = _non_tensor_inputs(args, kwargs)
            if not strange:
                raise
            raise ShapeError(
                f"Layer '{self.name}' ({type(self).__name__}) received {strange} where it takes "
                f"{'a list of tensors' if type(args[0]) is list else 'a tensor'}",
                layer=self.name, layer_type=type(self).__name__,
                got=[t.shape for t in tensors] if len(tensors) > 1 else tensors[0].shape,
                expected="a symbolic tensor (the output of Input(...) or of another layer)",
                fix="a trailing comma makes a tuple: `x = layers.Input((2, 3)),` binds (x,); remove the comma, "
                    "or pass the tensor itself (x[0])",
            ) from None
        except ShapewiseError as e:
            if e.layer is None:
                e.layer, e.layer_type = self.name, type(self).__name__
            if e.got is None:
                got = [t.shape for t in tensors]
                e.got = got[0] if len(got) == 1 else got
            if e.input_from is None and e.layer == self.name:
                sources = [t._keras_history[0] for t in tensors]
                e.input_from = ", ".join(f"{s.name} ({type(s).__name__})" for s in sources if s is not None)
                _advise_batch_axis(e, tensors)
            raise
        self._record_weights(ctx)
        node_index = len(self._inbound_nodes)
        if type(out_specs) is Spec:  # the common case: one output
            outputs = KerasTensor(out_specs, self, node_index, 0)
            output_tensors = [outputs]
        else:
            counter = iter(range(1 << 30))
            outputs = map_structure(lambda s: KerasTensor(s, self, node_index, next(counter)), out_specs)
            output_tensors = None
        self._inbound_nodes.append(Node(self, args, node_kwargs, outputs, ctx, False, tensors, output_tensors))
        if self.supports_masking and (previous_mask is not None or type(self).compute_mask is not Layer.compute_mask):
            _set_mask_metadata(self, args[0] if args else next(iter(kwargs.values()), None), outputs, previous_mask)
        return outputs

    #: The InputSpec Keras set when it built the layer (Context.input_spec), asserted on every later call:
    #: its arguments (ndim, min_ndim, axes).
    _built_spec = None

    def _record_weights(self, ctx):
        """A call that built the layer keeps its weights, its explanation and the InputSpec its build set. A later
        call (Keras skips build() then) changes nothing: the layer keeps the weights of its first call."""
        if ctx.building:
            self._weights = ctx.weights
            self._build_ctx = ctx
            self._built_spec = ctx.built_spec

    @property
    def explanation_context(self):
        return self._build_ctx


#: The name of the first argument of Keras's ``call`` where it is not ``inputs`` (the keyword a caller may give
#: the input with: ``lstm(sequences=x)``), by Keras class name.
_CALL_INPUT_NAMES = {
    "Bidirectional": "sequences", "ConvLSTM1D": "sequences", "ConvLSTM2D": "sequences", "ConvLSTM3D": "sequences",
    "GRU": "sequences", "LSTM": "sequences", "RNN": "sequences", "SimpleRNN": "sequences",
    "GroupedQueryAttention": "query", "MultiHeadAttention": "query", "RMSNormalization": "x",
    "SimpleRNNCell": "sequence",
}


def _get_mask(value):
    return value._keras_mask if type(value) is KerasTensor else None


def _call_masks(layer, args, kwargs):
    """Keras's Layer.__call__, step 6: the mask arguments it fills from the masks the inputs carry, and the mask
    it hands compute_mask (the ``mask`` argument, else the first input's). Returns ({name: mask}, previous_mask)."""
    names = layer._call_arg_names()
    bound = dict(zip(names, args))
    for k, v in kwargs.items():
        bound.setdefault(k, v)
    first = args[0] if args else (bound.get(names[0]) if names else next(iter(kwargs.values()), None))
    tensor_args = {k: v for k, v in bound.items() if type(v) is KerasTensor or (
        isinstance(v, (list, tuple, dict)) and v and any(type(t) is KerasTensor for t in flatten(v)))}
    masks = {}
    if len(tensor_args) == 1:
        if "mask" in names and bound.get("mask") is None:
            mask = map_structure(_get_mask, next(iter(tensor_args.values())))
            if any(m is not None for m in flatten(mask)):
                masks["mask"] = mask
    elif len(tensor_args) > 1:
        for k, v in tensor_args.items():
            if f"{k}_mask" in names and bound.get(f"{k}_mask") is None:
                mask = map_structure(_get_mask, v)
                if any(m is not None for m in flatten(mask)):
                    masks[f"{k}_mask"] = mask
    given = masks.get("mask", kwargs.get("mask"))
    previous = given if given is not None else map_structure(_get_mask, first)
    if previous is not None and not any(m is not None for m in flatten(previous)):
        previous = None if type(first) is KerasTensor else previous
    return masks, previous


def _set_mask_metadata(layer, inputs, outputs, previous_mask):
    """Keras's Layer._set_mask_metadata: the outputs carry the masks compute_mask gives."""
    flat_outputs = [t for t in flatten(outputs) if type(t) is KerasTensor]
    if not flat_outputs or all(t._keras_mask is not None for t in flat_outputs):
        return
    output_masks = layer.compute_mask(inputs, previous_mask)
    if output_masks is None:
        return
    for tensor, mask in zip(flat_outputs, flatten(output_masks)):
        if tensor._keras_mask is None and type(mask) is KerasTensor:
            tensor._keras_mask = mask


def mask_op(op, *args, **kwargs):
    """``keras.ops.<op>(*args, **kwargs)`` run by a layer's compute_mask: on tensors of a model's graph, an
    operation of the graph (Keras records it, names it, and its summary lists it once a layer reads the mask); on
    tensors being traced (a custom layer's call()), a plain symbolic tensor."""
    from .interpreter.tensor_ops import Operation  # on first use: a mask is rare, and its ops live there
    from .ops.keras_ops import KERAS_OPS

    fn = KERAS_OPS[op]
    if any(type(t) is KerasTensor and t._keras_history[0] is not None for t in flatten([list(args), kwargs])):
        return Operation(op, fn)(*args, **kwargs)
    result = fn(map_structure(_to_spec, list(args)), {k: map_structure(_to_spec, v) for k, v in kwargs.items()})
    uids = _session.uids
    counter = uids.get("keras_tensor", 0)
    out = map_structure(lambda s: KerasTensor(s) if type(s) is Spec else s, result)
    uids["keras_tensor"] = counter
    return out


def _keras_call_signature(layer, names):
    """The argument names of Keras's ``call`` for a rule whose arguments are ``names``: the input under Keras's
    name for it (a rule names it ``x``), then the others, and ``training``, which Keras takes on every layer."""
    input_name = _call_input_name(layer)
    out = [input_name, *names[1:]] if names else [input_name]
    return out if "training" in out else [*out, "training"]


def _call_input_name(layer):
    return next((_CALL_INPUT_NAMES[c.keras_name] for c in type(layer).__mro__
                 if c.__dict__.get("keras_name") in _CALL_INPUT_NAMES), "inputs")


def _call_arguments(layer, args, kwargs):
    """A call's arguments as Keras's Layer.__call__ takes them, for a rule with a fixed signature: the input may
    be given by the name of the first argument of Keras's ``call`` (``layer(inputs=x)``), and ``training`` is
    accepted by every layer (Keras passes it on only to a ``call`` that takes it). Other keywords are checked
    against the rule's signature by ``__call__``."""
    code = layer.infer.__code__
    if code.co_flags & 0x08:  # the rule takes **kwargs (a model, a custom layer): it binds them itself
        return args, kwargs
    names = code.co_varnames[2:code.co_argcount + code.co_kwonlyargcount]
    layer_type = type(layer).__name__
    if not code.co_flags & 0x04 and len(args) > code.co_argcount - 2:
        raise ArgumentError(
            f"{layer_type}.call() takes {code.co_argcount - 2} positional argument(s) but {len(args)} were given",
            layer=layer.name, layer_type=layer_type,
            expected=f"layer(x){', or keywords: ' + ', '.join(names[1:]) if names[1:] else ''}",
            fix="pass the input as one argument (a list for a layer with several inputs)")
    if not kwargs:
        return args, kwargs
    kwargs = dict(kwargs)
    if "training" in kwargs and "training" not in names:
        del kwargs["training"]  # Keras accepts it on every layer and drops it where call() has no such argument
    input_name = _call_input_name(layer)
    if not args and input_name in kwargs and (names[:1] != (input_name,)):
        args = (kwargs.pop(input_name),)  # layer(inputs=x)
    elif names and names[0] != input_name and names[0] in kwargs:
        raise ArgumentError(f"{layer_type}.call() missing a required argument: '{input_name}'",
                            layer=layer.name, layer_type=layer_type,
                            expected=f"the input as the first argument, or as {input_name}=...",
                            fix=f"write layer(x) or layer({input_name}=x)")
    return args, kwargs


class InputSpec:
    """What Keras's ``InputSpec`` set in build() asserts on a later call (keras.src.layers.input_spec)."""

    __slots__ = ("axes", "min_ndim", "ndim")

    def __init__(self, ndim=None, min_ndim=None, axes=None):
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})

    def check(self, layer, shape):
        """Raise Keras's error when ``shape`` (a tuple of ints/None) breaks the spec."""
        ndim = len(shape)
        problem = expected = None
        if self.ndim is not None and ndim != self.ndim:
            problem, expected = f"expected ndim={self.ndim}, found ndim={ndim}", f"rank {self.ndim}"
        elif self.min_ndim is not None and ndim < self.min_ndim:
            problem, expected = f"expected min_ndim={self.min_ndim}, found ndim={ndim}", f"rank ≥ {self.min_ndim}"
        else:
            for axis, value in self.axes.items():
                if value is not None and shape[axis] not in (value, None):
                    problem = f"expected axis {axis} of input shape to have value {value}"
                    expected = f"axis {axis} of size {value}, as in its first call"
                    break
        if problem is None:
            return
        raise ShapeError(
            f"Input 0 of layer '{layer.name}' is incompatible with the layer: {problem}, but received input with "
            f"shape {format_shape(shape)}. The layer was built by its first call, on another input; its weights "
            f"are fixed by then", layer=layer.name, layer_type=type(layer).__name__, got=shape,
            expected=expected, fix="a layer built for one input shape cannot be reused on this one; use a "
                                   "separate layer instance (with its own weights) for this input")


def _advise_batch_axis(error, tensors):
    """One axis too many, straight from an Input: the classic mistake of putting the batch size in input_shape."""
    if error.expected_rank is None or len(tensors) != 1:
        return
    tensor = tensors[0]
    source = tensor._keras_history[0]
    if type(source).__name__ != "InputLayer" or len(tensor.shape) != error.expected_rank + 1:
        return
    shape = tensor.shape[1:]
    without = shape[1:]
    text = "(" + ", ".join("None" if d is None else str(d) for d in without) + ("," if len(without) == 1 else "") + ")"
    advice = (f"if {shape[0]} is your batch size, leave it out: input_shape={text} (Keras adds the batch axis "
              f"itself; set the batch size in fit())")
    error.fix = f"{advice}; otherwise: {error.fix}" if error.fix else advice


def _non_tensor_inputs(args, kwargs):
    """A description of what, among a call's positional inputs, is neither a tensor nor a flat list of tensors
    ("a tuple of 1 tensor"), or "" when nothing is."""
    for value in args:
        if type(value) is KerasTensor:
            continue
        if isinstance(value, (list, tuple)):
            inner = sum(1 for v in flatten(value) if type(v) is KerasTensor)
            kind = "tuple" if isinstance(value, tuple) else "list"
            return f"a {kind} of {len(value)} item{'s' * (len(value) != 1)} ({inner} tensor{'s' * (inner != 1)})"
        return f"a {type(value).__name__} value ({value!r:.40})"
    return ""


def _to_spec(x):
    return x.spec if isinstance(x, KerasTensor) else x


#: the dtypes Keras 3.15.1 takes as a policy's name (keras.src.backend.common.dtypes.ALLOWED_DTYPES, and 'int')
_DTYPES = frozenset({"bfloat16", "bool", "complex128", "complex64", "float16", "float32", "float64", "float8_e4m3fn",
                     "float8_e5m2", "int16", "int32", "int64", "int8", "string", "uint16", "uint32", "uint64", "uint8",
                     "int", "mixed_float16", "mixed_bfloat16"})
#: a name starting with one of these is a quantized policy ('int8_from_float32'), read by rules/quantization.py
_QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")


def _check_dtype_policy(layer_type, dtype):
    """keras.dtype_policies.get: a dtype or policy name Keras knows, a dtype object, or a Python type."""
    if dtype is None or dtype in (bool, int, float, str, complex) or hasattr(dtype, "name"):
        return
    if isinstance(dtype, str):
        if dtype in _DTYPES or dtype.startswith(_QUANTIZATION_MODES):
            return
        raise ArgumentError(f"Cannot convert '{dtype}' to a mixed precision DTypePolicy. Valid policies include "
                            "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'.",
                            layer_type=layer_type, expected="dtype: a dtype name ('float32', 'int64', 'string', ...) "
                            "or a policy ('mixed_float16', 'int8_from_float32')", fix="e.g. dtype='float32'")
    raise ArgumentError(f"Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
                        f"Received: dtype={dtype!r}", layer_type=layer_type,
                        expected="dtype: a dtype name such as 'float32'", fix="e.g. dtype='float32'")


def _dtype_name(dtype):
    if dtype is None:
        return "float32"
    if dtype == "int":  # keras.src.backend.common.dtypes.PYTHON_DTYPES_MAP, on the torch backend
        return "int32"
    if isinstance(dtype, str):
        return dtype
    python = {bool: "bool", int: "int32", float: "float32", str: "string", complex: "complex64"}
    if dtype in python:
        return python[dtype]
    return getattr(dtype, "name", str(dtype))


def _kwargs_fix(kwargs):
    if "batch_input_shape" in kwargs:
        return "Keras 3 no longer accepts batch_input_shape on a layer: start with Input(batch_shape=...)"
    if "batch_size" in kwargs:
        return "pass batch_size to Input(shape=..., batch_size=...) instead"
    return "check the argument names against the layer's documentation"


# --------------------------------------------------------------------------------------------------------------
# The registry: Keras class name -> layer class. Aliases map to the same class.


class LazyRegistry:
    """A name -> value mapping whose entries are made by modules as they are imported (``@register`` here), which
    imports a module on the first look-up of one of its names, so that a run pays only for what it uses.

    ``load_one(name)`` imports the module that makes ``name`` (if any); ``load_all()`` imports every one. Iterating,
    ``len``, ``keys``/``values``/``items`` and ``load_all()`` see the whole registry."""

    def __init__(self, load_one, load_all):
        self._load_one = load_one
        self._load_every = load_all
        self._entries = {}

    def _load(self, name):
        if type(name) is str and name not in self._entries:
            self._load_one(name)

    def __getitem__(self, name):
        self._load(name)
        return self._entries[name]

    def __setitem__(self, name, value):
        self._entries[name] = value

    def __contains__(self, name):
        self._load(name)
        return name in self._entries

    def get(self, name, default=None):
        self._load(name)
        return self._entries.get(name, default)

    def load_all(self):
        """Every entry, every module imported: for code that looks at the whole registry."""
        self._load_every()
        return self._entries

    def __iter__(self):
        return iter(self.load_all())

    def __len__(self):
        return len(self.load_all())

    def keys(self):
        return self.load_all().keys()

    def values(self):
        return self.load_all().values()

    def items(self):
        return self.load_all().items()

    def loaded(self):
        """The entries made so far, importing nothing (for tests of what a run imports)."""
        return dict(self._entries)

    def __repr__(self):
        return f"<LazyRegistry: {len(self._entries)} entries loaded>"


def _rule_families(kind):
    """The loaders of a registry filled by the rule families (shapewise.rules, imported when first needed)."""

    def load_one(name):
        from . import rules

        rules.load_family_of(kind, name)

    def load_all():
        from . import rules

        rules.load_all()

    return load_one, load_all


REGISTRY = LazyRegistry(*_rule_families("layers"))
#: Keras's functional forms (``concatenate``, ``add``, ...): name -> callable building and calling the layer
FUNCTIONS = LazyRegistry(*_rule_families("functions"))


def register_function(name):
    def deco(fn):
        FUNCTIONS[name] = fn
        return fn

    return deco


def register(*names, export_class_name=True):
    """Register a layer class under its Keras name (the class's own name) and any aliases.

    ``export_class_name=False`` for a class Keras exports only under another name (``GroupedQueryAttention`` is
    ``keras.layers.GroupQueryAttention``): the summary shows the class name, the namespace has only the alias.
    """

    def deco(cls):
        cls.keras_name = cls.__name__
        if export_class_name:
            REGISTRY[cls.__name__] = cls
        for alias in names:
            REGISTRY[alias] = cls
        return cls

    return deco


# --------------------------------------------------------------------------------------------------------------
# Small helpers rules share


def normalize_tuple(value, n, arg, layer_type):
    """Keras's standardize_tuple: an int or a sequence of n ints, all positive."""
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = None
        if values is None or len(values) != n or not all(isinstance(v, int) for v in values):
            raise ArgumentError(
                f"The `{arg}` argument must be a tuple of {n} integers. Received {arg}={value!r}",
                layer_type=layer_type,
            )
    if any(v <= 0 for v in values):
        raise ArgumentError(
            f"The `{arg}` argument must be a tuple of {n} positive integers. Received {arg}={value!r}",
            layer_type=layer_type,
        )
    return values


def positive_int(value, arg, layer_type):
    if isinstance(value, Dim):
        if value.value is None:
            raise ShapeError(
                f"`{arg}` must be a concrete number, but it comes from data the snippet does not have "
                f"({value.names()})",
                layer_type=layer_type, fix=f"write {arg} as a number",
            )
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ArgumentError(
            f"Received an invalid value for `{arg}`, expected a positive integer. Received: {arg}={value!r}",
            layer_type=layer_type,
        )
    return value


__all__ = [
    "Context", "FUNCTIONS", "InputSpec", "KerasTensor", "Layer", "LazyRegistry", "Node", "REGISTRY", "register_function", "Session", "Spec", "Unknown", "Weight",
    "clear_session", "flatten", "format_shape", "map_structure", "normalize_tuple", "positive_int", "register",
    "session", "to_snake_case",
]
