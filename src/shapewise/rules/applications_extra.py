"""Layers only Keras's applications create: ConvNeXt's LayerScale and StochasticDepth, InceptionResNetV2's
CustomScaleLayer, and the ``Add`` operation a ``tensor + tensor`` expression records in ConvNeXt.

They are not part of ``keras.layers`` (Keras defines them inside its application modules), so they are not
registered; each keeps the class name Keras reports. LayerScale learns one scale per channel; the others
have no weights and keep the shape.
"""

from __future__ import annotations

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
        ctx.bind(x, "batch", ...)
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


class StochasticDepth(Layer):
    """During training, drops the whole residual branch for some samples; at inference, the identity."""

    keras_name = "StochasticDepth"

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def infer(self, ctx, x):
        ctx.bind(x, "batch", ...)
        ctx.note(f"while training, the branch is dropped with probability {self.drop_path_rate}; "
                 "the shape is unchanged")
        ctx.units("no units and no weights")
        return ctx.spec(x.shape)


class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: a residual connection with a fixed scale on the branch."""

    keras_name = "CustomScaleLayer"

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def infer(self, ctx, inputs):
        shortcut, branch = inputs
        ctx.bind(shortcut, "batch", ...)
        ctx.bind(branch, "batch", ...)
        if shortcut.rank != branch.rank or any(
            a.value is not None and b.value is not None and a.value != b.value
            for a, b in zip(shortcut.shape[1:], branch.shape[1:])
        ):
            ctx.fail("the shortcut and the scaled branch must have the same shape",
                     expected="two inputs of the same shape")
        ctx.note(f"adds the second input, scaled by {self.scale}, to the first; the shape is unchanged")
        ctx.units("no units and no weights: a fixed scale")
        return ctx.spec(shortcut.shape)


class TensorAdd(Layer):
    """The ``Add`` operation recorded by ``a + b`` on symbolic tensors: a graph node that is not a layer.

    Keras lists it among the model's operations but not in ``model.layers``; it takes an auto-name from the
    same ``add`` counter as the Add layer.
    """

    keras_name = "Add"
    is_operation = True

    def __init__(self):
        super().__init__(name=session().auto_name("add"))

    def infer(self, ctx, a, b):
        ctx.note("adds the two tensors value by value")
        return ctx.spec(a.shape if a.rank >= b.rank else b.shape)


def add(a, b):
    """``a + b`` on two symbolic tensors, as Keras records it."""
    return TensorAdd()(a, b)
