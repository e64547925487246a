"""Symbolic tensors with torch's API: a ``Tensor`` holds a ``Spec`` (a shape of Dims and a dtype), nothing else.

Creating one (``randn``, ``zeros``, ``randint``, ``tensor``, ...) only records its shape and dtype. Its methods
and operators go through the ops vocabulary (``shapewise.ops.torch_ops``: ``TENSOR_METHODS``), one explicit
dispatch per name: there is no ``__getattr__``, so a method shapewise does not know is an ``AttributeError``
naming it, never a guess.
"""

from __future__ import annotations

import math

from ..dims import Dim, Known
from ..engine import Spec
from ..errors import ArgumentError, RefusedError, ShapewiseError

# --------------------------------------------------------------------------------------------------------------
# dtypes and devices


class dtype:
    """A torch dtype: ``torch.float32`` (its ``name`` is the Spec's dtype string)."""

    __slots__ = ("name", "is_floating_point", "is_complex", "itemsize")

    def __init__(self, name, is_floating_point, itemsize, is_complex=False):
        self.name = name
        self.is_floating_point = is_floating_point
        self.is_complex = is_complex
        self.itemsize = itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):  # dtypes are singletons
        return (get_dtype, (self.name,))


float32 = dtype("float32", True, 4)
float64 = dtype("float64", True, 8)
float16 = dtype("float16", True, 2)
bfloat16 = dtype("bfloat16", True, 2)
int64 = dtype("int64", False, 8)
int32 = dtype("int32", False, 4)
int16 = dtype("int16", False, 2)
int8 = dtype("int8", False, 1)
uint8 = dtype("uint8", False, 1)
bool_ = dtype("bool", False, 1)
complex64 = dtype("complex64", False, 8, True)
complex128 = dtype("complex128", False, 16, True)

DTYPES = {d.name: d for d in (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool_,
                              complex64, complex128)}
#: torch's other names for the same dtypes
DTYPE_ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
                 "short": int16, "cfloat": complex64, "cdouble": complex128}
#: torch's names in error messages (``Long``, ``Float``)
SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}

_default_dtype = [float32]


def get_dtype(name):
    return DTYPES[name]


def as_dtype_name(value, default="float32"):
    """A dtype argument (a torch dtype, a name, Python's float/int/bool) as the Spec's dtype string."""
    if value is None:
        return default
    if type(value) is dtype:
        return value.name
    if value is float:
        return "float32"
    if value is int:
        return "int64"
    if value is bool:
        return "bool"
    if isinstance(value, str) and (value in DTYPES or value in DTYPE_ALIASES):
        return DTYPES.get(value, DTYPE_ALIASES.get(value)).name
    raise ArgumentError(f"expected a torch dtype (torch.float32, torch.long, ...), got {value!r}",
                        layer_type="dtype")


def is_floating(dtype_name):
    return DTYPES.get(dtype_name, float32).is_floating_point


class device:
    """``torch.device("cpu")``, ``torch.device("cuda", 0)``, ``"meta"``: only recorded, never used."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, str) and ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        other = device(other) if isinstance(other, str) else other
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_CPU = device("cpu")


class Size(tuple):
    """``torch.Size``: a tuple of ints."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        return math.prod(self)


# --------------------------------------------------------------------------------------------------------------
# The tensor


def _ops():
    """The ops vocabulary (imported on first use: a model made of modules alone never needs it)."""
    from ..ops import torch_ops

    return torch_ops


def _to_spec(value):
    """A call argument for the ops tables: Tensors as Specs, inside tuples and lists too."""
    kind = type(value)
    if kind is Tensor or isinstance(value, Tensor):
        return value.spec
    if kind is tuple or kind is list:
        return kind(map(_to_spec, value))
    if kind is Size:
        return tuple(value)
    if kind is dtype:
        return value.name
    return value


def wrap(result):
    """An op's result as torch returns it: a Spec as a Tensor, a known Dim as an int, tuples element-wise."""
    kind = type(result)
    if kind is Spec:
        return Tensor(result)
    if isinstance(result, Dim):
        return result.value if result.value is not None else result
    if kind is tuple or kind is list:
        return kind(map(wrap, result))
    return result


def _method(name, self, args, kwargs):
    table = _ops().TENSOR_METHODS
    fn = table.get(name)
    if fn is None:
        raise RefusedError(f"the tensor method .{name}() is not in shapewise's vocabulary",
                           layer_type="Tensor", fix="only known tensor methods can be explained")
    return wrap(fn([self.spec, *map(_to_spec, args)], {k: _to_spec(v) for k, v in kwargs.items()}))


def _m(name):
    def method(self, *args, **kwargs):
        return _method(name, self, args, kwargs)

    method.__name__ = name
    return method


def _rop(name):
    """A reflected operator: ``2 * x`` is ``torch.mul(2, x)``; the table gets the operands in Python's order."""
    table_name = "__r" + name.strip("_") + "__"

    def method(self, other):
        table = _ops().TENSOR_METHODS
        if table_name in table:
            return _method(table_name, self, (other,), {})
        fn = _ops().TORCH_FUNCTIONS.get(name.strip("_"))
        if fn is None:
            return NotImplemented
        return wrap(fn([_to_spec(other), self.spec], {}))

    method.__name__ = table_name
    return method


class Tensor:
    """A symbolic torch tensor: its Spec (shape of Dims, dtype) and whether it requires grad."""

    __slots__ = ("spec", "requires_grad", "__weakref__")

    def __init__(self, spec, requires_grad=False):
        self.spec = spec
        self.requires_grad = requires_grad

    # --- what a tensor knows about itself -------------------------------------------------------------------
    @property
    def shape(self):
        return Size(d.value for d in self.spec.shape)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        rank = self.spec.rank
        if not isinstance(dim, int) or isinstance(dim, bool) or not -max(rank, 1) <= dim < max(rank, 1):
            raise ArgumentError(
                f"Dimension out of range (expected to be in range of [{-max(rank, 1)}, {max(rank, 1) - 1}], but "
                f"got {dim})", layer_type="Tensor.size")
        return self.spec.shape[dim].value

    def dim(self):
        return self.spec.rank

    ndimension = dim

    @property
    def ndim(self):
        return self.spec.rank

    def numel(self):
        return math.prod(d.value for d in self.spec.shape)

    nelement = numel

    @property
    def dtype(self):
        return DTYPES.get(self.spec.dtype, float32)

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    @property
    def grad(self):
        return None

    @property
    def data(self):
        return Tensor(self.spec)

    @property
    def T(self):
        return _method("T", self, (), {})

    @property
    def mT(self):
        return _method("mT", self, (), {})

    def is_floating_point(self):
        return is_floating(self.spec.dtype)

    def element_size(self):
        return self.dtype.itemsize

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    def __len__(self):
        if not self.spec.rank:
            raise TypeError("len() of a 0-d tensor")
        return self.spec.shape[0].value

    def __iter__(self):
        return iter(self.unbind(0))

    def __bool__(self):
        raise RefusedError("the truth value of a symbolic tensor is not known (its values are not computed)",
                           layer_type="Tensor")

    def __repr__(self):
        return f"tensor(..., size={tuple(self.shape)}, dtype={self.dtype!r})"

    # --- operators ------------------------------------------------------------------------------------------
    __add__ = _m("__add__")
    __sub__ = _m("__sub__")
    __mul__ = _m("__mul__")
    __truediv__ = _m("__truediv__")
    __floordiv__ = _m("__floordiv__")
    __mod__ = _m("__mod__")
    __pow__ = _m("__pow__")
    __matmul__ = _m("__matmul__")
    __and__ = _m("__and__")
    __or__ = _m("__or__")
    __xor__ = _m("__xor__")
    __eq__ = _m("__eq__")
    __ne__ = _m("__ne__")
    __lt__ = _m("__lt__")
    __le__ = _m("__le__")
    __gt__ = _m("__gt__")
    __ge__ = _m("__ge__")
    __neg__ = _m("__neg__")
    __pos__ = _m("__pos__")
    __abs__ = _m("__abs__")
    __invert__ = _m("__invert__")
    __getitem__ = _m("__getitem__")
    __setitem__ = _m("__setitem__")
    __iadd__ = _m("__iadd__")
    __isub__ = _m("__isub__")
    __imul__ = _m("__imul__")
    __itruediv__ = _m("__itruediv__")
    __radd__ = _rop("__add__")
    __rsub__ = _rop("__sub__")
    __rmul__ = _rop("__mul__")
    __rtruediv__ = _rop("__truediv__")
    __rpow__ = _rop("__pow__")
    __rmatmul__ = _rop("__matmul__")
    __hash__ = object.__hash__


#: Tensor methods, each an explicit dispatch to the ops vocabulary (TENSOR_METHODS)
METHOD_NAMES = (
        "view", "reshape", "view_as", "reshape_as", "flatten", "unflatten", "permute", "transpose", "t", "unsqueeze",
        "squeeze", "expand", "expand_as", "repeat", "repeat_interleave", "contiguous", "clone", "detach", "to",
        "type", "type_as", "float", "double", "half", "bfloat16", "long", "int", "bool", "cpu", "cuda",
        "split", "chunk", "unbind", "narrow", "select", "index_select", "gather", "masked_fill", "masked_fill_",
        "matmul", "mm", "bmm", "mul", "add", "sub", "div", "pow", "neg", "abs", "exp", "log", "sqrt", "rsqrt", "sin",
        "cos", "tanh", "sigmoid", "relu", "softmax", "log_softmax", "clamp", "clamp_", "clip", "mean", "sum", "max",
        "min", "amax", "amin", "argmax", "argmin", "std", "var", "norm", "prod", "cumsum", "topk", "sort",
        "argsort", "all", "any", "eq", "ne", "lt", "le", "gt", "ge", "tril", "triu", "fill_", "zero_", "add_",
        "mul_", "sub_", "div_", "copy_", "normal_", "uniform_", "item", "tolist", "numpy", "roll", "flip",
        "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor", "float_power", "square", "where", "einsum",
        "movedim", "swapaxes", "swapdims", "squeeze_", "unsqueeze_", "addmm", "baddbmm", "logsumexp", "softplus",
        "outer", "dot", "sign", "floor", "ceil", "round", "reciprocal", "pin_memory", "share_memory_", "masked_select",
        "nonzero", "scatter", "scatter_", "scatter_add", "index_add", "index_fill", "pad", "unfold", "diag",
        "diagonal", "trace", "log1p", "expm1", "erf", "isnan", "isinf", "logical_not", "logical_and", "logical_or",
    )
for _name in METHOD_NAMES:
    setattr(Tensor, _name, _m(_name))
del _name


# --------------------------------------------------------------------------------------------------------------
# Factories: symbolic tensors with concrete sizes


def _size_args(size, fn):
    """``randn(2, 3)``, ``randn((2, 3))``, ``randn([2, 3])``, ``randn(torch.Size(...))`` as a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Dim):
            if s.value is None:
                raise ArgumentError(f"{fn}() got a size that is not known ({s.names()})", layer_type=f"torch.{fn}",
                                    fix="give the size as a number")
            out.append(s)
            continue
        if isinstance(s, bool) or not isinstance(s, int):
            raise ArgumentError(
                f"{fn}(): argument 'size' must be tuple of ints, but found element of type {type(s).__name__}",
                layer_type=f"torch.{fn}")
        out.append(s)
    for s in out:
        v = s.value if isinstance(s, Dim) else s
        if v < 0:
            raise ArgumentError(
                f"Trying to create tensor with negative dimension {v}: [{', '.join(map(str, _values(out)))}]",
                layer_type=f"torch.{fn}")
    return tuple(s if isinstance(s, Dim) else Known(s) for s in out)


def _values(dims):
    return [d.value if isinstance(d, Dim) else d for d in dims]


def _make(size, fn, dtype, requires_grad, default=None):
    name = as_dtype_name(dtype, default or _default_dtype[0].name)
    return Tensor(Spec(_size_args(size, fn), name), bool(requires_grad))


def _factory(fn_name, default=None, float_only=False):
    def factory(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
                memory_format=None, generator=None, names=None):
        t = _make(size, fn_name, dtype, requires_grad, default)
        if float_only and not is_floating(t.spec.dtype):
            raise ArgumentError(f'"{fn_name}" not implemented for \'{SCALAR_NAMES[t.spec.dtype]}\'',
                                layer_type=f"torch.{fn_name}")
        return t

    factory.__name__ = fn_name
    return factory


randn = _factory("randn", float_only=True)
rand = _factory("rand", float_only=True)
zeros = _factory("zeros")
ones = _factory("ones")
empty = _factory("empty")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = "bool" if isinstance(fill_value, bool) else "int64" if isinstance(fill_value, int) else None
    return _make((size,), "full", dtype, requires_grad)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``randint(high, size)`` or ``randint(low, high, size)``; int64 by default."""
    args = list(args)
    if size is None:
        if not args:
            raise ArgumentError("randint() missing required argument 'size'", layer_type="torch.randint")
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise ArgumentError("randint() takes high and size, or low, high and size", layer_type="torch.randint")
    if isinstance(high, int) and isinstance(low, int) and high <= low:
        raise ArgumentError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}",
                            layer_type="torch.randint")
    if not isinstance(size, (tuple, list)):
        raise ArgumentError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}",
                            layer_type="torch.randint")
    return _make((tuple(size),), "randint", dtype, requires_grad, "int64")


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = (start, end, step)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ArgumentError("arange() needs numbers for start, end and step", layer_type="torch.arange")
    if step == 0:
        raise ArgumentError("step must be nonzero", layer_type="torch.arange")
    n = max(0, math.ceil((end - start) / step))
    default = "int64" if all(isinstance(v, int) for v in values) else None
    return _make(((n,),), "arange", dtype, requires_grad, default)


def _nested_shape(data):
    if isinstance(data, Tensor):
        return tuple(data.shape), data.spec.dtype
    if isinstance(data, (list, tuple)):
        if not data:
            return (0,), None
        inner = [_nested_shape(d) for d in data]
        shapes = {s for s, _ in inner}
        if len(shapes) != 1:
            raise ArgumentError(f"expected sequence of length {len(inner[0][0]) and inner[0][0][0]} at dim 1",
                                layer_type="torch.tensor")
        kinds = {k for _, k in inner}
        return (len(data), *inner[0][0]), _join_kinds(kinds)
    if isinstance(data, bool):
        return (), "bool"
    if isinstance(data, int):
        return (), "int64"
    if isinstance(data, float):
        return (), "float32"
    raise ArgumentError(f"Could not infer dtype of {type(data).__name__}", layer_type="torch.tensor")


def _join_kinds(kinds):
    kinds.discard(None)
    for k in ("float32", "int64", "bool"):
        if k in kinds:
            return k
    return next(iter(kinds), None)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    shape, kind = _nested_shape(data)
    return Tensor(Spec(shape, as_dtype_name(dtype, kind or "float32")), bool(requires_grad))


as_tensor = tensor


def _like(fn_name, float_only=False):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        if not isinstance(input, Tensor):
            raise ArgumentError(f"{fn_name}(): argument 'input' must be Tensor, not {type(input).__name__}",
                                layer_type=f"torch.{fn_name}")
        return Tensor(Spec(input.spec.shape, as_dtype_name(dtype, input.spec.dtype)), bool(requires_grad))

    like.__name__ = fn_name
    return like


zeros_like = _like("zeros_like")
ones_like = _like("ones_like")
empty_like = _like("empty_like")
randn_like = _like("randn_like")
rand_like = _like("rand_like")


def full_like(input, fill_value, **kwargs):
    return _like("full_like")(input, **kwargs)


def is_tensor(obj):
    return isinstance(obj, Tensor)


__all__ = ["Tensor", "Size", "dtype", "device", "randn", "rand", "zeros", "ones", "empty", "full", "randint",
           "arange", "tensor", "ShapewiseError"]
