"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax. (``Activation`` itself is in core.py.)

They apply a function to each value and never change the shape. Only PReLU learns: its negative-side slope
``alpha`` is a weight with one entry per value of a sample (the input shape without the batch axis), unless
``shared_axes`` shares one slope along some axes (for images, ``shared_axes=[1, 2]`` gives one per channel).
"""

from __future__ import annotations

from ..dims import Known, product
from ..engine import Layer, register
from ..errors import ArgumentError


def _less(value, bound, arg, layer_type):
    """``value < bound`` as Keras evaluates it, turning a comparison TypeError into an ArgumentError."""
    try:
        return value < bound
    except TypeError:
        raise ArgumentError(f"`{arg}` must be a number. Received: {arg}={value!r}", layer_type=layer_type) from None


def _pointwise_compute(name):
    """The declaration of a layer that applies the activation ``name`` to every value."""

    def compute(self, c):
        c.activation(name, c.axes(0), before="input")

    return compute


def _pointwise(ctx, x, text):
    bound = ctx.bind(x, "batch", ...) if x.rank else ()
    ctx.note(f"{text}; the shape is unchanged")
    ctx.units("no units and no weights: a fixed function of each value, nothing to learn")
    return ctx.spec(bound or x.shape)


@register()
class ReLU(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and _less(max_value, 0.0, "max_value", "ReLU"):
            raise ArgumentError(
                f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}",
                layer_type="ReLU")
        if negative_slope is None or _less(negative_slope, 0.0, "negative_slope", "ReLU"):
            raise ArgumentError(
                "negative_slope of a ReLU layer cannot be None or a negative value. "
                f"Received: negative_slope={negative_slope}", layer_type="ReLU")
        if threshold is None or _less(threshold, 0.0, "threshold", "ReLU"):
            raise ArgumentError(
                f"threshold of a ReLU layer cannot be None or a negative value. Received: threshold={threshold}",
                layer_type="ReLU")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def infer(self, ctx, x, training=None):
        below = f"multiplied by {self.negative_slope}" if self.negative_slope else "set to 0"
        text = f"each value below {self.threshold} is {below}"
        if self.max_value is not None:
            text += f", and values are capped at {self.max_value}"
        return _pointwise(ctx, x, text)

    def compute(self, c):
        # a plain ReLU is torch's relu (its backward reads the output); with a cap, slope or threshold Keras
        # composes it from ops whose backward reads the input
        plain = self.max_value is None and not self.negative_slope and not self.threshold
        c.activation("relu" if plain else "relu_variant", c.axes(0), before="input")


@register()
class LeakyReLU(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, negative_slope=0.3, **kwargs):
        # Keras 3 still accepts the Keras 2 name `alpha` (deprecated, with a warning).
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or _less(negative_slope, 0, "negative_slope", "LeakyReLU"):
            raise ArgumentError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a "
                f"float. Received: negative_slope={negative_slope}", layer_type="LeakyReLU")
        self.negative_slope = negative_slope

    def infer(self, ctx, x, training=None):
        return _pointwise(ctx, x, f"negative values are multiplied by the fixed slope {self.negative_slope}, "
                                  f"positive ones pass unchanged")

    compute = _pointwise_compute("leaky_relu")


@register()
class ELU(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def infer(self, ctx, x, training=None):
        return _pointwise(ctx, x, f"negative values become {self.alpha}·(eˣ − 1), positive ones pass unchanged")

    compute = _pointwise_compute("elu")


@register()
class Softmax(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def infer(self, ctx, x, mask=None, training=None):
        # Keras checks neither the axis nor the mask's shape when building (only when run on data).
        text = f"the values along axis {self.axis} are turned into probabilities that sum to 1"
        if mask is not None:
            text += "; masked positions get probability 0"
        return _pointwise(ctx, x, text)

    def compute(self, c):
        axes = c.axes(0)
        c.activation("softmax", axes, before="input")
        several = [a % len(axes) for a in self.axis] if isinstance(self.axis, (list, tuple)) else []
        if len(set(several)) > 1:
            # Keras's softmax over several axes is exp(x − logsumexp(x)): it also keeps the input and the
            # log-sum-exp of each row
            c.saves_input(0, "input (for logsumexp)")
            c.saves(product(d for i, d in enumerate(axes) if i not in several), "the log-sum-exp of each row")


@register()
class PReLU(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def infer(self, ctx, x, training=None):
        if x.rank >= 2:
            bound = ctx.bind(x, "batch", ..., "features" if x.rank == 2 else "channels")
        else:
            bound = ctx.bind(x, "batch", ...) if x.rank else ()
        if not ctx.building:  # compute_output_shape: the input's shape; the alpha of the first call is kept
            for i, d in enumerate(bound[1:]):
                if i + 1 not in (self.shared_axes or ()):
                    ctx.built_for("alpha", i, d, f"axis {i + 1}")
            return self._pass(ctx, x, bound, list(self.shared_axes or ()))
        param = list(bound[1:])
        shared = []
        for i in self.shared_axes or ():
            if not isinstance(i, int) or not -len(param) <= i - 1 < len(param):
                ctx.fail(
                    f"shared_axes={self.shared_axes} names axis {i}, which a {x.rank}D input does not have",
                    expected=f"axes between 1 and {x.rank - 1} (axis 0 is the batch)",
                    fix="for images (batch, height, width, channels) use shared_axes=[1, 2]")
            # Keras writes param_shape[i - 1] = 1: Python indexing, so axis 0 (or a negative axis) wraps around.
            param[i - 1] = Known(1)
            shared.append(i)
        for d in param:
            if d.value is None:
                ctx.fail(
                    f"PReLU learns one slope per value of a sample, so every non-batch axis must be known, but "
                    f"{d.names()} is unknown",
                    expected="known sizes on every axis that is not shared",
                    fix="share the slope along the unknown axis, e.g. shared_axes=[1] for a sequence of any "
                        "length, or give it a concrete size")
        ctx.weight("alpha", param)
        # Keras's InputSpec: the rank, and the size of every axis that is not shared (none without shared_axes)
        ctx.input_spec(ndim=x.rank, axes={i: x.shape[i].value for i in range(1, x.rank)
                                          if self.shared_axes and i not in self.shared_axes})
        return self._pass(ctx, x, bound, shared)

    def _pass(self, ctx, x, bound, shared):
        ctx.note("positive values pass unchanged; negative values are multiplied by a learned slope alpha; the "
                 "shape is unchanged")
        if shared:
            ctx.free("one slope is shared along these axes (shared_axes), so their size does not change the count")
            ctx.units(f"no units: one learned slope per value, except along shared_axes {shared}, where one slope "
                      f"is shared (those axes are 1 in alpha's shape)")
        else:
            ctx.units("no units: one learned slope per value of a sample (alpha has the input's shape without "
                      "the batch), unless shared_axes share it")
        return ctx.spec(bound or x.shape)

    def compute(self, c):
        # Keras: relu(x) − alpha·relu(−x); torch keeps both relus' outputs and −alpha
        n = product(c.axes(0))
        c.ops(5 * n, "relu, negate, relu, multiply by alpha, add")
        c.saves(n, "relu(−x)")  # for alpha's gradient
        if c.grad_input:  # the input's gradient also needs relu(x)'s output and −alpha
            c.saves(n, "relu(x)")
            alpha = next((w for w in self._weights or () if w.name == "alpha"), None)
            if alpha is not None:
                c.saves(product(alpha.dims), "−alpha")
