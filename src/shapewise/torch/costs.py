"""The work of each PyTorch op, and a PyTorch model's compute derived from its recorded op events.

One cost function per op (``OP_COSTS[name](c, e)``), shared by the functional form and the module that runs it:
``nn.Linear``'s forward records a "linear" event and ``F.linear(x, w, b)`` the same op, so one function counts
both. It declares, on a :class:`shapewise.compute.Cost` made for the event, the multiply-accumulates FlopCounterMode
counts (``c.macs``: 2 FLOPs each; ``uncounted=`` where torch's FlopCounterMode does not see the work: ``nn.Bilinear``,
matrix-vector products) and the elementwise "other ops" (``c.ops``, at the per-element costs of
docs/COMPUTE.md). It reads only the event's input and output Specs and the module's configuration.

:func:`model_compute` derives per module (its own calls' events, and with its children's as FlopCounterMode's
module breakdown counts them: every call, each op once per module it runs inside) and for the model (the root's
calls), with the formula texts and their dependence on the input axes from :mod:`shapewise.compute`.
"""

from __future__ import annotations

from ..compute import (
    Cost, LayerCompute, _global_text, _sum, _twice, dependence_text, evaluate, readable_flops, scaled,
)
from ..dims import Known, Named, _Prod, fmt_int, product

# --------------------------------------------------------------------------------------------------------------
# Reading an event


def _named(c, i, names=None):
    """Input ``i``'s axes: the names the module's rule bound them with, else the roles its dims carry (a
    parameter's ``out_features``), else ``batch``, ``dim1``, ``dim2``, ..."""
    key = i if type(i) is int else id(i)
    got = c._axes.get(key)
    if got is not None:
        return got
    spec = c.inputs[i] if type(i) is int else i
    if c.ctx is not None:
        return c.axes(i, *(names or ("batch", *(f"dim{k}" for k in range(1, spec.rank)))))
    out = []
    for k, d in enumerate(spec.shape):
        role = getattr(d, "role", None)
        if names is not None and k < len(names):
            role = names[k]
        out.append(Named(role or ("batch" if k == 0 else f"dim{k}"), d))
    c._axes[key] = out = tuple(out)
    c.local.update(map(id, out))
    return out


def _axes_of(c, spec, names=None):
    """The named axes of ``spec``, one of the event's inputs (by identity), else its dims as they are."""
    for i, s in enumerate(c.inputs):
        if s is spec:
            return _named(c, i, names)
    return tuple(spec.shape)


def _seq_names(q, k):
    """Names for attention's query and key lengths: one name, seq_len, when they are the same size (self-attention:
    the work is then quadratic in it), else query_len and key_len."""
    same = q.value is not None and q.value == k.value
    return ("seq_len", "seq_len") if same else ("query_len", "key_len")


def _out(c, i=0):
    """Output ``i``'s dims with the names its input axes have here."""
    names = {}
    for k in range(len(c.inputs)):
        for raw, named in zip(c.inputs[k].shape, _named(c, k)):
            names.setdefault(id(raw), named)
    return tuple(names.get(id(d), d) for d in c.outputs[i].shape)


def _arg(e, position, name, default=None):
    if name in e.kwargs:
        return e.kwargs[name]
    if position is not None and position < len(e.args):
        return e.args[position]
    return default


def _param(e, name, position=None):
    """A module's own parameter's Spec (``weight``), or the functional op's argument in its place."""
    if e.module is not None:
        p = e.module.__dict__["_parameters"].get(name)
        if p is not None:
            return p.spec
        parametrized = e.module.__dict__["_modules"].get("parametrizations")
        plist = parametrized.__dict__["_modules"].get(name) if parametrized is not None else None
        if plist is not None and e.call is not None:  # the weight its parametrizations computed in this call
            for call in e.call.children:
                if call.module is plist and call.outputs:
                    return call.outputs[0]
        return None
    value = _arg(e, position, name)
    return value if hasattr(value, "shape") else None


def _n_out(c, i=0):
    return product(_out(c, i)) if c.outputs else Known(0)


# --------------------------------------------------------------------------------------------------------------
# Matrix products, convolutions, attention: what FlopCounterMode counts


def _linear(c, e):
    x = c.inputs[0]
    weight = _param(e, "weight", 1)
    bias = _param(e, "bias", 2)
    *lead, features = _named(c, 0)
    if weight is None:
        return
    if weight.rank == 1:  # F.linear with a vector: a matrix-vector product (aten.mv)
        c.macs(product((*lead, features)), "input · weight",
               uncounted="a matrix-vector product (aten.mv) is not in FlopCounterMode's table")
    else:
        units = weight.shape[0] if e.module is None else Known(weight.shape[0].value, "out_features")
        c.macs(product((*lead, features, units)), "input × weight" if x.rank > 1 else "input · weight")
    if bias is not None:
        c.ops(_n_out(c), "bias add")


def _bilinear(c, e):
    weight = _param(e, "weight", 2)
    bias = _param(e, "bias", 3)
    *lead, f1 = _named(c, 0)
    f2 = _named(c, 1)[-1]
    units = weight.shape[0]
    c.macs(product((*lead, units, f1, f2)), "input1 × weight × input2 for every output",
           uncounted="aten.bilinear runs _trilinear, which is not in FlopCounterMode's table: it reports 0")
    if bias is not None:
        c.ops(_n_out(c), "bias add")


def _conv(transposed):
    def cost(c, e):
        x = c.inputs[0]
        weight = _param(e, "weight", 1)
        bias = _param(e, "bias", 2)
        if weight is None:
            return
        rank = weight.rank - 2
        axes = _named(c, 0)
        batch = axes[:1] if x.rank == rank + 2 else ()
        kernel = tuple(weight.shape)
        if transposed:  # as FlopCounterMode counts it: every input position times the whole kernel
            positions = axes[-rank:]
            what = "each input position × the whole kernel (in_channels × out_channels/groups × window)"
        else:
            positions = _out(c)[-rank:]
            what = "each output position × the kernel window × the input channels of its group"
        c.macs(product((*batch, *positions, *kernel)), what)
        if bias is not None:
            c.ops(_n_out(c), "bias add")
    return cost


def _matmul_macs(c, a, b, what="matrix product", uncounted=None):
    """MACs of ``a @ b`` (torch.matmul's broadcasting): batch × m × k × n, where a vector has m = 1 or n = 1.
    A matrix-vector or vector-vector product (b a vector) runs aten.mv / aten.dot: not counted by FlopCounterMode."""
    da, db = _axes_of(c, a), _axes_of(c, b)
    if not da or not db:
        return
    k = da[-1]
    if len(db) == 1:
        c.macs(product(da), what, uncounted=uncounted or (
            "a matrix-vector product (aten.mv/aten.dot) is not in FlopCounterMode's table"))
        return
    n = db[-1]
    m = (da[-2],) if len(da) > 1 else ()
    batch = _broadcast(da[:-2], db[:-2])
    c.macs(product((*batch, *m, k, n)), what, uncounted=uncounted)


def _broadcast(a, b):
    """The broadcast batch axes of two operands: the longer's, with a size-1 axis taken from the other."""
    a, b = list(a), list(b)
    if len(a) < len(b):
        a, b = b, a
    out = list(a)
    off = len(a) - len(b)
    for i, d in enumerate(b):
        if a[off + i].value == 1 and d.value != 1:
            out[off + i] = d
    return out


def _matmul(c, e):
    if len(c.inputs) >= 2:
        _matmul_macs(c, c.inputs[0], c.inputs[1])


def _mm(c, e):
    _matmul_macs(c, c.inputs[0], c.inputs[1])


def _addmm(c, e):  # addmm(input, mat1, mat2), baddbmm(input, batch1, batch2)
    if len(c.inputs) < 3:
        return
    _matmul_macs(c, c.inputs[1], c.inputs[2])
    c.ops(_n_out(c), "adding input")


def _dot(c, e):
    c.macs(product(_named(c, 0)), "dot product", uncounted="aten.dot is not in FlopCounterMode's table")


def _outer(c, e):
    c.ops(_n_out(c), "products (nothing summed)")


def _einsum(c, e):
    """torch.einsum contracts its operands left to right, each pair as one bmm (FlopCounterMode counts it) or, with
    nothing to sum, an elementwise product (not counted: other ops)."""
    equation = e.args[0] if e.args and isinstance(e.args[0], str) else e.kwargs.get("equation")
    operands = [s for s in c.inputs]
    if not isinstance(equation, str) or not operands:
        return
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        return
    ell = "".join(chr(0x100 + i) for i in range(max(s.rank for s in operands)))
    letters = []
    for term, spec in zip(terms, operands):
        if "..." in term:
            n = spec.rank - (len(term) - 3)
            term = term.replace("...", ell[len(ell) - n:] if n else "")
        letters.append(term)
    if not arrow:
        counts = {}
        for t in letters:
            for ch in t:
                counts[ch] = counts.get(ch, 0) + 1
        rhs = "".join(sorted(ch for ch, n in counts.items() if n == 1 and ch < "\u0100"))
        rhs = "".join(ch for ch in ell if any(ch in t for t in letters)) + rhs
    elif "..." in rhs:
        n = max((len(t) - len(term.replace("...", "")) for t, term in zip(letters, terms)), default=0)
        rhs = rhs.replace("...", ell[len(ell) - n:] if n else "")
    size = {}
    for t, spec in zip(letters, operands):
        for ch, d in zip(t, _axes_of(c, spec)):
            if ch not in size or size[ch].value == 1:
                size[ch] = d
    current = letters[0]
    for k in range(1, len(letters)):
        other = letters[k]
        later = set(rhs).union(*letters[k + 1:]) if k + 1 < len(letters) else set(rhs)
        # a letter only one side has and nothing later needs is summed first (no product)
        left = "".join(ch for ch in dict.fromkeys(current) if ch in later or ch in other)
        right = "".join(ch for ch in dict.fromkeys(other) if ch in later or ch in left)
        summed = [ch for ch in left if ch in right and ch not in later]
        union = list(dict.fromkeys(left + right))
        if summed:
            c.macs(product(size[ch] for ch in union), f"'{equation}': a matrix product")
        else:
            c.ops(product(size[ch] for ch in union), f"'{equation}': elementwise products")
        current = "".join(ch for ch in union if ch in later)


#: Why FlopCounterMode on the CPU (not on the meta device) does not see some work: torch's fused kernels
CPU_FUSED_ATTENTION = ("on the CPU, with no dropout, torch runs a fused attention kernel (flash attention for CPU) "
                       "whose products FlopCounterMode does not count")
CPU_FUSED_LSTM = "on the CPU, torch runs a fused LSTM kernel whose products FlopCounterMode does not count"


def cpu_unseen(c, expr, why):
    """Work FlopCounterMode does not see when the model runs on the CPU (a fused kernel), though it does on the
    meta device: in the figures; the explanation says so and the tests allow for it on the CPU."""
    c.misses.append((expr, why, "cpu"))


def _sdpa_macs(c, q, k, v, what="attention", dropout=0.0):
    """QKᵀ and the weighted sum of the values: batch·heads·L·S·(E + Ev) multiply-accumulates."""
    lq, lk = _seq_names(q.shape[-2], k.shape[-2])
    lead = ("batch", "heads")[:q.rank - 2] if q.rank <= 4 else ("batch", *(f"dim{i}" for i in range(1, q.rank - 2)))
    dq = _axes_of(c, q, (*lead, lq, "head_dim"))
    dk = _axes_of(c, k, (*lead, lk, "head_dim"))
    dv = _axes_of(c, v, (*lead, lk, "value_dim"))
    lead, L, E = dq[:-2], dq[-2], dq[-1]
    S, Ev = dk[-2], dv[-1]
    qk, av = product((*lead, L, S, E)), product((*lead, L, S, Ev))
    c.macs(qk, f"{what}: queries × keys")
    c.macs(av, f"{what}: scores × values")
    if not dropout and q.rank == 4 and E.value == Ev.value:
        cpu_unseen(c, qk + av, CPU_FUSED_ATTENTION)
    c.ops(scaled(3, (*lead, L, S)), "softmax over the scores")
    c.ops(product((*lead, L, E)), "scaling the queries")


def _sdpa(c, e):
    if len(c.inputs) >= 3:
        dropout = _arg(e, 4, "dropout_p", 0.0)
        _sdpa_macs(c, c.inputs[0], c.inputs[1], c.inputs[2], dropout=dropout if isinstance(dropout, float) else 1)


def _mha(c, e):
    """nn.MultiheadAttention (F.multi_head_attention_forward): the three input projections, attention over
    num_heads heads of head_dim, the output projection."""
    m = e.module
    if m is None:
        return
    query, key, value = (e.args + (None, None, None))[:3]
    if query is None or key is None or value is None:
        return
    batched = query.rank == 3
    qa = _axes_of(c, query)
    src = ("batch", "key_len") if batched and m.batch_first else ("key_len", "batch") if batched else ("key_len",)
    ka, va = _axes_of(c, key, (*src, "kdim")), _axes_of(c, value, (*src, "vdim"))
    if batched and m.batch_first:
        batch, L, E = qa
        S, kdim, vdim = ka[1], ka[2], va[2]
    elif batched:
        L, batch, E = qa
        S, kdim, vdim = ka[0], ka[2], va[2]
    else:
        (L, E), batch = qa, None
        S, kdim, vdim = ka[0], ka[1], va[1]
    b = (batch,) if batch is not None else ()
    embed = Known(m.embed_dim, "embed_dim")
    c.macs(product((*b, L, E, embed)), "query projection")
    c.macs(product((*b, S, kdim, embed)), "key projection")
    c.macs(product((*b, S, vdim, embed)), "value projection")
    extra = int(m.bias_k is not None) + int(m.add_zero_attn)
    S_eff = S + Known(extra) if extra else S
    heads = Known(m.num_heads, "num_heads")
    head_dim = Known(m.head_dim, "head_dim")
    attention = product((*b, heads, L, S_eff, head_dim))
    c.macs(attention, "attention: queries × keys")
    c.macs(attention, "attention: scores × values")
    need_weights = _arg(e, 4, "need_weights", True)
    if not need_weights and not (m.dropout and m.training):  # torch then calls scaled_dot_product_attention
        cpu_unseen(c, Known(2) * attention, CPU_FUSED_ATTENTION)
    c.macs(product((*b, L, embed, embed)), "output projection")
    if m.in_proj_bias is not None:
        c.ops(product((*b, L, embed)) + scaled(2, (*b, S, embed)), "projection bias adds")
    c.ops(scaled(3, (*b, heads, L, S_eff)), "softmax over the scores")
    c.ops(product((*b, L, embed)), "scaling the queries")
    if m.out_proj.bias is not None:
        c.ops(product((*b, L, embed)), "output bias add")


_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _rnn(c, e):
    """RNN, LSTM, GRU: at every timestep of every layer and direction, the input and the previous hidden state
    times their gate weights (and LSTM's projection with proj_size)."""
    m = e.module
    if m is None:
        return
    x = c.inputs[0]
    axes = _named(c, 0)
    if x.rank == 3:
        steps, batch = (axes[1], axes[0]) if m.batch_first else (axes[0], axes[1])
        lead = (batch, steps)
    else:
        lead = (axes[0],)
    g = _GATES[m.mode]
    gates = Known(g, "gates") if g > 1 else None
    h = Known(m.hidden_size, "hidden_size")
    real = Known(m.proj_size, "proj_size") if m.proj_size else h
    directions = 2 if m.bidirectional else 1
    for layer in range(m.num_layers):
        n_in = axes[-1] if layer == 0 else (Known(directions) * real if directions > 1 else real)
        for _ in range(directions):
            gate_dims = (gates, h) if gates is not None else (h,)
            c.macs(product((*lead, n_in, *gate_dims)), f"layer {layer}: input × weight_ih")
            c.macs(product((*lead, real, *gate_dims)), f"layer {layer}: hidden state × weight_hh")
            if m.proj_size:
                c.macs(product((*lead, h, real)), f"layer {layer}: projection (weight_hr)")
            per_unit = (2 * bool(m.bias) + 2) * g + (4 if g > 1 else 0) + (1 if g == 3 else 0)
            c.ops(scaled(per_unit, (*lead, h)), "bias adds, adding the two products, the activations, the state "
                                                "update")
    if m.mode == "LSTM":
        cpu_unseen(c, _sum(x for kind, x, _ in c.terms if kind == "macs"), CPU_FUSED_LSTM)


def _rnn_cell(c, e):
    m = e.module
    if m is None:
        return
    axes = _named(c, 0)
    lead, n_in = axes[:-1], axes[-1]
    g = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}[type(m).__name__]
    h = Known(m.hidden_size, "hidden_size")
    gate_dims = (Known(g, "gates"), h) if g > 1 else (h,)
    c.macs(product((*lead, n_in, *gate_dims)), "input × weight_ih")
    c.macs(product((*lead, h, *gate_dims)), "hidden state × weight_hh")
    per_unit = (2 * bool(m.bias) + 2) * g + (4 if g > 1 else 0) + (1 if g == 3 else 0)
    c.ops(scaled(per_unit, (*lead, h)), "bias adds, adding the two products, the activations, the state update")


def _spectral_norm(c, e):
    """weight / σ: power iteration (two matrix-vector products per iteration while training) and σ = u·(W v)."""
    m = e.module
    weight = c.inputs[0]
    if m is None or weight.rank < 2:
        c.ops(scaled(3, weight.shape), "normalizing")
        return
    n = product(weight.shape)
    iterations = m.n_power_iterations if m.training else 0
    mv = "aten.mv and aten.vdot are not in FlopCounterMode's table: it reports 0"
    if iterations:
        c.macs(scaled(2 * iterations, weight.shape), f"power iteration: {2 * iterations} matrix-vector products",
               uncounted=mv)
        c.ops(scaled(3 * iterations, (m._u.spec.shape[0] + m._v.spec.shape[0],)), "normalizing u and v")
    c.macs(n + weight.shape[m.dim], "σ = u · (weight v)", uncounted=mv)
    c.ops(n, "dividing by σ")


def _weight_norm(c, e):
    c.ops(scaled(3, c.outputs[0].shape), "g · v / ‖v‖")


#: ops whose work shapewise cannot know from shapes, and why
UNKNOWN = {"_orthogonal": "matrix_exp's number of matrix products depends on the weight's values"}


# --------------------------------------------------------------------------------------------------------------
# Elementwise work: other ops


def _per_out(k, what):
    def cost(c, e):
        if c.outputs:
            c.ops(scaled(k, _out(c)) if k != 1 else _n_out(c), what)
    return cost


def _per_in(k, what):
    def cost(c, e):
        if c.inputs:
            c.ops(scaled(k, _named(c, 0)) if k != 1 else product(_named(c, 0)), what)
    return cost


def _none(c, e):
    """Moves, views, copies, creation and indexing: no arithmetic."""


#: where the functional normalizations take their weight and bias by position
_NORM_AFFINE = {"batch_norm": (3, 4), "instance_norm": (3, 4), "layer_norm": (2, 3), "group_norm": (2, 3),
                "rms_norm": (2, None)}


def _norm(base, what):
    def cost(c, e):
        m = e.module
        if m is not None:
            params = m.__dict__["_parameters"]
            affine = (params.get("weight") is not None) + (params.get("bias") is not None)
        else:
            positions = _NORM_AFFINE.get(e.op, (None, None))
            affine = sum(1 for name, pos in zip(("weight", "bias"), positions)
                         if hasattr(_arg(e, pos, name), "shape"))
        c.ops(scaled(base + affine, _named(c, 0)), what)
    return cost


def _pool(c, e):
    m = e.module
    size = getattr(m, "kernel_size", None) if m is not None else _arg(e, 1, "kernel_size")
    if size is None or not c.outputs:
        return
    out = _out(c)
    rank = len(size) if isinstance(size, (tuple, list)) else None
    if rank is None:
        op = e.op
        rank = int(op[-2]) if op[-2].isdigit() else 1
        size = (size,) * rank
    window = 1
    for s in size:
        window *= s
    c.ops(scaled(window, out), f"over each {'×'.join(map(str, size))} window")


def _interpolate(c, e):
    m = e.module
    mode = getattr(m, "mode", None) if m is not None else _arg(e, 3, "mode", "nearest")
    axes = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode, 0)  # interpolated axes
    if axes and c.outputs:  # (nearest: values are copied)
        c.ops(scaled(2 * axes, _out(c)), f"{mode} interpolation: 2 per interpolated axis")


def _embedding_bag(c, e):
    c.ops(product(_named(c, 0)) * Known(e.module.embedding_dim if e.module is not None else 1),
          "summing the looked-up rows")


_ELEMENTWISE = (
    "abs abs_ neg neg_ negative positive sign signbit floor ceil round trunc frac sqrt sqrt_ rsqrt exp exp_ exp2 "
    "expm1 log log2 log10 log1p sin cos tan tanh tanh_ asin acos atan sinh cosh asinh acosh atanh sigmoid sigmoid_ "
    "erf erfc erfinv reciprocal square relu relu_ isnan isinf isfinite isneginf isposinf logical_not bitwise_not "
    "add add_ sub sub_ rsub mul mul_ multiply div div_ divide true_divide floor_divide pow pow_ remainder "
    "remainder_ fmod fmod_ atan2 hypot maximum minimum fmax fmin eq ne lt le gt ge greater greater_equal less "
    "less_equal not_equal logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor bitwise_and_ "
    "bitwise_or_ clamp clamp_ clip where masked_fill masked_fill_ lerp subtract "
    "relu6 leaky_relu leaky_relu_ elu elu_ selu celu gelu silu mish hardtanh hardsigmoid hardswish softplus "
    "softsign softshrink hardshrink tanhshrink threshold logsigmoid prelu rrelu"
).split()
_REDUCTIONS = ("sum mean nanmean nansum prod std var amax amin max min argmax argmin all any norm cumsum cumprod "
               "topk sort argsort kthvalue median mode aminmax cummax cummin").split()
_NO_WORK = (
    "getitem setitem view view_as reshape reshape_as flatten unflatten ravel permute transpose transpose_ t T mT "
    "movedim swapaxes swapdims squeeze squeeze_ unsqueeze unsqueeze_ expand expand_as broadcast_to contiguous "
    "clone detach detach_ cpu cuda to type type_as float double half bfloat16 int long short bool byte char "
    "pin_memory share_memory_ cat concat concatenate stack hstack vstack split chunk unbind narrow select "
    "index_select gather masked_select repeat repeat_interleave tile roll flip tril tril_ triu triu_ zero_ "
    "new_empty new_full new_ones new_zeros zeros_like ones_like full_like eye linspace diag diagonal numel "
    "nonzero multinomial bernoulli one_hot pad pixel_shuffle pixel_unshuffle channel_shuffle unfold fold "
    "embedding identity dropout dropout1d dropout2d dropout3d alpha_dropout feature_alpha_dropout "
    "max_unpool1d max_unpool2d max_unpool3d view_as_real view_as_complex complex polar triu_indices tril_indices "
    "meshgrid cartesian_prod scatter scatter_add searchsorted bucketize unique diff trace affine_grid grid_sample"
).split()

OP_COSTS = {name: _per_out(1, "elementwise") for name in _ELEMENTWISE}
OP_COSTS.update({name: _per_in(1, "reduction over the input") for name in _REDUCTIONS})
OP_COSTS.update({name: _none for name in _NO_WORK})
OP_COSTS.update({
    "linear": _linear, "bilinear": _bilinear, "matmul": _matmul, "mm": _mm, "bmm": _mm, "addmm": _addmm,
    "baddbmm": _addmm, "dot": _dot, "outer": _outer, "kron": _outer,
    "einsum": _einsum, "conv1d": _conv(False), "conv2d": _conv(False), "conv3d": _conv(False),
    "conv_transpose1d": _conv(True), "conv_transpose2d": _conv(True), "conv_transpose3d": _conv(True),
    "scaled_dot_product_attention": _sdpa, "multi_head_attention_forward": _mha, "rnn": _rnn, "lstm": _rnn,
    "gru": _rnn, "rnn_cell": _rnn_cell, "lstm_cell": _rnn_cell, "gru_cell": _rnn_cell,
    "softmax": _per_in(3, "softmax: exp, sum, divide"), "log_softmax": _per_in(3, "log_softmax: exp, sum, log"),
    "softmin": _per_in(3, "softmin: exp, sum, divide"), "gumbel_softmax": _per_in(3, "softmax: exp, sum, divide"),
    "logsumexp": _per_in(3, "exp, sum, log"), "glu": _per_out(2, "sigmoid, multiply"),
    "batch_norm": _norm(4, "mean, variance, subtract, divide (+ scale, shift)"),
    "instance_norm": _norm(4, "mean, variance, subtract, divide (+ scale, shift)"),
    "layer_norm": _norm(4, "mean, variance, subtract, divide (+ scale, shift)"),
    "group_norm": _norm(4, "mean, variance, subtract, divide (+ scale, shift)"),
    "rms_norm": _norm(3, "mean of squares, root, divide (+ scale)"),
    "local_response_norm": _per_in(3, "sum of squares over neighbouring channels, scale, divide"),
    "normalize": _per_in(3, "norm, divide"), "cosine_similarity": _per_in(3, "products, norms, divide"),
    "pairwise_distance": _per_in(3, "difference, square, sum"), "cdist": _per_out(1, "distances"),
    "max_pool1d": _pool, "max_pool2d": _pool, "max_pool3d": _pool, "avg_pool1d": _pool, "avg_pool2d": _pool,
    "avg_pool3d": _pool, "lp_pool1d": _pool, "lp_pool2d": _pool, "lp_pool3d": _pool,
    "fractional_max_pool2d": _per_in(1, "max over each window"),
    "fractional_max_pool3d": _per_in(1, "max over each window"),
    "adaptive_avg_pool1d": _per_in(1, "adaptive pooling"), "adaptive_avg_pool2d": _per_in(1, "adaptive pooling"),
    "adaptive_avg_pool3d": _per_in(1, "adaptive pooling"), "adaptive_max_pool1d": _per_in(1, "adaptive pooling"),
    "adaptive_max_pool2d": _per_in(1, "adaptive pooling"), "adaptive_max_pool3d": _per_in(1, "adaptive pooling"),
    "_spectralnorm": _spectral_norm, "_weightnorm": _weight_norm, "interpolate": _interpolate, "upsample": _interpolate, "embedding_bag": _embedding_bag,
    "cross_entropy": _per_in(4, "log_softmax (3), picking and averaging"),
    "nll_loss": _per_in(1, "picking and averaging"), "mse_loss": _per_in(3, "difference, square, reduction"),
    "l1_loss": _per_in(3, "difference, abs, reduction"), "smooth_l1_loss": _per_in(3, "difference, loss, reduction"),
    "huber_loss": _per_in(3, "difference, loss, reduction"),
    "binary_cross_entropy": _per_in(3, "logs, products, reduction"),
    "binary_cross_entropy_with_logits": _per_in(4, "sigmoid, logs, products, reduction"),
    "kl_div": _per_in(3, "log, product, reduction"), "cross": _per_out(3, "cross product: two products, a difference"),
})


# --------------------------------------------------------------------------------------------------------------
# Per event, per module, per model


class _Rule:
    """What Cost and dependence_text read of a module's rule context, with the module's weights: the input axes
    no weight's shape mentions are those the work can grow with freely."""

    __slots__ = ("ctx", "module", "weights")

    def __init__(self, ctx, module):
        self.ctx = ctx
        self.module = module
        self.weights = [p for p in module.__dict__["_parameters"].values() if p is not None]

    @property
    def axes(self):
        return self.ctx.axes

    def bound_axes(self):
        return self.ctx.bound_axes()

    @property
    def derived(self):
        return self.ctx.derived

    def free_axes(self):
        bound = self.ctx.bound_axes()
        bound_roles = {a.role for axes in bound for a in axes}
        roles = set()
        for p in self.weights:
            mine = {getattr(d, "role", None) for d in p.spec.shape} - {None}
            roles |= mine
            if not mine & bound_roles:  # a weight tied from another module: its dims carry that module's names
                sizes = {d.value for d in p.spec.shape}
                roles |= {a.role for axes in bound for a in axes[-1:] if a.value in sizes}
        return [a for axes in bound for a in axes if a.role not in roles]


class EventCost:
    """One event's figures: MACs and other ops (expressions and values), and its sentences."""

    __slots__ = ("cpu_unseen", "declared", "macs", "macs_expr", "misses", "notes", "ops", "ops_expr", "text",
                 "ops_text", "uncounted")


def event_cost(e):
    """The figures of one OpEvent."""
    ctx = _Rule(e.ctx, e.module) if e.ctx is not None and e.module is not None else None
    c = Cost(e.module, ctx, list(e.inputs), list(e.outputs), e.kwargs)
    c.args = e.args
    fn = OP_COSTS.get(e.op)
    r = EventCost()
    r.declared = fn is not None
    if fn is not None:
        fn(c, e)
    macs_terms = _grouped([(x, w) for k, x, w in c.terms if k == "macs"])
    ops_terms = _grouped([(x, w) for k, x, w in c.terms if k == "ops"])
    r.macs_expr = _sum(x for x, _ in macs_terms)
    r.ops_expr = _sum(x for x, _ in ops_terms)
    r.macs = evaluate(r.macs_expr, None) if macs_terms else 0
    r.ops = evaluate(r.ops_expr, None) if ops_terms else 0
    counter = [(x, w, sign) for x, w, sign in c.misses if sign != "cpu"]
    cpu = [(x, w) for x, w, sign in c.misses if sign == "cpu"]
    misses = [evaluate(x, None) for x, _, _ in counter]
    r.uncounted = None if None in misses else 2 * sum(v * sign for v, (_, _, sign) in zip(misses, counter))
    r.misses = sorted({w for _, w, _ in counter})
    cpu_values = [evaluate(x, None) for x, _ in cpu]
    r.cpu_unseen = None if None in cpu_values else -2 * sum(cpu_values)  # (FLOPs, as uncounted: negative)
    r.notes = list(c.notes)
    r.text = r.ops_text = None
    if macs_terms:
        value = f"{fmt_int(2 * r.macs)} FLOPs" if r.macs is not None else "FLOPs: a formula in the unknown dims"
        whats = ", ".join(dict.fromkeys(w for _, w in macs_terms))
        r.text = f"{_twice(r.macs_expr)} = {value} ({whats}); {dependence_text(r.macs_expr, c)}"
        if cpu:
            seen = f"{fmt_int(2 * r.macs + r.cpu_unseen)} FLOPs there" if r.cpu_unseen is not None and \
                r.macs is not None else "fewer"
            r.text += (f". {'; '.join(sorted({w for _, w in cpu}))}: it reports {seen} (on the meta device it counts"
                       " them)")
        if counter:
            why = "; ".join(r.misses)
            if r.macs is not None and r.uncounted is not None:
                seen = fmt_int(2 * r.macs + r.uncounted)
                diff = (f"does not see {fmt_int(-r.uncounted)} of these FLOPs" if r.uncounted < 0 else
                        f"counts {fmt_int(r.uncounted)} FLOPs more")
            else:
                seen, diff = "a different figure", "differs"
            r.text += f". torch's FlopCounterMode {diff} ({why}): it reports {seen}"
    if ops_terms:
        whats = ", ".join(dict.fromkeys(w for _, w in ops_terms))
        names, numbers = r.ops_expr.names(), r.ops_expr.numbers()
        formula = names if names == numbers else f"{names} = {numbers}"
        value = fmt_int(r.ops) if r.ops is not None else "a formula in the unknown dims"
        r.ops_text = f"other ops {formula} = {value} ({whats})"
    return r


def _grouped(terms):
    """Terms with the same formula (a self-attention's query, key, value and output projections) as one, times
    their number: ``4·batch·target_len·embed_dim·embed_dim``."""
    groups = {}
    for x, what in terms:
        key = (x.names(), x.numbers())
        if key in groups:
            groups[key][1] += 1
            groups[key][2].append(what)
        else:
            groups[key] = [x, 1, [what]]
    out = []
    for x, n, whats in groups.values():
        out.append((product((Known(n), *_factors(x))) if n > 1 else x, ", ".join(dict.fromkeys(whats))))
    return out


def _factors(x):
    """The factors of a product expression, flattened (``a·b·c``), so that ``4·a·b·c`` renders without brackets."""
    if type(x) is _Prod:
        return (*_factors(x.left), *_factors(x.right))
    return (x,)


def _add(a, b):
    return None if a is None or b is None else a + b


class TorchLayerCompute(LayerCompute):
    """A module's figures over all its calls, with its children's (``flops``, as FlopCounterMode's module breakdown
    counts) and its own events' alone (``own_flops``)."""

    __slots__ = ("calls", "cpu_unseen_flops", "own_flops", "own_macs", "own_other_ops")

    def to_json(self):
        return {"flops": self.flops, "macs": self.macs, "other_ops": self.other_ops}


class TorchModelCompute:
    """The figures of a PyTorch model: per row and for the root's calls (``compute``: DESIGN.md's object)."""

    __slots__ = ("compute", "counter_diff", "cpu_unseen", "flops_formula", "root", "rows", "undeclared")

    def compute_json(self):
        return dict(self.compute)


def _calls_of(module):
    return module.__dict__.get("_sw_rec_calls") or []


def _batch_of(root):
    calls = _calls_of(root)
    if not calls or not calls[0].inputs:
        return None
    shape = calls[0].inputs[0].shape
    return shape[0].value if shape else None


def model_compute(report):
    """The compute of a TorchModelReport's model from the events recorded while it ran (None: no call recorded)."""
    root = report.root
    root_calls = _calls_of(root)
    if not root_calls:
        return None
    batch = _batch_of(root)
    cache = {}

    def cost(e):
        got = cache.get(id(e))
        if got is None:
            got = cache[id(e)] = event_cost(e)
        return got

    def totals(events):
        macs = ops = 0
        diff = cpu = 0
        exprs = []
        undeclared = []
        for e in events:
            r = cost(e)
            if not r.declared:
                undeclared.append(e.op)
                continue
            macs, ops, diff, cpu = _add(macs, r.macs), _add(ops, r.ops), _add(diff, r.uncounted), \
                _add(cpu, r.cpu_unseen)
            exprs.append(r.macs_expr)
        return macs, ops, (diff, cpu), exprs, undeclared

    def layer(m):
        calls = _calls_of(m)
        lc = TorchLayerCompute()
        lc.calls = len(calls)
        own = [e for call in calls for e in call.events]
        every = [e for call in calls for e in call.walk_events()]
        macs, ops, diff, _, undeclared = totals(every)
        o_macs, o_ops, _, _, _ = totals(own)
        lc.macs, lc.other_ops = macs, ops
        lc.flops = None if macs is None else 2 * macs
        lc.own_macs, lc.own_other_ops = o_macs, o_ops
        lc.own_flops = None if o_macs is None else 2 * o_macs
        lc.uncounted_flops, lc.cpu_unseen_flops = diff
        lc.activation_bytes = None
        lc.declared = not undeclared
        lc.macs_expr, lc.ops_expr = [], []
        lc.text, lc.ops_text, lc.saved_text = _texts(own, cost, every, lc, bool(m.__dict__["_modules"]),
                                                     undeclared), [], []
        return lc

    rows = [layer(row._module) for row in report.layers]
    every = [e for call in root_calls for e in call.walk_events()]
    macs, ops, diff, exprs, undeclared = totals(every)
    mc = TorchModelCompute()
    mc.rows = rows
    mc.root = layer(root)
    mc.counter_diff, mc.cpu_unseen = diff
    mc.undeclared = sorted(set(undeclared))
    mc.compute = {"batch": batch, "flops": None if macs is None else 2 * macs, "macs": macs, "other_ops": ops}
    mc.flops_formula = None
    if macs is None:
        names = {}
        mc.flops_formula = _global_text(Known(2) * _sum(exprs), None, names)
        mc.compute["flops_formula"] = mc.flops_formula
    return mc


def _texts(own, cost, every, lc, has_children, undeclared):
    """The explanation's compute sentences of a module: each own op's formula (identical calls once, with their
    count), then what its submodules add."""
    lines = []
    seen = {}
    for e in own:
        r = cost(e)
        label = "" if e.module is not None else f"{e.op}: "
        for text in (r.text, r.ops_text, *r.notes):
            if text:
                key = label + text
                seen[key] = seen.get(key, 0) + 1
    for key, n in seen.items():
        lines.append(key if n == 1 else f"{key} (× {n})")
    if has_children and len(every) > len(own):
        flops = "open" if lc.flops is None else f"{fmt_int(lc.flops)} FLOPs"
        own_flops = "open" if lc.own_flops is None else fmt_int(lc.own_flops)
        ops = "open" if lc.other_ops is None else fmt_int(lc.other_ops)
        lines.append(f"with its submodules: {flops} ({readable_flops(lc.flops)}), {own_flops} of them its own; "
                     f"other ops {ops}" if lc.flops is not None and lc.flops >= 1000 else
                     f"with its submodules: {flops}, {own_flops} of them its own; other ops {ops}")
    if undeclared:
        lines.append("not counted: " + "; ".join(
            f"{op} ({UNKNOWN[op]})" if op in UNKNOWN else f"{op} (shapewise has no cost for it)"
            for op in sorted(set(undeclared))))
    if not lines and lc.calls:
        lines.append("no arithmetic: it only moves values")
    if not lc.calls:
        lines.append("not called: no work")
    return lines


__all__ = ["OP_COSTS", "TorchLayerCompute", "TorchModelCompute", "event_cost", "model_compute"]
