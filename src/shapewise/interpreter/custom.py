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

from ..engine import Layer, Weight
from ..graph import Functional, Model


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
        out = []
        seen = set()
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

    @property
    def built(self):
        return self.__dict__.get("_custom_built", False)

    @property
    def weights(self):
        return CustomLayer.weights.fget(self)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers:
            layer.trainable = value


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
