"""Regularization layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
ActivityRegularization. (``Dropout`` itself is in core.py.)

None of them has weights or changes the shape. The noise layers act only while training; at inference they pass
their input through. ActivityRegularization adds a penalty on its input to the loss and returns the input.
"""

from __future__ import annotations

import math

from ..compute import no_compute, view_compute
from ..dims import product
from ..engine import Layer, register
from ..errors import ArgumentError


def _check_rate(value, arg, layer_type):
    try:
        ok = 0 <= value <= 1
    except TypeError:
        raise ArgumentError(f"Invalid value received for argument `{arg}`. Expected a float value between 0 and "
                            f"1. Received: {arg}={value!r}", layer_type=layer_type) from None
    if not ok:
        raise ArgumentError(f"Invalid value received for argument `{arg}`. Expected a float value between 0 and "
                            f"1. Received: {arg}={value}", layer_type=layer_type)
    return value


def _check_noise_shape(noise_shape, layer_type):
    if noise_shape is None:
        return None
    bad = "Invalid value received for argument `noise_shape`. "
    if isinstance(noise_shape, str):
        raise ArgumentError(bad + f"Expected a tuple or list of integers. Received: noise_shape={noise_shape}",
                            layer_type=layer_type)
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ArgumentError(bad + "Expected an iterable of integers (e.g., a tuple or list). "
                            f"Received: noise_shape={noise_shape}", layer_type=layer_type) from None
    for i, dim in enumerate(noise_shape):
        if dim is not None and (not isinstance(dim, int) or dim <= 0):
            raise ArgumentError(bad + f"Expected all elements to be positive integers or None. Received element "
                                f"at index {i}: {dim}", layer_type=layer_type)
    return noise_shape


def _data_format(data_format, layer_type):
    if data_format is None:
        return "channels_last"
    data_format = str(data_format).lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ArgumentError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}", layer_type=layer_type)
    return data_format


def _passthrough(ctx, x, note, units="no units and no weights: it only adds noise while training"):
    bound = ctx.bind(x, "batch", ...) if x.rank else ()
    ctx.note(note + "; the shape is unchanged")
    ctx.units(units)
    return ctx.spec(bound or x.shape)


class _SpatialDropout(Layer):
    supports_masking = True  # (as in Keras)
    n_spatial = 1

    # Keras's signature has no **kwargs: SpatialDropout layers take no input_shape, trainable, ...
    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        self._init(rate, data_format, seed, name, dtype, kwargs)

    def _init(self, rate, data_format, seed, name, dtype, kwargs):
        kind = type(self).__name__
        if kwargs:
            raise ArgumentError(
                f"{kind}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'",
                layer_type=kind,
                fix=(f"{kind} accepts only rate, seed, name and dtype"
                     + ("" if self.n_spatial == 1 else " (and data_format)")
                     + "; start the model with keras.Input(shape=...) instead of input_shape="))
        Layer.__init__(self, name=name, dtype=dtype)
        self.rate = _check_rate(rate, "rate", kind)
        self.seed = seed
        self.data_format = _data_format(data_format, kind) if self.n_spatial > 1 else "channels_last"

    def infer(self, ctx, x, training=None):
        rank = self.n_spatial + 2
        if x.rank != rank and not ctx.called:  # compute_output_shape alone: the input's shape
            return _passthrough(ctx, x, "while training, whole channels are zeroed", units="no units and no weights")
        if x.rank != rank:  # InputSpec(ndim=...)
            layout = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
                      3: "(batch, depth, height, width, channels)"}[self.n_spatial]
            ctx.fail(f"Input 0 of layer '{ctx.layer.name}' is incompatible with the layer: expected ndim={rank}, "
                     f"found ndim={x.rank}. Full shape received: {x.values()}",
                     expected=layout,
                     fix=f"use SpatialDropout{x.rank - 2}D for a {x.rank}D input" if 3 <= x.rank <= 5 else
                     "use Dropout for inputs without spatial axes")
        spatial = ["steps"] if self.n_spatial == 1 else ["height", "width"] if self.n_spatial == 2 else \
            ["depth", "height", "width"]
        names = (["batch", "channels", *spatial] if self.data_format == "channels_first"
                 else ["batch", *spatial, "channels"])
        bound = ctx.bind(x, *names)
        where = "every position" if self.n_spatial == 1 else "every pixel" if self.n_spatial == 2 else "every voxel"
        ctx.note(f"while training, whole channels are zeroed with probability {self.rate} (the same channel at "
                 f"{where} of a sample), instead of single values; the shape is unchanged")
        ctx.units("no units and no weights: it only masks channels while training")
        return ctx.spec(bound)

    def compute(self, c):
        # no work at inference; while training, a bool mask with one entry per sample and channel
        axes = c.axes(0)
        if axes and 0 < self.rate < 1:
            channels = axes[1] if self.data_format == "channels_first" else axes[-1]
            c.saves(axes[0] * channels, "channel mask", "bool")


@register()
class SpatialDropout1D(_SpatialDropout):
    n_spatial = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        self._init(rate, None, seed, name, dtype, kwargs)


@register()
class SpatialDropout2D(_SpatialDropout):
    n_spatial = 2


@register()
class SpatialDropout3D(_SpatialDropout):
    n_spatial = 3


@register()
class GaussianNoise(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = _check_rate(stddev, "stddev", "GaussianNoise")
        self.seed = seed

    def infer(self, ctx, x, training=None):
        return _passthrough(ctx, x, f"while training, zero-mean Gaussian noise (stddev {self.stddev}) is added to "
                                    f"each value")

    compute = no_compute  # (training adds noise: an addition's backward keeps nothing)


@register()
class GaussianDropout(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate, "rate", "GaussianDropout")
        self.seed = seed

    def infer(self, ctx, x, training=None):
        if self.rate < 1:
            std = f"√(rate/(1 − rate)) = {math.sqrt(self.rate / (1 - self.rate)):.3g}"
        else:
            std = "√(rate/(1 − rate))"
        return _passthrough(ctx, x, f"while training, each value is multiplied by Gaussian noise of mean 1 and "
                                    f"stddev {std}")

    def compute(self, c):
        if 0 < self.rate < 1:
            c.saves(product(c.axes(0)), "the noise it multiplied by")


@register()
class AlphaDropout(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate, "rate", "AlphaDropout")
        self.seed = seed
        self.noise_shape = noise_shape

    def infer(self, ctx, x, training=None):
        return _passthrough(ctx, x, f"while training, values are dropped with probability {self.rate} in a way "
                                    f"that keeps the mean and variance (for SELU networks)")

    def compute(self, c):
        if 0 < self.rate < 1:
            c.saves(product(c.axes(0)), "the scaled mask")


def _penalty(value, name):
    value = 0.0 if value is None else value
    if not isinstance(value, (float, int)) or math.isinf(value) or math.isnan(value) or value < 0:
        raise ArgumentError(f"Invalid value for argument {name}: expected a non-negative float.Received: "
                            f"{name}={value}", layer_type="ActivityRegularization")
    return float(value)


@register()
class ActivityRegularization(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        if "activity_regularizer" in kwargs:
            raise ArgumentError(
                "ActivityRegularization got multiple values for keyword argument 'activity_regularizer'",
                layer_type="ActivityRegularization")
        self.l1 = _penalty(l1, "l1")
        self.l2 = _penalty(l2, "l2")
        super().__init__(**kwargs)

    def infer(self, ctx, x, training=None):
        return _passthrough(ctx, x, f"the input passes through unchanged; during training "
                                    f"{self.l1}·Σ|x| + {self.l2}·Σx² is added to the loss",
                            units="no units and no weights: it only adds a penalty on its input to the loss")

    compute = view_compute
