"""Conv1d/2d/3d, ConvTranspose1d/2d/3d and their Lazy forms, channels first.

``nn.Conv2d(in_channels, out_channels, kernel_size)``: a weight ``out_channels × in_channels/groups × kh × kw``
and a bias of ``out_channels``: params = (in_channels/groups·kh·kw + 1)·out_channels. PyTorch puts the channels
first, (N, C, H, W), where Keras puts them last, and its padding is explicit: each spatial size becomes
out = ⌊(in + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1 (``padding='same'`` keeps the size, stride 1 only).
A transposed convolution's weight is ``in_channels × out_channels/groups × k…`` and
out = (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
"""

from __future__ import annotations

from math import prod

from ...dims import Known, product
from ...errors import ArgumentError
from ._util import KERNEL_ROLES, MODULE, SHORT, check_ints, dims_list, ntuple, require_float, role, spatial_names
from .module import RuleModule, expect_tensor
from .parameter import UninitializedParameter, param

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _rank_fail(ctx, x, r, op):
    ctx.fail(f"Expected {r + 1}D (unbatched) or {r + 2}D (batched) input to {op}, but got input of size: "
             f"{dims_list(x.shape)}",
             expected=f"(batch, channels, {', '.join(spatial_names(r))}) or the same without the batch axis",
             fix=("add the batch axis with .unsqueeze(0)" if x.rank == r else
                  "add a channel axis with .unsqueeze(1)" if x.rank == r + 1 else
                  f"this input has {x.rank - 2} spatial axes: use a {x.rank - 2}d layer, or reshape it")
             if 1 <= x.rank - 2 <= 3 or x.rank == r else None)


def _conv_formula(kernel, per_group, out_channels, bias):
    window = product(kernel) * per_group
    return (window + 1) * out_channels if bias else window * out_channels


def _conv_units(out_channels, kernel, in_channels, groups, bias, dilation):
    n_in = in_channels // groups
    window = "×".join(map(str, kernel)) + " window" if len(kernel) > 1 else f"{kernel[0]}-step window"
    across = (f"across the {n_in} input channels of its group" if groups > 1 else
              f"across all {in_channels} input channel{'s' if in_channels != 1 else ''}")
    dil = f", its taps spread {'×'.join(map(str, dilation))} apart by dilation" if max(dilation) > 1 else ""
    b = " + 1 bias" if bias else ""
    g = (f"; groups={groups} splits the {in_channels} channels into {groups} groups of {n_in}, each seen by "
         f"{out_channels // groups} filters" if groups > 1 else "")
    return (f"each of the {out_channels} filters looks at a {window} {across}{dil} ({n_in * prod(kernel)} "
            f"weights{b}){g}")


_LAYOUT_NOTE = ("PyTorch is channels-first, (N, C, H, W); Keras is channels-last by default, (N, H, W, C): the "
                "same kernel, its axes in another order (Keras: kh × kw × in × out)")


def _per_axis(values, base, names):
    if max(values, default=1) == 1:
        return [Known(1)] * len(values)
    uniform = len(set(values)) == 1
    return [Known(v) if v == 1 else Known(v, base if uniform else f"{base}_{SHORT.get(n, n)}")
            for v, n in zip(values, names)]


class _ConvNd(RuleModule):
    rank = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None, output_padding=0):
        super().__init__()
        kind = type(self).__name__
        r = self.rank
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ArgumentError("groups must be a positive integer", layer_type=kind)
        if in_channels % groups != 0:
            raise ArgumentError("in_channels must be divisible by groups", layer_type=kind,
                                fix=f"use groups that divide in_channels={in_channels}")
        if out_channels % groups != 0:
            raise ArgumentError("out_channels must be divisible by groups", layer_type=kind,
                                fix=f"use groups that divide out_channels={out_channels}")
        self.kernel_size = ntuple(kernel_size, r)
        self.stride = ntuple(stride, r)
        self.dilation = ntuple(dilation, r)
        self.output_padding = ntuple(output_padding, r)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ArgumentError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}",
                                    layer_type=kind)
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ArgumentError("padding='same' is not supported for strided convolutions", layer_type=kind,
                                    fix="use an explicit padding (e.g. padding=kernel_size // 2) with stride > 1")
            self.padding = padding
        else:
            self.padding = ntuple(padding, r)
        if padding_mode not in _PADDING_MODES:
            raise ArgumentError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                                f"padding_mode='{padding_mode}'", layer_type=kind)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.groups = groups
        self.padding_mode = padding_mode
        self._make_params(bias)

    def _make_params(self, bias):
        r = self.rank
        kernel = [role(k, n) for k, n in zip(self.kernel_size, KERNEL_ROLES[r])]
        groups = role(self.groups, "groups")
        if self.transposed:
            shape = (role(self.in_channels, "in_channels"),
                     role(self.out_channels, "out_channels") // groups if self.groups > 1 else
                     role(self.out_channels, "out_channels"), *kernel)
        else:
            shape = (role(self.out_channels, "out_channels"),
                     role(self.in_channels, "in_channels") // groups if self.groups > 1 else
                     role(self.in_channels, "in_channels"), *kernel)
        self.weight = param(*shape)
        if bias:
            self.bias = param(role(self.out_channels, "out_channels"))
        else:
            self.register_parameter("bias", None)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}")
        if self.padding != (0,) * self.rank:
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1,) * self.rank:
            s += f", dilation={self.dilation}"
        if self.transposed and self.output_padding != (0,) * self.rank:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    @property
    def _op(self):
        return f"conv_transpose{self.rank}d" if self.transposed else f"conv{self.rank}d"

    def infer(self, ctx, x, output_size=None):
        r = self.rank
        expect_tensor(x, self._op)
        if x.rank not in (r + 1, r + 2):
            _rank_fail(ctx, x, r, self._op)
        names = spatial_names(r)
        batched = x.rank == r + 2
        bound = ctx.bind(x, "batch", "in_channels", *names) if batched else ctx.bind(x, "in_channels", *names)
        lead = bound[:1] if batched else ()
        channels = bound[len(lead)]
        spatial = bound[len(lead) + 1:]
        full = [d.value for d in x.shape] if batched else [1, *(d.value for d in x.shape)]
        weight_shape = (self.in_channels, self.out_channels // self.groups) if self.transposed else \
            (self.out_channels, self.in_channels // self.groups)
        weight_shape = (*weight_shape, *self.kernel_size)
        if channels.value != self.in_channels:
            needed = self.in_channels
            t = "transposed=1" if self.transposed else f"groups={self.groups}"
            ctx.fail(f"Given {t}, weight of size {dims_list(weight_shape)}, expected input{dims_list(full)} to have "
                     f"{needed} channels, but got {channels.value} channels instead",
                     expected=f"{needed} channels on axis {1 if batched else 0} (channels first)",
                     fix=self._channel_fix(channels.value, x))
        require_float(ctx, x, "Input type and weight type")
        check_ints(ctx, self._op, "stride", self.stride, positive=not self.transposed)
        if self.transposed:
            check_ints(ctx, self._op, "stride", self.stride, non_negative=True)
        check_ints(ctx, self._op, "dilation", self.dilation, positive=True)
        if self.padding not in ("same", "valid"):
            check_ints(ctx, self._op, "padding", self.padding, non_negative=True)
        kernel = [Known(k, n) for k, n in zip(self.kernel_size, KERNEL_ROLES[r])]
        out_spatial = self._out_spatial(ctx, spatial, kernel, names, full, output_size)
        out = ctx.const(self.out_channels, "out_channels")
        per_group = role(self.in_channels, "in_channels")
        if self.transposed:
            per_group = role(self.out_channels, "out_channels")
        if self.groups > 1:
            per_group = per_group // role(self.groups, "groups")
        if not self.transposed:
            ctx.formula(_conv_formula, kernel, per_group, role(self.out_channels, "out_channels"),
                        self.bias is not None)
            ctx.units(_conv_units, self.out_channels, self.kernel_size, self.in_channels, self.groups,
                      self.bias is not None, self.dilation)
        else:
            ctx.units(f"each of the {self.in_channels} input channels spreads each value over a "
                      f"{'×'.join(map(str, self.kernel_size))} patch of every output channel of its group")
        ctx.note(f"the output has one channel per filter: out_channels={self.out_channels}")
        ctx.free("the same kernels slide over every position: the spatial size changes the output size, never the "
                 "parameter count")
        ctx.note(_LAYOUT_NOTE)
        return ctx.spec((*lead, out, *out_spatial))

    def _channel_fix(self, got, x):
        kind = type(self).__name__
        if got == 1 and self.in_channels == 3:
            return (f"{MODULE} expects RGB images (3 channels) and got a single channel (grayscale): convert the "
                    f"images to RGB, or use nn.{kind}(1, {self.out_channels}, ...)")
        if x.rank >= 3 and x.shape[-1].value == self.in_channels:
            return ("the channels look last (channels-last, as Keras stores images); PyTorch wants them first: "
                    "x.permute(0, 3, 1, 2)" if self.rank == 2 else "move the channel axis to position 1")
        return f"{MODULE} expects in_channels={self.in_channels}; use nn.{kind}({got}, {self.out_channels}, ...)"

    def _out_spatial(self, ctx, spatial, kernel, names, full, output_size):
        strides = _per_axis(self.stride, "stride", names)
        dilations = _per_axis(self.dilation, "dilation", names)
        if self.padding == "same":
            ctx.note("padding='same': the input is padded so the output keeps its size; PyTorch allows it only with "
                     "stride 1 (Keras also with strides: ⌈in / stride⌉), and puts an odd extra pad on the right, "
                     "as Keras does")
            return list(spatial)
        pads = (0,) * self.rank if self.padding == "valid" else self.padding
        padded = [L.value + 2 * p for L, p in zip(spatial, pads)]
        if self.padding_mode != "zeros" and not self.transposed:
            for i, (L, p) in enumerate(zip(spatial, pads)):
                limit_ok = p < L.value if self.padding_mode == "reflect" else p <= L.value
                if p and not limit_ok:
                    ctx.fail(f"Padding size should be less than the corresponding input dimension, but got: "
                             f"padding ({p}, {p}) at dimension {len(full) - self.rank + i} of input "
                             f"{dims_list(full)}", expected=f"padding < {L.value} for padding_mode="
                                                            f"'{self.padding_mode}'")
        eff = [d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size)]
        if any(e > p for e, p in zip(eff, padded)):
            ctx.fail(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                     f"({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size",
                     expected=f"each spatial size + 2·padding at least the (dilated) kernel size "
                              f"{'×'.join(map(str, eff))}",
                     fix="use a smaller kernel or more padding, or feed a larger input")
        out = []
        for L, k, s, d, p, name in zip(spatial, kernel, strides, dilations, pads, names):
            span = k if d.value == 1 else ctx.derive(f"dilated_{k.role}", d * (k - 1) + 1)
            pad = Known(p, "padding") if p else 0
            expr = (L + 2 * pad - span) // s + 1 if p else (L - span) // s + 1
            out.append(L if expr.value == L.value and p else ctx.derive(f"out_{name}", expr))
        ctx.note("out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 along each spatial axis "
                 "(PyTorch's padding is explicit; Keras has only 'valid' and 'same')")
        return out


class Conv1d(_ConvNd):
    rank = 1


class Conv2d(_ConvNd):
    rank = 2


class Conv3d(_ConvNd):
    rank = 3


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        kind = type(self).__name__
        if padding_mode != "zeros":
            raise ArgumentError(f'Only "zeros" padding mode is supported for {kind}', layer_type=kind)
        if isinstance(padding, str):
            raise ArgumentError(f"{kind}: padding must be an int or a tuple of ints, got {padding!r}",
                                layer_type=kind)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding=output_padding)

    def _out_spatial(self, ctx, spatial, kernel, names, full, output_size):
        out_pad = list(self.output_padding)
        if output_size is not None:
            sizes = list(output_size)
            if len(sizes) == self.rank + 2 or len(sizes) == self.rank + 1:
                sizes = sizes[-self.rank:]
            if len(sizes) != self.rank:
                ctx.fail(f"ConvTranspose{self.rank}D: for {len(full)}D input, output_size must have {self.rank} or "
                         f"{self.rank + 2} elements (got {len(output_size)})", expected=f"{self.rank} sizes")
            out_pad = []
            for L, s, p, k, d, want in zip(spatial, self.stride, self.padding, self.kernel_size, self.dilation,
                                           sizes):
                smallest = (L.value - 1) * s - 2 * p + d * (k - 1) + 1
                if not smallest <= want < smallest + s:
                    ctx.fail(f"requested an output size of {sizes}, but valid sizes range from "
                             f"{[smallest]} to {[smallest + s - 1]} (for an input of {[d.value for d in spatial]})",
                             expected="an output_size within the range stride allows")
                out_pad.append(want - smallest)
        else:
            for op, s, d in zip(out_pad, self.stride, self.dilation):
                if op >= s and op >= d:
                    ctx.fail(f"output padding must be smaller than either stride or dilation, but got "
                             f"output_padding={tuple(out_pad)}, stride={self.stride}, dilation={self.dilation}",
                             expected="output_padding < stride (or < dilation)")
        out = []
        for L, k, s, d, p, op, name in zip(spatial, kernel, self.stride, self.dilation, self.padding, out_pad,
                                            names):
            expr = (L - 1) * (Known(s, "stride") if s != 1 else 1) + (Known(d, "dilation") if d > 1 else 1) * (k - 1) \
                + 1
            if p:
                expr = expr - 2 * Known(p, "padding")
            if op:
                expr = expr + Known(op, "output_padding")
            if expr.value <= 0:
                ctx.fail(f"Given input size per channel: ({' x '.join(str(d.value) for d in spatial)}). Calculated "
                         f"output size per channel: ({expr.value}). Output size is too small",
                         expected="a positive output size", fix="use less padding or a larger input")
            out.append(ctx.derive(f"out_{name}", expr))
        ctx.note("out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 along each axis")
        return out


class ConvTranspose1d(_ConvTransposeNd):
    rank = 1


class ConvTranspose2d(_ConvTransposeNd):
    rank = 2


class ConvTranspose3d(_ConvTransposeNd):
    rank = 3


class _LazyConv:
    """Lazy convolutions: in_channels from the first call, as torch does (then the module becomes the plain one)."""

    def __init__(self, out_channels, kernel_size, *args, **kwargs):
        groups = kwargs.get("groups", 1)
        base = self.cls_to_become
        base.__init__(self, groups, out_channels, kernel_size, *args, **kwargs)
        self.in_channels = 0
        self.weight = UninitializedParameter()
        if self.bias is not None:
            self.bias = UninitializedParameter()

    def infer(self, ctx, x, output_size=None):
        base = self.cls_to_become
        if isinstance(self.weight, UninitializedParameter):
            r = base.rank
            if x.rank not in (r + 1, r + 2):
                _rank_fail(ctx, x, r, self._op)
            self.in_channels = x.shape[1 if x.rank == r + 2 else 0].value
            if self.in_channels % self.groups:
                ctx.fail("in_channels must be divisible by groups", expected=f"a multiple of {self.groups}")
            self._make_params(self.bias is not None)
            self.__class__ = base
            ctx.note(f"{type(self).__name__} took in_channels={self.in_channels} from its first input")
        return base.infer(self, ctx, x, output_size) if base.transposed else base.infer(self, ctx, x)


def _lazy(base):
    return type("Lazy" + base.__name__, (_LazyConv, base), {"cls_to_become": base})


LazyConv1d, LazyConv2d, LazyConv3d = map(_lazy, (Conv1d, Conv2d, Conv3d))
LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d = map(
    _lazy, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))
