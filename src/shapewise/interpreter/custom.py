"""Custom layers and subclassed models: engine layers whose rule is the snippet's own ``call``, interpreted.

A snippet class deriving from ``keras.layers.Layer`` (or from a built-in layer, or from ``keras.Model``) gets an
engine type of its own, made here once per class: a subclass of ``CustomLayer`` (and of the built-in layer's
rule class, or of ``graph.Model``) whose Keras class name is the snippet's class name. Its instances hold the
attributes the snippet sets (``self.dense = layers.Dense(4)``), the weights it adds (``self.add_weight``) and the
sublayers it tracks, in Keras's order. Calling one on symbolic tensors runs ``Layer.__call__`` as for any layer;
its ``infer`` hands the call back to the interpreter, which interprets ``build`` and ``call`` (or
``compute_output_shape``) on symbolic tensors.

Nothing here runs code of the snippet's: the interpreter interprets it; this module only keeps the state Keras
keeps.
"""

from __future__ import annotations

from ..dims import product
from ..engine import Layer, Weight
from ..graph import Functional, Model
from .values import Function


#: ops that only move or reshape values: no arithmetic (FlopCounterMode counts none)
_SHAPE_OPS = frozenset({
    "reshape", "transpose", "expand_dims", "squeeze", "get_item", "concatenate", "stack", "split", "cast", "shape",
    "convert_to_tensor", "slice", "swapaxes", "moveaxis", "flip", "tile", "repeat", "broadcast_to", "zeros", "ones",
    "zeros_like", "ones_like", "arange", "full", "full_like", "eye", "tril", "triu", "unstack", "stop_gradient",
    "copy", "ravel", "take", "take_along_axis", "pad", "roll", "random.normal", "random.uniform",
    "random.truncated_normal", "random.randint", "numpy.reshape", "numpy.transpose", "numpy.expand_dims",
})
#: ops whose multiply-accumulates shapewise does not count inside a custom layer (yet)
_UNCOSTED_OPS = frozenset({"einsum", "numpy.einsum", "tensordot", "numpy.tensordot", "conv", "nn.conv",
                           "depthwise_conv", "dot_product_attention", "nn.dot_product_attention", "image.resize",
                           "image.extract_patches", "top_k", "sort", "argsort"})


def _snippet_method(cls, name):
    """The snippet's own method ``name`` along the class's MRO (a Function), or None."""
    fn, _ = cls.lookup(name)
    return fn if isinstance(fn, Function) else None


class CustomLayer(Layer):
    """A layer whose class the snippet defines. See the module docstring."""

    keras_name = "Layer"
    is_custom = True

    def _setup_custom(self, interp, cls):
        self._interp = interp
        self._cls = cls
        self._attrs = {}  # the attributes the snippet set, in assignment order
        self._own = []  # Weights from add_weight, in creation order
        self._initialized = False  # super().__init__() ran
        self._custom_built = False
        self._called_sublayers = []

    # --- what Keras tracks ----------------------------------------------------------------------------------
    @property
    def _sublayers(self):
        """The layers the snippet assigned to attributes (directly or in lists, tuples and dicts), in order."""
        out = list(self.__dict__.get("_base_sublayers", ()))  # those a built-in base set (a Wrapper's layer)
        seen = set(map(id, out))
        stack = list(reversed(list(self.__dict__.get("_attrs", {}).values())))
        while stack:
            value = stack.pop()
            if isinstance(value, Layer):
                if id(value) not in seen:
                    seen.add(id(value))
                    out.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(reversed(value))
            elif isinstance(value, dict):
                stack.extend(reversed(list(value.values())))
        return out

    @_sublayers.setter
    def _sublayers(self, layers):
        # a built-in base class's __init__ (Wrapper, Bidirectional) names the layers it owns
        self.__dict__["_base_sublayers"] = list(layers)

    @property
    def built(self):
        return self.__dict__.get("_custom_built", False)

    @property
    def weights(self):
        """Keras's Layer.weights: the layer's own trainable weights, then its own other weights, then each
        tracked sublayer's weights; each weight once."""
        own = list(self._own)
        base = self.__dict__.get("_weights")
        if base:
            own.extend(base)  # weights a built-in base layer's rule declared
        out = [w for w in own if w.declared_trainable] + [w for w in own if not w.declared_trainable]
        seen = set(map(id, out))
        for layer in self._sublayers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    def _record_weights(self, ctx):
        if ctx.building:
            self._custom_built = True
            self._build_ctx = ctx

    def add_weight(self, name, dims, trainable):
        values = tuple(d.value for d in dims)
        weight = Weight(name, dims, trainable, self, values)
        self._own.append(weight)
        return weight

    # --- compute: what its traced call() ran ------------------------------------------------------------------
    def compute(self, c):
        """The cost of the sublayers and ops its call() ran (recorded on the call's context by the trace); a
        subclass of a built-in layer that does not define call() costs what the built-in layer costs."""
        cls = self.__dict__.get("_cls")
        if cls is not None and cls.builtin_base is not None and _snippet_method(cls, "call") is None \
                and _snippet_method(cls, "compute_output_shape") is None:
            return cls.builtin_base.compute(self, c)
        costs = (c.ctx.__dict__.get("trace_costs") if c.ctx is not None else None) or ()
        names = {}  # each input axis under the name the cost gives it, so a formula says what it grows with
        for k, spec in enumerate(c.inputs):
            for raw, named in zip(spec.shape, c.axes(k)):
                names.setdefault(id(raw), named)

        def named(dims):
            return [names.get(id(d), d) for d in dims]
        uncounted = []
        nested = []
        for kind, what, ins, outs, sub_ctx in costs:
            if kind == "layer" and isinstance(what, Model):
                nested.append(what.name)  # a model run inside call(): its layers' work is not traced here (yet)
            elif kind == "layer":
                node = next((n for n in what._inbound_nodes if n.ctx is sub_ctx), None) if sub_ctx else None
                c.sublayer(what, ins, outs, ctx=sub_ctx, node=node)
            elif what in _SHAPE_OPS:
                continue
            elif what in ("matmul", "numpy.matmul", "dot", "numpy.dot") and len(ins) >= 2 and outs:
                a = ins[0]
                k = named(a.shape)[-1] if a.rank else 1
                c.macs(product(named(outs[0].shape)) * k, f"ops.{what}")
            elif what in _UNCOSTED_OPS or not outs:
                uncounted.append(what)
            else:  # an elementwise op: one op per output element
                c.ops(product(named(outs[0].shape)), f"ops.{what}")
        if uncounted or nested:
            c.declared = False
            parts = [f"ops.{op}" for op in sorted(set(uncounted))] + [f"the nested model {n}" for n in nested]
            c.note(f"the work of {', '.join(parts)} in its call() is not counted")
        elif any(kind == "op" and what not in _SHAPE_OPS for kind, what, _, _, _ in costs):
            c.note("what the ops of its call() save for the backward pass is not counted")

    # --- masks: as Keras's Layer, with the snippet's call() and compute_mask ------------------------------------
    @property
    def supports_masking(self):
        """``self.supports_masking = ...`` if the snippet set it, else whether its class defines compute_mask
        (Keras: ``not is_default(self.compute_mask)``), else the built-in base layer's."""
        attrs = self.__dict__.get("_attrs", {})
        if "supports_masking" in attrs:
            return attrs["supports_masking"] is True
        if "_supports_masking" in self.__dict__:  # a built-in base layer's __init__ set it
            return self.__dict__["_supports_masking"]
        cls = self.__dict__.get("_cls")
        if cls is None:
            return False
        if _snippet_method(cls, "compute_mask") is not None:
            return True
        base = cls.builtin_base
        return bool(base is not None and base.supports_masking is True)

    @supports_masking.setter
    def supports_masking(self, value):
        self.__dict__["_supports_masking"] = bool(value)

    def compute_mask(self, inputs, previous_mask):
        cls = self._cls
        fn = _snippet_method(cls, "compute_mask")
        if fn is not None:
            return self._interp.run_compute_mask(self, fn, inputs, previous_mask)
        if cls.builtin_base is not None:
            return cls.builtin_base.compute_mask(self, inputs, previous_mask)
        return previous_mask

    def _call_arg_names(self):
        cls = self.__dict__.get("_cls")
        fn = _snippet_method(cls, "call") if cls is not None else None
        if fn is None:
            base = cls.builtin_base if cls is not None else None
            return Layer._call_arg_names(self) if base is None else base._call_arg_names(self)
        a = fn.node.args
        return tuple(p.arg for p in a.posonlyargs + a.args + a.kwonlyargs)[1:]  # without self

    # --- the rule: the snippet's call, interpreted ---------------------------------------------------------
    def infer(self, ctx, *args, **kwargs):
        return self._interp.run_custom_call(self, ctx, args, kwargs)


class CustomModel(CustomLayer, Model):
    """A subclassed ``keras.Model``: its layers are the sublayers it tracks."""

    @property
    def layers(self):
        return self._sublayers

    # A subclassed model has no symbolic inputs or outputs of its own (Keras: it is not a graph).
    inputs = outputs = ()
    # (built and weights are CustomLayer's, first in the MRO; trainable is Model's, over self.layers)


def engine_type(cls):
    """The engine type of a snippet class with a framework base (made once per class). Its name is the
    snippet's class name, as Keras's summary prints it; ``builtin_base`` (a rule class) comes after the custom
    behaviour in the MRO, so its rule is used where the snippet does not override ``call``."""
    if cls._engine_type is not None:
        return cls._engine_type
    base = CustomModel if cls.framework == "model" else CustomLayer
    bases = (base,) if cls.builtin_base is None else (base, cls.builtin_base)
    cls._engine_type = type(cls.name, bases, {"keras_name": cls.name, "__module__": "shapewise.snippet"})
    return cls._engine_type


class CustomFunctional(Functional):
    """A subclass of ``keras.Model`` initialized as a functional model (``super().__init__(inputs, outputs)``):
    Keras makes it a Functional model of that class (models/model.py, inject_functional_model_class)."""

    is_custom_functional = True


def functional_type(cls):
    made = _FUNCTIONAL.get(cls.name)
    if made is None or made[0] is not cls:
        made = (cls, type(cls.name, (CustomFunctional,), {"keras_name": cls.name, "__module__": "shapewise.snippet"}))
        if len(_FUNCTIONAL) > 1000:
            _FUNCTIONAL.clear()
        _FUNCTIONAL[cls.name] = made
    return made[1]


_FUNCTIONAL = {}
