"""Small layers that fit no other family: Masking, Identity, Rescaling, Lambda, ReversibleEmbedding.

Masking, Identity and Rescaling pass the shape through and learn nothing. A Lambda wraps an arbitrary function:
shapewise never runs it, so it needs ``output_shape`` to know what comes out. ReversibleEmbedding is an Embedding
whose table can also be used backwards, to turn vectors into one score per token.
"""

from __future__ import annotations

from ..compute import view_compute
from ..dims import Known, product
from ..engine import Layer, map_structure, mask_op, register
from ..errors import ArgumentError
from .core import Embedding
from .quantization import declare


def _same_shape(ctx, x, note, units):
    bound = ctx.bind(x, "batch", ...) if x.rank else ()
    ctx.note(note + "; the shape is unchanged")
    ctx.units(units)
    return ctx.spec(bound or x.shape)


@register()
class Masking(Layer):
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        return mask_op("any", mask_op("not_equal", inputs, self.mask_value), axis=-1)
    makes_mask = True  # (a later LSTM or GRU then takes Keras's generic loop)

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def infer(self, ctx, x, training=None):
        return _same_shape(
            ctx, x,
            f"a timestep whose features all equal {self.mask_value} is marked as padding (masked), so the layers "
            f"after it that support masks (RNNs, attention) skip it",
            "no units and no weights: it only computes a mask")

    def compute(self, c):
        *lead, _ = c.axes(0)
        c.ops(3 * product(c.axes(0)), "compare, any along the features, multiply")
        c.saves(product(lead), "mask", "bool")


@register()
class Identity(Layer):
    supports_masking = True  # (as in Keras)
    def infer(self, ctx, x, training=None):
        return _same_shape(ctx, x, "the input is returned as it is", "no units and no weights")

    compute = view_compute


@register()
class Rescaling(Layer):
    supports_masking = True  # (as in Keras)
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def infer(self, ctx, x, training=None):
        return _same_shape(
            ctx, x, f"each value becomes x·{_num(self.scale)} + {_num(self.offset)}",
            "no units and no weights: scale and offset are constants given in the code, not learned")

    def compute(self, c):
        c.ops((2 if self.offset else 1) * product(c.axes(0)), "scale and offset")
        c.saves(Known(1), "the scale (a 0-d tensor)", "float32")


def _num(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


_NO_SHAPE = (
    "cannot infer the output shape of a Lambda without output_shape: shapewise never runs the function it "
    "wraps (real Keras would infer the shape by tracing the function on a symbolic input, which shapewise does "
    "not do, so it cannot know what comes out)"
)


def _shape_values(shape):
    return tuple(None if d is None else d for d in shape)


def _is_flat_shape(value):
    return isinstance(value, tuple) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value)


@register()
class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ArgumentError(f"Lambda needs a function to wrap. Received: function={function!r} "
                                f"(unsupported callable)", layer_type="Lambda",
                                fix="pass a function, e.g. Lambda(lambda x: x * 2, output_shape=...)")
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self._output_shape = output_shape

    def infer(self, ctx, *inputs, mask=None, training=None):
        specs = inputs[0] if len(inputs) == 1 else list(inputs)
        flat = specs if isinstance(specs, list) else [specs]
        first = flat[0]
        if self._output_shape is None and getattr(self.function, "trace", None) is not None:
            # Keras traces the function on symbolic inputs (Lambda.compute_output_shape); a function of the snippet
            # is traced the same way, by the interpreter (never run by Python)
            out = self.function.trace(specs, self.arguments)
            ctx.name_axes(first, "batch", ...) if first.rank else None
            ctx.note("no output_shape: as Keras does, the function is traced on a symbolic input to find the "
                     "output shape")
            ctx.units("no units and no weights: an arbitrary function (a Lambda cannot hold weights Keras would "
                      "count)")
            return map_structure(lambda spec: ctx.spec(spec.shape), out)
        if self._output_shape is None:
            ctx.fail(_NO_SHAPE,
                     expected="Lambda(function, output_shape=...): the output shape without the batch axis",
                     fix="pass output_shape=..., e.g. Lambda(lambda x: x[:, 0], output_shape=(features,)); "
                         "or replace the Lambda by a built-in layer that does the same thing")
        if callable(self._output_shape):
            given = self._output_shape(
                [s.values() for s in flat] if isinstance(specs, list) else first.values())
            if isinstance(given, list) and _is_flat_shape(tuple(given)):  # Keras accepts a list here
                given = tuple(given)
            if not _is_flat_shape(given):
                ctx.fail(f"the output_shape function returned {given!r}, not one shape",
                         expected="a tuple of ints or None, including the batch axis",
                         fix="return a single shape tuple such as (s[0], s[2])")
            ctx.name_axes(first, "batch", ...)
            ctx.note("output_shape is a function of the input shape; it gave this shape (including the batch axis)")
            out = tuple(Known(d) if d is not None else None for d in given)
            if out and first.rank and given[0] is None:
                out = (first.shape[0], *out[1:])
        else:
            lead = ctx.bind(first, "batch", ...)[:1] if first.rank else (None,)
            out = self._map_shape(ctx, self._output_shape, lead)
            ctx.note("the shape is the output_shape given in the code, after the batch axis; shapewise does not run "
                     "the function, so it trusts that shape")
            if not _is_flat_shape(self._output_shape):
                ctx.units("no units and no weights: an arbitrary function with several outputs")
                return out
            ctx.units("no units and no weights: an arbitrary function (a Lambda cannot hold weights Keras would "
                      "count)")
            return out
        ctx.units("no units and no weights: an arbitrary function (a Lambda cannot hold weights Keras would count)")
        return ctx.spec(out)

    def compute(self, c):
        c.note("a Lambda's function is not counted: its work and what it saves are not counted")

    def _map_shape(self, ctx, value, lead):
        """Keras's map_shape_structure: a tuple of ints/None is one shape; lists, tuples and dicts of shapes are
        structures (several outputs). The batch axis is put in front of each shape."""
        if _is_flat_shape(value):
            return ctx.spec((*lead, *(Known(d) if d is not None else None for d in value)))
        if isinstance(value, dict):
            return {k: self._map_shape(ctx, v, lead) for k, v in value.items()}
        if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, (list, tuple, dict)) for v in value):
            out = [self._map_shape(ctx, v, lead) for v in value]
            return out if isinstance(value, list) else tuple(out)
        ctx.fail(
            f"output_shape={value!r} is not a tuple of sizes: Keras 3 adds the batch axis with "
            f"(batch,) + output_shape, which only works for a tuple (a list of ints or an int fails)",
            expected="a tuple of ints or None, without the batch axis, e.g. output_shape=(6,); or a list of such "
                     "tuples for several outputs",
            fix=f"write output_shape as a tuple: "
                f"{tuple(value) if isinstance(value, list) else (value,)}")


@register()
class ReversibleEmbedding(Embedding):
    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        self.tie_weights = tie_weights
        self.logit_soft_cap = logit_soft_cap

    def infer(self, ctx, x, reverse=False, training=None):
        vocab = ctx.const(self.input_dim, "input_dim")
        dim = ctx.const(self.output_dim, "output_dim")
        if self.quantization_mode:
            # int8 / int4: the table (and an untied reverse table) quantized; other modes fail as in Keras
            declare(ctx, self, (vocab, dim))
        else:
            ctx.weight("embeddings", (vocab, dim))
        if ctx.building and self.lora_rank and not self.tie_weights and self.quantization_mode is None:
            ctx.fail("Keras 3.15.1 cannot build a ReversibleEmbedding with tie_weights=False and lora_rank=: "
                     "Embedding's build enables LoRA and locks the layer's weights, and ReversibleEmbedding's build "
                     "then fails to add reverse_embeddings (ValueError: None)",
                     expected="tie_weights=True with lora_rank=, or LoRA enabled after the layer is built",
                     fix="build the layer without lora_rank=, then call layer.enable_lora(rank)",
                     error=ArgumentError)
        self._lora_build(ctx)
        if not self.tie_weights and self.quantization_mode is None:
            ctx.weight("reverse_embeddings", (dim, vocab))
        tied = ("the same table is used both ways (tie_weights=True)" if self.tie_weights else
                "a separate reverse_embeddings table (output_dim × input_dim) is used backwards "
                "(tie_weights=False)")
        if reverse:
            *lead, _ = ctx.bind(x, "batch", ..., "features")
            ctx.note("reverse=True: each vector of the last axis is scored against every token, so the last axis "
                     "becomes input_dim (one logit per token); Keras does not check the last axis against "
                     "output_dim when building")
            ctx.units(f"no units: {tied}")
            return ctx.spec((*lead, vocab))  # (Keras: compute_output_spec, in the compute dtype)
        batch, *positions = ctx.bind(x, "batch", ...)
        ctx.note("each integer index is replaced by its row of the table: a new last axis of output_dim")
        ctx.free("the same table is looked up at every position")
        ctx.units(f"no units: a lookup table of {self.input_dim} rows of {self.output_dim} numbers; {tied}")
        return ctx.spec((batch, *positions, dim))

    def compute(self, c):
        if not c.kwargs.get("reverse"):
            return Embedding.compute(self, c)
        *lead, features = c.axes(0, "batch", ..., "features")
        vocab = c.const(self.input_dim, "input_dim")
        c.macs(product(lead) * features * vocab, "input × the table, transposed")
        c.saves_input(0, "input (for the table's gradient)")
