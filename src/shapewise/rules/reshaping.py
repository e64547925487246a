"""Spatial reshaping layers: UpSampling1D/2D/3D, ZeroPadding1D/2D/3D, Cropping1D/2D/3D.

None of them learns anything: they change the spatial sizes and keep the channels. UpSampling repeats each
position ``size`` times (out = size·in), ZeroPadding adds zeros at both ends (out = in + before + after),
Cropping removes rows at both ends (out = in − before − after, and Keras raises when nothing would be left).
An unknown size (``None``) stays unknown.
"""

from __future__ import annotations

from ..compute import no_compute
from ..dims import product
from ..engine import Layer, Spec, register
from ..errors import ArgumentError
from .conv import SPATIAL_NAMES, assemble, bind_spatial, check_rank, standardize_data_format, standardize_tuple

_ORDINAL = ("1st", "2nd", "3rd")


def _pairs(value, n, arg, kind, sym_desc):
    """Keras's handling of ZeroPadding2D/3D and Cropping2D/3D arguments: int, n ints, or n pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if arg == "cropping" and value < 0:
            raise ArgumentError(f"`cropping` cannot be negative. Received: cropping={value}.", layer_type=kind)
        return tuple((value, value) for _ in range(n))
    if hasattr(value, "__len__"):
        if len(value) != n:
            word = "two" if n == 2 else str(n)
            raise ArgumentError(f"`{arg}` should have {word} elements. Received: {arg}={value}.",
                                layer_type=kind)
        return tuple(standardize_tuple(v, 2, f"{_ORDINAL[i]} entry of {arg}", kind, allow_zero=True)
                     for i, v in enumerate(value))
    raise ArgumentError(f"`{arg}` should be either an int, a tuple of {n} ints ({sym_desc}), or a tuple of {n} "
                        f"tuples of 2 ints. Received: {arg}={value}.", layer_type=kind)


# --------------------------------------------------------------------------------------------------------------
# UpSampling


class _UpSampling(Layer):
    rank = 2

    def _setup(self, size, data_format):
        kind = type(self).__name__
        self.data_format = standardize_data_format(data_format, kind)
        self.size = standardize_tuple(size, self.rank, "size", kind)

    def infer(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        x = _fixed_axes(ctx, x, r, self.data_format, kind)
        (batch,), spatial, channels = bind_spatial(ctx, x, r, self.data_format)
        uniform = len(set(self.size)) == 1
        out = []
        for L, s, name in zip(spatial, self.size, SPATIAL_NAMES[r]):
            if L.value is None:
                out.append(None)
                continue
            role = "size" if uniform else f"size_{name[0]}"
            out.append(L if s == 1 else ctx.derive(f"out_{name}", ctx.const(s, role) * L))
        how = getattr(self, "interpolation", "nearest")
        ctx.note(f"every position is repeated {'×'.join(map(str, self.size))} times ({how} interpolation), "
                 "channel by channel: the number of channels is kept")
        ctx.units("no units and no weights: a fixed enlargement, nothing to learn")
        return ctx.spec(assemble(self.data_format, (batch,), out, channels))

    def compute(self, c):
        how = getattr(self, "interpolation", "nearest")
        if how != "nearest":  # each output value a weighted sum of its neighbours (2 per interpolated axis)
            c.ops(2 * self.rank * product(c.out(0)), f"{how} interpolation")


@register()
class UpSampling1D(_UpSampling):
    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise ArgumentError(f"Expected an integer value for `size`, got {type(size)}.",
                                layer_type="UpSampling1D")
        if size <= 0:
            raise ArgumentError(f"Argument `size` should be a positive integer. Received: size={size}",
                                layer_type="UpSampling1D")
        self.size = (size,)
        self.data_format = "channels_last"


@register()
class UpSampling2D(_UpSampling):
    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self._setup(size, data_format)
        self.interpolation = interpolation.lower()


@register()
class UpSampling3D(_UpSampling):
    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(size, data_format)


# --------------------------------------------------------------------------------------------------------------
# ZeroPadding and Cropping


class _PadCrop(Layer):
    compute = no_compute  # values copied or dropped, no arithmetic, nothing saved
    rank = 2
    sign = 1  # +1 pads, -1 crops
    arg = "padding"

    def infer(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        if self.sign > 0 and x.rank != r + 2 and not ctx.called:
            return self._pad_other_rank(ctx, x)
        x = _fixed_axes(ctx, x, r, self.data_format, kind)
        (batch,), spatial, channels = bind_spatial(ctx, x, r, self.data_format)
        amounts = getattr(self, self.arg)
        out = []
        too_much = []
        for L, (a, b), name in zip(spatial, amounts, SPATIAL_NAMES[r]):
            if L.value is None:
                out.append(None)
                continue
            if a == b == 0:
                out.append(L)
                continue
            if a == b:
                change = 2 * ctx.const(a, self.arg)
            else:
                change = ctx.const(a, "before") + ctx.const(b, "after")
            expr = L + change if self.sign > 0 else L - change
            if self.sign < 0 and expr.value <= 0:
                too_much.append(f"{name} {L.value} − {a + b}")
            out.append(ctx.derive(f"out_{name}", expr))
        if too_much:
            ctx.fail(
                f"Values in `cropping` argument should be smaller than the corresponding spatial dimension of the "
                f"input: nothing would be left ({', '.join(too_much)})",
                expected="a cropping that leaves at least one position on each axis",
                fix="crop less, or crop before the input is downsampled")
        if self.sign > 0:
            ctx.note("zeros are added at both ends of each spatial axis; the channels are kept")
        else:
            ctx.note("positions are removed at both ends of each spatial axis; the channels are kept")
        ctx.units(f"no units and no weights: {'padding' if self.sign > 0 else 'cropping'} only moves values")
        return ctx.spec(assemble(self.data_format, (batch,), out, channels))

    def _pad_other_rank(self, ctx, x):
        """ZeroPadding's compute_output_shape on another rank (no InputSpec on this path): it pads the axes at the
        spatial positions of its own rank and keeps every other axis; an input too short for them fails."""
        offset = 2 if self.data_format == "channels_first" else 1
        r = self.rank
        if x.rank < offset + r:
            check_rank(ctx, x, r, self.data_format, type(self).__name__)
        bound = list(ctx.bind(x, "batch", ...))
        for i, (a, b) in enumerate(self.padding):
            pos = offset + i
            if bound[pos].value is not None and a + b:
                bound[pos] = ctx.derive(f"out_dim{pos}", bound[pos] + (a + b))
        ctx.warn(f"Keras asks {type(self).__name__}'s compute_output_shape here (its rank check belongs to calling "
                 f"it): it pads axes {offset} to {offset + r - 1} of this {x.rank}D input and keeps the others; run "
                 f"on data it would fail")
        return ctx.spec(bound)


def _fixed_axes(ctx, x, r, data_format, kind):
    """The input as UpSampling/Cropping's compute_output_shape reads it: the InputSpec fixes the rank when the layer
    is called; without it (inside TimeDistributed, or in a nested model run on a new shape) it reads the axes at
    fixed positions, so a longer input loses its last axes and a shorter one fails."""
    if x.rank == r + 2:
        return x
    if ctx.called or x.rank < r + 2:
        check_rank(ctx, x, r, data_format, kind)
    ctx.warn(f"Keras asks {kind}'s compute_output_shape here (its rank check belongs to calling it): it reads the "
             f"first {r + 2} axes of this {x.rank}D input and drops the others; run on data it would fail")
    return Spec(x.shape[:r + 2], x.dtype)


@register()
class ZeroPadding1D(_PadCrop):
    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "ZeroPadding1D")
        self.padding = (standardize_tuple(padding, 2, "padding", "ZeroPadding1D", allow_zero=True),)


@register()
class ZeroPadding2D(_PadCrop):
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "ZeroPadding2D")
        self.padding = _pairs(padding, 2, "padding", "ZeroPadding2D",
                              "symmetric_height_pad, symmetric_width_pad")


@register()
class ZeroPadding3D(_PadCrop):
    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "ZeroPadding3D")
        self.padding = _pairs(padding, 3, "padding", "ZeroPadding3D",
                              "symmetric_dim1_pad, symmetric_dim2_pad, symmetric_dim3_pad")


@register()
class Cropping1D(_PadCrop):
    rank, sign, arg = 1, -1, "cropping"

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.data_format = "channels_last"
        self.cropping = (standardize_tuple(cropping, 2, "cropping", "Cropping1D", allow_zero=True),)


@register()
class Cropping2D(_PadCrop):
    rank, sign, arg = 2, -1, "cropping"

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Cropping2D")
        self.cropping = _pairs(cropping, 2, "cropping", "Cropping2D",
                               "symmetric_height_crop, symmetric_width_crop")


@register()
class Cropping3D(_PadCrop):
    rank, sign, arg = 3, -1, "cropping"

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Cropping3D")
        self.cropping = _pairs(cropping, 3, "cropping", "Cropping3D",
                               "symmetric_dim1_crop, symmetric_dim2_crop, symmetric_dim3_crop")
