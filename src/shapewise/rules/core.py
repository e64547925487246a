"""Core layers: Dense, Embedding, Activation, Dropout, and the reshaping layers.

Dense: a kernel ``features × units`` (plus a bias of ``units``) acts on the last axis only; every other axis is
carried through and shares the same weights. Embedding: a table of ``input_dim × output_dim``; each integer
index picks one row. Flatten, Reshape, Permute, RepeatVector and Activation/Dropout move values, never learn.
"""

from __future__ import annotations

from ..compute import view_compute
from ..dims import Known, product
from ..engine import Layer, mask_op, positive_int, register
from ..errors import ArgumentError, UnknownDimError
from .lora import LoraMixin
from .quantization import QuantMixin, declare

_ACTIVATIONS = {
    None, "linear", "relu", "relu6", "sigmoid", "softmax", "softplus", "softsign", "tanh", "selu", "elu",
    "exponential", "leaky_relu", "silu", "swish", "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "mish",
    "log_softmax", "celu", "glu", "hard_tanh", "log_sigmoid", "sparse_plus", "squareplus", "tanh_shrink",
    "threshold", "soft_shrink", "hard_shrink", "sparsemax",
}


def check_activation(activation, layer_type):
    if activation is None or callable(activation) or not isinstance(activation, str):
        return activation
    if activation not in _ACTIVATIONS:
        raise ArgumentError(
            f"Could not interpret activation function identifier: {activation}",
            layer_type=layer_type,
            expected="one of " + ", ".join(sorted(a for a in _ACTIVATIONS if a)),
        )
    return activation


def activation_name(activation):
    if activation is None:
        return "linear"
    return activation if isinstance(activation, str) else getattr(activation, "__name__", "custom")


@register()
class Dense(QuantMixin, LoraMixin, Layer):
    supports_masking = True  # (as in Keras)
    _lora_base = "kernel"

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._init_lora(lora_rank, lora_alpha, kernel_constraint)
        self._init_quant(quantization_config)
        self.units = positive_int(units, "units", "Dense")
        self.activation = check_activation(activation, "Dense")
        self.use_bias = use_bias

    def infer(self, ctx, x):
        if x.rank < 2 and ctx.called:  # InputSpec(min_ndim=2)
            ctx.fail(f"Dense needs an input with a feature axis, got rank {x.rank}",
                     expected="(batch, ..., features)")
        if x.rank < 1:
            ctx.fail("Dense needs an input with at least one axis", expected="(batch, ..., features)")
        *lead, features = ctx.bind(x, "batch", ..., "features") if x.rank > 1 else ctx.bind(x, "features")
        if features.value is None and ctx.building:
            ctx.fail("the last axis of Dense's input must be known: it sets the size of the kernel",
                     expected="(batch, ..., features) with features a number",
                     fix="give the last axis a concrete size", error=UnknownDimError)
        ctx.input_spec(min_ndim=2, axes={-1: features.value})
        units = ctx.const(self.units, "units")
        if self.quantization_mode:
            declare(ctx, self, (features, units), (units,) if self.use_bias else None)
        else:
            ctx.weight("kernel", (features, units))
            if self.use_bias:
                ctx.weight("bias", (units,))
                ctx.formula((features + 1) * units)
        self._lora_build(ctx)
        if len(lead) > 1:
            ctx.note("Dense acts on the last axis only; the other axes are carried through unchanged")
            ctx.free("the same kernel is applied at every position along these axes (shared weights)")
        else:
            ctx.note("each of the features is connected to every unit")
        bias = " plus its own bias" if self.use_bias else ""
        ctx.units(f"each of the {self.units} units reads all {features.value} input features through "
                  f"{features.value} weights{bias}, then applies {activation_name(self.activation)}")
        return ctx.spec((*lead, units))

    def compute(self, c):
        *lead, features = c.axes(0)
        units = c.const(self.units, "units")
        c.macs(product(lead) * features * units, "input × kernel")
        out = product(c.out(0))
        if self.use_bias:
            c.ops(out, "bias add")
        c.saves_input(0, "input (for the kernel's gradient)", for_weights=True)
        c.activation(self.activation, c.out(0))
        self.lora_compute(c)


@register()
class Activation(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = check_activation(activation, "Activation")

    def infer(self, ctx, x):
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        ctx.note(f"{activation_name(self.activation)} is applied to every value; the shape is unchanged")
        ctx.units("no units: a fixed function of each value, nothing to learn")
        return ctx.spec(x.shape)

    def compute(self, c):
        if activation_name(self.activation) == "linear":
            c.view()
        c.activation(self.activation, c.axes(0), before="input")


@register()
class Dropout(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ArgumentError(
                f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate!r}", layer_type="Dropout")
        self.rate = rate

    def infer(self, ctx, x):
        ctx.note(f"during training, each value is zeroed with probability {self.rate}; the shape is unchanged")
        ctx.units("no units and no weights: it only masks values while training")
        return ctx.spec(x.shape)

    def compute(self, c):
        # (inference: no work. Training: torch's dropout keeps its scaled mask, in the compute dtype)
        if 0 < self.rate < 1:
            c.saves(product(c.axes(0)), "dropout mask")


@register()
class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def infer(self, ctx, x):
        if x.rank < 1:
            ctx.fail("Flatten needs at least a batch axis", expected="(batch, ...)")
        batch, *rest = ctx.bind(x, "batch", ...)
        if not rest:
            return ctx.spec((batch, Known(1)))
        flat = ctx.derive("features", product(rest))
        ctx.note("every axis but the batch is laid out into one long vector")
        return ctx.spec((batch, flat))

    compute = view_compute


@register()
class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)):
            raise ArgumentError(f"Reshape's target_shape must be a tuple. Received: {target_shape!r}",
                                layer_type="Reshape", fix=f"target_shape=({target_shape},)")
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ArgumentError(
                f"There must be at most one unknown dimension (-1) in target_shape. Received: "
                f"target_shape={tuple(target_shape)}", layer_type="Reshape")
        self.target_shape = tuple(target_shape)

    def infer(self, ctx, x):
        batch, *rest = ctx.bind(x, "batch", ...)
        size = product(rest)
        known = product(Known(d) for d in self.target_shape if d != -1)
        target = [Known(d) for d in self.target_shape]
        if -1 in self.target_shape:
            i = self.target_shape.index(-1)
            if size.value is None:
                target[i] = None
            else:
                if known.value == 0 or size.value % known.value:
                    ctx.fail(
                        f"cannot reshape {size.value} values into {self.target_shape}: "
                        f"{size.value} is not a multiple of {known.value}",
                        expected=f"a target whose known sizes divide {size.value}",
                        fix="check the target shape multiplies out to the input's size")
                target[i] = ctx.derive("inferred", size.exactdiv(known))
        elif size.value is not None and size.value != known.value:
            ctx.fail(
                f"total size of the new array must be unchanged: the input has {size.value} values per sample "
                f"({' × '.join(str(d.value) for d in rest)}), the target {self.target_shape} has {known.value}",
                expected=f"a target shape with {size.value} values",
                fix=f"use -1 for one axis to let it be inferred, e.g. Reshape({(-1,) + self.target_shape[1:]})")
        ctx.note("the same values, regrouped; the batch axis is kept")
        return ctx.spec((batch, *target))

    compute = view_compute


@register()
class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ArgumentError(
                f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be "
                f"`{{1, 2, ..., n}}`. Received: dims={dims}", layer_type="Permute")
        self.dims = dims

    def infer(self, ctx, x):
        # InputSpec(ndim=len(dims) + 1); compute_output_shape alone only indexes the input's axes
        if x.rank != len(self.dims) + 1 and (ctx.called or max(self.dims) >= x.rank):
            ctx.fail(f"Permute{self.dims} needs an input of rank {len(self.dims) + 1}",
                     expected=f"rank {len(self.dims) + 1}")
        batch, *rest = ctx.bind(x, "batch", ...)
        ctx.note(f"the axes are reordered as {self.dims}")
        if x.rank != len(self.dims) + 1:
            ctx.warn(f"Keras's compute_output_shape keeps only the axes {self.dims} of this "
                     f"{x.rank}D input, which would fail when run on data")
        return ctx.spec((batch, *(rest[d - 1] for d in self.dims)))

    compute = view_compute  # (a strided view of its input)


@register()
class RepeatVector(Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise ArgumentError(f"Expected an integer value for `n`, got {type(n).__name__}.",
                                layer_type="RepeatVector")
        self.n = n

    def infer(self, ctx, x):
        if x.rank != 2 and (ctx.called or x.rank < 2):  # InputSpec(ndim=2); compute_output_shape reads axis 1
            ctx.fail("RepeatVector needs a 2D input (batch, features)", expected="(batch, features)")
        batch, features, *rest = ctx.bind(x, "batch", "features", ...)
        ctx.note(f"the vector is repeated n={self.n} times along a new axis")
        if rest:
            ctx.warn(f"Keras's compute_output_shape reads only axis 1 of this {x.rank}D input, which would fail "
                     f"when run on data")
        return ctx.spec((batch, ctx.const(self.n, "n"), features))

    compute = view_compute  # (a broadcast view of its input: no arithmetic, no new storage)


@register()
class Embedding(QuantMixin, LoraMixin, Layer):
    _lora_base = "embeddings"

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, input_length=None, **kwargs):
        # Keras 3 removed input_length; it still accepts it (with a warning) and ignores it.
        super().__init__(**kwargs)
        self._init_lora(lora_rank, lora_alpha, embeddings_constraint)
        self._init_quant(quantization_config)
        self.input_dim = positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = positive_int(output_dim, "output_dim", "Embedding")
        self.mask_zero = mask_zero
        self.supports_masking = bool(mask_zero)  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        return mask_op("not_equal", inputs, 0) if self.mask_zero else None

    @property
    def makes_mask(self):
        return bool(self.mask_zero)

    def infer(self, ctx, x):
        batch, *positions = ctx.bind(x, "batch", ...)
        vocab = ctx.const(self.input_dim, "input_dim")
        dim = ctx.const(self.output_dim, "output_dim")
        if self.quantization_mode:
            declare(ctx, self, (vocab, dim))
        else:
            ctx.weight("embeddings", (vocab, dim))
        self._lora_build(ctx)
        ctx.note("each integer index is replaced by its row of the table: a new last axis of output_dim")
        ctx.free("the same table is looked up at every position")
        ctx.units(f"no units: a lookup table of {self.input_dim} rows (one per token id) of "
                  f"{self.output_dim} numbers")
        return ctx.spec((batch, *positions, dim))

    def compute(self, c):
        # a gather: no arithmetic; its backward scatters into the table by the indices, which torch keeps as int64
        if c.inputs[0].dtype == "int64":
            c.saves_input(0, "indices", for_weights=True)
        else:
            c.saves(product(c.axes(0)), "indices as int64", "int64", for_weights=True)
        self.lora_compute(c)
