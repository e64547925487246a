"""Linear, Bilinear, Identity and LazyLinear.

``nn.Linear(in_features, out_features)``: a weight ``out_features × in_features`` (torch stores it transposed
against Keras's ``Dense`` kernel, ``features × units``) and a bias of ``out_features``:
params = (in_features + 1)·out_features. It acts on the last axis; every other axis is carried through and shares
the weights. ``nn.Bilinear``: a weight ``out × in1 × in2`` combining two inputs.
"""

from __future__ import annotations

from ...dims import Dim
from ...errors import ArgumentError
from ._util import MODULE, by_x, require_float, role, source_expr
from .module import RuleModule, expect_tensor
from .parameter import UninitializedParameter, param


def _check_features(value, arg, layer_type):
    if isinstance(value, Dim) and value.value is not None:  # a size the interpreter kept as an expression
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"empty(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(value).__name__} at pos 0", layer_type=layer_type,
                            fix=f"{arg} must be an int")
    if value < 0:
        raise ArgumentError(f"Trying to create tensor with negative dimension {value}: [{value}]",
                            layer_type=layer_type, fix=f"{arg} must be ≥ 0")
    return value


class Identity(RuleModule):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def infer(self, ctx, x, *args, **kwargs):
        ctx.note("the input is returned unchanged")
        return x


def _linear_units(in_features, out_features, bias):
    b = " plus its own bias" if bias else ""
    return (f"each of the {out_features} output features reads all {in_features} input features through "
            f"{in_features} weights{b}")


def _linear_free(rank):
    return "the same weight is applied at every position along these axes (shared weights)"


class Linear(RuleModule):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self._in_expr = source_expr(in_features) if isinstance(in_features, Dim) else ""
        self.in_features = _check_features(in_features, "in_features", "Linear")
        self.out_features = _check_features(out_features, "out_features", "Linear")
        self.weight = param(role(self.out_features, "out_features"), role(self.in_features, "in_features"))
        if bias:
            self.bias = param(role(self.out_features, "out_features"))
        else:
            self.register_parameter("bias", None)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    def infer(self, ctx, x):
        expect_tensor(x, "linear")
        if x.rank == 0:
            ctx.fail("both arguments to linear need to be at least 1D, but they are 0D and 2D",
                     expected="(*, in_features)")
        names = ("batch", ..., "in_features") if x.rank > 1 else ("in_features",)
        *lead, features = ctx.bind(x, *names)
        if features.value != self.in_features:
            rows = 1
            for d in lead:
                rows *= d.value
            how = source_expr(features)
            has = (f"the flattened map is {how} = {features.value}" if "·" in how else
                   f"its input has {how} = {features.value}" if how else f"its input has {features.value}")
            expects = self.__dict__.get("_in_expr")
            expects = f"{self.in_features} = {expects}" if expects else str(self.in_features)
            ctx.fail(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{features.value} and "
                     f"{self.in_features}x{self.out_features})",
                     expected=f"an input whose last axis has in_features={self.in_features} values",
                     fix=f"{MODULE} expects {expects} input features; {has}: use "
                         f"nn.Linear({features.value}, {self.out_features})")
        require_float(ctx, x, "mat1 and mat2")
        out = ctx.const(self.out_features, "out_features")
        bias = self.bias is not None
        if bias:
            ctx.formula((role(self.in_features, "in_features") + 1) * role(self.out_features, "out_features"))
        if len(lead) > 1:
            ctx.note("Linear acts on the last axis only; the other axes are carried through unchanged")
            ctx.free(_linear_free, x.rank)
        else:
            ctx.note("each input feature is connected to every output feature")
        ctx.note("PyTorch stores the weight as out_features × in_features, the transpose of Keras's Dense kernel "
                 "(features × units); the count is the same")
        ctx.units(_linear_units, self.in_features, self.out_features, bias)
        return ctx.spec((*lead, out))


class LazyLinear(Linear):
    """Linear whose in_features is taken from the first call, as torch does."""

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        RuleModule.__init__(self)
        self.in_features = 0
        self.out_features = _check_features(out_features, "out_features", "LazyLinear")
        self.weight = UninitializedParameter()
        self.bias = UninitializedParameter() if bias else None
        if not bias:
            self.register_parameter("bias", None)

    def infer(self, ctx, x):
        if type(self) is LazyLinear:
            expect_tensor(x, "linear")
            if x.rank == 0:
                ctx.fail("both arguments to linear need to be at least 1D", expected="(*, in_features)")
            features = x.shape[-1].value
            self.in_features = features
            self.weight = param(role(self.out_features, "out_features"), role(features, "in_features"))
            if self.bias is not None:
                self.bias = param(role(self.out_features, "out_features"))
            self.__class__ = Linear  # torch's cls_to_become
            ctx.note(f"LazyLinear took in_features={features} from its first input and became a Linear")
        return Linear.infer(self, ctx, x)


class Bilinear(RuleModule):
    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = _check_features(in1_features, "in1_features", "Bilinear")
        self.in2_features = _check_features(in2_features, "in2_features", "Bilinear")
        self.out_features = _check_features(out_features, "out_features", "Bilinear")
        self.weight = param(role(out_features, "out_features"), role(in1_features, "in1_features"),
                            role(in2_features, "in2_features"))
        if bias:
            self.bias = param(role(out_features, "out_features"))
        else:
            self.register_parameter("bias", None)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")

    def infer(self, ctx, x1, x2):
        expect_tensor(x1, "bilinear")
        expect_tensor(x2, "bilinear", "input2", 2)
        if x1.rank != x2.rank:
            ctx.fail(f"bilinear(): input dimensions do not match: got {x1.rank} and {x2.rank}",
                     expected="two inputs of the same rank")
        *lead1, f1 = ctx.bind(x1, "batch", ..., "in1_features") if x1.rank > 1 else ctx.bind(x1, "in1_features")
        *lead2, f2 = ctx.bind(x2, "batch", ..., "in2_features") if x2.rank > 1 else ctx.bind(x2, "in2_features")
        for a, b in zip(lead1, lead2):
            if a.value != b.value:
                ctx.fail(f"bilinear(): input batch dimensions do not match: got {by_x(lead1)} and {by_x(lead2)}",
                         expected="the same leading axes on both inputs")
        if f1.value != self.in1_features:
            ctx.fail(f"bilinear(): input1 size does not match weight size: got {f1.value} but expected "
                     f"{self.in1_features}", expected=f"in1_features={self.in1_features} on the last axis",
                     fix=f"use nn.Bilinear({f1.value}, {self.in2_features}, {self.out_features})")
        if f2.value != self.in2_features:
            ctx.fail(f"bilinear(): input2 size does not match weight size: got {f2.value} but expected "
                     f"{self.in2_features}", expected=f"in2_features={self.in2_features} on the last axis",
                     fix=f"use nn.Bilinear({self.in1_features}, {f2.value}, {self.out_features})")
        ctx.note("each output feature is x1ᵀ·W·x2 for its own in1_features × in2_features matrix W")
        ctx.units(f"each of the {self.out_features} output features combines every pair of input features "
                  f"({self.in1_features}·{self.in2_features} weights)")
        return ctx.spec((*lead1, ctx.const(self.out_features, "out_features")))
