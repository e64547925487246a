"""Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and their global forms.

A pooling layer has no weights: it summarises each window (the maximum or the mean) channel by channel, so the
number of channels is kept and only the spatial sizes change, following Keras's
``compute_pooling_output_shape``:

- ``padding='valid'``: out = ⌊(in − pool_size) / stride⌋ + 1 (Keras raises when it is ≤ 0);
- ``padding='same'``: out = ⌈in / stride⌉.

``strides`` defaults to ``pool_size``: windows side by side, without overlap. A global pooling layer summarises
every spatial axis at once, leaving one value per channel (kept as size-1 axes with ``keepdims=True``).
"""

from __future__ import annotations

import math

from ..dims import Known, Unknown, product
from ..engine import Layer, register
from ..errors import ArgumentError
from .conv import (SPATIAL_NAMES, same_padding, split_axes, assemble, bind_spatial, check_rank, conv_output_dims, standardize_data_format,
                   standardize_tuple)

_POOL_ROLES = {1: ("pool_size",), 2: ("pool_h", "pool_w"), 3: ("pool_d", "pool_h", "pool_w")}
_MODE = {"max": "the maximum", "average": "the mean"}


class _BasePooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        kind = type(self).__name__
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", kind)
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, self.rank, "strides", kind, allow_zero=True)
        # Keras keeps `padding` as given (no lower-casing) and checks it when computing the output shape.
        self.padding = padding
        self.data_format = standardize_data_format(data_format, kind)

    def infer(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        if ctx.called:  # InputSpec(ndim=rank + 2)
            check_rank(ctx, x, r, self.data_format, kind)
        if self.padding not in ("valid", "same"):
            ctx.fail(f"Argument `padding` must be either 'valid' or 'same'. Received: padding={self.padding!r}",
                     expected="padding='valid' or padding='same' (lower case)",
                     fix=f"padding={str(self.padding).lower()!r}" if str(self.padding).lower() in
                     ("valid", "same") else "use padding='valid' or 'same'")
        if 0 in self.strides:
            ctx.fail(f"strides must be positive, got {self.strides}", expected="strides > 0")
        if x.rank != r + 2:
            return self._other_rank(ctx, x)
        (batch,), spatial, channels = bind_spatial(ctx, x, r, self.data_format)
        pool = [ctx.const(p, role) for p, role in zip(self.pool_size, _POOL_ROLES[r])]
        out = conv_output_dims(ctx, spatial, pool, self.strides, (1,) * r, self.padding, SPATIAL_NAMES[r],
                               kind="pool window",
                               fail_fix="use padding='same', a smaller pool_size, or a larger input "
                                        "(or fewer downsampling layers before this one)")
        default = self.strides == self.pool_size
        ctx.note(f"each {'×'.join(map(str, self.pool_size))} window is replaced by {_MODE[self.mode]} of its "
                 "values, channel by channel: the number of channels is kept"
                 + ("; strides default to pool_size, so the windows do not overlap" if default else ""))
        ctx.units("no units and no weights: pooling is a fixed summary of each window, nothing to learn")
        return ctx.spec(assemble(self.data_format, (batch,), out, channels))

    def compute(self, c):
        window = 1
        for p in self.pool_size:
            window *= p
        c.ops(product((window, *c.out(0))), f"{'max' if self.mode == 'max' else 'sum'} over each {'×'.join(map(str, self.pool_size))} window")
        padded = None
        if c.inputs[0].rank == self.rank + 2:
            (batch,), spatial, channels = split_axes(c.axes(0), self.data_format)
            padded = same_padding(self.padding, spatial, self.pool_size, self.strides, (1,) * self.rank)
        if padded is not None:  # Keras pads the input itself (replicating the edges, which keeps its input)
            if self.data_format == "channels_last":
                c.saves(product(c.axes(0)), "input, channels first (a copy)")
            else:
                c.saves_input(0, "input")
            c.saves(product((batch, *padded, channels)), "input, padded for padding='same' (a copy)")
            if self.mode == "max":
                c.saves(product(c.out(0)), "index of each maximum", "int64")
        else:
            _saves_pooled(c, self.data_format, self.mode)

    def _other_rank(self, ctx, x):
        """Keras's compute_pooling_output_shape on an input of another rank (reached without the InputSpec: inside
        TimeDistributed, or in a nested model run on a new shape). It computes with numpy arrays, so the spatial
        sizes broadcast against pool_size and strides: one pool size applies to every spatial axis, and one
        spatial axis is pooled with each pool size; other counts fail."""
        values = list(x.values())
        if x.rank < 2:
            ctx.fail(f"{type(self).__name__} needs a batch and a channel axis", expected="(batch, ..., channels)")
        if self.data_format == "channels_last":
            lead, spatial, tail = values[:1], values[1:-1], values[-1:]
        else:
            lead, spatial, tail = values[:2], values[2:], []
        none_dims = [i for i, v in enumerate(spatial) if v is None]
        sizes = [-1 if v is None else v for v in spatial]
        pool, strides = list(self.pool_size), list(self.strides)
        m, n = len(sizes), len(pool)
        if m != n and m != 1 and n != 1:
            ctx.fail(f"operands could not be broadcast together with shapes ({m},) ({n},): Keras's "
                     f"compute_pooling_output_shape matches the {m} spatial axes of this {x.rank}D input with the "
                     f"{n} pool sizes of {type(self).__name__}",
                     expected=f"a {self.rank + 2}D input (batch, {', '.join(SPATIAL_NAMES[self.rank])}, channels)",
                     expected_rank=self.rank + 2)
        length = 0 if 0 in (m, n) else max(m, n)
        pick = (lambda seq, i: seq[0] if len(seq) == 1 else seq[i])
        out = []
        for i in range(length):
            size, p, st = pick(sizes, i), pick(pool, i), pick(strides, i)
            if self.padding == "valid":
                o = math.floor((size - p) / st) + 1
                if i not in none_dims and o <= 0:
                    ctx.fail("Computed output size would be zero or negative: with padding='valid' the pool window "
                             f"must fit inside the input (size {size} < pool window {p})",
                             expected="each spatial size at least as large as the pool window")
            else:
                o = math.floor((size - 1) / st) + 1
            out.append(o)
        for i in none_dims:
            if i < len(out):
                out[i] = None
        if any(o is not None and o < 0 for o in out):
            ctx.fail(f"Keras's compute_pooling_output_shape gives a negative size {tuple(out)} for this input",
                     expected=f"a {self.rank + 2}D input")
        ctx.name_axes(x, "batch", ...)
        ctx.warn(f"Keras asks {type(self).__name__}'s compute_output_shape here (its rank check belongs to calling "
                 f"it), which pools the {m} spatial axes of this {x.rank}D input against {n} pool size"
                 f"{'s' if n > 1 else ''}; run on data it would fail")
        dims = [Known(v) if v is not None else Unknown("None") for v in (*lead, *out, *tail)]
        dims[0] = x.shape[0]
        if tail:
            dims[-1] = x.shape[-1]
        else:
            dims[1] = x.shape[1]
        return ctx.spec(dims)


@register("MaxPool1D")
class MaxPooling1D(_BasePooling):
    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register("MaxPool2D")
class MaxPooling2D(_BasePooling):
    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register("MaxPool3D")
class MaxPooling3D(_BasePooling):
    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register("AvgPool1D")
class AveragePooling1D(_BasePooling):
    rank, mode = 1, "average"


@register("AvgPool2D")
class AveragePooling2D(_BasePooling):
    rank, mode = 2, "average"


@register("AvgPool3D")
class AveragePooling3D(_BasePooling):
    rank, mode = 3, "average"


# --------------------------------------------------------------------------------------------------------------
# Global pooling


class _BaseGlobalPooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims

    def infer(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        if x.rank != r + 2 and not ctx.called and x.rank >= 2:
            # compute_output_shape alone (no InputSpec): every axis between the batch and the channels is reduced
            batch, *_, channels = ctx.bind(x, "batch", ..., "channels")
            if self.data_format != "channels_last":
                batch, channels = ctx.axes[-1][0], ctx.axes[-1][1]
            n = x.rank - 2
            ctx.note(f"every axis between the batch and the channels is reduced to {_MODE[self.mode]} over it")
            if not self.keepdims:
                return ctx.spec((batch, channels))
            ones = [Known(1)] * n
            return ctx.spec((batch, *ones, channels) if self.data_format == "channels_last"
                            else (batch, channels, *ones))
        if x.rank != r + 2:
            fix = None
            if x.rank == r + 3 and r < 3:
                fix = f"this input has {x.rank - 2} spatial axes: use Global{self._word()}Pooling{r + 1}D"
            elif x.rank == r + 1 and r > 1:
                fix = f"this input has {x.rank - 2} spatial axes: use Global{self._word()}Pooling{r - 1}D"
            elif x.rank == 2:
                fix = "the input is already one vector per sample; there is nothing left to pool"
            check_rank(ctx, x, r, self.data_format, kind, fix=fix)
        (batch,), spatial, channels = bind_spatial(ctx, x, r, self.data_format)
        if self.keepdims:
            out = assemble(self.data_format, (batch,), [Known(1)] * r, channels)
            ctx.note(f"keepdims=True: every spatial axis is reduced to {_MODE[self.mode]} over it and kept with "
                     "size 1")
        else:
            out = (batch, channels)
            ctx.note(f"every spatial axis ({', '.join(SPATIAL_NAMES[r])}) is reduced to {_MODE[self.mode]} over "
                     "it: one value per channel is left")
        ctx.units("no units and no weights: a fixed summary over all positions, whatever the input's size "
                  "(which is why a model ending in global pooling accepts any image size)")
        return ctx.spec(out)

    def _word(self):
        return "Max" if self.mode == "max" else "Average"

    def compute(self, c):
        c.ops(product(c.axes(0)), "max" if self.mode == "max" else "sum")
        if self.mode == "max":  # torch's amax keeps its input and its output
            c.saves_input(0, "input")
            c.saves_output(0, "output")


@register("GlobalMaxPool1D")
class GlobalMaxPooling1D(_BaseGlobalPooling):
    rank, mode = 1, "max"


@register("GlobalMaxPool2D")
class GlobalMaxPooling2D(_BaseGlobalPooling):
    rank, mode = 2, "max"


@register("GlobalMaxPool3D")
class GlobalMaxPooling3D(_BaseGlobalPooling):
    rank, mode = 3, "max"


@register("GlobalAvgPool1D")
class GlobalAveragePooling1D(_BaseGlobalPooling):
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        return None  # the time axis is pooled away
    rank, mode = 1, "average"

    def infer(self, ctx, x, mask=None):  # the only global pooling whose Keras call() takes a mask
        return super().infer(ctx, x)


@register("GlobalAvgPool2D")
class GlobalAveragePooling2D(_BaseGlobalPooling):
    rank, mode = 2, "average"


@register("GlobalAvgPool3D")
class GlobalAveragePooling3D(_BaseGlobalPooling):
    rank, mode = 3, "average"


# --------------------------------------------------------------------------------------------------------------
# Adaptive pooling (Keras 3.12+): the output size is fixed, the windows adapt to the input


class _BaseAdaptivePooling(Layer):
    rank = 2
    mode = "average"
    _desc = {1: "integer or tuple of 1 integer", 2: "integer or (height, width) tuple",
             3: "integer or (depth, height, width) tuple"}

    def __init__(self, output_size, data_format=None, **kwargs):
        kind = type(self).__name__
        r = self.rank
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            sizes = (output_size,) * r
        elif isinstance(output_size, (tuple, list)) and len(output_size) == r:
            sizes = tuple(output_size)
        elif r == 1 and isinstance(output_size, (tuple, list)):
            raise ArgumentError(f"For 1D input, `output_size` tuple must have length 1. Received: {output_size}",
                                layer_type=kind)
        else:
            raise ArgumentError(f"`output_size` must be an {self._desc[r]}. Received: {output_size} of type "
                                f"{type(output_size)}", layer_type=kind)
        super().__init__(**kwargs)
        self.output_size = sizes
        # Keras does not lower-case data_format here.
        self.data_format = data_format or "channels_last"
        if self.data_format not in {"channels_first", "channels_last"}:
            raise ArgumentError(f"Invalid data_format: {self.data_format}. Expected 'channels_first' or "
                                "'channels_last'.", layer_type=kind)

    def infer(self, ctx, x):
        # Keras checks no rank here: it keeps the batch and the channel axis and sets output_size between them.
        if x.rank < 2:
            ctx.fail("adaptive pooling needs a batch and a channel axis", expected="(batch, ..., channels)")
        if self.data_format == "channels_last":
            batch, *_, channels = ctx.bind(x, "batch", ..., "channels")
        else:
            batch, channels, *_ = ctx.bind(x, "batch", "channels", ...)
        names = SPATIAL_NAMES[self.rank]
        out = [ctx.const(v, f"output_{n}") for v, n in zip(self.output_size, names)]
        ctx.note(f"the output size is fixed at {'×'.join(map(str, self.output_size))}: each output position "
                 f"takes {_MODE[self.mode]} of a window sized to fit, whatever the input size; channels are kept")
        ctx.units("no units and no weights: a fixed summary of each window, nothing to learn")
        return ctx.spec(assemble(self.data_format, (batch,), out, channels))

    def compute(self, c):
        c.ops(product(c.axes(0)), "max" if self.mode == "max" else "sum")
        _saves_pooled(c, self.data_format, self.mode)


def _saves_pooled(c, data_format, mode):
    """What torch's pooling keeps, as Keras's torch backend calls it: the input (a channels-first copy of a
    channels-last input) and, for max pooling, the int64 index of each output's maximum."""
    if data_format == "channels_last":
        c.saves(product(c.axes(0)), "input, channels first (a copy)")
    else:
        c.saves_input(0, "input")
    if mode == "max":
        c.saves(product(c.out(0)), "index of each maximum", "int64")


@register()
class AdaptiveAveragePooling1D(_BaseAdaptivePooling):
    rank, mode = 1, "average"


@register()
class AdaptiveAveragePooling2D(_BaseAdaptivePooling):
    rank, mode = 2, "average"


@register()
class AdaptiveAveragePooling3D(_BaseAdaptivePooling):
    rank, mode = 3, "average"


@register()
class AdaptiveMaxPooling1D(_BaseAdaptivePooling):
    rank, mode = 1, "max"


@register()
class AdaptiveMaxPooling2D(_BaseAdaptivePooling):
    rank, mode = 2, "max"


@register()
class AdaptiveMaxPooling3D(_BaseAdaptivePooling):
    rank, mode = 3, "max"
