"""Modules that move values without learning: Flatten/Unflatten, PixelShuffle/Unshuffle, ChannelShuffle, Upsample,
the padding layers, Unfold/Fold, CosineSimilarity and PairwiseDistance.

``nn.Flatten()`` keeps the batch axis and lays every other axis out into one: (N, C, H, W) → (N, C·H·W), channels
first, so its order differs from Keras's Flatten on channels-last maps (H·W·C): the count is the same, the
features come in another order.
"""

from __future__ import annotations

import math

from ...dims import Known, product
from ._util import dims_list, normalize_dim, ntuple
from .module import RuleModule, expect_tensor


class Flatten(RuleModule):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

    def infer(self, ctx, x):
        expect_tensor(x, "flatten")
        if x.rank == 0:
            return ctx.spec((Known(1),))
        start = normalize_dim(ctx, self.start_dim, x.rank)
        end = normalize_dim(ctx, self.end_dim, x.rank)
        if start > end:
            ctx.fail("flatten() has invalid args: start_dim cannot come after end_dim",
                     expected="start_dim ≤ end_dim")
        names = ["batch"] + [f"dim{i}" for i in range(1, x.rank)]
        if x.rank == 4:
            names = ["batch", "channels", "height", "width"]
        elif x.rank == 3:
            names = ["batch", "channels", "length"]
        bound = ctx.bind(x, *names)
        if start == end:
            return ctx.spec(x.shape)
        flat = ctx.derive("features", product(bound[start:end + 1]))
        ctx.note(f"axes {start}…{end} are laid out into one: {' · '.join(names[start:end + 1])}")
        if x.rank == 4 and start == 1:
            ctx.note("PyTorch flattens channels first (C·H·W); Keras's Flatten on a channels-last map gives H·W·C: "
                     "the same count, another order of the features")
        return ctx.spec((*x.shape[:start], flat, *x.shape[end + 1:]))


class Unflatten(RuleModule):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

    def infer(self, ctx, x):
        d = normalize_dim(ctx, self.dim, x.rank)
        size = x.shape[d].value
        sizes = list(self.unflattened_size)
        if sizes.count(-1) > 1:
            ctx.fail("only one dimension can be inferred", expected="at most one -1 in unflattened_size")
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or size % known:
                ctx.fail(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {self.dim} ({size}) "
                         "in the input tensor", expected=f"sizes whose product is {size}")
            sizes[sizes.index(-1)] = size // known
        elif known != size:
            ctx.fail(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {self.dim} ({size}) in "
                     "the input tensor", expected=f"sizes whose product is {size}",
                     fix="use -1 for one size to let it be inferred")
        ctx.note(f"axis {d} of {size} is split into {tuple(sizes)}")
        return ctx.spec((*x.shape[:d], *map(Known, sizes), *x.shape[d + 1:]))


class PixelShuffle(RuleModule):
    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def infer(self, ctx, x):
        r = self.upscale_factor
        if isinstance(r, bool) or not isinstance(r, int):
            ctx.fail(f"pixel_shuffle(): argument 'upscale_factor' (position 2) must be int, not {type(r).__name__}",
                     expected="an int upscale_factor")
        if r <= 0:
            ctx.fail(f"pixel_shuffle expects a positive upscale_factor, but got {r}", expected="upscale_factor > 0")
        if x.rank < 3:
            ctx.fail(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {x.rank} "
                     "dimension(s)", expected="(*, C·r², H, W)")
        c = x.shape[-3]
        if c.value % (r * r):
            ctx.fail(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                     f"upscale_factor, but input.size(-3)={c.value} is not divisible by {r * r}",
                     expected=f"channels divisible by {r}² = {r * r}")
        rr = Known(r, "upscale_factor")
        ctx.note(f"channels are traded for resolution: C·r² × H × W → C × H·r × W·r (r = {r})")
        return ctx.spec((*x.shape[:-3], c // (rr * rr), x.shape[-2] * rr, x.shape[-1] * rr))


class PixelUnshuffle(RuleModule):
    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def infer(self, ctx, x):
        r = self.downscale_factor
        if x.rank < 3:
            ctx.fail(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with {x.rank} "
                     "dimension(s)", expected="(*, C, H·r, W·r)")
        h, w = x.shape[-2], x.shape[-1]
        if h.value % r or w.value % r:
            which, v = ("height", h.value) if h.value % r else ("width", w.value)
            ctx.fail(f"pixel_unshuffle expects {which} to be divisible by downscale_factor, but input.size("
                     f"{-2 if which == 'height' else -1})={v} is not divisible by {r}",
                     expected=f"height and width divisible by {r}")
        rr = Known(r, "downscale_factor")
        return ctx.spec((*x.shape[:-3], x.shape[-3] * rr * rr, h // rr, w // rr))


class ChannelShuffle(RuleModule):
    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def infer(self, ctx, x):
        if x.rank < 3:
            ctx.fail(f"channel_shuffle expects input to have at least 3 dimensions, but got input with {x.rank} "
                     "dimension(s)", expected="(N, C, *)")
        c = x.shape[1].value
        if c % self.groups:
            ctx.fail(f"Number of channels must be divisible by groups. Got {c} channels and {self.groups} groups.",
                     expected=f"channels divisible by {self.groups}")
        ctx.note(f"the channels are interleaved across {self.groups} groups; the shape is unchanged")
        return ctx.spec(x.shape)


class Upsample(RuleModule):
    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size = size
        self.scale_factor = (float(scale_factor) if isinstance(scale_factor, (int, float)) else
                             tuple(float(f) for f in scale_factor)) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def infer(self, ctx, x):
        r = x.rank - 2
        if r < 1:
            ctx.fail(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.rank}D) for the modes: "
                     "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got "
                     f"{self.mode})", expected="(N, C, spatial...)")
        if self.size is None and self.scale_factor is None:
            ctx.fail("either size or scale_factor should be defined", expected="size or scale_factor")
        if self.size is not None and self.scale_factor is not None:
            ctx.fail("only one of size or scale_factor should be defined", expected="size or scale_factor")
        need = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(self.mode)
        if need is not None and need != r:
            ctx.fail(f"Got {x.rank}D input, but {self.mode} mode needs {need + 2}D input",
                     expected=f"a {need + 2}D input for mode='{self.mode}'")
        spatial = x.shape[2:]
        if self.size is not None:
            sizes = ntuple(self.size, r)
            if len(sizes) != r:
                ctx.fail(f"Input and output must have the same number of spatial dimensions, but got input with "
                         f"spatial dimensions of {[d.value for d in spatial]} and output size of {list(sizes)}. "
                         "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, "
                         "o2, ...,oK) format.", expected=f"{r} output sizes")
            out = [ctx.const(s, "size") for s in sizes]
        else:
            factors = ntuple(self.scale_factor, r)
            if len(factors) != r:
                ctx.fail(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {[d.value for d in spatial]} and scale_factor of shape "
                         f"{list(factors)}.", expected=f"{r} scale factors")
            out = []
            for L, f in zip(spatial, factors):
                if f == int(f) and f > 0:
                    out.append(L * Known(int(f), "scale_factor"))
                else:
                    out.append(Known(math.floor(L.value * f)))
        if min(d.value for d in out) <= 0:
            ctx.fail("Input and output sizes should be greater than 0, but got input "
                     f"{[d.value for d in spatial]} output {[d.value for d in out]}", expected="positive sizes")
        ctx.note(f"each spatial axis is resized ({self.mode}); the channels are kept")
        return ctx.spec((*x.shape[:2], *out))


class UpsamplingNearest2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class _PadNd(RuleModule):
    rank = 2
    mode = "constant"

    def __init__(self, padding, value=0.0):
        super().__init__()
        self.padding = ntuple(padding, 2 * self.rank) if isinstance(padding, int) else tuple(padding)
        self.value = value

    def extra_repr(self):
        return f"{self.padding}" + (f", value={self.value}" if self.mode == "constant" else "")

    def infer(self, ctx, x):
        kind = type(self).__name__
        for v in self.padding:
            if isinstance(v, bool) or not isinstance(v, int):
                ctx.fail(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                         f"{type(v).__name__}", expected="padding as ints")
        if len(self.padding) % 2:
            ctx.fail("Padding length must be divisible by 2", expected="pairs of (left, right) paddings")
        r = len(self.padding) // 2  # F.pad pads the last len(padding) / 2 axes
        if self.mode != "constant" and x.rank not in (self.rank + 1, self.rank + 2):
            ctx.fail(f"Expected {r + 1}D or {r + 2}D (batch mode) tensor with possibly 0 batch size and other "
                     f"non-zero dimensions for input, but got: {dims_list(x.shape)}",
                     expected=f"rank {r + 1} or {r + 2}")
        if x.rank < r:
            ctx.fail(f"Padding length should be less than or equal to two times the input dimension but got padding "
                     f"length {2 * r} and input of dimension {x.rank}", expected=f"rank ≥ {r}")
        shape = list(x.shape)
        for i in range(r):
            left, right = self.padding[2 * i], self.padding[2 * i + 1]
            axis = x.rank - 1 - i
            size = shape[axis].value
            if self.mode == "reflect" and (left >= size or right >= size):
                ctx.fail(f"Argument #4: Padding size should be less than the corresponding input dimension, but "
                         f"got: padding ({left}, {right}) at dimension {axis} of input {dims_list(x.shape)}",
                         expected=f"padding < {size} for reflection")
            if self.mode == "circular" and (left > size or right > size):
                ctx.fail("Padding value causes wrapping around more than once.", expected=f"padding ≤ {size}")
            new = size + left + right
            if new <= 0 and self.mode == "constant" or new < 0:
                ctx.fail(f"The input size {size}, plus negative padding {left} and {right} resulted in a negative "
                         f"output size, which is invalid. Check dimension {axis} of your input.",
                         expected="a positive padded size")
            if left or right:
                shape[axis] = shape[axis] + Known(left + right, "padding") if left + right > 0 else Known(new)
        ctx.note(f"{kind} adds {self.padding} (last axis first: left, right, top, bottom, ...)")
        return ctx.spec(shape)


def _pad(name, rank, mode):
    if mode == "constant" and name.startswith("ZeroPad"):
        def init(self, padding):
            _PadNd.__init__(self, padding, 0.0)
    elif mode == "constant":
        def init(self, padding, value):
            _PadNd.__init__(self, padding, value)
    else:
        def init(self, padding):
            _PadNd.__init__(self, padding)
    return type(name, (_PadNd,), {"rank": rank, "mode": mode, "__init__": init})


ZeroPad1d, ZeroPad2d, ZeroPad3d = (_pad(f"ZeroPad{r}d", r, "constant") for r in (1, 2, 3))
ConstantPad1d, ConstantPad2d, ConstantPad3d = (_pad(f"ConstantPad{r}d", r, "constant") for r in (1, 2, 3))
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (_pad(f"ReflectionPad{r}d", r, "reflect") for r in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (_pad(f"ReplicationPad{r}d", r, "replicate")
                                                        for r in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (_pad(f"CircularPad{r}d", r, "circular") for r in (1, 2, 3))


class Unfold(RuleModule):
    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def infer(self, ctx, x):
        if x.rank not in (3, 4):
            ctx.fail(f"Input Error: Only 3D or 4D input Tensors are supported (got {x.rank}D)",
                     expected="(N, C, H, W) or (C, H, W)")
        k, d, p, s = (ntuple(v, 2) for v in (self.kernel_size, self.dilation, self.padding, self.stride))
        spatial = [v.value for v in x.shape[-2:]]
        blocks = []
        for L, kk, dd, pp, ss in zip(spatial, k, d, p, s):
            n = (L + 2 * pp - dd * (kk - 1) - 1) // ss + 1
            if n <= 0:
                ctx.fail(f"Given input with spatial size ({', '.join(map(str, spatial))}), kernel_size={k}, "
                         f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
                         f"({n}), but its components must be at least one.", expected="blocks that fit the input")
            blocks.append(n)
        c = x.shape[-3]
        ctx.note("each sliding block becomes a column: C·kh·kw values per block, one column per block position")
        lead = x.shape[:-3]
        return ctx.spec((*lead, c * Known(k[0] * k[1], "kernel"), Known(blocks[0] * blocks[1], "blocks")))


class Fold(RuleModule):
    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def infer(self, ctx, x):
        if x.rank not in (2, 3):
            ctx.fail(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {x.rank}D)",
                     expected="(N, C·kh·kw, L)")
        o, k, d, p, s = (ntuple(v, 2) for v in (self.output_size, self.kernel_size, self.dilation, self.padding,
                                                 self.stride))
        cols = x.shape[-2].value
        if cols % (k[0] * k[1]):
            ctx.fail(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
                     f"input.size(1)={cols} and kernel_size={k}", expected=f"a multiple of {k[0] * k[1]}")
        blocks = 1
        for L, kk, dd, pp, ss in zip(o, k, d, p, s):
            blocks *= (L + 2 * pp - dd * (kk - 1) - 1) // ss + 1
        if x.shape[-1].value != blocks:
            ctx.fail(f"Given output_size={o}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, expected "
                     f"size of input's dimension 2 to match the calculated number of sliding blocks {blocks}, but "
                     f"got input.size(2)={x.shape[-1].value}.", expected=f"{blocks} blocks")
        c = cols // (k[0] * k[1])
        return ctx.spec((*x.shape[:-2], Known(c), Known(o[0]), Known(o[1])))


def _broadcast(ctx, a, b, what):
    ra, rb = a.rank, b.rank
    out = []
    for i in range(max(ra, rb)):
        da = a.shape[ra - 1 - i] if i < ra else None
        db = b.shape[rb - 1 - i] if i < rb else None
        if da is None or (db is not None and da.value == 1):
            out.append(db)
        elif db is None or db.value == 1 or db.value == da.value:
            out.append(da)
        else:
            ctx.fail(f"The size of tensor a ({da.value}) must match the size of tensor b ({db.value}) at "
                     f"non-singleton dimension {max(ra, rb) - 1 - i}", expected=f"{what}: shapes that broadcast")
    return out[::-1]


class CosineSimilarity(RuleModule):
    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def infer(self, ctx, x1, x2):
        shape = _broadcast(ctx, x1, x2, "cosine_similarity")
        d = normalize_dim(ctx, self.dim, len(shape))
        ctx.note(f"the cosine of the angle between the two inputs along dim {self.dim}, which is removed")
        return ctx.spec(shape[:d] + shape[d + 1:])


class PairwiseDistance(RuleModule):
    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def infer(self, ctx, x1, x2):
        shape = _broadcast(ctx, x1, x2, "pairwise_distance")
        if not shape:
            return ctx.spec(())
        ctx.note("the p-norm distance between the inputs along the last axis")
        return ctx.spec(shape[:-1] + ([Known(1)] if self.keepdim else []))
