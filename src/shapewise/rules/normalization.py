"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization, RMSNormalization,
UnitNormalization, SpectralNormalization and the Normalization preprocessing layer.

None of them changes the shape. What they learn is small: one value per normalized position (per channel for
BatchNormalization and GroupNormalization, per normalized feature for LayerNormalization), never a matrix.
BatchNormalization also keeps running statistics (``moving_mean``, ``moving_variance``) that are updated while
training by averaging, not by gradients, so Keras counts them as non-trainable parameters.
"""

from __future__ import annotations

import functools
import math
import operator

from ..compute import scaled
from ..dims import Known, product
from ..engine import Layer, register
from ..errors import ArgumentError

# --------------------------------------------------------------------------------------------------------------
# Shared helpers


def _bind_axes(ctx, x, kept):
    """Bind the input's axes: index 0 is ``batch``, the kept axes get their given names, others ``axis i``."""
    return ctx.bind(x, *_axis_names(x.rank, tuple(kept.items())))


@functools.lru_cache(maxsize=None)
def _axis_names(rank, kept):
    kept = dict(kept)
    names = []
    for i in range(rank):
        if i in kept:
            names.append(kept[i])
        elif i == 0:
            names.append("batch")
        else:
            names.append(f"dim{i}")
    return tuple(names)


def _in_range(axis, rank):
    """Python indexing rule (what Keras's ``input_shape[axis]`` accepts)."""
    return isinstance(axis, int) and not isinstance(axis, bool) and -rank <= axis < rank


def _channel_name(index, rank):
    return "features" if rank == 2 and index == 1 else "channels"


def _out_of_range(ctx, kind, axis, rank):
    ctx.fail(
        f"axis={axis!r} is out of range for a {rank}D input: {kind} normalizes along an axis the input does not "
        f"have",
        expected=f"an axis between {-rank} and {rank - 1} (-1 is the last axis)",
        fix="use axis=-1 for channels-last data, axis=1 for channels-first",
    )


def _check_axis_list(axis, kind):
    if isinstance(axis, (list, tuple)):
        return list(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    raise ArgumentError(
        f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}",
        layer_type=kind,
    )


def _unknown_axis(ctx, kind, index, x):
    ctx.fail(
        f"{kind} needs the size of the axis it normalizes along (axis {index}) to create its weights, but that "
        f"axis is unknown" + (" (it is the batch axis)" if index == 0 else ""),
        expected=f"a known size on axis {index}",
        fix=("normalize along a feature axis, e.g. axis=-1" if index == 0 else
             "give that axis a concrete size in Input(shape=...)"),
    )


# --------------------------------------------------------------------------------------------------------------


def _bn_note(channels, name, index, rank):
    return (f"each of the {channels.value} {name} (axis {index}) is normalized with its own mean and variance, "
            f"computed over the batch" + (" and every other axis" if rank > 2 else "") + "; the shape is unchanged")


def _bn_units(n, name, channels, learned, stats, momentum):
    learned_text = (" and ".join(learned) + (" are" if len(learned) > 1 else " is") + " learned by gradients"
                    if learned else "center=False and scale=False: nothing is learned")
    return (f"{n} vectors of {name}={channels.value}: {learned_text}; "
            f"{' and '.join(stats) if len(stats) == 2 else ', '.join(stats)} are statistics updated during "
            f"training by a running average (momentum={momentum}), not by gradients, so they count as "
            f"non-trainable; at inference they replace the batch statistics")


@register()
class BatchNormalization(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        try:
            self.axis = int(axis)
            self.momentum = float(momentum)
            self.epsilon = float(epsilon)
        except (TypeError, ValueError) as e:
            raise ArgumentError(
                f"BatchNormalization takes a single integer axis (and numbers for momentum/epsilon): {e}. "
                f"Received: axis={axis!r}, momentum={momentum!r}, epsilon={epsilon!r}",
                layer_type="BatchNormalization",
                fix="Keras 3's BatchNormalization normalizes per entry of ONE axis: pass an int, e.g. axis=-1"
                if isinstance(axis, (list, tuple)) else None,
            ) from None
        # synchronized=True is refused by Keras on the JAX/torch backends only; shapewise is backend-neutral.
        self.synchronized = synchronized
        self.center = center
        self.scale = scale
        self.renorm = renorm
        if renorm:
            renorm_clipping = renorm_clipping or {}
            keys = ["rmax", "rmin", "dmax"]
            if set(renorm_clipping) - set(keys):
                raise ArgumentError(
                    f"Received invalid keys for `renorm_clipping` argument: {renorm_clipping}. "
                    f"Supported values: {keys}.", layer_type="BatchNormalization")
            rmax, rmin, dmax = (renorm_clipping.get(k) for k in ("rmax", "rmin", "dmax"))
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ArgumentError(
                    "rmax should be greater than rmin in the `renorm_clipping` argument. "
                    f"Received: rmax={rmax}, rmin={rmin}.", layer_type="BatchNormalization")
            if dmax is not None and dmax < 0:
                raise ArgumentError(
                    f"dmax should be non-negative in the `renorm_clipping` argument. Received: dmax={dmax}.",
                    layer_type="BatchNormalization")
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum

    def infer(self, ctx, x, training=None, mask=None):
        if not _in_range(self.axis, x.rank):
            _out_of_range(ctx, "BatchNormalization", self.axis, x.rank)
        index = self.axis % x.rank
        name = _channel_name(index, x.rank)
        bound = _bind_axes(ctx, x, {index: name})
        channels = bound[index]
        if not ctx.building:  # compute_output_shape: only the axis check above; the shape is kept
            ctx.built_for("moving_mean", 0, channels, name)
            ctx.note(f"normalizes each of the {name} (axis {index}) with the statistics of the first call; the "
                     "shape is unchanged")
            return ctx.spec(bound)
        if channels.value is None:
            _unknown_axis(ctx, "BatchNormalization", index, x)
        ctx.input_spec(ndim=x.rank, axes={self.axis: channels.value})
        learned = []
        vector = (channels,)  # one shape for the four weights
        if self.scale:
            ctx.weight("gamma", vector)
            learned.append("gamma (scale)")
        if self.center:
            ctx.weight("beta", vector)
            learned.append("beta (offset)")
        ctx.weight("moving_mean", vector, trainable=False)
        ctx.weight("moving_variance", vector, trainable=False)
        stats = ["moving_mean", "moving_variance"]
        if self.renorm:
            for w in ("moving_stddev", "renorm_mean", "renorm_stddev"):
                ctx.weight(w, vector, trainable=False)
            stats += ["moving_stddev", "renorm_mean", "renorm_stddev"]
        n = len(learned) + len(stats)
        ctx.formula(operator.mul, n, channels)
        ctx.note(_bn_note, channels, name, index, x.rank)
        ctx.units(_bn_units, n, name, channels, learned, stats, self.momentum)
        if x.rank > 2:
            ctx.free("the same per-channel values are used at every position along these axes")
        return ctx.spec(bound)

    def compute(self, c):
        axes = c.axes(0)
        n = product(axes)
        channels = axes[self.axis % len(axes)]
        c.ops(scaled(4 + bool(self.scale) + bool(self.center), axes), "mean, variance, subtract, divide, scale, shift")
        # Keras's torch backend: (x − mean)·(rsqrt(variance + ε)·gamma) + beta, the product in place
        # (keras/src/backend/torch/nn.py batch_normalization), the statistics from mean(x²) − mean²
        if not self.trainable:
            # a frozen layer runs in inference mode (the moving statistics): only the per-channel factor
            if c.grad_input:
                c.saves(channels, "the per-channel factor rsqrt(moving_variance + ε)·gamma")
            return
        renorm = self.renorm and self.scale  # (without scale, renorm's r takes the place of the ones tensor)
        if c.grad_input:
            c.saves_input(0, "input")  # square(x) for the variance
            c.saves(n, "normalized input")
            # mean, rsqrt(variance + ε), the factor (and the ones tensor standing for a missing scale, or the
            # renormalized gamma, r·gamma)
            stats = (3 if self.scale else 4) + (1 if renorm else 0)
        elif self.scale:  # an input that needs no gradient: only what gamma's gradient reads
            c.saves(n, "normalized input")
            stats = 1  # rsqrt(variance + ε)
        else:
            return  # beta's gradient reads nothing
        if renorm:
            stats += 2  # the corrections r and d (stop_gradient), read by r·gamma's and d·gamma's gradients
        if self.renorm and c.grad_input:
            # the update of the renorm and moving statistics from the batch's (sqrt(variance + ε), the new moving
            # stddev squared, relu): 4 per-channel tensors torch still holds when the forward ends (measured)
            stats += 4
        c.saves(stats * channels, "per-channel statistics")


def _row_size(axes, normalized):
    """The number of rows a normalization computes statistics for: the product of the other axes."""
    return product(d for i, d in enumerate(axes) if i not in normalized)


def _ln_note(shape, rms_scaling):
    return (f"each sample is normalized on its own, over {' × '.join(d.names() for d in shape)} (mean and variance "
            f"per sample, not per batch); the shape is unchanged"
            + (" (rms_scaling: scaled only, no offset)" if rms_scaling else ""))


def _ln_units(shape, vectors):
    return (f"no units: {' and '.join(vectors)} hold one learned value per normalized position "
            f"({' × '.join(d.names() for d in shape)}); unlike BatchNormalization there are no running statistics, "
            f"so nothing is non-trainable")


@register()
class LayerNormalization(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        super().__init__(**kwargs)
        self.axis = _check_axis_list(axis, "LayerNormalization")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling

    def infer(self, ctx, x, training=None):
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not _in_range(a, x.rank):
                _out_of_range(ctx, "LayerNormalization", a, x.rank)
        indices = [a % x.rank for a in axes]
        if len(indices) == 1:
            kept = {indices[0]: "features" if indices[0] == x.rank - 1 else f"dim{indices[0]}"}
        else:
            kept = {i: f"dim{i}" for i in indices}
        bound = _bind_axes(ctx, x, kept)
        shape = tuple(bound[i] for i in indices)  # Keras indexes with the sorted raw axes (duplicates kept)
        if not ctx.building:  # compute_output_shape: only the axis check above; the shape is kept
            return _reused_norm(ctx, bound, shape, ("gamma", "beta"))
        for i, d in zip(indices, shape):
            if d.value is None:
                _unknown_axis(ctx, "LayerNormalization", i, x)
        vectors = []
        if self.scale or self.rms_scaling:
            ctx.weight("gamma", shape)
            vectors.append("gamma (scale)")
        if self.center and not self.rms_scaling:
            ctx.weight("beta", shape)
            vectors.append("beta (offset)")
        ctx.note(_ln_note, shape, self.rms_scaling)
        if vectors:
            ctx.units(_ln_units, shape, vectors)
        else:
            ctx.units("no units and nothing to learn: center=False and scale=False")
        if x.rank > len(set(indices)) + 1:
            ctx.free("the same gamma/beta are used at every position along these axes")
        return ctx.spec(bound)

    def compute(self, c):
        axes = c.axes(0)
        normalized = {a % len(axes) for a in (self.axis if isinstance(self.axis, list) else [self.axis])}
        n, rows = product(axes), _row_size(axes, normalized)
        if self.rms_scaling:
            c.ops(scaled(3, axes), "mean square, divide, scale")
            c.saves(n, "normalized input")
            if c.grad_input:
                c.saves_input(0, "input")
                c.saves(rows, "per-row 1/rms")
            return
        c.saves_input(0, "input")
        c.ops(scaled(4 + bool(self.scale) + bool(self.center), axes), "mean, variance, subtract, divide, scale, shift")
        c.saves(2 * rows, "per-row mean and 1/std")


@register()
class RMSNormalization(Layer):
    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def infer(self, ctx, x, training=None):
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        for a in axes:
            if not _in_range(a, x.rank):
                _out_of_range(ctx, "RMSNormalization", a, x.rank)
        indices = [a % x.rank for a in axes]
        kept = ({indices[0]: "features"} if indices == [x.rank - 1] else {i: f"dim{i}" for i in indices})
        bound = _bind_axes(ctx, x, kept)
        shape = tuple(bound[i] for i in indices)
        if not ctx.building:  # compute_output_shape: only the axis check above; the shape is kept
            return _reused_norm(ctx, bound, shape, ("scale",))
        for i, d in zip(indices, shape):
            if d.value is None:
                _unknown_axis(ctx, "RMSNormalization", i, x)
        ctx.weight("scale", shape)
        ctx.note("each sample is divided by its root mean square over the normalized axes; the shape is "
                 "unchanged")
        ctx.units("no units: one learned scale per normalized position, no offset and no running statistics")
        return ctx.spec(bound)

    def compute(self, c):
        axes = c.axes(0)
        normalized = {a % len(axes) for a in (self.axis if isinstance(self.axis, list) else [self.axis])}
        n = product(axes)
        c.ops(scaled(3, axes), "mean square, divide, scale")
        c.saves(n, "normalized input")
        if c.grad_input:
            c.saves_input(0, "input")
            c.saves(_row_size(axes, normalized), "per-row 1/rms")


@register()
class GroupNormalization(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ArgumentError(
                "Received an invalid value for argument `groups`, expected a positive integer (or `-1` for "
                f"instance normalization). Received: groups={groups}", layer_type="GroupNormalization")
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale

    def infer(self, ctx, x, training=None):
        if not isinstance(self.axis, int) or isinstance(self.axis, bool):
            ctx.fail(f"GroupNormalization takes a single integer axis. Received: axis={self.axis!r}",
                     expected="an int, e.g. axis=-1", fix="axis=-1")
        if not _in_range(self.axis, x.rank):
            _out_of_range(ctx, "GroupNormalization", self.axis, x.rank)
        index = self.axis % x.rank
        bound = _bind_axes(ctx, x, {index: "channels"})
        channels = bound[index]
        if not ctx.building:  # compute_output_shape: only the axis check above; the shape is kept
            return _reused_norm(ctx, bound, (channels,), ("gamma", "beta"))
        if channels.value is None:
            ctx.fail(f"Axis {self.axis} of input tensor should have a defined dimension but the layer received "
                     f"an input with shape {x.values()}.",
                     expected=f"a known number of channels on axis {self.axis}",
                     fix="give the channel axis a concrete size")
        groups = channels.value if self.groups == -1 else self.groups
        if channels.value < groups:
            ctx.fail(f"Number of groups ({groups}) cannot be more than the number of channels "
                     f"({channels.value}).",
                     expected=f"groups ≤ {channels.value}", fix=_groups_fix(channels.value))
        if channels.value % groups:
            # Keras's wording has it backwards ("groups must be a multiple of the channels"): the channels
            # must be divisible by the groups.
            ctx.fail(f"Number of groups ({groups}) must be a multiple of the number of channels "
                     f"({channels.value}), as Keras words it: the {channels.value} channels must split evenly "
                     f"into {groups} groups",
                     expected=f"groups dividing {channels.value}", fix=_groups_fix(channels.value))
        ctx.input_spec(ndim=x.rank, axes={self.axis: channels.value})
        if self.scale:
            ctx.weight("gamma", (channels,))
        if self.center:
            ctx.weight("beta", (channels,))
        per = channels.value // groups
        ctx.note(f"the {channels.value} channels are split into {groups} groups of {per}; each sample is "
                 f"normalized per group (not over the batch); the shape is unchanged")
        vectors = [n for n, on in (("gamma", self.scale), ("beta", self.center)) if on]
        ctx.units(f"no units: {' and '.join(vectors) or 'nothing'} "
                  f"{'hold' if len(vectors) > 1 else 'holds'} one learned value per channel; "
                  f"no running statistics, so nothing is non-trainable" if vectors else
                  "no units and nothing to learn: center=False and scale=False")
        if x.rank > 2:
            ctx.free("the same per-channel values are used at every position along these axes")
        return ctx.spec(bound)

    def compute(self, c):
        axes = c.axes(0)
        n = product(axes)
        channels = axes[self.axis % len(axes)]
        groups = channels if self.groups == -1 else c.const(self.groups, "groups")
        c.ops(scaled(4 + bool(self.scale) + bool(self.center), axes), "mean, variance, subtract, divide, scale, shift")
        # Keras: x·inv + (−mean·inv) with inv = rsqrt(variance + ε) (·gamma: per sample and channel); the
        # statistics per sample and group from mean(x²) − mean²
        if c.grad_input:
            c.saves_input(0, "input")
            c.saves(3 * axes[0] * groups, "per-group statistics (mean, rsqrt(variance + ε), −mean)")
            if self.scale:
                c.saves(axes[0] * channels, "per-sample, per-channel factors")
        elif self.scale:  # an input that needs no gradient: only what gamma's gradient reads
            c.saves_input(0, "input")
            c.saves(2 * axes[0] * groups, "per-group statistics (rsqrt(variance + ε), −mean)")


def _child(ctx, layer):
    """The context ``layer`` ran in inside this call (for its axis names), or None."""
    if ctx is None:
        return None
    return next((child for _, child in ctx.children if child.layer is layer), None)


def _reused_norm(ctx, bound, shape, weights):
    """A built normalization layer called again: Keras's compute_output_shape checks the axes are in range and
    keeps the shape; the weights of the first call stay (a note says so when their sizes no longer fit)."""
    built = {w.name for w in ctx.layer._weights or ()}
    name = next((w for w in weights if w in built), None)  # gamma and beta have the same shape: say it once
    for k, d in enumerate(shape):
        if name is not None:
            ctx.built_for(name, k, d, d.role)
    ctx.note("normalizes with the weights of its first call; the shape is unchanged")
    return ctx.spec(bound)


def _groups_fix(channels):
    divisors = [d for d in range(1, channels + 1) if channels % d == 0]
    return f"use a number of groups that divides {channels}: one of {divisors}"


@register()
class UnitNormalization(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise ArgumentError(
                "Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                f"Received: axis={axis}", layer_type="UnitNormalization")

    def infer(self, ctx, x, training=None):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not isinstance(a, int) or a >= x.rank or a < -x.rank:
                ctx.fail(f"Axis {self.axis} is out of bounds for input shape {x.values()}.",
                         expected=f"axes between {-x.rank} and {x.rank - 1}", fix="use axis=-1")
        bound = ctx.bind(x, "batch", ...)
        ctx.note("each sample is divided by its L2 norm along the given axis, so it has length 1; the shape "
                 "is unchanged")
        ctx.units("no units and no weights: a fixed rescaling")
        return ctx.spec(bound)

    def compute(self, c):
        axes = c.axes(0)
        normalized = {a % len(axes) for a in (self.axis if isinstance(self.axis, list) else [self.axis])}
        rows = _row_size(axes, normalized)
        c.ops(scaled(3, axes), "square, sum, divide")
        c.saves_input(0, "input")
        c.saves(2 * rows, "per-row norms")
        c.saves(Known(1), "epsilon (a 0-d tensor)", "float32")


@register()
class SpectralNormalization(Layer):
    def __init__(self, layer, power_iterations=1, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure wrapped layer "
                "is a valid Keras layer.", layer_type="SpectralNormalization")
        super().__init__(**kwargs)
        self.layer = layer
        if power_iterations <= 0:
            raise ArgumentError(
                "`power_iterations` should be greater than zero. Received: "
                f"`power_iterations={power_iterations}`", layer_type="SpectralNormalization")
        self.power_iterations = power_iterations
        self._sublayers = [layer]

    @property
    def weights(self):
        # Keras's order: the wrapped kernel (tracked on the wrapper as an attribute), vector_u, then the rest of
        # the wrapped layer's weights.
        return list(self._weights or [])

    def infer(self, ctx, x, training=None):
        if x.rank < 1:
            ctx.fail("SpectralNormalization needs an input of rank at least 1", expected="(batch, ...)")
        out = ctx.call(self.layer, x)
        if not ctx.building:  # compute_output_shape: the wrapped layer's
            return out
        ctx.input_spec(min_ndim=1, axes={-1: x.shape[-1].value})
        inner = [w for w in ctx.weights]
        kernel = next((w for w in inner if w.name == "kernel"), None)
        if kernel is None or type(self.layer).__name__ in _NO_KERNEL_ATTR:
            kernel = next((w for w in inner if w.name == "embeddings"), None)
        if kernel is None or type(self.layer).__name__ in _NO_KERNEL_ATTR:
            ctx.fail(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings'",
                     expected="a wrapped layer with a kernel (Dense, Conv*, EinsumDense) or an Embedding",
                     fix="wrap the Dense/Conv layer itself; spectral normalization rescales one weight matrix")
        ctx.weights = [kernel]
        ctx.weight("vector_u", (Known(1), kernel.dims[-1]), trainable=False)
        if not kernel.declared_trainable:  # a LoRA-frozen kernel: Keras tracks it on the wrapper after vector_u
            ctx.weights.reverse()
        ctx.weights.extend(w for w in inner if w is not kernel)
        ctx.note(f"the wrapped {type(self.layer).__name__} decides the shape; its {kernel.name} is divided by "
                 f"its largest singular value (estimated by {self.power_iterations} power iteration"
                 f"{'s' if self.power_iterations > 1 else ''} per training step)")
        ctx.units(f"the wrapped layer's units, unchanged; vector_u (1 × {kernel.dims[-1].value}) is the power "
                  f"iteration's running estimate of the top singular vector: updated by assignment, not by "
                  f"gradients, so it is non-trainable")
        return out

    def compute(self, c):
        c.sublayer(self.layer, c.inputs, c.outputs, ctx=_child(c.ctx, self.layer))
        kernel = next((w for w in self.layer._weights or () if w.name in ("kernel", "embeddings")), None)
        if kernel is not None:
            size = product(kernel.dims)
            # u ← normalize(v·Wᵀ... ) per iteration (two matrix-vector products), then σ = v·W·uᵀ
            c.macs(2 * self.power_iterations * size + size + kernel.dims[-1],
                   "power iteration and the singular value")
            c.ops(size, "dividing the kernel by its singular value")
            # the power iteration on the kernel as a (rows, columns) matrix: each iteration's two vector-matrix
            # products and two normalizations keep 2·(rows + columns) + 6 values; the singular value's products
            # take back columns + 2 (measured on Keras's torch backend; the graph stays alive with the kernel's
            # assignment)
            columns = kernel.dims[-1]
            rows = size // columns
            iterations = c.const(self.power_iterations, "power_iterations")
            c.saves(iterations * (2 * rows + 2 * columns + 6) - columns - 2, "the power iteration's vectors")


# Layers that declare a weight named "kernel" but have no `kernel` attribute in Keras (it lives on their cell).
_NO_KERNEL_ATTR = {"SimpleRNN", "GRU", "LSTM", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "RNN", "Bidirectional",
                   "TimeDistributed"}


def _shape_of(value):
    """np.shape of a number, nested list or array-like, without numpy."""
    if hasattr(value, "shape"):
        return tuple(int(d) for d in value.shape)
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


@register()
class Normalization(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        elif isinstance(axis, (list, tuple, str)) and all(isinstance(a, int) for a in axis):
            axis = tuple(axis)  # (Keras's tuple(axis): an empty string is no axis, as None)
        else:
            raise ArgumentError(f"`axis` must be an integer, a list/tuple of integers or None. Received: axis={axis!r}",
                                layer_type="Normalization", expected="axis: the feature axis (or axes) to normalize",
                                fix="e.g. axis=-1 (one mean and variance per feature of the last axis)")
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        if (mean is not None) != (variance is not None):
            raise ArgumentError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}", layer_type="Normalization")
        if mean is not None:
            if _shape_of(mean) != _shape_of(variance):
                raise ArgumentError(
                    "When setting values directly, `mean` and `variance` must have the same shape. Received: "
                    f"mean shape {_shape_of(mean)} and variance shape {_shape_of(variance)}",
                    layer_type="Normalization")
            if len(_shape_of(mean)) > len(self.axis):
                raise ArgumentError(
                    f"The rank of `mean` must be less than or equal to the number of axes ({len(self.axis)}). "
                    f"Received: mean shape {_shape_of(mean)} for axis {self.axis}", layer_type="Normalization")

    def infer(self, ctx, x, training=None):
        ndim = x.rank
        if not ctx.building:  # compute_output_shape: the input's shape, no check
            ctx.note("standardizes each value with the statistics of its first call; the shape is unchanged")
            return ctx.spec(ctx.bind(x, "batch", ...) if ndim else x.shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            ctx.fail("All `axis` values must be in the range [-ndim, ndim). "
                     f"Received inputs with ndim={ndim}, while axis={self.axis}",
                     expected=f"axes between {-ndim} and {ndim - 1}", fix="use axis=-1 (one value per feature)")
        keep = tuple(sorted(a % ndim for a in self.axis))
        kept = ({keep[0]: "features"} if keep == (ndim - 1,) else {i: f"dim{i}" for i in keep})
        bound = _bind_axes(ctx, x, kept)
        for d in keep:
            if bound[d].value is None:
                ctx.fail(f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                         f"inputs.shape={x.values()}, with unknown axis at index {d}",
                         expected=f"a known size on axis {d}", fix="give that axis a concrete size")
        shape = tuple(bound[d] for d in keep)
        if self.input_mean is None and math.prod(bound[d].value for d in keep) != math.prod(
                bound[d].value for d in set(keep)):
            # an axis kept twice: the statistics (one axis per kept axis) do not fit the input's broadcast shape
            ctx.fail(f"Normalization cannot keep the same axis twice: axis={self.axis} on inputs of rank {ndim} (Keras "
                     f"fails when the layer is built, reshaping its statistics)", expected="distinct axes",
                     fix=f"list each axis once, e.g. axis={tuple(sorted(set(keep)))}")
        verb = "denormalized (invert=True: x·√variance + mean)" if self.invert else "standardized: (x − mean)/√variance"
        if self.input_mean is None:
            ctx.weight("mean", shape, trainable=False)
            ctx.weight("variance", shape, trainable=False)
            ctx.weight("count", (), trainable=False)
            where = " × ".join(d.names() for d in shape) or "one value for the whole input"
            ctx.note(f"each value is {verb}; the shape is unchanged")
            ctx.units(f"no units: mean and variance ({where}) and the sample count are statistics set by "
                      f"adapt() on data, never by gradients, so all of them are non-trainable")
        else:
            mshape = _shape_of(self.input_mean)
            broadcast = [x.shape[d].value if d in keep else 1 for d in range(ndim)]
            expanded = [1] * ndim
            for i in range(1, len(mshape) + 1):
                expanded[keep[-i]] = mshape[-i]
            for e, b in zip(expanded, broadcast):
                if e != 1 and e != b:
                    ctx.fail(f"the given mean/variance of shape {mshape} cannot be broadcast to the kept axes "
                             f"{tuple(broadcast)}",
                             expected=f"one value, or one per entry of the kept axes "
                                      f"{tuple(x.shape[d].value for d in keep)}",
                             fix="pass mean and variance with one value per feature")
            ctx.note(f"each value is {verb}, with the mean and variance given in the code; the shape is "
                     f"unchanged")
            ctx.units("no units and no weights: the mean and variance were passed as constants, so Keras stores "
                      "them as plain tensors, not as weights")
        return ctx.spec(bound)

    def compute(self, c):
        axes = c.axes(0)
        keep = {a % len(axes) for a in self.axis}
        c.ops(scaled(2, axes), "subtract the mean, divide by the standard deviation")
        c.saves(product(d for i, d in enumerate(axes) if i in keep), "the standard deviation")
