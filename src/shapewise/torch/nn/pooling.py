"""Pooling: Max/Avg/LP pooling 1d/2d/3d, adaptive pooling, fractional max pooling and MaxUnpool.

A pooling window has no weights: each output value is the max (or mean, or p-norm) of one window of one channel.
Each spatial size follows torch's ``pooling_output_shape``:
out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1 + (stride − 1 if ceil_mode)) / stride⌋ + 1, one less when
ceil_mode makes the last window start in the right padding. Adaptive pooling sets the output size itself.
"""

from __future__ import annotations

from ...dims import Known
from ...errors import ArgumentError
from ._util import KERNEL_ROLES, by_x, check_ints, dims_list, ntuple, spatial_names
from .module import RuleModule, expect_tensor

_NO_WEIGHTS = "no weights: a fixed function of each window, nothing to learn"


def pooling_output(L, k, s, p, d, ceil_mode):
    """torch's pooling_output_shape for one axis (ints)."""
    num = L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= L + p:
        out -= 1
    return out


def _bind(ctx, x, r):
    names = spatial_names(r)
    batched = x.rank >= r + 2
    lead = ("batch", *(f"dim{i}" for i in range(1, x.rank - r - 1)))
    bound = ctx.bind(x, *lead, "channels", *names) if batched else ctx.bind(x, "channels", *names)
    return bound[:-r], bound[-r:], names


class _PoolNd(RuleModule):
    rank = 2
    kind = "max"  # max, avg, lp

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")

    def _rank_error(self, ctx, x):
        r = self.rank
        if self.kind == "max" and r == 1:
            msg = ("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
                   f"but got:{dims_list(x.shape)}")
        elif self.kind == "avg" and r == 1:
            msg = (f"Expected 2 to 3 dimensions, but got {x.rank}-dimensional tensor for argument #1 'self' (while "
                   f"checking arguments for avg_pool1d)")
        else:
            msg = f"non-empty {r + 1}D or {r + 2}D (batch mode) tensor expected for input"
        ctx.fail(msg, expected=f"(batch, channels, {', '.join(spatial_names(r))}) or without the batch axis",
                 fix="add the missing channel (or batch) axis with .unsqueeze(...)" if x.rank < r + 1 else None)

    def infer(self, ctx, x):
        r = self.rank
        expect_tensor(x, f"{self.kind}_pool{r}d")
        if x.rank not in (r + 1, r + 2):
            self._rank_error(ctx, x)
        lead, spatial, names = _bind(ctx, x, r)
        k = ntuple(self.kernel_size, r)
        s = ntuple(self.stride, r) if self.stride not in ((), []) else k
        p = ntuple(self.padding, r)
        d = ntuple(self.dilation, r) if self.kind == "max" else (1,) * r
        op = f"{self.kind}_pool{r}d"
        check_ints(ctx, op, "kernel_size", k)
        check_ints(ctx, op, "stride", s)
        check_ints(ctx, op, "padding", p)
        if min(s) == 0:
            ctx.fail("stride should not be zero", expected="stride > 0")
        check_ints(ctx, op, "kernel_size", k, positive=True)
        check_ints(ctx, op, "stride", s, positive=True)
        check_ints(ctx, op, "padding", p, non_negative=True)
        check_ints(ctx, op, "dilation", d, positive=True)
        for kk, pp, dd in zip(k, p, d):
            if pp > kk // 2:  # torch compares with the kernel's own size, even when dilated
                if self.kind == "max" and dd == 1:
                    ctx.fail(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                             f"kernel_size={kk} and dilation={dd}", expected=f"padding ≤ {((kk - 1) * dd + 1) // 2}")
                ctx.fail(f"pad should be smaller than or equal to half of kernel size, but got padW = {p[-1]}, "
                         f"padH = {p[0]}, kW = {k[-1]}, kH = {k[0]}", expected=f"padding ≤ {kk // 2}")
        values = [pooling_output(L.value, kk, ss, pp, dd, self.ceil_mode) for L, kk, ss, pp, dd in
                  zip(spatial, k, s, p, d)]
        if min(values) <= 0:
            chans = lead[-1].value
            ctx.fail(f"Given input size: ({chans}x{by_x(spatial)}). Calculated output size: "
                     f"({chans}x{'x'.join(map(str, values))}). Output size is too small",
                     expected=f"each spatial size at least the window {by_x(k)}",
                     fix="remove a pooling layer, use a smaller window, or feed a larger input")
        out = []
        for L, kk, ss, pp, dd, v, name, kr in zip(spatial, k, s, p, d, values, names, KERNEL_ROLES[r]):
            kd = Known(kk, kr)
            span = kd if dd == 1 else dd * (kd - 1) + 1
            num = L + 2 * Known(pp, "padding") - span if pp else L - span
            expr = (num // Known(ss, "stride") if ss > 1 else num) + 1
            if self.ceil_mode or expr.value != v:
                out.append(ctx.derive(f"out_{name}", Known(v)))
            else:
                out.append(ctx.derive(f"out_{name}", expr))
        what = {"max": "the largest value", "avg": "the mean", "lp": "the p-norm"}[self.kind]
        ctx.note(f"each output value is {what} of a {by_x(k)} window of one channel; the channels are kept")
        ctx.note("out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1"
                 + (" (rounded up: ceil_mode=True)" if self.ceil_mode else ""))
        ctx.units(_NO_WEIGHTS)
        spec = ctx.spec((*lead, *out))
        if self.kind == "max" and self.return_indices:
            return spec, ctx.spec(spec.shape, "int64")
        return spec


class MaxPool1d(_PoolNd):
    rank = 1


class MaxPool2d(_PoolNd):
    rank = 2


class MaxPool3d(_PoolNd):
    rank = 3


class _AvgPoolNd(_PoolNd):
    kind = "avg"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(kernel_size, stride, padding, 1, False, ceil_mode)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    rank = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool2d(_AvgPoolNd):
    rank = 2

    def infer(self, ctx, x):
        if x.rank < 2:
            ctx.fail(f"Dimension out of range (expected to be in range of [{-max(x.rank, 1)}, "
                     f"{max(x.rank, 1) - 1}], but got -3)", expected="(batch, channels, height, width)")
        if x.rank == 2:
            ctx.fail("Dimension out of range (expected to be in range of [-2, 1], but got -3)",
                     expected="(batch, channels, height, width) or (channels, height, width)",
                     fix="add a channel axis with .unsqueeze(0)")
        return super().infer(ctx, x)


class AvgPool3d(_AvgPoolNd):
    rank = 3


class _LPPoolNd(_PoolNd):
    kind = "lp"

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__(kernel_size, stride, 0, 1, False, ceil_mode)
        self.norm_type = norm_type

    def infer(self, ctx, x):
        if x.rank < self.rank + 1:
            ctx.fail(f"lp_pool{self.rank}d expects a {self.rank + 1}D or {self.rank + 2}D input, got {x.rank}D",
                     expected=f"rank {self.rank + 1} or {self.rank + 2}")
        return super().infer(ctx, x)


class LPPool1d(_LPPoolNd):
    rank = 1


class LPPool2d(_LPPoolNd):
    rank = 2


class LPPool3d(_LPPoolNd):
    rank = 3


class _AdaptivePoolNd(RuleModule):
    rank = 2
    kind = "avg"

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"

    def infer(self, ctx, x):
        r = self.rank
        op = f"adaptive_{self.kind}_pool{r}d"
        expect_tensor(x, op)
        ones = self.kind == "avg" and r > 1 and ntuple(self.output_size, r) == (1,) * r
        if ones:  # torch's shortcut: a mean over the last axes, on any rank and for floating-point tensors only
            if not x.dtype.startswith(("float", "bfloat")):
                ctx.fail(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                         f"complex dtype. Got: {x.dtype.replace('int64', 'Long')}", expected="a floating-point input")
        if x.rank not in (r + 1, r + 2) and not (ones and x.rank > r + 2):
            if r == 1:
                msg = (f"Expected 2 to 3 dimensions, but got {x.rank}-dimensional tensor for argument #1 'self' "
                       f"(while checking arguments for {op})")
            else:
                msg = f"{op}(): Expected {r + 1}D or {r + 2}D tensor, but got {dims_list(x.shape)}"
            ctx.fail(msg, expected=f"(batch, channels, {', '.join(spatial_names(r))}) or without the batch axis")
        lead, spatial, names = _bind(ctx, x, r)
        if self.output_size is None:
            ctx.fail("object of type 'NoneType' has no len()", expected="an output size (None only inside a tuple)")
        sizes = ntuple(self.output_size, r)
        if len(sizes) != r:
            ctx.fail(f"{op}: output_size must be {r}", expected=f"{r} output sizes")
        out = []
        for L, o, name in zip(spatial, sizes, names):
            if o is None:
                out.append(L)
            else:
                if isinstance(o, bool) or not isinstance(o, int) or o < 0:
                    ctx.fail(f"{op}(): elements of output_size must be greater than or equal to 0 but received {o}",
                             expected="non-negative output sizes")
                out.append(ctx.const(o, f"output_{name}"))
        ctx.note("adaptive pooling chooses each window so that the output has exactly output_size positions, "
                 "whatever the input size")
        ctx.units(_NO_WEIGHTS)
        spec = ctx.spec((*lead, *out))
        if self.kind == "max" and self.return_indices:
            return spec, ctx.spec(spec.shape, "int64")
        return spec


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    rank = 1

    def __init__(self, output_size):
        super().__init__(output_size)


class AdaptiveAvgPool2d(AdaptiveAvgPool1d):
    rank = 2


class AdaptiveAvgPool3d(AdaptiveAvgPool1d):
    rank = 3


class AdaptiveMaxPool1d(_AdaptivePoolNd):
    rank = 1
    kind = "max"


class AdaptiveMaxPool2d(AdaptiveMaxPool1d):
    rank = 2


class AdaptiveMaxPool3d(AdaptiveMaxPool1d):
    rank = 3


class _FractionalMaxPoolNd(RuleModule):
    rank = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        kind = type(self).__name__
        r = self.rank
        self.kernel_size = ntuple(kernel_size, r)
        self.output_size = ntuple(output_size, r) if output_size is not None else None
        self.output_ratio = ntuple(output_ratio, r) if output_ratio is not None else None
        self.return_indices = return_indices
        if output_size is None and output_ratio is None:
            raise ArgumentError(f"{kind} requires specifying either an output size, or a pooling ratio",
                                layer_type=kind)
        if output_size is not None and output_ratio is not None:
            raise ArgumentError("only one of output_size and output_ratio may be specified", layer_type=kind)
        if self.output_ratio is not None and not all(0 < q < 1 for q in self.output_ratio):
            raise ArgumentError(f"output_ratio must be between 0 and 1 (got {output_ratio})", layer_type=kind)

    def infer(self, ctx, x):
        r = self.rank
        if x.rank not in (r + 1, r + 2):
            ctx.fail(f"fractional_max_pool{r}d(): Expected {r + 1}D or {r + 2}D tensor, but got: "
                     f"{dims_list(x.shape)}", expected=f"rank {r + 1} or {r + 2}")
        lead, spatial, names = _bind(ctx, x, r)
        if self.output_size is not None:
            sizes = self.output_size
        else:
            sizes = tuple(int(L.value * q) for L, q in zip(spatial, self.output_ratio))
        for L, k, o in zip(spatial, self.kernel_size, sizes):
            if o + k - 1 > L.value:
                ctx.fail(f"fractional_max_pool{r}d(): pool size {k} and output size {o} are too large for input "
                         f"size {L.value}", expected="output_size + kernel_size − 1 ≤ input size")
        out = [ctx.const(o, f"output_{n}") for o, n in zip(sizes, names)]
        ctx.note("fractional max pooling picks pseudo-random windows so the output has output_size positions")
        spec = ctx.spec((*lead, *out))
        if self.return_indices:
            return spec, ctx.spec(spec.shape, "int64")
        return spec


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    rank = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    rank = 3


class _MaxUnpoolNd(RuleModule):
    rank = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        r = self.rank
        self.kernel_size = ntuple(kernel_size, r)
        self.stride = ntuple(stride if stride is not None else kernel_size, r)
        self.padding = ntuple(padding, r)

    def infer(self, ctx, x, indices, output_size=None):
        r = self.rank
        if x.rank not in (r + 1, r + 2):
            ctx.fail(f"max_unpool{r}d: expected a {r + 1}D or {r + 2}D input, got {x.rank}D",
                     expected=f"rank {r + 1} or {r + 2}")
        lead, spatial, names = _bind(ctx, x, r)
        default = [(L.value - 1) * s - 2 * p + k for L, s, p, k in zip(spatial, self.stride, self.padding,
                                                                        self.kernel_size)]
        if output_size is not None:
            sizes = list(output_size)[-r:]
            for want, dflt, s in zip(sizes, default, self.stride):
                if not dflt - s < want < dflt + s:
                    ctx.fail(f"invalid output_size {list(output_size)} (dim must be between {dflt - s + 1} and "
                             f"{dflt + s - 1})", expected="an output_size near the pooled input's size")
        else:
            sizes = default
        ctx.note("out = (in − 1)·stride − 2·padding + kernel along each axis: each value goes back to the place "
                 "its index names, zeros elsewhere")
        return ctx.spec((*lead, *(ctx.const(v, f"out_{n}") for v, n in zip(sizes, names))))


class MaxUnpool1d(_MaxUnpoolNd):
    rank = 1


class MaxUnpool2d(_MaxUnpoolNd):
    rank = 2


class MaxUnpool3d(_MaxUnpoolNd):
    rank = 3
