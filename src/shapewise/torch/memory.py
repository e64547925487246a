"""The memory of one training step of a PyTorch model, derived from the op events of its first recorded call.

What each op keeps for the backward pass is declared once per op (``SAVES[name](s, e)``), as torch 2.13's autograd
keeps it on the CPU (tools/autograd/derivatives.yaml, checked by measurement in tests/test_torch_compute_memory.py
with ``torch.autograd.graph.saved_tensors_hooks``): a Linear its input, a ReLU its output, Dropout its noise mask,
BatchNorm its input and two per-channel statistics, a convolution its input, max pooling its input and an int64
index per output, and so on (the table is in docs/COMPUTE.md, PyTorch section). A declaration names either a tensor
the op received or made (``s.keep(spec)``: its *storage* is kept, so a view or an in-place result costs nothing
new when its base is already kept) or a tensor of its own (``s.new(n, kind)``: a mask, statistics, a copy).

The walk over the events tracks, for every tensor (Spec), its storage (views and in-place ops share their input's;
a reshape of a non-contiguous tensor copies, which is why strides are followed), whether it requires a gradient
(from a trainable parameter; an op whose inputs need none keeps nothing) and whether its graph is still held at
the end of the call (an op whose output does not lead to the call's outputs is freed with its graph and keeps
nothing). Each storage is counted once, parameters and buffers never, and attributed to the innermost module whose
call made the op.

Figures are at ``--dtype``: floating tensors at its size (float32 4 bytes, bfloat16/float16 2; ``mixed``:
float32 parameters, gradients and optimizer state, 16-bit activations), integer and bool tensors at their own.
"""

from __future__ import annotations

import math

from ..compute import Settings
from ..dims import fmt_int

# --------------------------------------------------------------------------------------------------------------
# Sizes

_INT_BYTES = {"int64": 8, "int32": 4, "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 8,
              "complex128": 16, "float64": 8}


def _numel(spec):
    n = 1
    for d in spec.shape:
        v = d.value
        if v is None:
            return None
        n *= v
    return n


def _floating(dtype):
    return dtype in ("float32", "float16", "bfloat16", "float64")


def elem_bytes(kind, settings):
    """Bytes of one element of a tensor of ``kind`` (a dtype name, or "act": the compute dtype; "fp32": float32
    whatever the compute dtype, as a kernel that accumulates in float32 keeps it)."""
    if kind == "fp32":
        return 4
    if kind == "act" or kind in ("float32", "float16", "bfloat16"):
        return settings.act_bytes
    return _INT_BYTES.get(kind, settings.act_bytes)


# --------------------------------------------------------------------------------------------------------------
# Strides: which reshapes are views (torch's computeStride) and which copy


def _contiguous_strides(shape):
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def _view_strides(old_shape, old_strides, new_shape):
    """The strides of ``new_shape`` viewing a tensor of ``old_shape``/``old_strides``, or None where no view exists
    (torch's at::detail::computeStride)."""
    numel = math.prod(old_shape)
    if numel == 0 or not old_shape:
        return _contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = 1
    view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_strides[d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def _is_contiguous(shape, strides):
    expected = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1 and s != expected:
            return False
        expected *= n
    return True


# --------------------------------------------------------------------------------------------------------------
# The walk


class _Tensor:
    """What the walk knows of one Spec: its storage, strides, whether it needs a gradient."""

    __slots__ = ("grad", "storage", "strides")

    def __init__(self, storage, strides, grad):
        self.storage, self.strides, self.grad = storage, strides, grad


class _Saver:
    """What a declaration writes to: the event, and the tensors it keeps."""

    def __init__(self, walk, e, before):
        self.walk = walk
        self.e = e
        self.before = before  # the inputs' _Tensor before the op ran (an output may reuse an input's Spec)
        self.kept = []  # (storage key or None, bytes, what)

    def _info(self, spec, output=False):
        if not output:
            for s, t in zip(self.e.inputs, self.before):
                if s is spec:
                    return t
        return self.walk.info(spec)

    # --- reading the event ---------------------------------------------------------------------------------
    def inp(self, i=0):
        ins = self.e.inputs
        return ins[i] if i < len(ins) else None

    def out(self, i=0):
        outs = self.e.outputs
        return outs[i] if i < len(outs) else None

    def arg(self, position, name, default=None):
        e = self.e
        if name in e.kwargs:
            return e.kwargs[name]
        if position is not None and position < len(e.args):
            return e.args[position]
        return default

    def grad(self, spec):
        return spec is not None and hasattr(spec, "shape") and self._info(spec).grad

    def weight_trains(self, name="weight", position=1):
        """Whether the op's weight gets a gradient: the module's parameter, or the functional op's argument."""
        m = self.e.module
        if m is not None:
            p = m.__dict__["_parameters"].get(name)
            plist = _parametrization(m, name) if p is None else None
            if plist is not None:  # computed from its originals
                return any(q.requires_grad for q in plist.parameters())
            return p is not None and bool(p.requires_grad)
        return self.grad(self.arg(position, name))

    def input_needs_grad(self, i=0):
        return self.grad(self.inp(i))

    def contiguous(self, spec):
        shape = tuple(d.value for d in spec.shape)
        return None in shape or _is_contiguous(shape, self._info(spec).strides)

    # --- declaring -----------------------------------------------------------------------------------------
    def keep(self, spec, what, output=False):
        """``spec``'s storage is kept for the backward pass (``output``: the op's result, else the input)."""
        if spec is None or not hasattr(spec, "shape"):
            return
        info = self._info(spec, output)
        self.kept.append((info.storage, self.walk.storage_bytes.get(info.storage), what))

    def keep_or_copy(self, spec, what, matrix=False):
        """A matmul operand: kept as it is when torch can view it as a batch of matrices (``matrix``: as one
        matrix, as a Linear folds its input), else as the contiguous copy torch makes of it."""
        if spec is None or not hasattr(spec, "shape"):
            return
        if spec.rank <= 2 or self.contiguous(spec) or self._batch_viewable(spec, matrix):
            self.keep(spec, what)
        else:
            self.new(_numel(spec), spec.dtype, what + " (a contiguous copy)")

    def _batch_viewable(self, spec, matrix=False):
        shape = tuple(d.value for d in spec.shape)
        if None in shape:
            return True
        lead = (math.prod(shape[:-1]), shape[-1]) if matrix else (math.prod(shape[:-2]),) + shape[-2:]
        return _view_strides(shape, self._info(spec).strides, lead) is not None

    def new(self, n, kind, what):
        """A tensor of its own of ``n`` elements of ``kind`` (a dtype name or "act")."""
        if n is None:
            self.kept.append((None, None, what))
            return
        self.kept.append((None, n * elem_bytes(_kind(kind), self.walk.settings), what))


def _kind(dtype):
    return "act" if dtype is None or _floating(dtype) else dtype


_NO_GRAD = frozenset(
    ["argmax", "argmin", "argsort", "eq", "ne", "gt", "ge", "lt", "le", "logical_and", "logical_or", "logical_not", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf", "isfinite", "isneginf", "isposinf", "signbit", "detach", "sign", "round", "floor", "ceil", "trunc", "one_hot", "randint_like", "zeros_like", "ones_like", "empty_like", "rand_like", "randn_like", "full_like", "new_zeros", "new_ones", "new_empty", "new_full", "zero_", "eye", "arange", "linspace", "zeros", "ones", "full", "randn", "rand", "empty", "tensor", "randint", "floor_divide", "remainder"])


class _Walk:
    def __init__(self, root, call, settings):
        self.root = root
        self.call = call
        self.settings = settings
        self.tensors = {}  # id(spec) -> _Tensor
        self.storage_bytes = {}  # storage key -> bytes
        self._next = 0
        self.params = {}  # id(spec) -> parameter tensor
        excluded = set()
        for p in root.parameters():
            key = self._storage(p.spec)
            excluded.add(key)
            self.params[id(p.spec)] = p
            self.tensors[id(p.spec)] = _Tensor(key, _contiguous_strides(_shape(p.spec)), bool(p.requires_grad))
        for b in root.buffers():
            key = self._storage(b.spec)
            excluded.add(key)
            self.tensors[id(b.spec)] = _Tensor(key, _contiguous_strides(_shape(b.spec)), False)
        self.excluded = excluded

    def _storage(self, spec, n=None):
        key = self._next
        self._next += 1
        n = _numel(spec) if n is None else n
        self.storage_bytes[key] = None if n is None else n * elem_bytes(_kind(spec.dtype), self.settings)
        sparse = _sparse_parts(spec)
        if sparse is not None:  # a sparse COO tensor stores its indices and values, not its dense shape
            indices, values = sparse
            ni, nv = _numel(indices), _numel(values)
            self.storage_bytes[key] = None if ni is None or nv is None else \
                ni * 8 + nv * elem_bytes(_kind(values.dtype), self.settings)
        return key

    def info(self, spec):
        t = self.tensors.get(id(spec))
        if t is None:  # a tensor made outside any recorded op (a model input, a constant)
            t = self.tensors[id(spec)] = _Tensor(self._storage(spec), _contiguous_strides(_shape(spec)), False)
        return t

    def produce(self, e, grad):
        """The outputs of ``e``: views and in-place results share their input's storage. The front end may hand
        back an input's Spec object as an op's result (``x + y`` of equal shapes): it is a new tensor all the same,
        and the Spec stands for the newest from then on."""
        op = e.op
        base = e.inputs[0] if e.inputs else None
        inplace = _inplace(e)
        for k, out in enumerate(e.outputs):
            g = grad and (_floating(out.dtype) or out.dtype.startswith("complex"))
            shape = _shape(out)
            if base is not None and (inplace or op in _VIEW_SAME):
                b = self.info(base)
                strides = b.strides if len(b.strides) == len(shape) else _contiguous_strides(shape)
                self.tensors[id(out)] = _Tensor(b.storage, strides, g or (b.grad and inplace))
                continue
            if base is not None and op in _VIEWS:
                strides = _VIEWS[op](self, e, base, k, shape)
                if strides is not None:
                    self.tensors[id(out)] = _Tensor(self.info(base).storage, strides, g)
                    continue
            self.tensors[id(out)] = _Tensor(self._storage(out), _contiguous_strides(shape), g)


def _shape(spec):
    return tuple(1 if d.value is None else d.value for d in spec.shape)


def _sparse_parts(spec):
    """(indices, values) Specs of a sparse COO tensor made by torch.sparse_coo_tensor, else None."""
    import sys

    ops = sys.modules.get("shapewise.ops.torch_ops")  # (only loaded once a torch function has run)
    got = ops.SPARSE.get(id(spec)) if ops is not None else None
    return got[1:] if got is not None and got[0] is spec else None


def _inplace(e):
    op = e.op
    if op.endswith("_") and not op.endswith("__"):
        return True
    if e.module is not None:
        return bool(getattr(e.module, "inplace", False))
    return bool(e.kwargs.get("inplace", False))


# --- views -------------------------------------------------------------------------------------------------------

#: ops whose output is the input itself or a view with the same layout
_VIEW_SAME = frozenset({"detach", "identity", "requires_grad_"})


def _reshape_view(walk, e, base, k, shape):
    b = walk.info(base)
    return _view_strides(_shape(base), b.strides, shape)


def _perm_view(order_fn):
    def view(walk, e, base, k, shape):
        b = walk.info(base)
        order = order_fn(e, len(b.strides))
        if order is None or len(order) != len(b.strides):
            return None
        return tuple(b.strides[i] for i in order)
    return view


def _norm_dim(d, rank):
    return d + rank if d < 0 else d


def _transpose_order(e, rank):
    args = e.args[1:]
    d0 = e.kwargs.get("dim0", args[0] if len(args) > 0 else None)
    d1 = e.kwargs.get("dim1", args[1] if len(args) > 1 else None)
    if not isinstance(d0, int) or not isinstance(d1, int):
        return None
    order = list(range(rank))
    a, b = _norm_dim(d0, rank), _norm_dim(d1, rank)
    order[a], order[b] = order[b], order[a]
    return order


def _t_order(e, rank):
    return list(range(rank))[::-1] if rank <= 2 else None


def _mT_order(e, rank):
    order = list(range(rank))
    if rank >= 2:
        order[-1], order[-2] = order[-2], order[-1]
    return order


def _permute_order(e, rank):
    dims = e.args[1:] if len(e.args) > 1 else e.kwargs.get("dims", ())
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    dims = list(e.kwargs.get("dims", dims))
    if not all(isinstance(d, int) for d in dims):
        return None
    return [_norm_dim(d, rank) for d in dims]


def _expand_view(walk, e, base, k, shape):
    b = walk.info(base)
    old = _shape(base)
    lead = len(shape) - len(old)
    out = []
    for i, n in enumerate(shape):
        j = i - lead
        if j < 0 or (old[j] == 1 and n != 1):
            out.append(0)
        else:
            out.append(b.strides[j])
    return tuple(out)


def _split_view(walk, e, base, k, shape):
    """split/chunk/unbind/narrow/select/getitem: a slice of the input, strides of the input (less a dim removed)."""
    b = walk.info(base)
    old = _shape(base)
    if len(shape) == len(old):
        return b.strides
    if len(shape) == len(old) - 1 and e.op in ("unbind", "select"):
        dim = _norm_dim(e.kwargs.get("dim", e.args[1] if len(e.args) > 1 else 0), len(old))
        return tuple(s for i, s in enumerate(b.strides) if i != dim)
    return None


def _getitem_view(walk, e, base, k, shape):
    """Basic indexing (ints, slices, None, ...) is a view; a tensor or list index copies."""
    key = e.args[1] if len(e.args) > 1 else None
    parts = key if isinstance(key, tuple) else (key,)
    if any(hasattr(p, "shape") or isinstance(p, list) for p in parts):
        return None
    b = walk.info(base)
    old = _shape(base)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    strides = []
    dim = 0
    for p in parts:
        if p is None:
            strides.append(0)
        elif p is Ellipsis:
            for _ in range(max(len(old) - consumed, 0)):
                strides.append(b.strides[dim])
                dim += 1
        elif isinstance(p, slice):
            step = p.step if isinstance(p.step, int) else 1
            strides.append(b.strides[dim] * step)
            dim += 1
        elif isinstance(p, int):
            dim += 1
        else:
            return None
    strides.extend(b.strides[dim:])
    return tuple(strides) if len(strides) == len(shape) else None


_VIEWS = {
    "view": _reshape_view, "reshape": _reshape_view, "flatten": _reshape_view, "unflatten": _reshape_view,
    "view_as": _reshape_view, "reshape_as": _reshape_view, "unsqueeze": _reshape_view, "squeeze": _reshape_view,
    "ravel": _reshape_view,
    "transpose": _perm_view(_transpose_order), "swapaxes": _perm_view(_transpose_order),
    "swapdims": _perm_view(_transpose_order), "t": _perm_view(_t_order), "permute": _perm_view(_permute_order),
    "mT": _perm_view(_mT_order), "T": _perm_view(lambda e, rank: list(range(rank))[::-1]),
    "expand": _expand_view, "expand_as": _expand_view,
    "split": _split_view, "chunk": _split_view, "unbind": _split_view, "narrow": _split_view,
    "select": _split_view, "tensor_split": _split_view, "getitem": _getitem_view,
}


def _contiguous_op(walk, e):
    """``contiguous()`` (and ``.to``/``.float()`` to the same dtype): the same tensor when already contiguous."""
    base = e.inputs[0]
    info = walk.info(base)
    shape = _shape(base)
    same = _is_contiguous(shape, info.strides) if e.op == "contiguous" else e.outputs[0].dtype == base.dtype
    if same:
        for out in e.outputs:
            walk.tensors.setdefault(id(out), _Tensor(info.storage, info.strides, info.grad))
        return True
    return False


# --------------------------------------------------------------------------------------------------------------
# What each op keeps for backward (torch 2.13, CPU)


def _parametrization(module, name):
    """The ParametrizationList that computes ``module.<name>`` (torch.nn.utils.parametrize), or None."""
    plist = module.__dict__["_modules"].get("parametrizations")
    return None if plist is None else plist.__dict__["_modules"].get(name)


def _linear(s, e):
    if s.weight_trains("weight", 1):
        s.keep_or_copy(s.inp(0), "its input (for the weight's gradient)", matrix=True)
    m = e.module
    if m is not None and _parametrization(m, "weight") is not None and s.input_needs_grad(0):
        # a computed weight is a tensor of its own (a parameter is never counted): kept for the input's gradient
        s.new(m.in_features * m.out_features, s.inp(0).dtype, "its weight, computed by a parametrization (for the "
              "input's gradient)")
    elif m is None and s.input_needs_grad(0):  # F.linear(x, w): w is kept (nothing new when it is a parameter)
        s.keep(s.arg(1, "weight"), "its weight (for the input's gradient)")


def _bilinear(s, e):
    s.keep(s.inp(0), "input 1")
    s.keep(s.inp(1), "input 2")


def _conv(s, e):
    s.keep_or_copy(s.inp(0), "its input")


def _batch_norm(s, e):
    x = s.inp(0)
    s.keep(x, "its input")
    m = e.module
    if m is not None and not m.training and getattr(m, "track_running_stats", True):
        return  # eval mode: the running statistics (buffers) are used
    c = x.shape[1].value if x.rank > 1 else None
    s.new(None if c is None else 2 * c, "float32", "2 statistics per channel (mean, inverse std)")


def _instance_norm(s, e):
    x = s.inp(0)
    s.keep(x, "its input")
    b, c = (x.shape[0].value, x.shape[1].value) if x.rank > 2 else (1, x.shape[0].value)
    n = None if b is None or c is None else b * c
    s.new(None if n is None else 2 * n, "float32", "2 statistics per sample and channel")
    if e.module is not None and getattr(e.module, "affine", False):
        s.new(n, "act", "its weight repeated per sample")


def _layer_norm(s, e):
    x = s.inp(0)
    s.keep(x, "its input")
    shape = s.arg(1, "normalized_shape")
    if e.module is not None:
        shape = e.module.normalized_shape
    k = len(shape) if isinstance(shape, (tuple, list)) else 1
    rows = _numel_dims(x.shape[:-k] if k else x.shape)
    s.new(None if rows is None else 2 * rows, "float32", "2 statistics per row (mean, inverse std)")


def _rms_norm(s, e):
    x = s.inp(0)
    s.keep(x, "its input")
    shape = e.module.normalized_shape if e.module is not None else s.arg(1, "normalized_shape")
    k = len(shape) if isinstance(shape, (tuple, list)) else 1
    s.new(_numel_dims(x.shape[:-k]), "float32", "1 statistic per row")


def _group_norm(s, e):
    x = s.inp(0)
    s.keep(x, "its input")
    g = e.module.num_groups if e.module is not None else s.arg(1, "num_groups")
    b = x.shape[0].value
    s.new(None if b is None or not isinstance(g, int) else 2 * b * g, "float32", "2 statistics per group")


def _numel_dims(dims):
    n = 1
    for d in dims:
        if d.value is None:
            return None
        n *= d.value
    return n


def _keeps_output(s, e):
    s.keep(s.out(0), "its output", output=True)


def _keeps_input(s, e):
    s.keep(s.inp(0), "its input")


def _keeps_both(s, e):
    s.keep(s.inp(0), "its input")
    s.keep(s.out(0), "its output")


def _hardtanh(s, e):
    """relu6 and hardtanh keep their input; in place (``ReLU6(inplace=True)``) torch 2.13 still keeps a tensor of
    its own beside the result (measured: two storages), so the result kept by the next op is new memory."""
    x = s.inp(0)
    if _inplace(e):
        s.new(_numel(x), x.dtype, "its input (a tensor of its own: hardtanh_ keeps it apart from the result)")
    else:
        s.keep(x, "its input")


def _prelu(s, e):
    s.keep(s.inp(0), "its input")


def _dropout_p(s, e):
    p = s.arg(1, "p", getattr(e.module, "p", 0.5) if e.module is not None else 0.5)
    training = s.arg(2, "training", True) if e.module is None else e.module.training
    return p, training


def _dropout(s, e):
    p, training = _dropout_p(s, e)
    if not training or p == 0:
        return
    x = s.inp(0)
    s.new(_numel(x), x.dtype, "its noise mask (in the input's dtype, as torch's CPU dropout makes it)")


def _feature_dropout(n_spatial):
    def saves(s, e):
        p, training = _dropout_p(s, e)
        if not training or p == 0:
            return
        x = s.inp(0)
        shape = [d.value for d in x.shape]
        if None in shape:
            s.new(None, x.dtype, "its noise mask")
            return
        if n_spatial is None:
            n = shape[0] * (shape[1] if len(shape) > 2 else 1)
        elif len(shape) == n_spatial + 2:
            n = shape[0] * shape[1]
        elif len(shape) == n_spatial + 1:  # an input without its batch axis: one value per channel
            n = shape[0]
        else:  # fewer axes than the spatial ones (torch warns): a value per element, as Dropout
            n = math.prod(shape)
        s.new(n, x.dtype, "its noise mask, one value per sample and channel")
    return saves


def _alpha_dropout(s, e):
    p, training = _dropout_p(s, e)
    if training and p:
        x = s.inp(0)
        s.new(_numel(x), x.dtype, "its noise mask")


def _max_pool(s, e):
    s.keep(s.inp(0), "its input")
    out = s.out(0)
    s.new(_numel(out), "int64", "an int64 index per output")


def _adaptive_avg(s, e):
    size = e.module.output_size if e.module is not None else s.arg(1, "output_size")
    sizes = size if isinstance(size, (tuple, list)) else (size,)
    if all(v == 1 for v in sizes):
        return  # torch computes it as a mean: nothing kept
    s.keep(s.inp(0), "its input")


def _pad(s, e):
    mode = e.module is not None and type(e.module).__name__ or s.arg(2, "mode", "constant")
    if "Reflection" in mode or "Replication" in mode or "Circular" in mode or mode in ("reflect", "replicate"):
        s.keep(s.inp(0), "its input")


def _embedding(s, e):
    if e.module is not None:
        trains = s.weight_trains("weight")
    else:
        trains = s.grad(s.arg(1, "weight"))
    if trains:
        s.keep(s.inp(0), "the indices")


def _embedding_bag(s, e):
    """The indices, the offsets (made when not given), offset2bag (N + 1, not in "sum" mode), the size of each bag
    and max_indices (one per bag; in "max" mode one per bag and feature): all int64."""
    if not s.weight_trains("weight"):
        return
    ids = s.inp(0)
    s.keep(ids, "the indices")
    out = s.out(0)
    bags = _numel(out) // out.shape[-1].value if out.rank else 1
    if len(e.inputs) > 1:
        s.keep(s.inp(1), "the offsets")
    else:
        s.new(bags, "int64", "the offsets")
    mode = getattr(e.module, "mode", "mean") if e.module is not None else s.arg(4, "mode", "mean")
    if mode != "sum":
        s.new(_numel(ids) + 1, "int64", "the bag of each index")
    s.new(bags, "int64", "the size of each bag")
    s.new(_numel(out) if mode == "max" else bags, "int64", "max_indices")


def _binary_mul(s, e):
    a, b = s.inp(0), s.inp(1)
    if len(e.inputs) < 2:
        return
    if s.grad(a):
        s.keep(b, "the other operand")
    if s.grad(b):
        s.keep(a, "the other operand")


def _div(s, e):
    if len(e.inputs) < 2:
        return
    a, b = s.inp(0), s.inp(1)
    if e.args and e.args[0] is not a:  # a number divided by a tensor (rsub/rdiv): keeps the result and the tensor
        s.keep(a, "the divisor")
        return
    if s.grad(a) or s.grad(b):
        s.keep(b, "the divisor")
    if s.grad(b):
        s.keep(a, "the dividend")


def _pow(s, e):
    s.keep(s.inp(0), "its input")
    if len(e.inputs) > 1:
        s.keep(s.inp(1), "the exponent")
        s.keep(s.out(0), "its output", output=True)


def _matmul(s, e):
    a, b = s.inp(0), s.inp(1)
    if b is not None and s.grad(b):
        s.keep_or_copy(a, "the left operand")
    if a is not None and s.grad(a):
        s.keep_or_copy(b, "the right operand")


def _masked_fill(s, e):
    if len(e.inputs) > 1:
        s.keep(s.inp(1), "the mask")


def _where(s, e):
    s.keep(s.inp(0), "the condition")


def _max_dim(s, e):
    if len(e.outputs) == 2:
        s.keep(s.out(1), "the indices", output=True)
    else:
        s.keep(s.inp(0), "its input")
        s.keep(s.out(0), "its output", output=True)


def _cross_entropy(s, e):
    x = s.inp(0)
    s.new(_numel(x), x.dtype, "the log-softmax of its input")
    s.keep(s.inp(1), "the targets")
    s.new(1, "float32", "nll_loss's total weight")


def _nll_loss(s, e):
    s.keep(s.inp(1), "the targets")
    s.new(1, "float32", "the total weight")


def _sdpa(s, e):
    """CPU: without dropout the fused kernel keeps q, k, v (their storages), its output and a float32 log-sum-exp
    per query (float32 in 16-bit too; and a float copy of a mask); with dropout the math path keeps copies of the
    scaled queries, keys and values (non-contiguous operands of its bmm), the weights, the dropout mask and the
    dropped weights (in 16-bit it computes in float32: every one a float32 copy, the values too)."""
    q, k, v = s.inp(0), s.inp(1), s.inp(2)
    dropout = s.arg(4, "dropout_p", 0.0)
    scores = _scores(q, k)
    if dropout:
        upcast = _upcasts(s)
        kind = "fp32" if upcast else q.dtype
        s.new(_numel(q), kind, "the scaled queries (a copy" + (", in float32)" if upcast else ")"))
        s.new(_numel(k), kind, "the keys (a copy" + (", in float32)" if upcast else ")"))
        if upcast:
            s.new(_numel(v), "fp32", "the values (a float32 copy)")
        else:
            s.keep_or_copy(v, "the values")
        s.new(None if scores is None else 3 * scores, kind, "the attention weights, the dropout mask and the "
              "dropped weights" + (" (float32)" if upcast else ""))
        return
    for t, what in ((q, "the queries"), (k, "the keys"), (v, "the values")):
        s.keep(t, what)
    mask = s.arg(3, "attn_mask")
    if hasattr(mask, "shape"):
        s.new(_numel(mask), q.dtype, "the mask as floats")
    s.keep(s.out(0), "its output", output=True)
    s.new(None if scores is None else scores // k.shape[-2].value, "fp32", "the log-sum-exp of each query "
          "(float32)")


def _upcasts(s):
    """Whether attention's math path computes in float32: on the CPU it does for 16-bit inputs."""
    return s.walk.settings.act_bytes < 4


def _scores(q, k):
    nq, nk = _numel(q), _numel(k)
    if nq is None or nk is None:
        return None
    return nq // q.shape[-1].value * k.shape[-2].value


def _mha(s, e):
    m = e.module
    if m is None:
        return
    batch_first = getattr(m, "batch_first", False)
    q, k, v = s.inp(0), s.inp(1), s.inp(2)
    need_weights = s.arg(4, "need_weights", True)
    E = m.embed_dim
    h = m.num_heads
    dropout = getattr(m, "dropout", 0.0) if m.training else 0.0
    nq, nk = _numel(q) // E, _numel(k) // E
    if q.rank == 3:
        Lq, Lk = (q.shape[1].value, k.shape[1].value) if batch_first else (q.shape[0].value, k.shape[0].value)
    else:
        Lq, Lk = q.shape[0].value, k.shape[0].value
    B = nq // Lq
    same_kv = k is v
    self_attn = q is k and same_kv
    # the projections' inputs: a batch_first input is transposed, and torch's linear copies it
    for t, what in ((q, "the queries"),) + (() if self_attn else ((k, "the keys"),)) + \
            (() if same_kv or self_attn else ((v, "the values"),)):
        if batch_first and q.rank == 3:
            s.new(_numel(t), t.dtype, f"{what}' time-major copy (for the input projection's weight)")
        else:
            s.keep(t, f"{what} (for the input projection's weight)")
    if dropout and not need_weights and _upcasts(s):
        pass  # the math path in float32: its float32 copies are kept, not the 16-bit projections (below)
    elif self_attn:
        s.new(3 * nq * E, q.dtype, "the packed query/key/value projection (a contiguous copy)")
    elif same_kv:
        s.new(2 * nk * E, q.dtype, "the packed key/value projection (a contiguous copy)")
    else:
        s.new(2 * nk * E, q.dtype, "the key and value projections")
    scores = B * h * Lq * Lk
    if need_weights:
        s.new(nq * E, q.dtype, "the scaled queries")
        s.new(scores, q.dtype, "the attention weights")
        if dropout:
            s.new(2 * scores, q.dtype, "the dropout mask and the dropped weights")
        s.new(nq * E, q.dtype, "the attention output (a contiguous copy, for the output projection)")
    elif dropout:  # scaled_dot_product_attention with dropout: its math path (in float32 for 16-bit inputs)
        kind = "fp32" if _upcasts(s) else q.dtype
        s.new(nq * E, kind, "the scaled queries (a copy)")
        s.new(nk * E, kind, "the keys (a copy)")
        if kind == "fp32":
            s.new(nk * E, kind, "the values (a float32 copy)")
        s.new(3 * scores, kind, "the attention weights, the dropout mask and the dropped weights")
        s.new(nq * E, q.dtype, "the attention output (a contiguous copy, for the output projection)")
    else:  # the fused kernel: its output is laid out (batch, query, head) already
        if not self_attn:
            s.new(nq * E, q.dtype, "the query projection")
        if hasattr(s.arg(3, "key_padding_mask"), "shape"):
            s.new(scores, q.dtype, "the merged mask as floats")
        elif hasattr(s.arg(5, "attn_mask"), "shape"):
            s.new(_numel(s.arg(5, "attn_mask")), q.dtype, "the mask as floats")
        s.new(nq * E, q.dtype, "the attention output")
        s.new(B * h * Lq, "fp32", "the log-sum-exp of each query (float32)")


#: oneDNN's LSTM workspace (uint8), a fit to measurements (docs/COMPUTE.md): per layer and direction, in floats
def lstm_workspace(B, T, I, H, bfloat16=False):
    W = max(I, H)
    if bfloat16:  # a fit of its own (bytes): in bfloat16 oneDNN keeps part of its workspace in float32
        nbytes = 20.54 * (T + 1) * B * W + 6.79 * T * B * H + 14.89 * (T + 1) * B * H + 1.09 * T * B * I
    else:
        nbytes = 4 * (6.348 * (T + 1) * B * W + 5.421 * T * B * H + 3.805 * (T + 1) * B * H - 0.082 * T * B * I)
    pages = max(7, math.ceil(nbytes / 4096))
    return pages * 4096


def _rnn(s, e):
    m = e.module
    if m is None:
        return
    x = s.inp(0)
    batch_first = getattr(m, "batch_first", False)
    batched = x.rank == 3
    T = (x.shape[1].value if batch_first else x.shape[0].value) if batched else x.shape[0].value
    B = (x.shape[0].value if batch_first else x.shape[1].value) if batched else 1
    I, H, L = m.input_size, m.hidden_size, m.num_layers
    D = 2 if m.bidirectional else 1
    given = len(e.inputs) > 1
    mode = e.op
    dt = x.dtype
    if m.training and getattr(m, "dropout", 0) and L > 1:
        s.new((L - 1) * T * B * D * H, dt, "the dropout masks between its layers")
    settings = s.walk.settings
    if mode == "lstm" and settings.dtype == "float16":
        # torch's CPU LSTM in float16 is not oneDNN's: it runs step by step, and keeps its input (for the input
        # weights' gradient) and 7·B·H values per step and direction (measured)
        for layer in range(L):
            if layer == 0:
                if batch_first and batched:  # (each direction makes its own)
                    s.new(D * T * B * I, dt, "a time-major copy of the input" + (" per direction" if D == 2
                                                                                 else ""))
                else:
                    s.keep(x, "its input")
            else:
                s.new(T * B * D * H, dt, f"layer {layer + 1}'s input")
            s.new(D * 7 * T * B * H, dt, "the gates and states of each step (7·B·H a step" +
                  (", both directions)" if D == 2 else ")"))
        return
    half = settings.act_bytes < 4
    for layer in range(L):
        width = I if layer == 0 else D * H
        if mode == "lstm":
            if layer == 0:
                if batch_first and batched:
                    s.new(T * B * I, dt, "a time-major copy of the input")
                else:
                    s.keep(x, "its input")
            elif D == 2:
                s.new(T * B * D * H, dt, f"layer {layer + 1}'s input (both directions' outputs)")
            for d in range(D):
                if given and layer == 0 and d == 0:
                    for t in e.inputs[1:]:
                        s.keep(t, "the initial state")
                else:
                    s.new(2 * B * H, dt, "the initial hidden and cell state")
                s.new(2 * B * H, dt, "the last hidden and cell state")
                if layer == L - 1 and D == 1:
                    s.keep(s.out(0), "its output", output=True)
                else:
                    s.new(T * B * H, dt, "the output of each step")
                s.new(lstm_workspace(B, T, width, H, half), "uint8", "oneDNN's workspace")
        else:
            per_step = 7 if mode == "gru" else 1
            for d in range(D):
                if layer == 0 and d == 0:
                    s.keep(x, "its input")
                elif d == 0:
                    s.new(T * B * width, dt, f"layer {layer + 1}'s input")
                elif layer == 0:  # (measured: a later layer's reverse direction keeps no copy of its own)
                    s.new(T * B * width, dt, "the reversed input")
                extra = 0 if mode == "gru" else B * H
                if given and layer == 0 and d == 0 and mode != "gru":
                    extra = 0
                    s.keep(e.inputs[1], "the initial state")
                s.new(per_step * T * B * H + extra, dt, "the gates of each step" if mode == "gru" else
                      "each step's state")


def _rnn_cell(s, e):
    m = e.module
    x = s.inp(0)
    H = m.hidden_size
    B = x.shape[0].value if x.rank == 2 else 1
    s.keep(x, "its input")
    states = e.inputs[1:]
    if states:
        for t in states:
            s.keep(t, "the state")
    else:  # one zeros tensor (an LSTMCell's hidden and cell state are the same one)
        s.new(B * H, x.dtype, "the initial state (zeros)")
    gates = {"lstm_cell": 5, "gru_cell": 6, "rnn_cell": 1}[e.op]
    s.new(gates * B * H, x.dtype, "the gates" if e.op != "rnn_cell" else "the new state")


def _keeps_input_and_grid(s, e):
    """grid_sample keeps the image and the grid (whichever needs the gradient, and whatever the mode)."""
    s.keep(s.inp(0), "its input")
    s.keep(s.inp(1), "the grid")


def _norm_op(s, e):
    s.keep(s.inp(0), "its input")
    s.keep(s.out(0), "its output", output=True)


def _nothing(s, e):
    pass


def _getitem(s, e):
    """Basic indexing keeps nothing; an index that is a list or a tensor is kept (int64) for the backward."""
    key = e.args[1] if len(e.args) > 1 else None
    parts = key if isinstance(key, tuple) else (key,)
    for p in parts:
        if isinstance(p, list):
            s.new(len(p), "int64", "the index (a list, as an int64 tensor)")
        elif hasattr(p, "shape"):
            s.keep(p, "the index")


SAVES = {
    "linear": _linear, "bilinear": _bilinear,
    "conv1d": _conv, "conv2d": _conv, "conv3d": _conv,
    "conv_transpose1d": _conv, "conv_transpose2d": _conv, "conv_transpose3d": _conv,
    "batch_norm": _batch_norm, "instance_norm": _instance_norm, "layer_norm": _layer_norm,
    "rms_norm": _rms_norm, "group_norm": _group_norm,
    "dropout": _dropout, "dropout1d": _feature_dropout(1), "dropout2d": _feature_dropout(2),
    "dropout3d": _feature_dropout(3), "feature_alpha_dropout": _feature_dropout(None),
    "alpha_dropout": _alpha_dropout,
    "max_pool1d": _max_pool, "max_pool2d": _max_pool, "max_pool3d": _max_pool,
    "adaptive_max_pool1d": _max_pool, "adaptive_max_pool2d": _max_pool, "adaptive_max_pool3d": _max_pool,
    "avg_pool1d": _keeps_input, "avg_pool2d": _keeps_input, "avg_pool3d": _keeps_input,
    "lp_pool1d": _keeps_both, "lp_pool2d": _keeps_both, "lp_pool3d": _keeps_both,
    "adaptive_avg_pool1d": _adaptive_avg, "adaptive_avg_pool2d": _adaptive_avg, "adaptive_avg_pool3d": _adaptive_avg,
    "pad": _pad, "embedding": _embedding, "embedding_bag": _embedding_bag,
    "prelu": _prelu, "glu": _keeps_input, "relu6": _hardtanh, "hardtanh": _hardtanh, "relu6_": _hardtanh,
    "hardtanh_": _hardtanh,
    "mul": _binary_mul, "mul_": _binary_mul, "multiply": _binary_mul, "div": _div, "div_": _div,
    "true_divide": _div, "divide": _div, "pow": _pow, "pow_": _pow, "square": _keeps_input,
    "matmul": _matmul, "mm": _matmul, "bmm": _matmul, "outer": _matmul, "einsum": _nothing,
    "spmm": _matmul, "matrix_exp": _keeps_input, "grid_sample": _keeps_input_and_grid, "affine_grid": _nothing,
    "masked_fill": _masked_fill, "masked_fill_": _masked_fill, "where": _where,
    "max": _max_dim, "min": _max_dim, "amax": _keeps_both, "amin": _keeps_both,
    "cross_entropy": _cross_entropy, "nll_loss": _nll_loss,
    "scaled_dot_product_attention": _sdpa, "multi_head_attention_forward": _mha,
    "lstm": _rnn, "gru": _rnn, "rnn": _rnn,
    "lstm_cell": _rnn_cell, "gru_cell": _rnn_cell, "rnn_cell": _rnn_cell,
    "getitem": _getitem, "norm": _norm_op, "std": _norm_op, "var": _keeps_input,
    "cosine_similarity": _keeps_both, "pairwise_distance": _keeps_both, "normalize": _keeps_both,
}
# activations whose backward reads their output; those whose backward reads their input
for _name in ("relu", "sigmoid", "tanh", "softmax", "log_softmax", "softmin", "exp", "rsqrt", "sqrt",
              "reciprocal", "exp2", "threshold", "elu_", "leaky_relu_", "celu_", "selu_"):
    SAVES[_name] = _keeps_output
    SAVES[_name + "_"] = _keeps_output
for _name in ("relu6", "hardtanh", "leaky_relu", "gelu", "silu", "mish", "elu", "celu", "selu", "softplus",
              "softsign", "hardswish", "hardsigmoid", "logsigmoid", "softshrink", "hardshrink", "tanhshrink",
              "rrelu", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
              "erf", "erfinv", "abs", "expm1", "atan2", "clamp", "clip"):
    SAVES.setdefault(_name, _keeps_input)
    SAVES.setdefault(_name + "_", _keeps_output)
del _name

#: ops that keep nothing (their backward needs only shapes, or nothing)
NOTHING = frozenset(
    ["add", "add_", "sub", "sub_", "rsub", "neg", "positive", "cat", "stack", "concat", "concatenate", "mean", "sum", "nansum", "nanmean", "clone", "to", "float", "double", "half", "bfloat16", "type", "type_as", "contiguous", "setitem", "flatten", "unflatten", "view", "reshape", "view_as", "reshape_as", "transpose", "permute", "t", "T", "mT", "swapaxes", "swapdims", "movedim", "unsqueeze", "squeeze", "squeeze_", "unsqueeze_", "expand", "expand_as", "repeat", "tile", "repeat_interleave", "split", "chunk", "unbind", "narrow", "select", "flip", "roll", "tril", "triu", "tril_", "triu_", "interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "identity", "cumsum", "view_as_real", "view_as_complex", "polar", "new_zeros", "zero_", "fill_", "unfold", "fold", "gather", "index_select", "detach"])


def saves_of(e):
    """The declaration of an op, or None where it is not declared."""
    fn = SAVES.get(e.op)
    if fn is not None:
        return fn
    if e.op in NOTHING or e.op in _NO_GRAD:
        return _nothing
    return None


# --------------------------------------------------------------------------------------------------------------
# The model's memory


class ModuleMemory:
    """A module's activation bytes over the step (its calls', with its submodules'), and the texts."""

    __slots__ = ("activation_bytes", "lines", "own_bytes")


class TorchModelMemory:
    __slots__ = ("dominant", "memory", "root_lines", "rows", "settings", "undeclared")

    def memory_json(self):
        return dict(self.memory)


#: the layout of model outputs that are not contiguous (a batch_first GRU's output), by Spec: a model called on
#: another's output (a decoder on an encoder's) reads it from here (each entry holds its Spec, so no id is reused)
_LAYOUTS = {}


def note_layout(spec, strides):
    """``spec`` is laid out with ``strides`` (not contiguous): a model called on it reads them."""
    if len(_LAYOUTS) > 1000:
        _LAYOUTS.clear()
    _LAYOUTS[id(spec)] = (spec, strides)


def _first_call(root):
    calls = root.__dict__.get("_sw_rec_calls") or []
    return calls[0] if calls else None


def model_memory(report, settings=None):
    """The memory of a training step of ``report``'s model from its first recorded call (None: not called)."""
    settings = settings or Settings()
    root = report.root
    call = _first_call(root)
    if call is None:
        return None
    events = call.walk_events()
    made = {id(o) for e in events for o in e.outputs} | {id(i) for i in call.inputs}
    if call.outputs and not any(id(o) in made for o in call.outputs):
        # the events do not hand their tensors on (a live module's meta forward records each op's tensors anew):
        # which tensors are kept, and by whom, cannot be followed
        return None
    walk = _Walk(root, call, settings)
    for spec in call.inputs:
        info = walk.info(spec)
        known = _LAYOUTS.get(id(spec))
        if known is not None and known[0] is spec:  # another model's output, laid out as it made it
            info.strides = known[1]
    # which events are alive at the end of the call: their output leads to the call's outputs
    alive = _alive(events, call)
    used = set()  # ids of parameters that receive a gradient
    per_module = {}  # id(module) -> bytes (innermost)
    texts = {}  # id(module) -> [(what, bytes)]
    seen = set()
    undeclared = []
    owner = {}  # storage -> innermost module call
    total = 0
    for e in events:
        if e.op in ("contiguous", "to", "float", "type_as") and e.inputs and _contiguous_op(walk, e):
            continue
        params = []
        if e.module is not None:
            params = [p for p in e.module.parameters() if p.requires_grad]
        grad_in = any(walk.info(s).grad for s in e.inputs if hasattr(s, "shape")) or bool(params)
        grad = grad_in and e.op not in _NO_GRAD
        before = [walk.info(s) for s in e.inputs]
        walk.produce(e, grad)
        if e.op == "scaled_dot_product_attention" and e.outputs and e.outputs[0].rank == 4 and \
                not e.kwargs.get("dropout_p", e.args[4] if len(e.args) > 4 else 0):
            # the fused CPU kernel's output is laid out (batch, query, head, dim): transposing it back is a view
            b, hh, t, d = _shape(e.outputs[0])
            walk.tensors[id(e.outputs[0])].strides = (t * hh * d, d, hh * d, 1)
        elif e.op in ("lstm", "gru", "rnn") and getattr(e.module, "batch_first", False) and e.outputs and \
                e.outputs[0].rank == 3:
            # torch runs the layers time-major and hands back output.transpose(0, 1)
            b, t, f = _shape(e.outputs[0])
            walk.tensors[id(e.outputs[0])].strides = (f, b * f, 1)
        if not grad or id(e) not in alive:
            continue
        for p in params:
            used.add(id(p))
        for s in e.inputs:
            p = walk.params.get(id(s))
            if p is not None and p.requires_grad:
                used.add(id(p))
        fn = saves_of(e)
        if fn is None:
            undeclared.append(e.op)
            continue
        saver = _Saver(walk, e, before)
        fn(saver, e)
        mod = e.call.module if e.call is not None else root
        for key, nbytes, what in saver.kept:
            if key is not None:
                if key in walk.excluded:
                    continue
                if key in seen:
                    texts.setdefault(id(mod), []).append((what + " (already kept)", 0, e.op if e.module is None
                                                          else None))
                    continue
                seen.add(key)
            if nbytes is None:
                total = None
                continue
            if total is not None:
                total += nbytes
            per_module[id(mod)] = per_module.get(id(mod), 0) + nbytes
            texts.setdefault(id(mod), []).append((what, nbytes, e.op if e.module is None else None))
            c = e.call
            while c is not None:
                owner.setdefault(id(c.module), 0)
                owner[id(c.module)] += nbytes
                c = c.parent
    for spec in call.outputs:
        info = walk.info(spec)
        if not _is_contiguous(_shape(spec), info.strides):
            note_layout(spec, info.strides)
    out = TorchModelMemory()
    out.settings = settings
    out.undeclared = sorted(set(undeclared))
    rows = []
    called = {id(c.module) for c in _calls_in(call)}
    for row in report.layers:
        m = row._module
        mm = ModuleMemory()
        mm.own_bytes = per_module.get(id(m), 0)
        mm.activation_bytes = owner.get(id(m), 0) if id(m) in called else 0
        mm.lines = _lines(texts.get(id(m), []), mm, id(m) in called, bool(m.__dict__["_modules"]))
        rows.append(mm)
    out.rows = rows
    root_mm = ModuleMemory()
    root_mm.own_bytes = per_module.get(id(root), 0)
    root_mm.activation_bytes = total
    out.root_lines = _lines(texts.get(id(root), []), root_mm, True, False) if root_mm.own_bytes else []
    out.memory = _memory(root, settings, total, used, _inference(events, call, walk, settings))
    out.dominant = _dominant(out.memory, settings)
    return out


def _calls_in(call):
    stack = [call]
    while stack:
        c = stack.pop()
        yield c
        stack.extend(c.children)


def _alive(events, call):
    """Ids of the events whose results lead to the call's outputs (their graph is held at the end)."""
    live = {id(s) for s in call.outputs}
    alive = set()
    for e in reversed(events):
        hit = any(id(s) in live for s in e.outputs)
        if not hit and _inplace(e) and e.inputs and id(e.inputs[0]) in live:
            hit = True
        if hit:
            alive.add(id(e))
            live.update(id(s) for s in e.inputs)
            if _inplace(e) and e.inputs:
                live.add(id(e.inputs[0]))
    return alive


def _inference(events, call, walk, settings):
    """The most bytes of tensors alive at once in an inference pass: each storage from the op that makes it to the
    last op that reads it (the call's inputs from the start, its outputs to the end)."""
    last = {}
    for k, e in enumerate(events):
        for s in e.inputs:
            last[walk.info(s).storage] = k
    for s in call.outputs:
        last[walk.info(s).storage] = len(events)
    live = {}
    for s in call.inputs:
        key = walk.info(s).storage
        live[key] = walk.storage_bytes.get(key) or 0
    peak = sum(live.values())
    for k, e in enumerate(events):
        for s in e.outputs:
            key = walk.info(s).storage
            if key not in live and key not in walk.excluded:
                live[key] = walk.storage_bytes.get(key) or 0
        peak = max(peak, sum(live.values()))
        for s in e.inputs:
            key = walk.info(s).storage
            if last.get(key) == k:
                live.pop(key, None)
    return peak


def _memory(root, settings, activations, used, inference_live):
    pbytes = settings.param_bytes
    params = list(root.parameters())
    n = sum(_numel(p.spec) for p in params)
    buffers = sum(_numel(b.spec) * (pbytes if _floating(b.spec.dtype) else _INT_BYTES.get(b.spec.dtype, 8))
                  for b in root.buffers())
    trained = [p for p in params if id(p) in used]
    grads = sum(_numel(p.spec) for p in trained) * pbytes
    opt = settings.optimizer
    if opt == "sgd":
        state = 0
    elif opt == "momentum":
        state = grads
    else:  # adam, adamw: two moments per parameter and a float32 step count per tensor (torch's state["step"])
        state = 2 * grads + 4 * len(trained)
    peak = None if activations is None else n * pbytes + buffers + grads + state + activations
    return {"batch": _batch(root), "dtype": settings.dtype, "optimizer": opt, "parameters": n * pbytes,
            "buffers": buffers, "gradients": grads, "optimizer_state": state, "activations": activations,
            "training_peak": peak, "inference_peak": n * pbytes + buffers + inference_live}


def _batch(root):
    call = _first_call(root)
    if call is None or not call.inputs or not call.inputs[0].shape:
        return None
    return call.inputs[0].shape[0].value


def _dominant(memory, settings):
    """The sentence on what dominates, at the example input's batch (PyTorch takes its batch from the input)."""
    from ..compute import _dominant as dominant

    batch = memory["batch"]
    at = Settings(batch if isinstance(batch, int) and batch > 0 else 1, settings.dtype, settings.optimizer)
    return dominant(memory, at)


def _lines(kept, mm, called, has_children):
    if not called:
        return ["not called in the recorded step: nothing saved for backward"]
    out = []
    if kept:
        groups = {}
        for what, nbytes, op in kept:
            label = f"{op}: {what}" if op else what
            g = groups.setdefault(label, [0, 0])
            g[0] += nbytes
            g[1] += 1
        parts = [(f"{label} {fmt_int(b)} B" if b else label) + (f" ({n} of them)" if n > 1 else "")
                 for label, (b, n) in groups.items()]
        out.append(f"saves for backward ({fmt_int(mm.own_bytes)} B): " + "; ".join(parts))
    if has_children and mm.activation_bytes != mm.own_bytes:
        out.append(f"with its submodules it saves {fmt_int(mm.activation_bytes)} B for backward")
    if not out:
        out.append("saves nothing for the backward pass")
    return out


__all__ = ["SAVES", "ModuleMemory", "TorchModelMemory", "lstm_workspace", "model_memory"]
