"""Layers only Keras's applications create: ConvNeXt's LayerScale and StochasticDepth, InceptionResNetV2's
CustomScaleLayer, and the operations that tensor arithmetic records (``a + b`` in ConvNeXt, ``x + 3.0`` in MobileNetV3).

They are not part of ``keras.layers`` (Keras defines them inside its application modules), so they are not
registered; each keeps the class name Keras reports. LayerScale learns one scale per channel; the others
have no weights and keep the shape.
"""

from __future__ import annotations

from ..dims import Known, product
from ..engine import Layer, session


class LayerScale(Layer):
    """Multiplies each channel by its own learned factor (``gamma``, one per channel)."""

    keras_name = "LayerScale"

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim
        self._gamma_name = None

    def infer(self, ctx, x):
        ctx.name_axes(x, "batch", ...)
        # Keras builds gamma from the projection_dim argument, not from the input's last axis.
        channels = ctx.const(self.projection_dim, "projection_dim")
        # Keras's add_weight here passes no name: the weight takes an auto-name, "variable", "variable_1", ...
        # (from the session's counter, once, when the layer is built; the attribute is gamma).
        if self._gamma_name is None:
            self._gamma_name = session().auto_name("variable")
        ctx.weight(self._gamma_name, (channels,))
        ctx.note("each value is multiplied by its channel's scale; the shape is unchanged")
        ctx.units(f"one learned scale for each of the {self.projection_dim} channels, shared by every position")
        return ctx.spec(x.shape)

    def compute(self, c):
        c.ops(product(c.axes(0)), "scale")
        c.saves_input(0, "input (for gamma's gradient)", for_weights=True)


class StochasticDepth(Layer):
    """During training, drops the whole residual branch for some samples; at inference, the identity."""

    keras_name = "StochasticDepth"

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def infer(self, ctx, x):
        ctx.name_axes(x, "batch", ...)
        ctx.note(f"while training, the branch is dropped with probability {self.drop_path_rate}; "
                 "the shape is unchanged")
        ctx.units("no units and no weights")
        return ctx.spec(x.shape)

    def compute(self, c):
        if not self.drop_path_rate:
            c.view()  # Keras returns its input
            return
        batch = c.axes(0)[0]
        c.ops(2 * product(c.axes(0)), "scale and mask")
        c.saves(batch, "per-sample mask")


class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: a residual connection with a fixed scale on the branch."""

    keras_name = "CustomScaleLayer"

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def infer(self, ctx, inputs):
        shortcut, branch = inputs
        ctx.name_axes(shortcut, "batch", ...)
        ctx.name_axes(branch, "batch", ...)
        if shortcut.rank != branch.rank or any(
            a.value is not None and b.value is not None and a.value != b.value
            for a, b in zip(shortcut.shape[1:], branch.shape[1:])
        ):
            ctx.fail("the shortcut and the scaled branch must have the same shape",
                     expected="two inputs of the same shape")
        ctx.note(f"adds the second input, scaled by {self.scale}, to the first; the shape is unchanged")
        ctx.units("no units and no weights: a fixed scale")
        return ctx.spec(shortcut.shape)

    def compute(self, c):
        c.ops(2 * product(c.out(0)), "scale and add")
        c.saves(Known(1), "the scale (a 0-d tensor)", "float32")


class TensorOp(Layer):
    """An operation recorded by arithmetic on symbolic tensors (``a + b``, ``x * 0.5``): a graph node, not a layer.

    Keras lists it among the model's operations but not in ``model.layers``; it takes an auto-name from the same
    counter as the layer of that name (``add``, ``multiply``).
    """

    is_operation = True
    _VERBS = {"add": "adds", "multiply": "multiplies"}

    def __init__(self, kind):
        super().__init__(name=session().auto_name(kind))
        self.kind = kind
        self.keras_name = kind.capitalize()

    def infer(self, ctx, a, b):
        specs = [v for v in (a, b) if hasattr(v, "shape")]
        widest = max(specs, key=lambda spec: spec.rank)
        ctx.note(f"{self._VERBS[self.kind]} value by value; the shape is unchanged")
        return ctx.spec(widest.shape)

    def compute(self, c):
        c.ops(product(c.out(0)), self.kind)
        if self.kind != "multiply":
            return
        if len(c.inputs) == 2:  # tensor × tensor: each one's gradient reads the other
            c.saves_input(0, "left operand")
            c.saves_input(1, "right operand")
        else:  # tensor × number: the number, as a 0-d tensor
            c.saves(Known(1), "the constant (a 0-d tensor)", "float32")


def add(a, b):
    """``a + b`` on symbolic tensors (or a tensor and a number), as Keras records it."""
    return TensorOp("add")(a, b)


def multiply(a, b):
    """``a * b`` on symbolic tensors (or a tensor and a number), as Keras records it."""
    return TensorOp("multiply")(a, b)
