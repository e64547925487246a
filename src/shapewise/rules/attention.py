"""Attention layers: EinsumDense, MultiHeadAttention, GroupedQueryAttention, Attention, AdditiveAttention.

EinsumDense is a Dense whose kernel is described by an einsum equation: its kernel takes the sizes of the
equation's weight letters from the input (contracted letters) or from ``output_shape`` (new letters).
MultiHeadAttention is four EinsumDense projections — query, key, value (input features → heads × key_dim) and
attention_output (heads × value_dim → features) — around a weight-free dot-product attention; none of the
projections mentions a sequence length, so the lengths never change the parameter count.

Shapes and weights follow Keras 3's code (keras/src/layers/core/einsum_dense.py and
keras/src/layers/attention/*.py) step by step, including its quirks (e.g. MultiHeadAttention's attention scores
are ``(batch, heads, query_len, query_len)`` in symbolic mode, and building it takes the auto-names ``softmax`` and
``dropout`` for its internal layers).
"""

from __future__ import annotations

import re
import string

from ..dims import Dim, Known, Named, Unknown, product
from ..engine import Layer, Spec, mask_op, positive_int, register, session
from ..errors import ArgumentError, ShapeError
from .core import activation_name, check_activation
from .lora import LoraMixin
from .quantization import QuantMixin, declare


def _fmt(values):
    inner = ", ".join("None" if v is None else str(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def _vals(dims):
    return tuple(as_value(d) for d in dims)


def as_value(d):
    return d.value if isinstance(d, Dim) else d


# --------------------------------------------------------------------------------------------------------------
# EinsumDense


class _EinsumError(Exception):
    pass


def analyze_einsum(equation, bias_axes, input_shape, output_shape):
    """Keras's ``_analyze_einsum_string`` on Dims: (kernel dims, bias dims or None, full output dims).

    ``input_shape`` is a sequence of Dims; ``output_shape`` the layer's partial output shape (ints or None).
    Raises _EinsumError with Keras's message where Keras raises.
    """
    dot_replaced = re.sub(r"\.\.\.", "0", equation)
    m = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", dot_replaced)
    left_elided = False
    if not m:
        m = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", dot_replaced)
        left_elided = bool(m)
    if not m:
        m = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", dot_replaced)
    if not m:
        raise _EinsumError(
            f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], "
            "or [X]...,[Y]->[Z]....")
    input_spec, weight_spec, output_spec = m.group(1), m.group(2), m.group(3)
    input_shape = list(input_shape)
    elided = len(input_shape) - len(input_spec)
    out = [d if isinstance(d, Dim) else (Unknown("None") if d is None else Known(d)) for d in output_shape]
    try:
        out.insert(0, input_shape[0])
        if elided > 0 and left_elided:
            for i in range(1, elided):
                out.insert(1, input_shape[i])
        elif elided > 0 and not left_elided:
            for i in range(len(input_shape) - elided, len(input_shape)):
                out.append(input_shape[i])
        if left_elided:
            input_dim_map = {dim: (i + elided) - len(input_shape) for i, dim in enumerate(input_spec)}
            output_dim_map = {dim: (i + elided) for i, dim in enumerate(output_spec)}
        else:
            input_dim_map = {dim: i for i, dim in enumerate(input_spec)}
            output_dim_map = {dim: i for i, dim in enumerate(output_spec)}
        for dim in input_spec:
            in_dim = input_shape[input_dim_map[dim]]
            if dim in output_dim_map:
                out_dim = out[output_dim_map[dim]]
                if out_dim.value is not None and out_dim.value != in_dim.value:
                    raise _EinsumError(
                        f"Input shape and output shape do not match at shared dimension '{dim}'. Input shape is "
                        f"{in_dim.text()}, and output shape is {out_dim.text()}.")
        for dim in output_spec:
            if dim not in input_spec and dim not in weight_spec:
                raise _EinsumError(
                    f"Dimension '{dim}' was specified in the output '{output_spec}' but has no corresponding dim "
                    f"in the input spec '{input_spec}' or weight spec '{output_spec}'")
        kernel = []
        for dim in weight_spec:
            if dim in output_dim_map:
                kernel.append(out[output_dim_map[dim]])
            elif dim in input_dim_map:
                kernel.append(input_shape[input_dim_map[dim]])
            else:
                raise _EinsumError(
                    f"Weight dimension '{dim}' did not have a match in either the input spec '{input_spec}' or the "
                    f"output spec '{output_spec}'. For this layer, the weight must be fully specified.")
        if bias_axes is not None:
            num_left_elided = elided if left_elided else 0
            idx_map = {char: out[i + num_left_elided] for i, char in enumerate(output_spec)}
            for char in bias_axes:
                if char not in output_spec:
                    raise _EinsumError(
                        f"Bias dimension '{char}' was requested, but is not part of the output spec '{output_spec}'")
            first = min(output_spec.find(char) for char in bias_axes)
            bias = [idx_map[char] if char in bias_axes else Known(1) for char in output_spec[first:]]
            if not left_elided:
                bias += [Known(1)] * max(elided, 0)
        else:
            bias = None
    except IndexError as e:
        raise _EinsumError(f"the equation '{equation}' does not fit an input of rank {len(input_shape)} "
                           f"({e})") from None
    return kernel, bias, out


@register()
class EinsumDense(QuantMixin, LoraMixin, Layer):
    _lora_base = "kernel"

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None, gptq_unpacked_column_size=None,
                 quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        self._init_lora(lora_rank, lora_alpha, kernel_constraint)
        self.equation = equation
        self._init_quant(quantization_config)
        if isinstance(output_shape, int):
            self.partial_output_shape = (output_shape,)
        else:
            try:
                self.partial_output_shape = tuple(output_shape)
            except TypeError:
                raise ArgumentError(f"output_shape must be an int or a tuple. Received: {output_shape!r}",
                                    layer_type="EinsumDense") from None
        self.bias_axes = bias_axes
        self.activation = check_activation(activation, "EinsumDense")
        #: a sentence saying what this projection does, and names for its input axes, set by a layer that owns
        #: it (MultiHeadAttention)
        self.role_text = None
        self.axis_names = None

    def infer(self, ctx, x, training=None):
        if not isinstance(self.equation, str):
            ctx.fail(f"Invalid einsum equation '{self.equation}'", expected="a string like 'abc,cd->abd'")
        names = getattr(self, "axis_names", None)
        letters = names if names and len(names) == x.rank else _input_letters(self.equation, x.rank)
        dims = ctx.bind(x, *letters)
        try:
            kernel, bias, out = analyze_einsum(self.equation, self.bias_axes, dims, self.partial_output_shape)
        except _EinsumError as e:
            ctx.fail(str(e), expected=f"an input and output_shape that fit the equation '{self.equation}'",
                     fix="each letter of the equation stands for one axis: check their number and sizes")
        ctx.input_spec(ndim=x.rank)
        if self.quantization_mode:
            declare(ctx, self, tuple(kernel), bias)
        else:
            ctx.weight("kernel", kernel)
            if bias is not None:
                ctx.weight("bias", bias)
        self._lora_build(ctx)
        ctx.note(f"einsum '{self.equation}': the input's axes are matched to the letters before the comma, the "
                 f"kernel's to the letters after it; letters missing from the output are summed over")
        if self.role_text:
            ctx.units(self.role_text)
        else:
            ctx.units(f"each output value is a weighted sum over the contracted axes (the kernel's letters that "
                      f"are not in the output), then {activation_name(self.activation)}")
        return ctx.spec(out)

    def compute(self, c):
        einsum_cost(self, c, c.inputs[0])
        self.lora_compute(c)


def _einsum_specs(equation):
    """The input, kernel and output letters of an EinsumDense equation (``...`` dropped)."""
    m = re.match(r"([a-zA-Z.]+),([a-zA-Z]+)->([a-zA-Z.]+)", equation.replace(" ", ""))
    return (m.group(1).replace(".", ""), m.group(2), m.group(3).replace(".", "")) if m else ("", "", "")


def einsum_cost(layer, c, spec, own_output=True, grad=None):
    """EinsumDense's work on an input ``spec``: every output value sums over the kernel's contracted letters."""
    letters = layer.axis_names if layer.axis_names and len(layer.axis_names) == spec.rank else \
        _input_letters(layer.equation, spec.rank)
    dims = c.axes(spec, *letters)
    kernel, bias, out = analyze_einsum(layer.equation, layer.bias_axes, dims, layer.partial_output_shape)
    input_spec, weight_spec, output_spec = _einsum_specs(layer.equation)
    # each letter's size: the input's axes (those under "..." are kept in the output), then the kernel's others
    n = len(input_spec)
    left = layer.equation.replace(" ", "").startswith("...")
    if left:
        elided, lettered = dims[:len(dims) - n], dims[len(dims) - n:]
    else:
        lettered, elided = dims[:n], dims[n:]
    size = dict(zip(input_spec, lettered))
    extra = [d for letter, d in zip(weight_spec, kernel) if letter not in size]
    n_out = product([*elided, *(d for letter, d in zip(input_spec, lettered) if letter in output_spec),
                     *(d for letter, d in zip(weight_spec, kernel) if letter not in size and letter in output_spec)])
    contracted = [d for letter, d in zip(weight_spec, kernel) if letter in size and letter not in output_spec]
    summed = product(contracted)
    # with nothing to sum (every contracted size 1) torch.einsum multiplies elementwise, which FlopCounterMode
    # does not count
    c.macs(n_out * summed, f"{layer.name}: input × kernel ('{layer.equation}')",
           uncounted="torch.einsum with nothing to sum is an elementwise product" if summed.value == 1 else None)
    if bias is not None:
        c.ops(n_out, f"{layer.name}: bias add")
    input_copy, kernel_copy = _einsum_copies(input_spec, [d.value for d in lettered], weight_spec,
                                             [d.value for d in kernel], output_spec)
    index = next((i for i, s in enumerate(c.inputs) if s is spec), None)
    if input_copy:  # torch.einsum's reshape of the permuted input to a matrix copies it
        c.saves(product(dims), f"{layer.name}'s input (a copy in einsum's layout)", for_weights=True)
    elif index is not None:
        c.saves_input(index, f"{layer.name}'s input", for_weights=True)
    else:
        c.saves(product(dims), f"{layer.name}'s input", for_weights=True)
    if kernel_copy and (c.grad_input if grad is None else grad):
        # the input's gradient reads the kernel; permuted to einsum's layout it is a tensor of its own
        c.saves(product(kernel), f"{layer.name}'s kernel (a copy in einsum's layout)")
    if layer.activation is not None and activation_name(layer.activation) != "linear":
        c.activation(layer.activation, [n_out], after="output" if c.outputs and own_output else "new")
    return out


def _mergeable(layout, order, sizes):
    """Whether the axes ``order`` (letters) of a tensor laid out as ``layout`` (contiguous) merge into one axis as a
    view: in memory order and adjacent, size-1 axes aside."""
    keep = [a for a in layout if sizes.get(a) != 1]
    wanted = [a for a in order if sizes.get(a) != 1]
    if not wanted:
        return True
    start = keep.index(wanted[0]) if wanted[0] in keep else -1
    return start >= 0 and keep[start:start + len(wanted)] == wanted


def _einsum_copies(in_letters, in_sizes, k_letters, k_sizes, out_letters):
    """Whether torch.einsum (two operands, aten's sumproduct_pair) copies the input and the kernel: it numbers the
    labels with the output's first, then the summed ones alphabetically, and reshapes the left operand to
    (batch, rows, sum) and the right one to (batch, sum, columns), which views only where each group is adjacent
    in memory."""
    if not in_letters or not k_letters:
        return False, False
    sizes = {**dict(zip(k_letters, k_sizes)), **dict(zip(in_letters, in_sizes))}
    summed = sorted(a for a in in_letters if a in k_letters and a not in out_letters)
    if not summed:
        return False, False
    both = [a for a in out_letters if a in in_letters and a in k_letters]
    rows = [a for a in out_letters if a in in_letters and a not in k_letters]
    cols = [a for a in out_letters if a in k_letters and a not in in_letters]
    left = all(_mergeable(in_letters, g, sizes) for g in (both, rows, summed))
    right = all(_mergeable(k_letters, g, sizes) for g in (both, summed, cols))
    return not left, not right


def _input_letters(equation, rank):
    """Names for the input axes: the equation's letters, ``...`` axes as 'axis k'."""
    lhs = equation.split(",")[0] if isinstance(equation, str) else ""
    names = []
    if lhs.startswith("..."):
        spec = lhs[3:]
        n = rank - len(spec)
        names = ["batch"] + [f"axis {k}" for k in range(1, n)] + list(spec) if n >= 1 else list(spec)[-rank:]
    elif lhs.endswith("..."):
        spec = lhs[:-3]
        names = list(spec) + [f"axis {k}" for k in range(len(spec), rank)]
    else:
        names = list(lhs)
    names = names[:rank] + [f"axis {k}" for k in range(len(names), rank)]
    return names


# --------------------------------------------------------------------------------------------------------------
# MultiHeadAttention


def _letter(i):
    return string.ascii_lowercase[i]


def _build_proj_equation(free_dims, bound_dims, output_dims):
    """Keras's multi_head_attention._build_proj_equation."""
    input_str = kernel_str = output_str = bias_axes = ""
    offset = 0
    for i in range(free_dims):
        c = _letter(i + offset)
        input_str += c
        output_str += c
    offset += free_dims
    for i in range(bound_dims):
        c = _letter(i + offset)
        input_str += c
        kernel_str += c
    offset += bound_dims
    for i in range(output_dims):
        c = _letter(i + offset)
        kernel_str += c
        output_str += c
        bias_axes += c
    return f"{input_str},{kernel_str}->{output_str}", bias_axes, len(output_str)


def _get_output_shape(output_rank, known_last_dims):
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


def _check_positive(value, arg, layer_type, message):
    if isinstance(value, Dim):
        return positive_int(value, arg, layer_type)
    if not isinstance(value, int) or value <= 0:
        raise ArgumentError(message, layer_type=layer_type)
    return value


def _check_dropout(ctx, rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        ctx.fail(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                 f"Received: rate={rate}", expected="dropout between 0 and 1")


class _ProjectionAttention(Layer):
    """Shared call handling of MultiHeadAttention and GroupedQueryAttention."""

    def _call_args(self, ctx, query, value, key, extra):
        name = type(self).__name__
        if extra:
            raise ArgumentError(f"{name}.call() got unexpected keyword arguments: {sorted(extra)}",
                                layer_type=name, fix="call it as layer(query, value, key=None, ...)")
        if query is None or value is None:
            missing = "query" if query is None else "value"
            ctx.fail(f"missing a required argument: '{missing}'",
                     expected=f"{name} is called on (query, value) and optionally key=",
                     fix="for self-attention pass the same tensor twice: layer(x, x)")
        for arg, s in (("query", query), ("value", value), ("key", key)):
            if s is not None and not isinstance(s, Spec):
                ctx.fail(f"`{arg}` must be one tensor, got {type(s).__name__}",
                         expected="layer(query, value) with two tensors, not a list",
                         fix="write layer(query, value) instead of layer([query, value])")

    @property
    def weights(self):
        # Keras lists a layer's sublayers' weights sublayer by sublayer (each trainable first): it matters once
        # model.quantize() made some projections' weights non-trainable
        ws = self._weights
        if not ws or all(w.declared_trainable for w in ws):
            return super().weights
        return [w for sub in self._sublayers for w in sub.weights]

    def _claim_internal_names(self):
        """Keras builds a Softmax and a Dropout inside the layer: they take the next auto-names."""
        if not self.built:
            session().auto_name("softmax")
            session().auto_name("dropout")

    def _project(self, ctx, label, layer, bound):
        """Run one EinsumDense projection on our bound axes (so its weights read in our names)."""
        self._new_sublayers.append(layer)
        layer.axis_names = [d.role if isinstance(d, Named) else d.names() for d in bound]
        try:
            return ctx.call(layer, Spec(bound), label=label)
        except ShapeError as e:
            # Report it as this layer's error, naming the projection (Keras's sublayer name).
            e.message = f"its {label} projection: {e.message}"
            e.args = (e.message,)
            e.layer, e.layer_type = self.name, type(self).__name__
            e.got = None
            raise

    def _finish_sublayers(self):
        if not self.built:
            for sub in self._new_sublayers:
                sub.trainable = self.trainable
            self._sublayers = list(self._new_sublayers)


def same_dim(a, b):
    return a.value is not None and a.value == b.value


def _attention_cost(layer, c, heads, kd, vd, fused_ok=True):
    """The work of multi-head attention: the projections (their EinsumDense rules), then QKᵀ and the weighted sum
    of the values, 2·batch·heads·query_len·key_len·(key_dim + value_dim) FLOPs."""
    query = c.arg(0, "query") or c.inputs[0]
    value = c.arg(1, "value") or (c.inputs[1] if len(c.inputs) > 1 else query)
    key = c.arg(2, "key") or value
    q, v, k = c.axes(query), c.axes(value), c.axes(key)
    subs = {sub.name: sub for sub in layer._sublayers}
    for name, spec in (("query", query), ("key", key), ("gate", query), ("value", value)):
        if name in subs:
            einsum_cost(subs[name], c, spec, own_output=False)
    batch = q[0]
    # the attended key axes (all between the batch and the features, unless attention_axes picks some); the
    # query's other axes are carried through, like the batch
    rank = len(v) + 1
    axes = getattr(layer, "attention_axes", None)
    axes = range(1, rank - 2) if axes is None else [a if a >= 0 else (rank - 1) + a for a in axes]
    q_len, k_len = product(q[1:-1]), product(k[a] for a in axes if 0 < a < len(k) - 1)
    k_all = product(k[1:-1])  # the per-head copies hold every key position
    scores = batch * heads * q_len * k_len
    scores_only = c.kwargs.get("return_attention_scores")
    dropout = getattr(layer, "dropout", 0.0)
    # Keras calls torch's scaled_dot_product_attention (a fused kernel on CPU, whose products FlopCounterMode
    # does not see) for one attention axis, no dropout, no scores returned, and equal query and value head sizes
    fused = fused_ok and not dropout and not scores_only and len(q) == 3 and same_dim(kd, vd)
    # Keras's own einsum path (dropout, scores returned, another rank); else torch's sdpa (its math path for
    # different head sizes)
    einsum_path = bool(dropout or scores_only or len(q) != 3)
    why = "torch's fused scaled_dot_product_attention on CPU" if fused else None
    c.macs(scores * kd, "QKᵀ: every query position · every key position", uncounted=why)
    c.macs(scores * vd, "the attention weights × the values", uncounted=why)
    c.ops(3 * scores, "softmax")
    c.ops(batch * q_len * heads * kd, "scaling the queries")
    if fused:
        c.saves(batch * heads * (q_len * kd + k_all * kd + k_all * vd), "queries, keys, values per head (copies)")
        c.saves(batch * heads * q_len, "softmax log-sum-exp")
        c.saves(batch * heads * q_len * vd, "attention output per head")
        mask = c.arg(6, "attention_mask")
        if getattr(mask, "shape", None) is not None:
            # a boolean attention_mask reaches the kernel as an additive float mask, broadcast over the heads
            c.saves(product(c.axes(mask)), "the attention mask as floats")
    else:
        # Keras's einsum path: the queries times a 0-d 1/√key_dim, QKᵀ and the weighted sum as batched products
        # of per-head copies, the softmax over the attended axes (several: exp(x − logsumexp(x)), which keeps
        # the scores, their log-sum-exp and the weights)
        if einsum_path:
            c.saves(Known(1), "the scale 1/√key_dim (a 0-d tensor)")
        c.saves(batch * heads * (q_len * kd + k_all * kd + k_all * vd), "queries, keys, values per head")
        c.saves(scores, "attention weights (softmax output)")
        if len(list(axes)) > 1:
            c.saves(scores + batch * heads * q_len, "the scores and their log-sum-exp (softmax over several axes)")
        if dropout:
            c.saves(2 * scores, "dropout mask and the dropped weights")
    if "gate" in subs:
        c.ops(batch * q_len * heads * vd, "gating")
    out_in = Spec((batch, *q[1:-1], heads, vd))
    if "attention_output" in subs:
        einsum_cost(subs["attention_output"], c, out_in, grad=True)


def _value_key_check(ctx, value, key):
    if _vals(value.shape)[1:-1] != _vals(key.shape)[1:-1]:
        ctx.fail(
            "All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape="
            f"{_fmt(_vals(value.shape))} and key_shape={_fmt(_vals(key.shape))}",
            expected="key and value with the same sequence length (only their feature sizes may differ)",
            fix="key and value usually come from the same sequence: pass the same tensor or matching lengths")


@register()
class MultiHeadAttention(_ProjectionAttention):
    supports_masking = True  # (as in Keras)
    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        t = "MultiHeadAttention"
        num_heads = _check_positive(num_heads, "num_heads", t, "Received an invalid value for argument `num_heads`, "
                                    f"expected a positive integer. Received: num_heads={num_heads}")
        key_dim = _check_positive(key_dim, "key_dim", t, "Received an invalid value for argument `key_dim`, "
                                  f"expected a positive integer. Received: key_dim={key_dim}")
        if value_dim is not None:
            value_dim = _check_positive(
                value_dim, "value_dim", t, "Received an invalid value for argument `value_dim`, expected a "
                f"positive integer or `None`. Received: value_dim={value_dim}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ArgumentError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the `output_shape` should be of type "
                    "tuple, list, or int.", layer_type=t) from None
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ArgumentError(f"`attention_axes` must be an int, list, or tuple.Received: "
                                f"attention_axes={attention_axes}", layer_type=t)
        self.attention_axes = attention_axes
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ArgumentError(f"`sliding_window` must be `None` or a positive integer. Received: "
                                f"sliding_window={sliding_window}", layer_type=t)
        self.sliding_window = sliding_window
        if flash_attention and dropout > 0.0:
            raise ArgumentError("Dropout is not supported when flash attention is enabled. Please set dropout to "
                                "0.0 to use flash attention.", layer_type=t)

    def compute(self, c):
        _attention_cost(self, c, Known(self.num_heads, "num_heads"), Known(self.key_dim, "key_dim"),
                        Known(self.value_dim, "value_dim"))

    def infer(self, ctx, query=None, value=None, key=None, query_mask=None, value_mask=None, key_mask=None,
              attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False, **extra):
        self._call_args(ctx, query, value, key, extra)
        key_spec = value if key is None else key
        _value_key_check(ctx, value, key_spec)
        if self._output_shape and not all(isinstance(d, int) for d in self._output_shape):
            ctx.fail(f"Invalid `output_shape`: {self._output_shape}", expected="a tuple of ints")

        def names(spec, what):
            if spec.rank == 1:
                return ("batch",)
            mid = [f"{what}_len"] if spec.rank == 3 else [f"{what} axis {i}" for i in range(1, spec.rank - 1)]
            return ("batch", *mid, f"{what}_features")

        q = ctx.bind(query, *names(query, "query"))
        v = ctx.bind(value, *names(value, "value"))
        k = ctx.bind(key, *names(key, "key")) if key is not None else v
        heads = ctx.const(self.num_heads, "num_heads")
        kd = ctx.const(self.key_dim, "key_dim")
        vd = ctx.const(self.value_dim, "value_dim")
        bias_on = self.use_bias
        self._new_sublayers = []

        def proj(rank, bound, out_dims):
            eq, bias_axes, out_rank = _build_proj_equation(rank - 1, bound_dims=bound, output_dims=out_dims)
            return eq, (bias_axes if bias_on else None), out_rank

        nh, kdim, vdim = self.num_heads, self.key_dim, self.value_dim
        eq, ba, r = proj(len(q), 1, 2)
        q_dense = EinsumDense(eq, _get_output_shape(r - 1, [heads, kd]), bias_axes=ba, name="query", dtype=self.dtype)
        q_dense.role_text = (f"each of the {nh} heads projects the {_feat(q)} query features to key_dim={kdim} "
                             f"numbers (a {_feat(q)} × {kdim} matrix per head)")
        q_out = self._project(ctx, "query", q_dense, q)
        eq, ba, r = proj(len(k), 1, 2)
        k_dense = EinsumDense(eq, _get_output_shape(r - 1, [heads, kd]), bias_axes=ba, name="key", dtype=self.dtype)
        k_dense.role_text = (f"each of the {nh} heads projects the {_feat(k)} key features to key_dim={kdim} numbers, "
                             f"to be compared with the projected queries")
        self._project(ctx, "key", k_dense, k)
        if self.use_gate:
            eq, ba, r = proj(len(q), 1, 2)
            g_dense = EinsumDense(eq, _get_output_shape(r - 1, [heads, vd]), activation="sigmoid", bias_axes=ba,
                                  name="gate", dtype=self.dtype)
            g_dense.role_text = "a sigmoid gate per head and value_dim from the query features"
            self._project(ctx, "gate", g_dense, q)
        eq, ba, r = proj(len(v), 1, 2)
        v_dense = EinsumDense(eq, _get_output_shape(r - 1, [heads, vd]), bias_axes=ba, name="value",
                              dtype=self.dtype)
        v_dense.role_text = (f"each of the {nh} heads projects the {_feat(v)} value features to value_dim={vdim} "
                             f"numbers; the attention weights mix these across positions")
        self._project(ctx, "value", v_dense, v)
        # Keras's _build_attention(rank) with rank = the value projection's output rank
        rank = r
        if self.attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
        for a in (*axes, rank - 1):
            if not -rank <= a < rank:
                ctx.fail(f"attention_axes={self.attention_axes} is out of range: index {a} is out of bounds for "
                         f"an axis of size {rank}", expected="axes of the query/value (not the batch axis)",
                         fix="attention_axes=None attends over all axes between the batch and the features")
        self._claim_internal_names()
        _check_dropout(ctx, self.dropout)
        out_shape = self._output_shape or (q[-1],)
        eq, ba, r = proj(len(q), 2, len(out_shape))
        o_dense = EinsumDense(eq, _get_output_shape(r - 1, list(out_shape)), bias_axes=ba, name="attention_output",
                              dtype=self.dtype)
        o_dense.role_text = (f"mixes the {nh} heads' value_dim={vdim} outputs ({nh} × {vdim} = {nh * vdim} numbers "
                             f"per position) back to {' × '.join(str(as_value(d)) for d in out_shape)} output features")
        o_in = list(q_out.shape)
        o_in[1:-2] = q[1:-1]  # the query's positions (the projection leaves them unknown: same axes)
        o_in[-2], o_in[-1] = heads, vd
        self._project(ctx, "attention_output", o_dense, o_in)
        self._finish_sublayers()

        if self._output_shape:
            out = ctx.spec((*q[:-1], *(ctx.const(d, "output_shape") for d in self._output_shape)))
        else:
            out = ctx.spec(tuple(q))
        b = 1 if self.use_bias else 0
        if len(q) >= 2 and len(k) >= 2 and len(v) >= 2 and not self._output_shape and not self.use_gate:
            qf, kf, vf = q[-1], k[-1], v[-1]
            ctx.formula(heads * kd * (qf + b) + heads * kd * (kf + b) + heads * vd * (vf + b)
                        + (heads * vd + b) * qf)
        ctx.note(f"the output keeps the query's shape{' with output_shape as its last axes' if self._output_shape else ''}"
                 f"; every query position attends to every key position")
        ctx.units(f"{nh} heads: each projects the {_feat(q)} query features to key_dim={kdim}, the {_feat(k)} key "
                  f"features to key_dim={kdim} and the {_feat(v)} value features to value_dim={vdim}; the softmax of "
                  f"query·key (scaled by 1/√{kdim}) weighs the values, and attention_output mixes the "
                  f"{nh} × {vdim} results back to {' × '.join(str(as_value(d)) for d in out_shape)} features")
        ctx.free("the same projections are applied at every position: sequence lengths never change the count "
                 "(only the feature sizes, num_heads, key_dim and value_dim do)")
        if return_attention_scores:
            length = q[1] if len(q) > 1 else q[0]
            scores = ctx.spec((q[0], heads, length, length))
            ctx.note("return_attention_scores=True also returns the scores (batch, num_heads, query_len, query_len)"
                     " — Keras uses the query length on both axes when building symbolically")
            return (out, scores)
        return out


def _feat(bound):
    v = bound[-1].value
    return "?" if v is None else str(v)


# --------------------------------------------------------------------------------------------------------------
# GroupedQueryAttention


@register("GroupQueryAttention", export_class_name=False)
class GroupedQueryAttention(_ProjectionAttention):
    supports_masking = True  # (as in Keras)
    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        t = "GroupedQueryAttention"
        self.head_dim = positive_int(head_dim, "head_dim", t)
        self.num_query_heads = positive_int(num_query_heads, "num_query_heads", t)
        self.num_key_value_heads = positive_int(num_key_value_heads, "num_key_value_heads", t)
        if self.num_query_heads % self.num_key_value_heads != 0:
            raise ArgumentError("`num_query_heads` must be divisible by `num_key_value_heads`.", layer_type=t,
                                fix="each key/value head is shared by num_query_heads / num_key_value_heads "
                                    "query heads, so that must be a whole number")
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ArgumentError(f"`sliding_window` must be `None` or a positive integer. Received: "
                                f"sliding_window={sliding_window}", layer_type=t)
        if flash_attention and dropout > 0.0:
            raise ArgumentError("Dropout is not supported when flash attention is enabled. Please set dropout to "
                                "0.0 to use flash attention.", layer_type=t)

    def compute(self, c):
        hd = Known(self.head_dim, "head_dim")
        _attention_cost(self, c, Known(self.num_query_heads, "num_query_heads"), hd, hd)

    def infer(self, ctx, query=None, value=None, key=None, query_mask=None, value_mask=None, key_mask=None,
              attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False, **extra):
        self._call_args(ctx, query, value, key, extra)
        key_spec = value if key is None else key

        def names(spec, what):
            if spec.rank == 3:
                return ("batch", f"{what}_len", f"{what}_features")
            return ("batch", *(f"{what} axis {i}" for i in range(1, spec.rank)))[:spec.rank]

        q = ctx.bind(query, *names(query, "query"))
        v = ctx.bind(value, *names(value, "value"))
        k = ctx.bind(key, *names(key, "key")) if key is not None else v
        hd = ctx.const(self.head_dim, "head_dim")
        uq = ctx.const(self.num_query_heads, "num_query_heads")
        ukv = ctx.const(self.num_key_value_heads, "num_key_value_heads")
        self._new_sublayers = []
        bias = self.use_bias
        nq, nkv, h = self.num_query_heads, self.num_key_value_heads, self.head_dim
        if len(q) < 1:
            ctx.fail("the query needs a feature axis", expected="(batch, query_len, features)")
        feature_dim = q[-1]
        qd = EinsumDense("bqm,muh->bquh", (None, uq, hd), bias_axes="uh" if bias else None, name="query",
                         dtype=self.dtype)
        qd.role_text = f"each of the {nq} query heads projects the query features to head_dim={h} numbers"
        self._project(ctx, "query", qd, q)
        kdn = EinsumDense("bkm,mvh->bkvh", (None, ukv, hd), bias_axes="vh" if bias else None, name="key",
                          dtype=self.dtype)
        kdn.role_text = (f"only {nkv} key heads (each shared by {self.num_repeats} query heads) project the key "
                         f"features to head_dim={h} numbers")
        self._project(ctx, "key", kdn, k)
        if self.use_gate:
            gd = EinsumDense("bqm,muh->bquh", (None, uq, hd), activation="sigmoid", bias_axes="uh" if bias else None,
                             name="gate", dtype=self.dtype)
            gd.role_text = "a sigmoid gate per query head and head_dim from the query features"
            self._project(ctx, "gate", gd, q)
        vdn = EinsumDense("bkm,mvh->bkvh", (None, ukv, hd), bias_axes="vh" if bias else None, name="value",
                          dtype=self.dtype)
        vdn.role_text = (f"only {nkv} value heads (each shared by {self.num_repeats} query heads) project the value "
                         f"features to head_dim={h} numbers")
        self._project(ctx, "value", vdn, v)
        self._claim_internal_names()
        _check_dropout(ctx, self.dropout)
        od = EinsumDense("bquh,uhm->bqm", (None, feature_dim), bias_axes="m" if bias else None,
                         name="attention_output", dtype=self.dtype)
        od.role_text = f"mixes the {nq} heads' head_dim={h} outputs back to the query's features"
        self._project(ctx, "attention_output", od, (Unknown("None"), Unknown("None"), uq, hd))
        self._finish_sublayers()
        # compute_output_shape's checks (after build)
        if _vals(q)[-1] != _vals(v)[-1]:
            ctx.fail(f"The last dimension of `query_shape` and `value_shape` must be equal, but are "
                     f"{q[-1].text()}, {v[-1].text()}. Received: query_shape={_fmt(_vals(q))}, "
                     f"value_shape={_fmt(_vals(v))}",
                     expected="query and value with the same number of features",
                     fix="project one of them with a Dense layer to the other's feature size")
        _value_key_check(ctx, value, key_spec)
        out = ctx.spec(tuple(q))
        if len(q) == 3 and len(k) == 3 and len(v) == 3:
            b = 1 if bias else 0
            ctx.formula(uq * hd * (q[-1] + b) + ukv * hd * (k[-1] + b) + ukv * hd * (v[-1] + b)
                        + (uq * hd + b) * feature_dim + (uq * hd * (q[-1] + b) if self.use_gate else 0))
        ctx.note("the output keeps the query's shape; every query position attends to every key position")
        ctx.units(f"{nq} query heads of head_dim={h} share {nkv} key/value heads ({self.num_repeats} query heads per "
                  f"key/value head), which makes the key and value projections {self.num_repeats}× smaller than in "
                  f"MultiHeadAttention")
        ctx.free("the same projections are applied at every position: sequence lengths never change the count")
        if return_attention_scores:
            kv_len = (v if key is None else k)[1]
            return (out, ctx.spec((q[0], uq, q[1], kv_len)))
        return out


# --------------------------------------------------------------------------------------------------------------
# Attention, AdditiveAttention


@register()
class Attention(Layer):
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        if previous_mask is None or not isinstance(previous_mask, (list, tuple)) or previous_mask[0] is None:
            return None
        return mask_op("convert_to_tensor", previous_mask[0])  # the query's mask, as Keras converts it
    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        if score_mode not in ["dot", "concat"]:
            raise ArgumentError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                                f"Received: score_mode={score_mode}", layer_type=type(self).__name__)

    def _validate(self, ctx, inputs):
        name = type(self).__name__
        if not isinstance(inputs, list):
            got = _fmt(_vals(inputs.shape)) if isinstance(inputs, Spec) else repr(
                tuple(_vals(s.shape) if isinstance(s, Spec) else s for s in inputs))
            ctx.fail(f"{name} layer must be called on a list of inputs, namely [query, value] or [query, value, "
                     f"key]. Received: inputs={got}.", expected="[query, value] or [query, value, key]",
                     fix=f"call it on a list: {name}()([query, value])")
        if len(inputs) < 2 or len(inputs) > 3:
            ctx.fail(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, "
                     f"key]. Received length: {len(inputs)}.", expected="[query, value] or [query, value, key]")

    def _declare_weights(self, ctx, q):
        if self.use_scale:
            ctx.weight("scale", ())
        if self.score_mode == "concat":
            ctx.weight("concat_score_weight", ())

    def infer(self, ctx, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate(ctx, inputs)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value

        def names(spec, what):
            if spec.rank == 3:
                return ("batch", f"{what}_len", f"{what}_features")
            return ("batch", *(f"{what} axis {i}" for i in range(1, spec.rank)))[:spec.rank]

        q = ctx.bind(query, *names(query, "query"))
        v = ctx.bind(value, *names(value, "value"))
        k = ctx.bind(key, *names(key, "key")) if len(inputs) > 2 else v
        self._declare_weights(ctx, q)
        out = ctx.spec((*q[:-1], v[-1]))
        self._explain(ctx)
        ctx.note("each query position gets a weighted average of the value vectors: the output has the query's "
                 "positions and the value's features")
        if return_attention_scores:
            try:
                kv = k[-2]
            except IndexError:
                ctx.fail("the key needs a sequence axis", expected="(batch, key_len, features)")
            return (out, ctx.spec((*q[:-1], kv)))
        return out

    def compute(self, c):
        query, value = c.inputs[0], c.inputs[1]
        key = c.inputs[2] if len(c.inputs) > 2 else value
        q, v, k = c.axes(query), c.axes(value), c.axes(key)
        # (…, query_len, features) · (…, key_len, features)ᵀ over the last two axes, the others carried through
        scores = product((*q[:-1], k[-2] if len(k) > 1 else Known(1)))
        # torch keeps an operand only for the other operand's gradient: with inputs that need none, only what the
        # learned scale's gradient reads (and the softmax and weighted sum after it)
        grad = self._scores_cost(c, scores, q, k)
        c.macs(scores * v[-1], "the attention weights × the values")
        c.ops(3 * scores, "softmax")
        value_grad = c.needs_grad(1)
        if grad:  # the scores need a gradient: softmax keeps its output, the weighted sum the values
            c.saves(scores, "attention weights (softmax output)")
            c.saves_input(1, "value")
        if self.dropout:
            if grad:
                c.saves(scores, "dropout mask")
            if value_grad:
                c.saves(scores, "the dropped weights")
        elif value_grad and not grad:
            c.saves(scores, "attention weights (softmax output)")

    def _scores_cost(self, c, scores, q, k):
        """The scores' work and saved tensors; returns whether the scores need a gradient."""
        key = len(c.inputs) - 1 if len(c.inputs) > 2 else 1
        query_grad, key_grad = c.needs_grad(0), c.needs_grad(key)
        grad = query_grad or key_grad
        if self.score_mode == "dot":
            c.macs(scores * q[-1], "query · key for every pair of positions")
            if key_grad:
                c.saves_input(0, "query")
            if query_grad:
                c.saves_input(key, "key")
            if self.use_scale:
                c.ops(scores, "scale")
                c.saves(scores, "the unscaled scores (for the scale's gradient)")
            return grad or self.use_scale
        # concat_score_weight · sum(tanh(scale · (query + key))): the learned weight's gradient reads the sums
        n = scores * q[-1]
        c.ops(3 * n, "query + key, tanh, sum over the features")
        if self.use_scale:
            c.saves(n, "query + key (for the scale's gradient)")
        if grad or self.use_scale:
            c.saves(n, "tanh(query + key)")
        c.saves(scores, "the summed tanh (for concat_score_weight's gradient)")
        return True

    def _explain(self, ctx):
        scale = " times a learned scalar scale" if self.use_scale else ""
        if self.score_mode == "dot":
            how = f"the dot product query·key{scale}"
        else:
            how = f"tanh(query + key) summed over features, times a learned scalar concat_score_weight{scale}"
        ctx.units(f"no projections: scores are {how}, a softmax over the key positions weighs the values")
        ctx.free("nothing here depends on the sequence lengths or the feature size")


@register()
class AdditiveAttention(Attention):
    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def _declare_weights(self, ctx, q):
        if self.use_scale:
            ctx.weight("scale", (q[-1],))

    def _scores_cost(self, c, scores, q, k):
        n = scores * q[-1]
        c.ops((4 if self.use_scale else 3) * n, "query + key, tanh, scale, sum over the features")
        key = len(c.inputs) - 1 if len(c.inputs) > 2 else 1
        grad = c.needs_grad(0) or c.needs_grad(key) or self.use_scale
        if grad:  # tanh's output, for its own backward and the scale's gradient
            c.saves(n, "tanh(query + key)")
        return grad

    def _explain(self, ctx):
        scale = "a learned scale vector (one number per feature) times " if self.use_scale else ""
        ctx.units(f"no projections: scores are the sum over features of {scale}tanh(query + key) (Bahdanau-style); "
                  f"a softmax over the key positions weighs the values")
        ctx.free("the scale has one number per query feature; the sequence lengths never change the count")


__all__ = ["EinsumDense", "MultiHeadAttention", "GroupedQueryAttention", "Attention", "AdditiveAttention",
           "analyze_einsum"]
