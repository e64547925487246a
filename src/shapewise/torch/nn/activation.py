"""Activations and the dropout family: a fixed function of each value (or a random mask), the shape unchanged.

The exceptions: PReLU learns its slopes (``num_parameters`` of them: 1, or one per channel on axis 1); Softmax,
LogSoftmax and Softmin normalize along ``dim``; GLU halves ``dim``.
"""

from __future__ import annotations

from ...errors import ArgumentError
from ._util import check_probability, normalize_dim, require_floating, role
from .module import RuleModule, expect_tensor
from .parameter import param

_NO_UNITS = "no units: a fixed function of each value, nothing to learn"


class _Elementwise(RuleModule):
    """An activation applied to every value."""

    fn = ""
    floating = False  # torch's kernel exists for floating-point tensors only

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if getattr(self, "inplace", False) else ""

    def infer(self, ctx, x):
        expect_tensor(x, self.fn or type(self).__name__.lower())
        if self.floating:
            require_floating(ctx, x, f"{self.floating}")
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        ctx.note(f"{type(self).__name__} is applied to every value; the shape is unchanged")
        ctx.units(_NO_UNITS)
        return ctx.spec(x.shape, x.dtype if x.dtype != "bool" else None)


def _simple(name, init=None):
    cls = type(name, (_Elementwise,), {"fn": name.lower()})
    if init is not None:
        cls.__init__ = init
    return cls


def _no_args(self):
    RuleModule.__init__(self)


ReLU = _simple("ReLU")
ReLU6 = _simple("ReLU6")
SELU = _simple("SELU")
SELU.floating = "elu_cpu"
SiLU = _simple("SiLU")
Mish = _simple("Mish")
Hardsigmoid = _simple("Hardsigmoid")
Hardswish = _simple("Hardswish")
Sigmoid = _simple("Sigmoid", _no_args)
Tanh = _simple("Tanh", _no_args)
Softsign = _simple("Softsign", _no_args)
Tanhshrink = _simple("Tanhshrink", _no_args)
LogSigmoid = _simple("LogSigmoid", _no_args)


class LeakyReLU(_Elementwise):
    floating = "leaky_relu_cpu"

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")

    def infer(self, ctx, x):
        _number(ctx, "leaky_relu", "negative_slope", self.negative_slope)
        return super().infer(ctx, x)


def _number(ctx, fn, arg, value):
    if not isinstance(value, (int, float)):
        ctx.fail(f"{fn}(): argument '{arg}' (position 2) must be Number, not {type(value).__name__}",
                 expected=f"{arg} as a number")


class ELU(_Elementwise):
    floating = "elu_cpu"

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = alpha


class CELU(ELU):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(alpha, inplace)
        if alpha == 0:
            raise ArgumentError("ZeroDivisionError: alpha cannot be 0 for CELU", layer_type="CELU")


class GELU(_Elementwise):
    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ArgumentError("approximate argument must be either none or tanh.", layer_type="GELU")
        self.approximate = approximate


class Hardtanh(_Elementwise):
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__(inplace)
        if min_value is not None:
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        if not max_val > min_val:
            raise ArgumentError("max_val must be greater than min_val", layer_type="Hardtanh")
        self.min_val, self.max_val = min_val, max_val


class Softplus(_Elementwise):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold


class Softshrink(_Elementwise):
    floating = "softshrink_check"

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd


class Hardshrink(Softshrink):
    floating = False


class Threshold(_Elementwise):
    def __init__(self, threshold, value, inplace=False):
        super().__init__(inplace)
        self.threshold, self.value = threshold, value


class RReLU(_Elementwise):
    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__(inplace)
        self.lower, self.upper = lower, upper


class PReLU(RuleModule):
    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = param(role(num_parameters, "num_parameters"))

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"

    def infer(self, ctx, x):
        expect_tensor(x, "prelu")
        if not x.dtype.startswith("float") and x.dtype != "bfloat16":
            ctx.fail(f"prelu: Type promoting not supported. Got {x.dtype.replace('int64', 'Long')} and Float",
                     expected="a floating-point input")
        if self.num_parameters != 1:
            if x.rank == 0:
                ctx.fail("Not allow zero-dim input tensor.", expected="an input with a channel axis")
            axis = 1 if x.rank >= 2 else 0
            channels = x.shape[axis].value
            if channels != self.num_parameters:
                ctx.fail(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                         f"{self.num_parameters} and channel size = {channels}.",
                         expected=f"{self.num_parameters} channels on axis {axis}",
                         fix=f"use nn.PReLU({channels}) or nn.PReLU() (one slope shared by all channels)")
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        ctx.note("max(0, x) + a·min(0, x) for every value, with learned slopes a; the shape is unchanged")
        ctx.units("one learned negative slope shared by all channels" if self.num_parameters == 1 else
                  f"one learned negative slope per channel ({self.num_parameters})")
        return ctx.spec(x.shape)


def _softmax_dim(rank):
    return 0 if rank in (0, 1, 3) else 1


class Softmax(RuleModule):
    fn = "softmax"

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"

    def infer(self, ctx, x):
        expect_tensor(x, self.fn)
        dim = _softmax_dim(x.rank) if self.dim is None else self.dim
        d = normalize_dim(ctx, dim, x.rank)
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        ctx.note(f"{self.fn} along dim={dim}: the values along axis {d} are normalized to sum to 1; the shape is "
                 "unchanged" + (" (dim=None picks an axis implicitly; torch warns, pass dim explicitly)"
                                if self.dim is None else ""))
        ctx.units(_NO_UNITS)
        return ctx.spec(x.shape)


class LogSoftmax(Softmax):
    fn = "log_softmax"


class Softmin(Softmax):
    fn = "softmin"


class Softmax2d(RuleModule):
    def infer(self, ctx, x):
        if x.rank not in (3, 4):
            ctx.fail(f"Softmax2d: expected input to be 3D or 4D, got {x.rank}D instead", expected="rank 3 or 4")
        ctx.note("softmax over the channels at every spatial position; the shape is unchanged")
        return ctx.spec(x.shape)


class GLU(RuleModule):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def infer(self, ctx, x):
        if x.rank == 0:
            ctx.fail("glu does not support scalars because halving size must be even", expected="rank ≥ 1")
        d = normalize_dim(ctx, self.dim, x.rank)
        size = x.shape[d]
        if size.value % 2:
            ctx.fail(f"Halving dimension must be even, but dimension {d} is size {size.value}",
                     expected=f"an even size on dim {self.dim}")
        shape = list(x.shape)
        shape[d] = ctx.derive("half", size // 2)
        ctx.note(f"the input is split in two halves along dim {self.dim}: a·sigmoid(b)")
        return ctx.spec(shape)


# --------------------------------------------------------------------------------------------------------------
# Dropout


class _DropoutNd(RuleModule):
    ranks = None  # the ranks torch accepts without a warning (None: any)

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = check_probability(p, type(self).__name__)
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"

    def infer(self, ctx, x):
        expect_tensor(x, "dropout")
        if self.training and not x.dtype.startswith(("float", "bfloat")):
            ctx.fail(f"result type Float can't be cast to the desired output type "
                     f"{x.dtype.replace('int64', 'Long').replace('int32', 'Int')}",
                     expected="a floating-point input while training", fix="convert the input with .float()")
        if self.ranks is not None and x.rank not in self.ranks:
            ctx.fail(f"{type(self).__name__}: Expected {self.ranks[0]}D or {self.ranks[1]}D input, but received a "
                     f"{x.rank}D input", expected=f"rank {self.ranks[0]} or {self.ranks[1]}")
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        what = "whole channels are" if self.ranks else "each value is"
        ctx.note(f"while training, {what} zeroed with probability {self.p} (the rest scaled by 1/(1 − p)); the "
                 "shape is unchanged")
        ctx.units("no units and no weights: it only masks values while training")
        return ctx.spec(x.shape)


class Dropout(_DropoutNd):
    pass


class Dropout1d(_DropoutNd):
    ranks = (2, 3)


class Dropout2d(_DropoutNd):
    pass


class Dropout3d(_DropoutNd):
    pass


class AlphaDropout(_DropoutNd):
    pass


class FeatureAlphaDropout(_DropoutNd):
    pass
