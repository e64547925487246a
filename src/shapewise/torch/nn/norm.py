"""Normalization: BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm.

BatchNorm normalizes each channel (axis 1) over the batch and spatial axes, then scales and shifts it by a
learned ``weight`` and ``bias`` of ``num_features``: 2·num_features parameters. Its running mean and variance
(and ``num_batches_tracked``) are *buffers* in PyTorch, not parameters: Keras counts the same statistics as
non-trainable weights. LayerNorm normalizes over the last ``normalized_shape`` axes, GroupNorm over groups of
channels.
"""

from __future__ import annotations

import math

from ...dims import Known
from ...errors import ArgumentError
from ..tensor import Size
from ._util import MODULE, dims_list, require_floating, role
from .module import RuleModule, expect_tensor
from .parameter import new_tensor, param


def _stats(module, features, affine, track, bias=True):
    f = role(features, "num_features")
    if affine:
        module.weight = param(f)
        if bias:
            module.bias = param(f)
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)
    if track:
        module.register_buffer("running_mean", new_tensor((f,)))
        module.register_buffer("running_var", new_tensor((f,)))
        module.register_buffer("num_batches_tracked", new_tensor((), "int64"))
    else:
        module.register_buffer("running_mean", None)
        module.register_buffer("running_var", None)
        module.register_buffer("num_batches_tracked", None)


def _bn_keras_note(features, affine, track):
    params = 2 * features if affine else 0
    buffers = 2 * features + 1 if track else 0
    keras = 4 * features
    return (f"PyTorch counts {params:,} parameters (weight and bias) and keeps the running mean and variance as "
            f"{buffers:,} buffer values (with num_batches_tracked), not parameters; Keras's BatchNormalization "
            f"counts the same statistics as non-trainable weights: {keras:,} parameters")


class _NormBase(RuleModule):
    rank = 2
    input_ranks = (4,)
    instance = False

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int):
            raise ArgumentError(f"{type(self).__name__}: num_features must be an int, got {num_features!r}",
                                layer_type=type(self).__name__)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _stats(self, num_features, affine, track_running_stats, bias)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")

    def infer(self, ctx, x):
        expect_tensor(x, "batch_norm")
        if x.rank not in self.input_ranks:
            want = " or ".join(f"{r}D" for r in self.input_ranks)
            ctx.fail(f"expected {want} input (got {x.rank}D input)", expected=f"a {want} input (channels on axis 1)",
                     fix="BatchNorm1d takes (N, C) or (N, C, L), BatchNorm2d (N, C, H, W), BatchNorm3d (N, C, D, H, W)")
        require_floating(ctx, x, "batch_norm")
        names = ("batch", "num_features", *(("length",) if x.rank == 3 else ("height", "width") if x.rank == 4
                                             else ("depth", "height", "width") if x.rank == 5 else ()))
        bound = ctx.bind(x, *names)
        channels = bound[1]
        for name in ("running_mean", "weight", "bias"):
            t = self.__dict__["_buffers"].get(name) if name == "running_mean" else \
                self.__dict__["_parameters"].get(name)
            if t is not None and t.spec.shape[0].value != channels.value:
                ctx.fail(f"{name} should contain {channels.value} elements not {t.spec.shape[0].value}",
                         expected=f"num_features={self.num_features} channels on axis 1",
                         fix=f"{MODULE} normalizes {self.num_features} channels; the input has {channels.value}: "
                             f"use nn.{type(self).__name__}({channels.value})")
        if self.training:
            values = [d.value for d in x.shape]
            if math.prod(values) // values[1] == 1:
                ctx.fail(f"Expected more than 1 value per channel when training, got input size {Size(values)!r}",
                         expected="more than one value per channel (batch > 1, or spatial axes)",
                         fix="use a batch of more than one sample, or call model.eval() first")
        ctx.note("each channel (axis 1) is normalized over the batch and spatial axes; the shape is unchanged")
        ctx.note(_bn_keras_note, self.num_features, self.affine, self.track_running_stats)
        ctx.units(f"each of the {self.num_features} channels has its own scale and shift"
                  if self.affine else "no learned scale or shift (affine=False)")
        ctx.free("the statistics are per channel: the batch and spatial sizes do not change the counts")
        return ctx.spec(x.shape)


class BatchNorm1d(_NormBase):
    input_ranks = (2, 3)


class BatchNorm2d(_NormBase):
    input_ranks = (4,)


class BatchNorm3d(_NormBase):
    input_ranks = (5,)


class SyncBatchNorm(_NormBase):
    input_ranks = (2, 3, 4, 5)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)


class _InstanceNorm(_NormBase):
    rank = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, bias=bias)

    def infer(self, ctx, x):
        r = self.rank
        kind = type(self).__name__
        if x.rank not in (r + 1, r + 2):
            ctx.fail(f"expected {r + 1}D or {r + 2}D input (got {x.rank}D input)",
                     expected=f"(batch, channels, {r} spatial axes) or without the batch axis")
        batched = x.rank == r + 2
        bound = ctx.bind(x, *(("batch",) if batched else ()), "num_features", *(f"dim{i}" for i in range(r)))
        channels = bound[1 if batched else 0]
        if channels.value != self.num_features and self.track_running_stats:
            ctx.fail(f"running_mean should contain {channels.value} elements not {self.num_features}",
                     expected=f"{self.num_features} channels", fix=f"use nn.{kind}({channels.value})")
        require_floating(ctx, x, "batch_norm")
        if channels.value != self.num_features and self.affine:
            ctx.fail(f"expected input's size at dim={1 if batched else 0} to match num_features "
                     f"({self.num_features}), but got: {channels.value}.",
                     expected=f"{self.num_features} channels", fix=f"use nn.{kind}({channels.value})")
        spatial = [d.value for d in x.shape[-r:]]
        if self.training and math.prod(spatial) == 1:
            ctx.fail(f"Expected more than 1 spatial element when training, got input size "
                     f"{Size(d.value for d in (x.shape if batched else (Known(1), *x.shape)))!r}",
                     expected="more than one spatial position")
        ctx.note("each channel of each sample is normalized over its own spatial axes; the shape is unchanged")
        return ctx.spec(x.shape)


class InstanceNorm1d(_InstanceNorm):
    rank = 1


class InstanceNorm2d(_InstanceNorm):
    rank = 2


class InstanceNorm3d(_InstanceNorm):
    rank = 3


def _normalized(shape, kind):
    if isinstance(shape, int) and not isinstance(shape, bool):
        return (shape,)
    try:
        return tuple(shape)
    except TypeError:
        raise ArgumentError(f"{kind}: normalized_shape must be an int or a sequence of ints, got {shape!r}",
                            layer_type=kind) from None


class LayerNorm(RuleModule):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dims = [role(n, "normalized_shape" if len(self.normalized_shape) == 1 else f"normalized_shape{i}")
                for i, n in enumerate(self.normalized_shape)]
        if elementwise_affine:
            self.weight = param(*dims)
            if bias:
                self.bias = param(*dims)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"

    def infer(self, ctx, x):
        expect_tensor(x, "layer_norm")
        n = len(self.normalized_shape)
        got = tuple(d.value for d in x.shape[-n:]) if x.rank >= n else None
        if got != self.normalized_shape:
            ctx.fail(f"Given normalized_shape={list(self.normalized_shape)}, expected input with shape "
                     f"[*, {', '.join(map(str, self.normalized_shape))}], but got input of size{dims_list(x.shape)}",
                     expected=f"an input ending in {self.normalized_shape}",
                     fix=(f"{MODULE} normalizes the last axis of size {self.normalized_shape[-1]}; the input's last "
                          f"axis has {x.shape[-1].value}: use nn.LayerNorm({x.shape[-1].value})") if x.rank else None)
        require_floating(ctx, x, "LayerNormKernelImpl")
        names = ("normalized_shape",) if n == 1 else tuple(f"normalized_shape{i}" for i in range(n))
        if x.rank > n:
            ctx.bind(x, "batch", *((...,) if x.rank > n + 1 else ()), *names)
        else:
            ctx.bind(x, *names)
        ctx.note(f"each sample is normalized over its last {n} ax{'i' if n == 1 else 'e'}s {self.normalized_shape}; "
                 "the shape is unchanged")
        if self.elementwise_affine:
            ctx.units("each position of normalized_shape has its own scale" +
                      (" and shift" if self.bias is not None else ""))
        ctx.free("the same scale and shift serve every position along these axes")
        return ctx.spec(x.shape)


class RMSNorm(RuleModule):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized(normalized_shape, "RMSNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = param(*(role(v, "normalized_shape") for v in self.normalized_shape))
        else:
            self.register_parameter("weight", None)

    def infer(self, ctx, x):
        n = len(self.normalized_shape)
        got = tuple(d.value for d in x.shape[-n:]) if x.rank >= n else None
        if got != self.normalized_shape:
            ctx.fail(f"Given normalized_shape={list(self.normalized_shape)}, expected input with shape "
                     f"[*, {', '.join(map(str, self.normalized_shape))}], but got input of size{dims_list(x.shape)}",
                     expected=f"an input ending in {self.normalized_shape}")
        if x.rank > n:
            ctx.name_axes(x, "batch", *((...,) if x.rank > n + 1 else ()), *(["normalized_shape"] * n))
        require_floating(ctx, x, "rms_norm")
        ctx.note("each sample is divided by the root mean square of its last axes; the shape is unchanged")
        return ctx.spec(x.shape)


class GroupNorm(RuleModule):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ArgumentError("num_channels must be divisible by num_groups", layer_type="GroupNorm",
                                fix=f"choose num_groups dividing {num_channels}")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = param(role(num_channels, "num_channels"))
            if bias:
                self.bias = param(role(num_channels, "num_channels"))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"

    def infer(self, ctx, x):
        if x.rank < 2:
            ctx.fail(f"Expected at least 2 dimensions for input tensor but received {x.rank}",
                     expected="(batch, channels, ...)")
        if isinstance(self.num_groups, bool) or not isinstance(self.num_groups, int):
            ctx.fail(f"group_norm(): argument 'num_groups' (position 2) must be int, not "
                     f"{type(self.num_groups).__name__}", expected="num_groups as an int")
        if self.num_groups <= 0:
            ctx.fail(f"Expected num groups to be greater than 0, got {self.num_groups}", expected="num_groups > 0")
        bound = ctx.bind(x, "batch", "num_channels", ...)
        channels = bound[1]
        if channels.value % self.num_groups:
            ctx.fail(f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
                     f"{dims_list(x.shape)} and num_groups={self.num_groups}",
                     expected=f"a multiple of num_groups={self.num_groups} channels")
        if self.affine and channels.value != self.num_channels:
            ctx.fail(f"Expected weight to be a vector of size equal to the number of channels in input, but got "
                     f"weight of shape [{self.num_channels}] and input of shape {dims_list(x.shape)}",
                     expected=f"num_channels={self.num_channels} on axis 1",
                     fix=f"use nn.GroupNorm({self.num_groups}, {channels.value})")
        require_floating(ctx, x, "GroupNormKernelImpl")
        ctx.note(f"the {channels.value} channels are split into {self.num_groups} groups, each normalized over its "
                 "channels and the spatial axes; the shape is unchanged")
        return ctx.spec(x.shape)


class LocalResponseNorm(RuleModule):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def infer(self, ctx, x):
        if x.rank < 3:
            ctx.fail(f"Expected 3D or higher dimensionality input (got {x.rank} dimensions)",
                     expected="(batch, channels, ...)")
        ctx.name_axes(x, "batch", "channels", ...)
        ctx.note(f"each value is divided by a power of the sum of squares over {self.size} neighbouring channels; "
                 "the shape is unchanged")
        return ctx.spec(x.shape)


class _LazyNorm:
    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None):
        self.cls_to_become.__init__(self, 0, eps, momentum, affine, track_running_stats)
        self._lazy = True

    def infer(self, ctx, x):
        base = self.cls_to_become
        if self.__dict__.get("_lazy"):
            if x.rank < 2:
                ctx.fail(f"expected a channel axis (got {x.rank}D input)", expected="(batch, channels, ...)")
            channels = x.shape[1].value if x.rank in base.input_ranks or x.rank > 2 else x.shape[0].value
            _stats(self, channels, self.affine, self.track_running_stats)
            self.num_features = channels
            del self.__dict__["_lazy"]
            self.__class__ = base
        return base.infer(self, ctx, x)


LazyBatchNorm1d = type("LazyBatchNorm1d", (_LazyNorm, BatchNorm1d), {"cls_to_become": BatchNorm1d})
LazyBatchNorm2d = type("LazyBatchNorm2d", (_LazyNorm, BatchNorm2d), {"cls_to_become": BatchNorm2d})
LazyBatchNorm3d = type("LazyBatchNorm3d", (_LazyNorm, BatchNorm3d), {"cls_to_become": BatchNorm3d})
