"""Convolution layers: Conv1D/2D/3D, their transposes, separable and depthwise convolutions, ConvLSTM1D/2D/3D.

A convolution slides the same small kernel over every position of its input. A ``Conv2D(filters, (kh, kw))`` on
``channels`` input channels has a kernel ``kh × kw × channels/groups × filters`` and a bias of ``filters``:
params = (kh·kw·channels/groups + 1)·filters. The image size appears in no weight, so it changes the output
size and never the parameter count. Each spatial output size follows Keras's arithmetic
(``keras.src.ops.operation_utils.compute_conv_output_shape``):

- ``padding='valid'``: out = ⌊(in − dilation·(k − 1) − 1) / stride⌋ + 1, and Keras raises when it is ≤ 0;
- ``padding='same'`` (and ``'causal'`` for 1D): out = ⌈in / stride⌉.

Transposed convolutions go the other way (``compute_conv_transpose_output_shape``):

- ``'valid'``: out = (in − 1)·stride + k_eff + output_padding, where output_padding defaults to
  max(k_eff, stride) − k_eff, k_eff = (k − 1)·dilation + 1;
- ``'same'``: out = in·stride, or (in − 1)·stride + k_eff mod 2 + output_padding when output_padding is given.
"""

from __future__ import annotations

from math import prod

from ..dims import Known, product
from ..engine import Layer, flatten, register
from ..errors import ArgumentError, UnknownDimError
from .core import activation_name, check_activation
from .lora import LoraMixin

# --------------------------------------------------------------------------------------------------------------
# Argument validation, as keras.src.utils.argument_validation does it

SPATIAL_NAMES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}
SHORT = {"steps": "s", "depth": "d", "height": "h", "width": "w"}
KERNEL_ROLES = {1: ("kernel_size",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}
WINDOW_NOUN = {1: "sequence length", 2: "image size", 3: "volume size"}


_INT = frozenset({int})


def split_axes(dims, data_format, lead=1):
    """(lead axes, spatial axes, channels) of a conv input or output."""
    dims = tuple(dims)
    if data_format == "channels_last":
        return dims[:lead], dims[lead:-1], dims[-1]
    return dims[:lead], dims[lead + 1:], dims[lead]


def same_padding(padding, spatial, kernel_size, strides, dilation_rate):
    """The spatial sizes of the copy Keras's torch backend pads for padding='same' (its _apply_same_padding):
    when some axis needs more padding on one side than the other, it pads the input itself (a new tensor), else
    it lets torch pad. None when it does not pad."""
    if padding != "same":
        return None
    out, symmetric = [], True
    for L, k, s, d in zip(spatial, kernel_size, strides, dilation_rate):
        if L.value is None:
            return None
        eff = (k - 1) * d + 1
        total = eff - 1 if s == 1 else max(0, (-(-L.value // s) - 1) * s + eff - L.value)
        symmetric = symmetric and total % 2 == 0
        out.append(L + total if total else L)
    return None if symmetric else out


def _same_padding(layer, spatial):
    return same_padding(layer.padding, spatial, layer.kernel_size, layer.strides, layer.dilation_rate)


def saves_conv_input(c, data_format, kernels=(), copy_kernels=True, causal_pad=0, layer=None):
    """What torch's convolution keeps, as Keras's torch backend calls it: a channels-last input is permuted to
    channels first (a copy), and so are the kernels of a 2D or 3D convolution (``kernels``: their sizes). With
    padding='causal' Keras pads the input first (``causal_pad`` steps), and that padded copy is what is kept.
    torch's convolution keeps its input whichever operand needs a gradient (a frozen convolution too)."""
    (batch,), spatial, channels = split_axes(c.axes(0), data_format)
    padded = _same_padding(layer, spatial) if layer is not None else None
    if causal_pad:
        c.saves(batch * (spatial[0] + causal_pad) * channels, "input, left-padded for padding='causal' (a copy)")
    elif padded is not None and any(p is not L for p, L in zip(padded, spatial)):
        c.saves(batch * product(padded) * channels, "input, padded for padding='same' (a copy)")
    elif data_format == "channels_last":
        c.saves(product(c.axes(0)), "input, channels first (a copy)")
    else:
        c.saves_input(0, "input")
    if data_format == "channels_last" and copy_kernels:
        for size in kernels:
            c.saves(size, "kernel in torch's layout (a copy)")


def _counter_extra_step(c, macs):
    """Keras's torch backend runs a generic RNN's step once more before its loop (to learn the output's
    structure); FlopCounterMode counts that step too."""
    c.counter_extra(macs, "Keras's torch backend runs the step function once before the loop")


def _kernel_size_of(layer, name):
    w = next((w for w in layer._weights or () if w.name == name), None)
    return product(w.dims) if w is not None else None


def _conv_out_ops(c, layer, out):
    if layer.use_bias:
        c.ops(product(out), "bias add")
    c.activation(layer.activation, out)


def standardize_tuple(value, n, name, layer_type, allow_zero=False):
    """Keras's standardize_tuple: an int or n ints, all > 0 (or >= 0 with allow_zero)."""
    if type(value) is int:  # the common cases: an int, or a tuple of n ints
        values = (value,) * n
    elif type(value) is tuple and len(value) == n and _INT.issuperset(map(type, value)):
        values = value
    elif isinstance(value, int) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        def msg():
            return f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
        try:
            values = tuple(value)
        except TypeError:
            raise ArgumentError(msg(), layer_type=layer_type) from None
        if len(values) != n:
            raise ArgumentError(msg(), layer_type=layer_type)
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int):
                raise ArgumentError(f"{msg()}including element {v} of type {type(v)}", layer_type=layer_type)
    if n and (min(values) < 0 if allow_zero else min(values) <= 0):
        bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
        req = ">= 0" if allow_zero else "> 0"
        raise ArgumentError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}, "
                            f"including values {bad} that do not satisfy `value {req}`", layer_type=layer_type)
    return values


def standardize_padding(value, layer_type, allow_causal=False):
    if not isinstance(value, str):
        raise ArgumentError(f"The `padding` argument must be one of 'valid', 'same'. Received: {value!r}",
                            layer_type=layer_type)
    padding = value.lower()
    if padding == "valid" or padding == "same":  # the common case
        return padding
    if padding != "causal" or not allow_causal:
        # Keras prints a set here, in an order that changes from run to run; shapewise writes it in a fixed one.
        allowed = "{'valid', 'same', 'causal'}" if allow_causal else "{'valid', 'same'}"
        raise ArgumentError(
            f"The `padding` argument must be a list/tuple or one of {allowed}. Received: {padding}",
            layer_type=layer_type,
            fix="padding='causal' exists only for Conv1D" if padding == "causal" else "use 'valid' or 'same'")
    return padding


def standardize_data_format(data_format, layer_type):
    if data_format is None:
        return "channels_last"
    fmt = str(data_format).lower()
    if fmt != "channels_first" and fmt != "channels_last":
        raise ArgumentError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}", layer_type=layer_type)
    return fmt


def _positive_or_none(value, arg, layer_type, wording):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"Invalid value for argument `{arg}`. Expected a strictly positive value. "
                            f"Received {arg}={value!r}.", layer_type=layer_type)
    if value <= 0:
        raise ArgumentError(wording, layer_type=layer_type)
    return value


# --------------------------------------------------------------------------------------------------------------
# Shared shape helpers


def check_rank(ctx, x, n_spatial, data_format, kind, extra_axes=0, what=None, fix=None):
    """Fail (as Keras's InputSpec does) unless x has batch + [extra] + n_spatial + channels axes."""
    want = n_spatial + 2 + extra_axes
    if x.rank == want:
        return
    names = SPATIAL_NAMES[n_spatial]
    lead = ("batch", "time") if extra_axes else ("batch",)
    if data_format == "channels_last":
        layout = (*lead, *names, "channels")
    else:
        layout = (*lead, "channels", *names)
    expected = "(" + ", ".join(layout) + ")"
    vals = x.values()
    got = "(" + ", ".join("None" if v is None else str(v) for v in vals) + ")"
    if fix is not None:
        pass
    elif x.rank == want - 1 and x.rank >= 2:
        inner = tuple(vals[1:])
        if data_format == "channels_last":
            new = inner + (1,)
        else:
            new = (1,) + inner
        new_txt = "(" + ", ".join("None" if v is None else str(v) for v in new) + ")"
        fix = (f"add a channel axis: Reshape({new_txt}) or input_shape={new_txt}"
               if not extra_axes else
               f"add a channel axis: Reshape({new_txt})")
    elif x.rank < want:
        fix = f"{kind} needs {want} axes {expected}; reshape the input to that layout"
    else:
        n_in = x.rank - 2 - extra_axes
        other = kind.replace(f"{n_spatial}D", f"{n_in}D")
        fix = (f"this input has {n_in} spatial axes: use {other}, or reshape it" if n_in <= 3 and other != kind
               else "reshape the input to that layout")
    kind_of = what or f"{kind} expects"
    ctx.fail(f"{kind_of} a {want}D input {expected}, but it received a {x.rank}D input {got} "
             f"(expected ndim={want}, found ndim={x.rank})",
             expected=expected, fix=fix, expected_rank=want)


def check_strides_dilation(strides, dilation_rate, kind):
    if max(strides) > 1 < max(dilation_rate):
        raise ArgumentError(
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
            f"strides={strides} and dilation_rate={dilation_rate}", layer_type=kind)


def channel_axis(data_format):
    return -1 if data_format == "channels_last" else 1


def reused_channels(ctx, channels, weight, axis, groups=1):
    """A built convolution called again without its InputSpec (inside TimeDistributed, or in a nested model run on
    a new shape): note when the channels no longer fit its kernel."""
    if channels.value is not None and groups > 1:
        if channels.value % groups:
            ctx.warn(f"the input's {channels.value} channels do not split into groups={groups}: Keras accepts the "
                     "call (a built layer only computes its output shape), but run on data it would fail")
            return
        channels = Known(channels.value // groups)
    ctx.built_for(weight, axis, channels, "channels")


def require_channels(ctx, channels, kind):
    """The channel count sets the kernel's size: it must be known (Keras: 'The channel dimension ... should be
    defined')."""
    if channels.value is None:
        ctx.fail(f"the channel axis of {kind}'s input must be known: it sets the size of the kernel",
                 expected="a number of channels", fix="give the channel axis a concrete size",
                 error=UnknownDimError)


def spatial_names(n):
    """Names of n spatial axes: steps; height, width; depth, height, width (axis1, ... beyond three)."""
    return SPATIAL_NAMES.get(n) or tuple(f"axis{i + 1}" for i in range(n))


def bind_spatial(ctx, x, n_spatial, data_format, lead=("batch",)):
    """Bind (batch, *spatial, channels) or (batch, channels, *spatial); returns (lead dims, spatial, channels)."""
    names = spatial_names(n_spatial)
    if data_format == "channels_last":
        bound = ctx.bind(x, *lead, *names, "channels")
        return bound[:len(lead)], bound[len(lead):-1], bound[-1]
    bound = ctx.bind(x, *lead, "channels", *names)
    return bound[:len(lead)], bound[len(lead) + 1:], bound[len(lead)]


def assemble(data_format, lead, spatial, channels):
    if data_format == "channels_last":
        return (*lead, *spatial, channels)
    return (*lead, channels, *spatial)


_ONE = Known(1)  # dims are immutable: one plain 1 serves every stride and dilation of 1


def _per_axis(ctx, values, base, names, skip_one=True):
    """Constants for strides/dilations: a plain 1 when 1 (keeps formulas short), else a named number."""
    if skip_one and (not values or max(values) == 1):  # the common case (and no spatial axis at all)
        return (_ONE,) * len(values)
    uniform = len(set(values)) == 1
    out = []
    for v, name in zip(values, names):
        if v == 1 and skip_one:
            out.append(Known(1))
        else:
            out.append(ctx.const(v, base if uniform else f"{base}_{SHORT[name]}"))
    return out


def conv_output_dims(ctx, spatial, kernel, strides, dilation, padding, names, fail_fix, kind="window"):
    """Keras's compute_conv_output_shape on Dims, each output dim derived with its formula.

    ``kernel`` holds named Dims; ``strides``/``dilation`` ints. Fails like Keras when a 'valid' size is ≤ 0.
    """
    if padding == "same" and max(strides) == 1:  # the common case: the output keeps the input's sizes
        ctx.note("padding='same': the input is padded with zeros so that out = ⌈in / stride⌉ along each axis")
        return list(spatial)
    s_dims = _per_axis(ctx, strides, "stride", names)
    d_dims = _per_axis(ctx, dilation, "dilation", names)
    out = []
    bad = []
    for L, k, s, d, name in zip(spatial, kernel, s_dims, d_dims, names):
        if padding == "valid":
            span = _span(ctx, k, d, name)
            expr = (L - span) // s + 1
            if L.value is not None and expr.value <= 0:
                bad.append(f"{name} {L.value} < {kind} {span.value}" if span.value > L.value else
                           f"{name} {L.value}")
        else:
            expr = L.ceildiv(s)
        if expr is L:
            out.append(L)
        else:
            out.append(ctx.derive(f"out_{name}", expr))
    if bad:
        ctx.fail(
            "Computed output size would be zero or negative: with padding='valid' the "
            f"{kind} must fit inside the input ({', '.join(bad)})",
            expected=f"each spatial size at least as large as the {kind}",
            fix=fail_fix)
    if padding == "valid":
        ctx.note(f"padding='valid': the {kind} only visits positions where it fits entirely inside the input, "
                 f"so out = ⌊(in − {kind} span) / stride⌋ + 1 along each axis")
    elif padding == "same":
        ctx.note("padding='same': the input is padded with zeros so that out = ⌈in / stride⌉ along each axis")
    else:
        ctx.note("padding='causal': zeros are added on the left only, so output step t never sees input steps "
                 "after t; out = ⌈in / stride⌉")
    return out


def _x(values):
    return "×".join(str(v) for v in values)


def _window(kernel_size, noun="window"):
    """'3×3 window' (2D/3D) or '5-step window' (1D)."""
    if len(kernel_size) == 1:
        return f"{kernel_size[0]}-step {noun}"
    return f"{_x(kernel_size)} {noun}"


def _span(ctx, k, d, name):
    """The effective (dilated) kernel size, derived and named when dilation > 1: d·(k − 1) + 1."""
    if d.value == 1:
        return k
    return ctx.derive(f"dilated_{k.role}", d * (k - 1) + 1)


# --------------------------------------------------------------------------------------------------------------
# Conv1D / Conv2D / Conv3D


# The explanation's sentences and formulas of the convolutions, composed only when an explanation is read
# (Context.note and the others take a function and its arguments).

def _conv_formula(kernel, per_group, filters, use_bias):
    window = product(kernel) * per_group
    return (window + 1) * filters if use_bias else window * filters


def _separable_formula(kernel, channels, dm, filters, use_bias):
    depthwise = product(kernel) * channels * dm
    pointwise = dm * channels * filters
    return depthwise + pointwise + filters if use_bias else depthwise + pointwise


def _depthwise_formula(kernel, channels, dm, use_bias):
    return (product(kernel) + 1) * channels * dm if use_bias else product(kernel) * channels * dm


def _filters_note(filters):
    return f"the output has one channel per filter: {filters} filters → {filters} channels"


def _separable_note(depth_multiplier):
    return ("two steps: a depthwise convolution filters each input channel on its own "
            f"(depth_multiplier={depth_multiplier} kernel{'s' if depth_multiplier > 1 else ''} "
            "per channel), then a 1×1 pointwise convolution mixes the channels into the filters")


def _slide_free(what, rank):
    return f"{what} over every position: the {WINDOW_NOUN[rank]} changes the output size, never the parameter count"


def _units_of(layer, channels):
    return layer._units_text(channels.value)


class _BaseConv(LoraMixin, Layer):
    rank = 2
    _lora_base = "kernel"  # Keras 3.15.1's BaseConv takes lora_rank as Dense does: the kernel frozen, a and b added

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 lora_alpha=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        r = self.rank
        self.kernel_size = standardize_tuple(kernel_size, r, "kernel_size", kind)
        self.strides = standardize_tuple(strides, r, "strides", kind)
        self.dilation_rate = standardize_tuple(dilation_rate, r, "dilation_rate", kind)
        self.padding = standardize_padding(padding, kind, allow_causal=r == 1)
        self.data_format = standardize_data_format(data_format, kind)
        self.activation = check_activation(activation, kind)
        self.use_bias = use_bias
        self.filters = _positive_or_none(
            filters, "filters", kind,
            f"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ArgumentError(f"The number of groups must be a positive integer. Received: groups={groups}.",
                                layer_type=kind)
        self.groups = groups
        if self.filters % groups:
            raise ArgumentError(
                "The number of filters must be evenly divisible by the number of groups. Received: "
                f"groups={groups}, filters={filters}.", layer_type=kind,
                fix=f"choose filters as a multiple of {groups}")
        check_strides_dilation(self.strides, self.dilation_rate, kind)
        self._init_lora(lora_rank, lora_alpha, kernel_constraint)

    def infer(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        check_rank(ctx, x, r, self.data_format, kind)
        (batch,), spatial, channels = bind_spatial(ctx, x, r, self.data_format)
        names = SPATIAL_NAMES[r]
        if ctx.building:  # build(): the channel count sets the kernel; it must split into the groups
            require_channels(ctx, channels, kind)
            if channels.value % self.groups:
                ctx.fail(
                    "The number of input channels must be evenly divisible by the number of groups. Received "
                    f"groups={self.groups}, but the input has {channels.value} channels",
                    expected=f"a multiple of groups={self.groups} channels",
                    fix=f"use groups that divide {channels.value}")
            ctx.input_spec(min_ndim=r + 2, axes={channel_axis(self.data_format): channels.value})
        kernel = list(map(Known, self.kernel_size, KERNEL_ROLES[r]))  # ctx.const for each, without the calls
        filters = ctx.const(self.filters, "filters")
        out_spatial = conv_output_dims(
            ctx, spatial, kernel, self.strides, self.dilation_rate, self.padding, names, kind="kernel",
            fail_fix="use padding='same', a smaller kernel_size or strides, or a larger input")
        if not ctx.building:  # compute_output_shape only: the kernel of the first call is kept
            reused_channels(ctx, channels, "kernel", -2, self.groups)
            return ctx.spec(assemble(self.data_format, (batch,), out_spatial, filters))
        if self.groups > 1:
            per_group = channels // ctx.const(self.groups, "groups")
        else:
            per_group = channels
        ctx.weight("kernel", (*kernel, per_group, filters))
        if self.use_bias:
            ctx.weight("bias", (filters,))
        if not self.lora_rank:
            ctx.formula(_conv_formula, kernel, per_group, filters, self.use_bias)
        self._lora_build(ctx)
        ctx.note(_filters_note, self.filters)
        ctx.free(_slide_free, "the same kernels slide", r)
        ctx.units(_units_of, self, channels)
        return ctx.spec(assemble(self.data_format, (batch,), out_spatial, filters))

    def compute(self, c):
        (batch,), _, channels = split_axes(c.axes(0), self.data_format)
        out = c.out(0)
        _, out_spatial, filters = split_axes(out, self.data_format)
        kernel = [Known(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[self.rank])]
        per_group = channels // c.const(self.groups, "groups") if self.groups > 1 else channels
        c.macs(product((batch, *out_spatial, *kernel, per_group, filters)),
               "each output position × the kernel window × the input channels")
        causal = (self.kernel_size[0] - 1) * self.dilation_rate[0] if self.padding == "causal" else 0
        saves_conv_input(c, self.data_format, [_kernel_size_of(self, "kernel")], self.rank > 1, causal, self)
        _conv_out_ops(c, self, out)
        self.lora_compute(c)

    def _units_text(self, channels):
        n_in = channels // self.groups
        n_w = n_in * prod(self.kernel_size)
        bias = " + 1 bias" if self.use_bias else ""
        if self.groups > 1:
            across = f"across the {n_in} input channels of its group"
            groups = (f"; groups={self.groups} splits the {channels} channels into {self.groups} groups of "
                      f"{n_in}, each seen by {self.filters // self.groups} filters")
        else:
            across = f"across all {channels} input channel{'s' if channels != 1 else ''}"
            groups = ""
        dil = (f", its taps spread {_x(self.dilation_rate)} apart by dilation_rate" if max(self.dilation_rate) > 1
               else "")
        return (f"each of the {self.filters} filters looks at a {_window(self.kernel_size)} {across}{dil} "
                f"({n_w} weights{bias}), then applies {activation_name(self.activation)}{groups}")


@register("Convolution1D")
class Conv1D(_BaseConv):
    rank = 1


@register("Convolution2D")
class Conv2D(_BaseConv):
    rank = 2


@register("Convolution3D")
class Conv3D(_BaseConv):
    rank = 3


# --------------------------------------------------------------------------------------------------------------
# Transposed convolutions


class _BaseConvTranspose(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        r = self.rank
        self.kernel_size = standardize_tuple(kernel_size, r, "kernel_size", kind)
        self.strides = standardize_tuple(strides, r, "strides", kind)
        self.dilation_rate = standardize_tuple(dilation_rate, r, "dilation_rate", kind)
        self.padding = standardize_padding(padding, kind)
        self.output_padding = (None if output_padding is None else
                               standardize_tuple(output_padding, r, "output_padding", kind, allow_zero=True))
        self.data_format = standardize_data_format(data_format, kind)
        self.activation = check_activation(activation, kind)
        self.use_bias = use_bias
        self.filters = _positive_or_none(
            filters, "filters", kind,
            f"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.")
        if self.output_padding is not None:
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides)):
                if op >= s:
                    raise ArgumentError(
                        "`output_padding` must be strictly less than `strides` for all dimensions. At dimension "
                        f"{i}, `output_padding` is {op} but `strides` is {s}. Received: "
                        f"output_padding={self.output_padding}, strides={self.strides}", layer_type=kind,
                        fix="use an output_padding smaller than the stride")
        check_strides_dilation(self.strides, self.dilation_rate, kind)

    def infer(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        # InputSpec(min_ndim=rank + 2); compute_output_shape reads one kernel size per spatial axis, so more
        # spatial axes fail, and fewer (only when not called, e.g. inside TimeDistributed) give fewer outputs
        if ctx.called or x.rank > r + 2 or x.rank < 2:
            check_rank(ctx, x, r, self.data_format, kind)
        n = x.rank - 2
        (batch,), spatial, channels = bind_spatial(ctx, x, n, self.data_format)
        names = spatial_names(n)
        if ctx.building:
            require_channels(ctx, channels, kind)
            ctx.input_spec(min_ndim=r + 2, axes={channel_axis(self.data_format): channels.value})
        if n < r:
            ctx.warn(f"this {x.rank}D input has {n} spatial axes where {kind} expects {r}: Keras's "
                     f"compute_output_shape uses the first {n} kernel sizes, but run on data it would fail")
        kernel = [ctx.const(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[r])]
        filters = ctx.const(self.filters, "filters")
        s_dims = _per_axis(ctx, self.strides[:n], "stride", names)
        d_dims = _per_axis(ctx, self.dilation_rate[:n], "dilation", names)
        out = []
        for i, (L, k, s, d, name) in enumerate(zip(spatial, kernel, s_dims, d_dims, names)):
            span = _span(ctx, k, d, name)
            op = None if self.output_padding is None else self.output_padding[i]
            k_name = span.role
            if self.padding == "valid":
                if op is None:
                    # Keras's default output_padding: max(k_eff, stride) − k_eff
                    extra = max(span.value, s.value) - span.value
                    s_name = s.role if s.value > 1 else "stride"
                    expr = (L - 1) * s + span + (ctx.const(extra, f"({s_name} − {k_name})") if extra else 0)
                else:
                    expr = (L - 1) * s + span + (ctx.const(op, "output_padding") if op else 0)
            else:
                if op is None:
                    expr = L * s
                else:
                    odd = span.value % 2
                    expr = ((L - 1) * s + (ctx.const(odd, f"({k_name} mod 2)") if odd else 0)
                            + (ctx.const(op, "output_padding") if op else 0))
            out.append(L if expr is L else ctx.derive(f"out_{name}", expr))
        if not ctx.building:  # compute_output_shape only: the kernel of the first call is kept
            reused_channels(ctx, channels, "kernel", -1)
            return ctx.spec(assemble(self.data_format, (batch,), out, filters))
        if self.padding == "valid":
            ctx.note("a transposed convolution spreads every input position into a window of the output: with "
                     "padding='valid', out = (in − 1)·stride + kernel span (+ output_padding)")
        else:
            ctx.note("a transposed convolution with padding='same' multiplies each spatial size by the stride"
                     + (" (output_padding adjusts it)" if self.output_padding is not None else ""))
        ctx.weight("kernel", (*kernel, filters, channels))
        if self.use_bias:
            ctx.weight("bias", (filters,))
        window = product(kernel) * channels
        ctx.formula((window + 1) * filters if self.use_bias else window * filters)
        ctx.note("Keras stores a transposed kernel as (kernel..., filters, input channels): the last two axes are "
                 "swapped compared with a plain convolution")
        ctx.free(f"the same kernels are used at every position: the {WINDOW_NOUN[r]} changes the output size, "
                 "never the parameter count")
        n_w = channels.value * product(Known(k) for k in self.kernel_size).value
        bias = " + 1 bias" if self.use_bias else ""
        ctx.units(f"each of the {self.filters} filters paints a {_window(self.kernel_size, 'patch')} of the output from "
                  f"all {channels.value} input channels at each input position ({n_w} weights{bias}), then "
                  f"applies {activation_name(self.activation)}")
        return ctx.spec(assemble(self.data_format, (batch,), out, filters))

    def compute(self, c):
        (batch,), spatial, channels = split_axes(c.axes(0), self.data_format)
        out = c.out(0)
        filters = c.const(self.filters, "filters")
        kernel = [Known(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[self.rank])]
        # as FlopCounterMode counts a transposed convolution: every input position times the whole kernel
        c.macs(product((batch, *spatial, *kernel, channels, filters)),
               "each input position × the kernel window × the filters")
        saves_conv_input(c, self.data_format)
        _conv_out_ops(c, self, out)


@register("Convolution1DTranspose")
class Conv1DTranspose(_BaseConvTranspose):
    rank = 1


@register("Convolution2DTranspose")
class Conv2DTranspose(_BaseConvTranspose):
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


@register("Convolution3DTranspose")
class Conv3DTranspose(_BaseConvTranspose):
    rank = 3

    # Keras 3 puts data_format before output_padding here (unlike the 1D/2D transposes).
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


# --------------------------------------------------------------------------------------------------------------
# Separable and depthwise convolutions


class _DepthwiseMixin:
    def _common(self, kind, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                activation, use_bias):
        r = self.rank
        self.kernel_size = standardize_tuple(kernel_size, r, "kernel_size", kind)
        self.strides = standardize_tuple(strides, r, "strides", kind)
        self.dilation_rate = standardize_tuple(dilation_rate, r, "dilation_rate", kind)
        self.padding = standardize_padding(padding, kind)
        self.data_format = standardize_data_format(data_format, kind)
        self.activation = check_activation(activation, kind)
        self.use_bias = use_bias
        self.depth_multiplier = _positive_or_none(
            depth_multiplier, "depth_multiplier", kind,
            "Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received "
            f"depth_multiplier={depth_multiplier}.")

    #: Whether compute_output_shape needs the channel count (DepthwiseConv: depth_multiplier × channels), so an
    #: unknown one fails even when the layer is already built
    channels_in_output = False

    def _depthwise_part(self, ctx, x):
        kind = type(self).__name__
        r = self.rank
        check_rank(ctx, x, r, self.data_format, kind)  # compute_output_shape needs the rank too
        (batch,), spatial, channels = bind_spatial(ctx, x, r, self.data_format)
        if ctx.building or self.channels_in_output:
            require_channels(ctx, channels, kind)
        ctx.input_spec(min_ndim=r + 2, axes={channel_axis(self.data_format): channels.value})
        kernel = list(map(Known, self.kernel_size, KERNEL_ROLES[r]))  # ctx.const for each, without the calls
        dm = ctx.const(self.depth_multiplier, "depth_multiplier")
        out_spatial = conv_output_dims(
            ctx, spatial, kernel, self.strides, self.dilation_rate, self.padding, SPATIAL_NAMES[r],
            kind="kernel", fail_fix="use padding='same', a smaller kernel_size or strides, or a larger input")
        return batch, channels, kernel, dm, out_spatial


class _BaseSeparableConv(_DepthwiseMixin, Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        self._common(kind, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                     activation, use_bias)
        self.filters = _positive_or_none(
            filters, "filters", kind,
            f"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.")

    def infer(self, ctx, x):
        r = self.rank
        batch, channels, kernel, dm, out_spatial = self._depthwise_part(ctx, x)
        filters = ctx.const(self.filters, "filters")
        if not ctx.building:  # compute_output_shape only: the kernels of the first call are kept
            reused_channels(ctx, channels, "depthwise_kernel", -2)
            return ctx.spec(assemble(self.data_format, (batch,), out_spatial, filters))
        ctx.weight("depthwise_kernel", (*kernel, channels, dm))
        ctx.weight("pointwise_kernel", (*(Known(1) for _ in range(r)), dm * channels, filters))
        if self.use_bias:
            ctx.weight("bias", (filters,))

        ctx.formula(_separable_formula, kernel, channels, dm, filters, self.use_bias)
        ctx.note(_separable_note, self.depth_multiplier)
        ctx.free(_slide_free, "both kernels slide", r)
        ctx.units(_units_of, self, channels)
        return ctx.spec(assemble(self.data_format, (batch,), out_spatial, filters))

    def compute(self, c):
        (batch,), _, channels = split_axes(c.axes(0), self.data_format)
        out = c.out(0)
        _, out_spatial, filters = split_axes(out, self.data_format)
        kernel = [Known(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[self.rank])]
        dm = c.const(self.depth_multiplier, "depth_multiplier")
        positions = product((batch, *out_spatial))
        c.macs(product((batch, *out_spatial, *kernel, channels, dm)),
               "depthwise: each position × the window, channel by channel")
        c.macs(product((batch, *out_spatial, channels, dm, filters)),
               "pointwise: each position × the channels × the filters")
        copy = self.rank > 1
        saves_conv_input(c, self.data_format, [_kernel_size_of(self, "depthwise_kernel")], copy, layer=self)
        c.saves(positions * channels * dm, "the depthwise output, channels first")
        if copy and self.data_format == "channels_last":
            c.saves(_kernel_size_of(self, "pointwise_kernel"), "pointwise kernel in torch's layout (a copy)")
        _conv_out_ops(c, self, out)

    def _units_text(self, c):
        k = prod(self.kernel_size)
        bias = " + 1 bias" if self.use_bias else ""
        own = (f"depth_multiplier={self.depth_multiplier} kernels of its own, each a {_window(self.kernel_size)}"
               if self.depth_multiplier > 1 else f"its own {_window(self.kernel_size)} kernel")
        return (f"each input channel is filtered by {own} ({k} weights), giving "
                f"{c * self.depth_multiplier} intermediate channels; each of the {self.filters} filters then "
                f"combines all {c * self.depth_multiplier} of them ({c * self.depth_multiplier} weights{bias}), "
                f"then applies {activation_name(self.activation)}")


@register("SeparableConvolution1D")
class SeparableConv1D(_BaseSeparableConv):
    rank = 1


@register("SeparableConvolution2D")
class SeparableConv2D(_BaseSeparableConv):
    rank = 2


class _BaseDepthwiseConv(_DepthwiseMixin, Layer):
    rank = 2
    channels_in_output = True

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._common(type(self).__name__, kernel_size, strides, padding, data_format, dilation_rate,
                     depth_multiplier, activation, use_bias)

    def infer(self, ctx, x):
        r = self.rank
        batch, channels, kernel, dm, out_spatial = self._depthwise_part(ctx, x)
        out_channels = ctx.derive("out_channels", dm * channels) if self.depth_multiplier > 1 else channels
        if not ctx.building:  # compute_output_shape only: the kernel of the first call is kept
            reused_channels(ctx, channels, "kernel", -2)
            return ctx.spec(assemble(self.data_format, (batch,), out_spatial, out_channels))
        ctx.weight("kernel", (*kernel, channels, dm))
        if self.use_bias:
            ctx.weight("bias", (dm * channels,))
        ctx.formula(_depthwise_formula, kernel, channels, dm, self.use_bias)
        ctx.note("each input channel is convolved on its own, never mixed with the others: the output has "
                 "depth_multiplier × channels channels")
        ctx.free(_slide_free, "the same kernels slide", r)
        ctx.units(_units_of, self, channels)
        return ctx.spec(assemble(self.data_format, (batch,), out_spatial, out_channels))

    def compute(self, c):
        (batch,), _, channels = split_axes(c.axes(0), self.data_format)
        out = c.out(0)
        _, out_spatial, _ = split_axes(out, self.data_format)
        kernel = [Known(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[self.rank])]
        dm = c.const(self.depth_multiplier, "depth_multiplier")
        c.macs(product((batch, *out_spatial, *kernel, channels, dm)),
               "each output position × the window, channel by channel")
        saves_conv_input(c, self.data_format, [_kernel_size_of(self, "kernel")], self.rank > 1, layer=self)
        _conv_out_ops(c, self, out)

    def _units_text(self, c):
        bias = " + 1 bias" if self.use_bias else ""
        return (f"each of the {c * self.depth_multiplier} output channels looks at a "
                f"{_window(self.kernel_size)} of a single input channel ({prod(self.kernel_size)} "
                f"weights{bias}), then applies {activation_name(self.activation)}")


@register()
class DepthwiseConv1D(_BaseDepthwiseConv):
    rank = 1


@register()
class DepthwiseConv2D(_BaseDepthwiseConv):
    rank = 2


# --------------------------------------------------------------------------------------------------------------
# ConvLSTM1D / 2D / 3D


class _ConvLSTM(Layer):
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        mask = flatten(previous_mask)[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] if self.return_state else output_mask  # the states carry no mask
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        r = self.rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, r, "kernel_size", kind)
        self.strides = standardize_tuple(strides, r, "strides", kind, allow_zero=True)
        self.padding = standardize_padding(padding, kind)
        self.data_format = standardize_data_format(data_format, kind)
        self.dilation_rate = standardize_tuple(dilation_rate, r, "dilation_rate", kind)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ArgumentError(
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide "
                f"`strides=1` or `dilation_rate=1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}", layer_type=kind)
        self.activation = check_activation(activation, kind)
        self.recurrent_activation = check_activation(recurrent_activation, kind)
        self.use_bias = use_bias
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = go_backwards
        self.stateful = stateful

    def infer(self, ctx, x, initial_state=None, mask=None, training=None):
        kind = type(self).__name__
        r = self.rank
        # InputSpec(ndim=rank + 3); compute_output_shape (a convolution of each step) needs that rank too
        check_rank(ctx, x, r, self.data_format, kind, extra_axes=1)
        (batch, time), spatial, channels = bind_spatial(ctx, x, r, self.data_format, lead=("batch", "time"))
        names = SPATIAL_NAMES[r]
        if ctx.building and any(d.value is None for d in spatial):  # the cell's build()
            ctx.fail("ConvLSTM layers only support static input shapes for the spatial dimension",
                     expected="every spatial size known", fix="give the spatial axes concrete sizes")
        if ctx.building and channels.value is None:
            ctx.fail("The channel dimension of the inputs should be defined. Found None.",
                     expected="a number of channels", fix="give the channel axis a concrete size",
                     error=UnknownDimError)
        if isinstance(self.filters, bool) or not isinstance(self.filters, int) or self.filters <= 0:
            ctx.fail(f"filters must be a positive integer, got {self.filters!r}", expected="filters > 0")
        if 0 in self.strides:
            ctx.fail(f"strides must be positive, got {self.strides}", expected="strides > 0")
        kernel = [ctx.const(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[r])]
        filters = ctx.const(self.filters, "filters")
        out_spatial = conv_output_dims(
            ctx, spatial, kernel, self.strides, self.dilation_rate, self.padding, names, kind="kernel",
            fail_fix="use padding='same', a smaller kernel_size or strides, or a larger input")
        if not ctx.building:  # compute_output_shape only: the kernels of the first call are kept
            reused_channels(ctx, channels, "kernel", -2)
            return self._outputs(ctx, batch, time, out_spatial, filters)
        gates = 4 * filters
        ctx.weight("kernel", (*kernel, channels, gates))
        ctx.weight("recurrent_kernel", (*kernel, filters, gates))
        if self.use_bias:
            ctx.weight("bias", (gates,))
        ksize = product(kernel)
        ctx.formula(4 * filters * (ksize * (channels + filters) + (1 if self.use_bias else 0)))
        ctx.note("an LSTM whose matrix products are convolutions: at every timestep, 4 gates (input, forget, "
                 "cell, output) are each a convolution of the input frame plus a 'same'-padded convolution of "
                 "the previous hidden state")
        if self.return_sequences:
            ctx.note("return_sequences=True passes on the hidden state (a feature map) at every timestep")
        else:
            ctx.note("return_sequences=False keeps only the hidden state after the last timestep")
        ctx.free("the same kernels are used at every timestep and every position: neither the number of "
                 f"timesteps nor the {WINDOW_NOUN[r]} changes the parameter count")
        k = product(Known(v) for v in self.kernel_size).value
        c = channels.value
        ctx.units(f"each of the {self.filters} filters holds one channel of the hidden state; for each of its 4 "
                  f"gates it looks at a {_window(self.kernel_size)} of all {c} input channels and all "
                  f"{self.filters} hidden channels ({k * (c + self.filters)} weights"
                  f"{' + 1 bias' if self.use_bias else ''})")
        return self._outputs(ctx, batch, time, out_spatial, filters)

    def compute(self, c):
        (batch, time), spatial, channels = split_axes(c.axes(0, "batch", "time", ...), self.data_format, lead=2)
        state = c.outputs[-1].shape if self.return_state else c.out(0)
        if self.return_sequences and not self.return_state:
            _, out_spatial, filters = split_axes(state, self.data_format, lead=2)
        else:
            _, out_spatial, filters = split_axes(state, self.data_format)
        kernel = [Known(k, role) for k, role in zip(self.kernel_size, KERNEL_ROLES[self.rank])]
        positions = product((batch, *out_spatial))
        c.macs(product((4, batch, time, *out_spatial, *kernel, channels, filters)),
               "input frame ⊛ kernel, 4 gates, at every timestep")
        c.macs(product((4, batch, time, *out_spatial, *kernel, filters, filters)),
               "hidden state ⊛ recurrent_kernel, 4 gates, at every timestep")
        kernel = product(kernel)
        gates = 4 * filters
        n_state = positions * filters
        c.ops(time * (4 + 4 * bool(self.use_bias) + 4 + 4) * n_state,
              "bias adds, adding the two convolutions, the gate activations, the state update")
        _counter_extra_step(c, positions * kernel * (channels + filters) * gates)
        # Keras's generic loop runs the cell timesteps + 1 times (once before its loop); each step convolves the
        # frame and the previous h once per gate (split kernels), then 3 sigmoids, 2 tanh and the products with
        # c of the step before keep 6 state-sized tensors (derived from the cell's call, measured:
        # tests/test_compute_keras.py)
        steps = time + 1
        frame = batch * product(spatial) * channels
        # padding='same' that torch cannot do symmetrically (an even kernel, for h always 'same' at stride 1):
        # Keras pads a copy for each gate's convolution, and that copy is what is kept
        ones = (1,) * self.rank
        frame_pad = same_padding(self.padding, spatial, self.kernel_size, self.strides, self.dilation_rate)
        h_pad = same_padding("same", out_spatial, self.kernel_size, ones, ones)
        h_padded = None if h_pad is None else batch * product(h_pad) * filters
        if frame_pad is not None:
            c.saves(4 * steps * batch * product(frame_pad) * channels, "the frame, padded for padding='same', for "
                                                                       "each gate's convolution (copies)")
        if self.data_format == "channels_first":
            # the convolutions read the frames and h as they are: the input once, h once per step
            if frame_pad is None:
                c.saves_input(0, "input")
                if self.go_backwards:
                    c.saves(time * frame, "input, reversed (a copy)")
            if h_padded is None:
                c.saves((7 * steps - 2) * n_state, "states and gates at every timestep")
            else:
                c.saves(4 * steps * h_padded, "h, padded, for each gate's convolution (copies)")
                c.saves((6 * steps - 1) * n_state, "states and gates at every timestep")
            return
        # channels-last: each gate's convolution makes its own channels-first copy of the frame and of h
        if frame_pad is not None:
            pass
        elif channels.value == 1:  # (a single channel moved first is a view)
            c.saves_input(0, "input")
        else:
            c.saves(4 * steps * frame, "the frame, channels first, for each gate's convolution (copies)")
        if self.rank == 1 and h_padded is None:
            # 1D: h is read as a view; Conv1D keeps its kernel as it is
            c.saves((7 * steps + 5) * n_state, "states and gates at every timestep")
        elif self.rank == 1:
            c.saves(4 * steps * h_padded, "h, padded, for each gate's convolution (copies)")
            c.saves((6 * steps - 1) * n_state, "states and gates at every timestep")
        else:
            if h_padded is None:
                c.saves((10 * steps - 1) * n_state, "h channels first for each gate (copies), states and gates at "
                                                    "every timestep")
            else:
                c.saves(4 * steps * h_padded, "h, channels first and padded, for each gate's convolution (copies)")
                c.saves((6 * steps - 1) * n_state, "states and gates at every timestep")
            c.saves(4 * steps * kernel * channels * filters, "each gate's kernel in torch's layout (copies)")

    def _outputs(self, ctx, batch, time, out_spatial, filters):
        state = ctx.spec(assemble(self.data_format, (batch,), out_spatial, filters))
        if self.return_sequences:
            out = ctx.spec(assemble(self.data_format, (batch, time), out_spatial, filters))
        else:
            out = state
        if self.return_state:
            ctx.note("return_state=True also returns the final hidden and cell states (h, c)")
            return [out, state, ctx.spec(state.shape)]
        return out


@register()
class ConvLSTM1D(_ConvLSTM):
    rank = 1


@register()
class ConvLSTM2D(_ConvLSTM):
    rank = 2


@register()
class ConvLSTM3D(_ConvLSTM):
    rank = 3
