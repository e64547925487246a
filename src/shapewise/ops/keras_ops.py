"""``keras.ops`` on symbolic tensors: the names, signatures and dtype rules of Keras 3, over the shared rules.

``KERAS_OPS["matmul"](args, kwargs)`` is ``keras.ops.matmul(*args, **kwargs)`` on Specs: it returns the output
Spec (or a tuple of Specs, a tuple of Dims for ``shape``, an int for ``ndim``), and raises where Keras raises
when it computes the output spec (its ``compute_output_spec``). ``keras.ops.nn.*``, ``keras.ops.numpy.*`` and
``keras.ops.image.*`` are in the table under those prefixes (``"nn.relu"``, ``"image.resize"``) as well.
``KERAS_OPERATORS`` holds the Python operators on a KerasTensor (``"__add__"``, ``"__getitem__"``, ...).
"""

from __future__ import annotations

from ..dims import Dim, Known
from ..engine import Spec
from ..errors import ArgumentError, ShapeError
from . import shapes as S
from ._table import Table, nested_shape
from .dtypes import keras_result_type as result_type
from .dtypes import standardize_keras_dtype

__all__ = ["KERAS_OPS", "KERAS_OPERATORS", "to_spec"]

FLOATX = "float32"
KERAS_OPS = Table()
KERAS_OPERATORS = Table()
op = KERAS_OPS.op


class ShapeTensor(Spec):
    """A small integer tensor whose values shapewise knows, because they are sizes: ``ops.convert_to_tensor([1,
    1])``, ``ops.expand_dims(ops.shape(x)[0], -1)``, their concatenation (the causal masks of many transformer
    examples tile by such a tensor). ``value`` is the tuple of its elements as Dims (a scalar: one element)."""

    __slots__ = ("value",)

    def __init__(self, shape, dtype, value):
        super().__init__(shape, dtype)
        self.value = tuple(value)


def _sizes(values):
    """The elements of a flat list/tuple as Dims when they are all ints or Dims, else None."""
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, Dim)):
            return None
        out.append(v if isinstance(v, Dim) else Known(v))
    return out


def shape_values(value):
    """The sizes a ShapeTensor (or a tuple of sizes) stands for, where a rule needs numbers; else ``value``."""
    if isinstance(value, ShapeTensor) and len(value.shape) <= 1:
        return value.value
    return value


def to_spec(value, what="x"):
    """An argument where a tensor goes: a Spec, or a Python number / nested list (as convert_to_tensor)."""
    if isinstance(value, Spec):
        return value
    if isinstance(value, Dim):
        return ShapeTensor((), "int32", (value,))
    if isinstance(value, bool):
        return Spec((), "bool")
    if isinstance(value, int):
        return ShapeTensor((), "int32", (Known(value),))
    if isinstance(value, float):
        return Spec((), "float32")
    if isinstance(value, (list, tuple)):
        sizes = _sizes(value)
        if sizes is not None and value:
            return ShapeTensor((len(value),), "int32", sizes)
        shape, kinds = nested_shape(value, what)
        if "float" in kinds or any(k.startswith("float") for k in kinds):
            dtype = "float32"
        elif "int" in kinds or any(k.startswith("int") for k in kinds):
            dtype = "int32"
        elif kinds == {"bool"}:
            dtype = "bool"
        else:
            dtype = "float32"
        return Spec(shape, dtype)
    raise ArgumentError(f"`{what}` must be a tensor, got {type(value).__name__}",
                        expected="a KerasTensor (or a number)")


def _dtype_operand(value):
    """What result_type sees of an argument: a Spec's dtype, or a Python number's (weak) type."""
    if isinstance(value, Spec):
        return value.dtype
    if isinstance(value, Dim):
        return int
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return type(value)
    return to_spec(value).dtype


def _axis_arg(axis):
    if axis is None or isinstance(axis, (int, Dim)) and not isinstance(axis, bool):
        return axis
    if isinstance(axis, (tuple, list)):
        return tuple(axis)
    raise ArgumentError(f"axis must be an int, a tuple of ints or None, got {axis!r}")


# --------------------------------------------------------------------------------------------------------------
# Elementwise


def _same(d):
    return d


def _floatify(d):
    return d if "float" in d else FLOATX


def _float64ish(d):
    if "float" in d:
        return d
    return "float64" if d == "int64" else FLOATX


_UNARY = {
    _same: "abs absolute negative sign round trunc rsqrt erf erfinv copy stop_gradient conj conjugate real imag "
           "bitwise_invert bitwise_not",
    _floatify: "floor ceil sqrt exp exp2 expm1 log log2 log10 log1p sin cos tan tanh arcsin arccos arctan sinh "
               "cosh arcsinh arccosh arctanh",
    _float64ish: "cbrt deg2rad rad2deg",
    (lambda d: "bool"): "logical_not isnan isfinite isinf isneginf isposinf signbit",
    (lambda d: "int32" if d == "bool" else d): "square",
    (lambda d: "float32"): "reciprocal",
}

_ACTIVATIONS = ("relu relu6 sigmoid elu selu silu swish gelu softplus softsign log_sigmoid leaky_relu "
                "hard_sigmoid hard_silu hard_swish hard_tanh tanh_shrink celu sparsemax squareplus sparse_plus "
                "sparse_sigmoid soft_shrink hard_shrink")
_ACT_SIGNATURES = {"gelu": "x, approximate=True", "leaky_relu": "x, negative_slope=0.2", "elu": "x, alpha=1.0",
                   "celu": "x, alpha=1.0", "sparse_sigmoid": "x", "soft_shrink": "x, threshold=0.5",
                   "hard_shrink": "x, threshold=0.5", "squareplus": "x, b=4", "sparsemax": "x, axis=-1"}


def _unary(dtype_rule):
    def rule(x, **_):
        x = to_spec(x)
        return Spec(x.shape, dtype_rule(x.dtype))
    return rule


_NO_NUMPY = {"erf", "erfinv", "rsqrt", "logsumexp"}  # keras.ops names without a keras.ops.numpy alias

for _rule, _names in _UNARY.items():
    for _name in _names.split():
        sig = "x, decimals=0" if _name == "round" else "x"
        if _name == "stop_gradient":
            sig = "variable"
            KERAS_OPS.op(_name, sig)(lambda variable, _r=_unary(_rule): _r(variable))
            continue
        op((_name,) if _name in _NO_NUMPY else (_name, f"numpy.{_name}"), sig)(_unary(_rule))

for _name in _ACTIVATIONS.split():
    op((_name, f"nn.{_name}"), _ACT_SIGNATURES.get(_name, "x"))(_unary(_same))


@op(("threshold", "nn.threshold"), "x, threshold, default_value")
def _threshold(x, threshold, default_value):
    return _unary(_same)(x)


@op(("nan_to_num", "numpy.nan_to_num"), "x, nan=0.0, posinf=None, neginf=None")
def _nan_to_num(x, **_):
    return _unary(_same)(x)


@op(("softmax", "nn.softmax"), "x, axis=-1")
def _softmax(x, axis=-1):
    x = to_spec(x)
    if axis is not None:
        S.norm_axes(_axis_arg(axis), len(x.shape), unique=False)
    return Spec(x.shape, x.dtype)


@op(("log_softmax", "nn.log_softmax"), "x, axis=-1")
def _log_softmax(x, axis=-1):
    return _softmax(x, axis)


@op(("glu", "nn.glu"), "x, axis=-1")
def _glu(x, axis=-1):
    x = to_spec(x)
    ax = S.norm_axis(axis, len(x.shape))
    d = x.shape[ax]
    if d.value is not None and d.value % 2:
        raise ShapeError(f"axis size must be divisible by 2. Received: x.shape={S.fmt(x.shape)} with axis={axis}",
                         expected="an even size along axis")
    half = d.exactdiv(Known(2)) if d.value is not None else S.UNKNOWN
    return Spec((*x.shape[:ax], half, *x.shape[ax + 1:]), x.dtype)


def _binary(dtype_rule):
    def rule(x1, x2):
        a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
        return Spec(S.broadcast(a.shape, b.shape), dtype_rule(_dtype_operand(x1), _dtype_operand(x2)))
    return rule


_BINARY = {
    (lambda a, b: result_type(a, b)): "add subtract multiply maximum minimum mod floor_divide power fmod "
                                      "heaviside nextafter",
    (lambda a, b: result_type(a, b, float)): "divide true_divide arctan2 hypot logaddexp divide_no_nan",
    (lambda a, b: "bool"): "equal not_equal less less_equal greater greater_equal logical_and logical_or "
                           "logical_xor",
}
for _rule, _names in _BINARY.items():
    for _name in _names.split():
        op((_name, f"numpy.{_name}"), "x1, x2")(_binary(_rule))
for _name in ("bitwise_and bitwise_or bitwise_xor left_shift right_shift bitwise_left_shift "
              "bitwise_right_shift").split():
    op((_name, f"numpy.{_name}"), "x, y")(
        lambda x, y, _r=_binary(lambda a, b: result_type(a, b)): _r(x, y))


@op(("clip", "numpy.clip"), "x, x_min, x_max")
def _clip(x, x_min, x_max):
    x = to_spec(x)
    dtype = "int32" if x.dtype == "bool" else x.dtype
    return Spec(x.shape, dtype)


@op(("where", "numpy.where"), "condition, x1=None, x2=None")
def _where(condition, x1=None, x2=None):
    c = to_spec(condition, "condition")
    if x1 is None and x2 is None:
        raise ShapeError("ops.where(condition) with one argument returns the indices of the true elements, "
                         "whose number depends on the data", expected="ops.where(condition, x1, x2)")
    if (x1 is None) != (x2 is None):
        raise ArgumentError("`x1` and `x2` either both should be `None` or both should have non-None value.")
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    shape = S.broadcast(S.broadcast(c.shape, a.shape), b.shape)
    return Spec(shape, result_type(_dtype_operand(x1), _dtype_operand(x2)))


# --------------------------------------------------------------------------------------------------------------
# Products


@op(("matmul", "numpy.matmul"), "x1, x2")
def _matmul(x1, x2):
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    dtype = result_type(a.dtype, b.dtype)
    if dtype in ("int8", "uint8"):  # Keras's matmul widens 8-bit integers
        dtype = "int32"
    return Spec(S.matmul(a.shape, b.shape), dtype)


@op(("einsum", "numpy.einsum"), "subscripts, *operands, **kwargs")
def _einsum(subscripts, operands, kwargs):
    specs = [to_spec(o, "operands") for o in operands]
    dtype = result_type(*[s.dtype for s in specs])
    return Spec(S.einsum(subscripts, [s.shape for s in specs]), dtype)


@op(("tensordot", "numpy.tensordot"), "x1, x2, axes=2")
def _tensordot(x1, x2, axes=2):
    """Sums the products over ``axes``: the last N axes of x1 against the first N of x2 (an int N), or the listed
    axes of each (a pair of lists); the result keeps x1's other axes, then x2's."""
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    dtype = result_type(_dtype_operand(x1), _dtype_operand(x2))
    ra, rb = len(a.shape), len(b.shape)
    if isinstance(axes, int) and not isinstance(axes, bool):
        if not 0 <= axes <= min(ra, rb):
            raise ShapeError(f"tensordot: axes={axes} is more than the rank of an operand ({ra} and {rb})",
                             expected=f"an int from 0 to {min(ra, rb)}")
        left, right = list(range(ra - axes, ra)), list(range(axes))
    elif isinstance(axes, (list, tuple)) and len(axes) == 2:
        left, right = ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                       [axes[1]] if isinstance(axes[1], int) else list(axes[1]))
        if len(left) != len(right) or not all(isinstance(i, int) and not isinstance(i, bool) for i in left + right):
            raise ArgumentError("tensordot: axes must be an int or two lists of ints of the same length",
                                expected="axes=N or axes=([i, ...], [j, ...])")
        left = [S.norm_axis(i, ra) for i in left]
        right = [S.norm_axis(j, rb) for j in right]
    else:
        raise ArgumentError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}",
                            expected="axes=N or axes=([i, ...], [j, ...])")
    for i, j in zip(left, right):
        da, db = a.shape[i], b.shape[j]
        if da.value is not None and db.value is not None and da.value != db.value:
            raise ShapeError(f"tensordot: shape mismatch for sum: axis {i} of x1 has size {da.value}, axis {j} of x2 "
                             f"has size {db.value}", expected="equal sizes on the summed axes")
    shape = tuple(d for k, d in enumerate(a.shape) if k not in left) + tuple(
        d for k, d in enumerate(b.shape) if k not in right)
    return Spec(shape, dtype)


@op(("dot", "numpy.dot"), "x1, x2")
def _dot(x1, x2):
    """Keras's dot: a scalar multiplies; vector · vector is a scalar; otherwise the last axis of x1 meets the
    second-to-last of x2 (the last of a vector x2, where Keras wants the sizes equal, unknown ones included)."""
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    dtype = result_type(_dtype_operand(x1), _dtype_operand(x2))
    if not a.shape or not b.shape:
        return Spec(S.broadcast(a.shape, b.shape), dtype)
    if len(a.shape) == 1 and len(b.shape) == 1:
        return Spec((), dtype)
    if len(b.shape) == 1:
        if a.shape[-1].value is None or b.shape[0].value is None or a.shape[-1].value != b.shape[0].value:
            raise ShapeError("Shape must match on the last axis of `x1` and `x2` when `x1` is N-d array while `x2` "
                             f"is 1-D, but receive shape `x1.shape={S.fmt(a.shape)}` and x2.shape=`{S.fmt(b.shape)}`.",
                             expected="x1.shape[-1] == x2.shape[0], both known")
        return Spec(a.shape[:-1], dtype)
    if S._differ(a.shape[-1], b.shape[-2]):
        raise ShapeError("Shape must match on the last axis of `x1` and second last axis of `x2` when `x1` is N-d "
                         f"array while `x2` is M-D, but received `x1.shape={S.fmt(a.shape)}` and "
                         f"x2.shape=`{S.fmt(b.shape)}`.", expected="x1.shape[-1] == x2.shape[-2]")
    return Spec((*a.shape[:-1], *b.shape[:-2], b.shape[-1]), dtype)


@op(("outer", "numpy.outer"), "x1, x2")
def _outer(x1, x2):
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    return Spec((S.size_of(a.shape) if len(a.shape) != 1 else a.shape[0],
                 S.size_of(b.shape) if len(b.shape) != 1 else b.shape[0]), result_type(a.dtype, b.dtype))


# --------------------------------------------------------------------------------------------------------------
# Shapes


@op("shape", "x")
def _shape(x):
    return tuple(to_spec(x).shape)


@op(("size", "numpy.size"), "x")
def _size(x):
    return S.size_of(to_spec(x).shape)


@op("cast", "x, dtype")
def _cast(x, dtype):
    x = to_spec(x)
    dtype = standardize_keras_dtype(dtype)
    if isinstance(x, ShapeTensor) and dtype.startswith("int"):
        return ShapeTensor(x.shape, dtype, x.value)
    return Spec(x.shape, dtype)


@op("convert_to_tensor", "x, dtype=None, sparse=None, ragged=None")
def _convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    x = to_spec(x)
    dtype = standardize_keras_dtype(dtype) or x.dtype
    if isinstance(x, ShapeTensor) and dtype.startswith("int"):
        return ShapeTensor(x.shape, dtype, x.value)
    return Spec(x.shape, dtype)


@op(("reshape", "numpy.reshape"), "x, newshape")
def _reshape(x, newshape):
    x = to_spec(x)
    newshape = shape_values(newshape)
    if isinstance(newshape, Spec):
        n = newshape.shape[0].value if len(newshape.shape) == 1 else None
        return Spec((S.UNKNOWN,) * n if n is not None else (S.UNKNOWN,), x.dtype)
    target = newshape if isinstance(newshape, (tuple, list)) else (newshape,)
    target = tuple(S.UNKNOWN if t is None else t for t in target)
    return Spec(S.reshape(x.shape, target), x.dtype)


@op(("transpose", "numpy.transpose"), "x, axes=None")
def _transpose(x, axes=None):
    x = to_spec(x)
    return Spec(S.transpose(x.shape, None if axes is None else tuple(axes) if isinstance(axes, (tuple, list))
                            else axes), x.dtype)


@op(("swapaxes", "numpy.swapaxes"), "x, axis1, axis2")
def _swapaxes(x, axis1, axis2):
    x = to_spec(x)
    return Spec(S.swapaxes(x.shape, axis1, axis2), x.dtype)


@op(("moveaxis", "numpy.moveaxis"), "x, source, destination")
def _moveaxis(x, source, destination):
    x = to_spec(x)
    return Spec(S.moveaxis(x.shape, source, destination), x.dtype)


@op(("expand_dims", "numpy.expand_dims"), "x, axis")
def _expand_dims(x, axis):
    x = to_spec(x)
    shape = S.expand_dims(x.shape, _axis_arg(axis))
    if isinstance(x, ShapeTensor) and len(shape) == 1:
        return ShapeTensor(shape, x.dtype, x.value)
    return Spec(shape, x.dtype)


@op(("squeeze", "numpy.squeeze"), "x, axis=None")
def _squeeze(x, axis=None):
    x = to_spec(x)
    return Spec(S.squeeze(x.shape, _axis_arg(axis)), x.dtype)


@op(("ravel", "numpy.ravel"), "x")
def _ravel(x):
    x = to_spec(x)
    return Spec((S.size_of(x.shape),), x.dtype)


@op(("broadcast_to", "numpy.broadcast_to"), "x, shape")
def _broadcast_to(x, shape):
    x = to_spec(x)
    return Spec(S.broadcast_to(x.shape, shape), x.dtype)


@op(("tile", "numpy.tile"), "x, repeats")
def _tile(x, repeats):
    x = to_spec(x)
    return Spec(S.tile(x.shape, shape_values(repeats)), x.dtype)


@op(("repeat", "numpy.repeat"), "x, repeats, axis=None")
def _repeat(x, repeats, axis=None):
    x = to_spec(x)
    return Spec(S.repeat(x.shape, repeats, axis), x.dtype)


@op(("pad", "numpy.pad"), "x, pad_width, mode='constant', constant_values=None")
def _pad(x, pad_width, mode="constant", constant_values=None):
    x = to_spec(x)
    widths = _pad_widths(pad_width, len(x.shape))
    return Spec(S.pad(x.shape, widths), x.dtype)


def _pad_widths(pad_width, n):
    """numpy's pad_width: an int, (before, after), or one pair per axis."""
    if isinstance(pad_width, int) and not isinstance(pad_width, bool):
        return [(pad_width, pad_width)] * n
    if not isinstance(pad_width, (tuple, list)):
        raise ArgumentError(f"pad_width must be an int or a sequence of pairs, got {pad_width!r}")
    items = list(pad_width)
    if len(items) == 1 and isinstance(items[0], (tuple, list)):
        items = list(items[0])
        if len(items) == 1:
            items = items * 2
        return [tuple(items)] * n
    if len(items) == 2 and all(isinstance(i, int) for i in items):
        return [tuple(items)] * n
    if len(items) == 1 and isinstance(items[0], int):
        return [(items[0], items[0])] * n
    out = []
    for p in items:
        if isinstance(p, (tuple, list)) and len(p) == 2:
            out.append(tuple(p))
        elif isinstance(p, (tuple, list)) and len(p) == 1:
            out.append((p[0], p[0]))
        else:
            raise ArgumentError(f"pad_width must hold (before, after) pairs, got {pad_width!r}")
    return out


@op(("tril", "numpy.tril"), "x, k=0")
def _tril(x, k=0):
    x = to_spec(x)
    return Spec(x.shape, x.dtype)


@op(("triu", "numpy.triu"), "x, k=0")
def _triu(x, k=0):
    return _tril(x, k)


@op(("flip", "numpy.flip"), "x, axis=None")
def _flip(x, axis=None):
    x = to_spec(x)
    if axis is not None:
        S.norm_axes(_axis_arg(axis), len(x.shape), unique=False)
    return Spec(x.shape, x.dtype)


@op(("roll", "numpy.roll"), "x, shift, axis=None")
def _roll(x, shift, axis=None):
    return _flip(x, axis)


@op(("sort", "numpy.sort"), "x, axis=-1")
def _sort(x, axis=-1):
    return _flip(x, axis)


@op(("argsort", "numpy.argsort"), "x, axis=-1")
def _argsort(x, axis=-1):
    x = _flip(x, axis)
    return Spec(x.shape, "int32")


@op(("cumsum", "numpy.cumsum"), "x, axis=None, dtype=None")
def _cumsum(x, axis=None, dtype=None):
    x = to_spec(x)
    out_dtype = standardize_keras_dtype(dtype) or ("int32" if x.dtype == "bool" else x.dtype)
    if axis is None:
        return Spec((S.size_of(x.shape),), out_dtype)
    S.norm_axis(axis, len(x.shape))
    return Spec(x.shape, out_dtype)


@op(("cumprod", "numpy.cumprod"), "x, axis=None, dtype=None")
def _cumprod(x, axis=None, dtype=None):
    return _cumsum(x, axis, dtype)


# --------------------------------------------------------------------------------------------------------------
# Joining and splitting


@op(("concatenate", "numpy.concatenate"), "xs, axis=0")
def _concatenate(xs, axis=0):
    if not isinstance(xs, (list, tuple)):
        raise ArgumentError("concatenate expects a list of tensors", expected="[x1, x2, ...]")
    specs = [to_spec(t, "xs") for t in xs]
    if axis is None:
        shape = (S.size_of(specs[0].shape),) if specs else ()
        for s in specs[1:]:
            shape = S.concatenate([shape, (S.size_of(s.shape),)], 0)
    else:
        shape = S.concatenate([s.shape for s in specs], axis)
    dtype = result_type(*[s.dtype for s in specs]) if specs else FLOATX
    if specs and len(shape) == 1 and all(isinstance(s, ShapeTensor) and len(s.shape) == 1 for s in specs):
        return ShapeTensor(shape, dtype, [v for s in specs for v in s.value])
    return Spec(shape, dtype)


@op(("stack", "numpy.stack"), "x, axis=0")
def _stack(x, axis=0):
    if not isinstance(x, (list, tuple)):
        raise ArgumentError("stack expects a list of tensors", expected="[x1, x2, ...]")
    specs = [to_spec(t, "x") for t in x]
    shape = S.stack([s.shape for s in specs], axis)
    dtype = result_type(*[s.dtype for s in specs]) if specs else FLOATX
    if specs and all(isinstance(s, ShapeTensor) and not s.shape for s in specs):
        return ShapeTensor(shape, dtype, [s.value[0] for s in specs])
    return Spec(shape, dtype)


@op(("split", "numpy.split"), "x, indices_or_sections, axis=0")
def _split(x, indices_or_sections, axis=0):
    x = to_spec(x)
    if isinstance(indices_or_sections, (list, tuple)):
        parts = S.split_indices(x.shape, indices_or_sections, axis)
    else:
        parts = S.split_sections(x.shape, indices_or_sections, axis)
    return [Spec(p, x.dtype) for p in parts]


@op(("array_split", "numpy.array_split"), "x, indices_or_sections, axis=0")
def _array_split(x, indices_or_sections, axis=0):
    x = to_spec(x)
    n = S._int(indices_or_sections, "indices_or_sections")
    if n <= 0:
        raise ShapeError("number sections must be larger than 0.", expected="a positive count")
    ax = S.norm_axis(axis, len(x.shape))
    size = x.shape[ax].value
    if size is None:
        return [Spec((*x.shape[:ax], S.UNKNOWN, *x.shape[ax + 1:]), x.dtype) for _ in range(n)]
    q, r = divmod(size, n)
    return [Spec((*x.shape[:ax], Known(q + (i < r)), *x.shape[ax + 1:]), x.dtype) for i in range(n)]


@op("unstack", "x, num=None, axis=0")
def _unstack(x, num=None, axis=0):
    x = to_spec(x)
    ax = S.norm_axis(axis, len(x.shape))
    n = x.shape[ax].value if num is None else S._int(num, "num")
    if n is None:
        raise ShapeError("Cannot infer argument `num` from shape with an unknown size along the unstacked axis",
                         expected="num=... or a known size", fix="pass num=")
    rest = (*x.shape[:ax], *x.shape[ax + 1:])
    return [Spec(rest, x.dtype) for _ in range(n)]


# --------------------------------------------------------------------------------------------------------------
# Reductions


def _reduction(dtype_rule):
    def rule(x, axis=None, keepdims=False, **_):
        x = to_spec(x)
        return Spec(S.reduce(x.shape, _axis_arg(axis), bool(keepdims)), dtype_rule(x.dtype))
    return rule


_REDUCTIONS = {
    (lambda d: result_type(d, "int32") if d == "bool" or "int" in d else d): ("sum", "x, axis=None, keepdims=False"),
    (lambda d: d): ("max amax min amin", "x, axis=None, keepdims=False"),
    _floatify: ("mean std var logsumexp", "x, axis=None, keepdims=False"),
    (lambda d: "bool"): ("all any", "x, axis=None, keepdims=False"),
}
for _rule, (_names, _sig) in _REDUCTIONS.items():
    for _name in _names.split():
        sig = _sig + (", initial=None" if _name in ("max", "min") else "")
        op((_name,) if _name in _NO_NUMPY else (_name, f"numpy.{_name}"), sig)(_reduction(_rule))


@op(("prod", "numpy.prod"), "x, axis=None, keepdims=False, dtype=None")
def _prod(x, axis=None, keepdims=False, dtype=None):
    x = to_spec(x)
    out = standardize_keras_dtype(dtype) or ("int32" if x.dtype == "bool" else x.dtype)
    return Spec(S.reduce(x.shape, _axis_arg(axis), bool(keepdims)), out)


@op(("argmax", "numpy.argmax"), "x, axis=None, keepdims=False")
def _argmax(x, axis=None, keepdims=False):
    x = to_spec(x)
    if axis is None:
        shape = (S.ONE,) * len(x.shape) if keepdims else ()
    else:
        shape = S.reduce(x.shape, S._int(axis, "axis"), bool(keepdims))
    return Spec(shape, "int32")


@op(("argmin", "numpy.argmin"), "x, axis=None, keepdims=False")
def _argmin(x, axis=None, keepdims=False):
    return _argmax(x, axis, keepdims)


@op(("norm", "linalg.norm"), "x, ord=None, axis=None, keepdims=False")
def _norm(x, ord=None, axis=None, keepdims=False):
    x = to_spec(x)
    return Spec(S.reduce(x.shape, _axis_arg(axis), bool(keepdims)), _floatify(x.dtype))


@op(("moments", "nn.moments"), "x, axes, keepdims=False, synchronized=False")
def _moments(x, axes, keepdims=False, synchronized=False):
    x = to_spec(x)
    shape = S.reduce(x.shape, _axis_arg(axes), bool(keepdims))
    dtype = _floatify(x.dtype)
    return (Spec(shape, dtype), Spec(shape, dtype))


@op("top_k", "x, k, sorted=True")
def _top_k(x, k, sorted=True):
    x = to_spec(x)
    shape = S.top_k(x.shape, k)
    return (Spec(shape, x.dtype), Spec(shape, "int32"))


# --------------------------------------------------------------------------------------------------------------
# Gathering


@op(("take", "numpy.take"), "x, indices, axis=None")
def _take(x, indices, axis=None):
    x, i = to_spec(x), to_spec(indices, "indices")
    return Spec(S.take(x.shape, i.shape, axis), x.dtype)


@op(("take_along_axis", "numpy.take_along_axis"), "x, indices, axis=None")
def _take_along_axis(x, indices, axis=None):
    x, i = to_spec(x), to_spec(indices, "indices")
    return Spec(S.take_along_axis(x.shape, i.shape, axis), x.dtype)


@op(("one_hot", "nn.one_hot"), "x, num_classes, axis=-1, dtype=None, sparse=False")
def _one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = to_spec(x)
    return Spec(S.one_hot(x.shape, num_classes, axis), standardize_keras_dtype(dtype) or FLOATX)


@op(("get_item", "numpy.get_item"), "x, key")
def _get_item(x, key):
    x = to_spec(x)
    if isinstance(key, slice):  # Keras 3 refuses a bare slice (x[1:]); a tuple (x[1:, ...]) works
        raise ShapeError(f"Unsupported key type for array slice. Received: `{key!r}`",
                         expected="a tuple of indices", fix="write x[1:, ...] (a slice inside a tuple) or use "
                                                            "ops.slice")
    if isinstance(key, list):
        key = tuple(key)
    _check_key(key)
    return Spec(S.getitem(x.shape, key), x.dtype)


def _check_key(key):
    items = key if isinstance(key, tuple) else (key,)
    for k in items:
        if isinstance(k, (Spec, list, tuple)) or not (k is None or k is Ellipsis or isinstance(k, (int, slice, Dim))):
            raise ShapeError(f"Unsupported key type for array slice. Received: `{key!r}`" if not isinstance(k, Spec)
                             else "Unsupported key type for array slice: Keras symbolic tensors are indexed only "
                                  "with ints, slices, None and Ellipsis",
                             expected="ints, slices, None (newaxis) and ...",
                             fix="use ops.take(x, indices, axis=...) to index with a tensor")


@op("slice", "inputs, start_indices, shape")
def _slice(inputs, start_indices, shape):
    x = to_spec(inputs)
    target = S.dims(shape)
    if len(target) != len(x.shape):
        raise ShapeError(f"slice shape {S.fmt(target)} must have the input's rank {len(x.shape)}",
                         expected=f"{len(x.shape)} sizes")
    return Spec(target, x.dtype)


# --------------------------------------------------------------------------------------------------------------
# Creation


def _shape_arg(shape):
    if isinstance(shape, (int, Dim)) and not isinstance(shape, bool):
        shape = (shape,)
    out = S.dims(shape)
    for d in out:
        if d.value is not None and d.value < 0:
            raise ShapeError(f"negative dimensions are not allowed: {S.fmt(out)}", expected="sizes ≥ 0")
    return out


@op(("zeros", "numpy.zeros"), "shape, dtype=None")
def _zeros(shape, dtype=None):
    return Spec(_shape_arg(shape), standardize_keras_dtype(dtype) or FLOATX)


@op(("ones", "numpy.ones"), "shape, dtype=None")
def _ones(shape, dtype=None):
    return _zeros(shape, dtype)


@op(("empty", "numpy.empty"), "shape, dtype=None")
def _empty(shape, dtype=None):
    return _zeros(shape, dtype)


@op(("full", "numpy.full"), "shape, fill_value, dtype=None")
def _full(shape, fill_value, dtype=None):
    fill = _dtype_operand(fill_value)
    default = fill if isinstance(fill_value, Spec) else FLOATX  # a Python number fills floatx
    return Spec(_shape_arg(shape), standardize_keras_dtype(dtype) or default)


@op(("zeros_like", "numpy.zeros_like"), "x, dtype=None")
def _zeros_like(x, dtype=None):
    x = to_spec(x)
    return Spec(x.shape, standardize_keras_dtype(dtype) or x.dtype)


@op(("ones_like", "numpy.ones_like"), "x, dtype=None")
def _ones_like(x, dtype=None):
    return _zeros_like(x, dtype)


@op(("empty_like", "numpy.empty_like"), "x, dtype=None")
def _empty_like(x, dtype=None):
    return _zeros_like(x, dtype)


@op(("full_like", "numpy.full_like"), "x, fill_value, dtype=None")
def _full_like(x, fill_value, dtype=None):
    return _zeros_like(x, dtype)


@op(("eye", "numpy.eye"), "N, M=None, k=0, dtype=None")
def _eye(N, M=None, k=0, dtype=None):
    n = S.dim(N, "N")
    return Spec((n, n if M is None else S.dim(M, "M")), standardize_keras_dtype(dtype) or FLOATX)


@op(("arange", "numpy.arange"), "start, stop=None, step=None, dtype=None")
def _arange(start, stop=None, step=None, dtype=None):
    values = [v for v in (start, stop, step) if v is not None]
    for v in values:
        if isinstance(v, Dim) and v.value is None:
            return Spec((S.UNKNOWN,), standardize_keras_dtype(dtype) or "int32")
        if isinstance(v, Spec) or isinstance(v, bool) or not isinstance(v, (int, float, Dim)):
            raise ArgumentError(f"arange needs numbers, got {v!r}", expected="ints or floats")
    nums = [v.value if isinstance(v, Dim) else v for v in (start, stop, step)]
    lo, hi, st = (0, nums[0], 1) if nums[1] is None else (nums[0], nums[1], 1 if nums[2] is None else nums[2])
    if st == 0:
        raise ShapeError("step must be nonzero", expected="a non-zero step")
    if (hi - lo) * st < 0:  # (torch, under Keras, refuses what numpy would make empty)
        raise ShapeError("upper bound and lower bound inconsistent with step sign",
                         expected="start < stop for a positive step, start > stop for a negative one")
    import math

    n = max(0, math.ceil((hi - lo) / st))
    if any(isinstance(v, float) for v in nums):
        default = FLOATX
    else:
        default = "int32"
    return Spec((Known(n),), standardize_keras_dtype(dtype) or default)


# --------------------------------------------------------------------------------------------------------------
# Neural-network ops


def _data_format(data_format):
    from ..rules.conv import standardize_data_format

    return standardize_data_format(data_format, "ops")


def _tuple(value, n, name):
    from ..rules.conv import standardize_tuple

    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return standardize_tuple(value, n, name, "ops")


def _split_spatial(x, data_format):
    if data_format == "channels_last":
        return x.shape[:1], x.shape[1:-1], x.shape[-1]
    return x.shape[:1], x.shape[2:], x.shape[1]


def _assemble(data_format, lead, spatial, channels):
    return (*lead, *spatial, channels) if data_format == "channels_last" else (*lead, channels, *spatial)


def _padding(padding):
    p = str(padding).lower()
    if p not in ("valid", "same", "causal"):
        raise ArgumentError(f"`padding` must be either `'valid'` or `'same'`. Received {padding}.")
    return p


@op(("conv", "nn.conv"), "inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1")
def _conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = to_spec(inputs, "inputs"), to_spec(kernel, "kernel")
    fmt = _data_format(data_format)
    n = len(x.shape) - 2
    if n < 1 or len(k.shape) != len(x.shape):
        raise ShapeError(f"Kernel shape must have the same length as input, but received kernel of shape "
                         f"{S.fmt(k.shape)} and input of shape {S.fmt(x.shape)}.",
                         expected=f"a {len(x.shape)}-D kernel (spatial..., in_channels, filters)")
    lead, spatial, channels = _split_spatial(x, fmt)
    if S._differ(channels, k.shape[-2]) and channels.value is not None and k.shape[-2].value and \
            channels.value % k.shape[-2].value:
        raise ShapeError(f"The number of input channels ({channels.value}) must be divisible by the kernel's "
                         f"input channels ({k.shape[-2].value})", expected="matching channels")
    ks = [d.value for d in k.shape[:-2]]
    out = S.conv_shape(spatial, ks, _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate"),
                       _padding(padding))
    _check_positive(out, x, k)
    return Spec(_assemble(fmt, lead, out, k.shape[-1]), result_type(x.dtype, k.dtype))


def _check_positive(out, x, k):
    for d in out:
        if d.value is not None and d.value <= 0:
            raise ShapeError(f"Computed output size would be zero or negative. Received `inputs shape="
                             f"{S.fmt(x.shape)}`, `kernel shape={S.fmt(k.shape)}`",
                             expected="the window to fit inside the input", fix="use padding='same' or a larger "
                             "input")


@op(("depthwise_conv", "nn.depthwise_conv"),
    "inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1")
def _depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = to_spec(inputs, "inputs"), to_spec(kernel, "kernel")
    fmt = _data_format(data_format)
    n = len(x.shape) - 2
    if n < 1 or len(k.shape) != len(x.shape):
        raise ShapeError(f"Kernel shape must have the same length as input, but received kernel of shape "
                         f"{S.fmt(k.shape)} and input of shape {S.fmt(x.shape)}.",
                         expected=f"a {len(x.shape)}-D kernel")
    lead, spatial, channels = _split_spatial(x, fmt)
    out = S.conv_shape(spatial, [d.value for d in k.shape[:-2]], _tuple(strides, n, "strides"),
                       _tuple(dilation_rate, n, "dilation_rate"), _padding(padding))
    _check_positive(out, x, k)
    return Spec(_assemble(fmt, lead, out, channels * k.shape[-1]), result_type(x.dtype, k.dtype))


def _pool(inputs, pool_size, strides, padding, data_format):
    x = to_spec(inputs, "inputs")
    fmt = _data_format(data_format)
    n = len(x.shape) - 2
    if n < 1:
        raise ShapeError(f"pooling needs a batch, spatial axes and channels, got {S.fmt(x.shape)}",
                         expected="(batch, ..., channels)")
    pool = _tuple(pool_size, n, "pool_size")
    st = pool if strides is None else _tuple(strides, n, "strides")
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ArgumentError(f"Argument `padding` must be either 'valid' or 'same'. Received: padding={padding}")
    lead, spatial, channels = _split_spatial(x, fmt)
    out = S.pool_shape(spatial, pool, st, p)
    for d in out:
        if d.value is not None and d.value <= 0:
            raise ShapeError(f"Computed output size would be zero or negative. Received: `inputs.shape="
                             f"{S.fmt(x.shape)}`, `pool_size={pool}`, `strides={st}`, `padding={p}`.",
                             expected="each spatial size at least the pool size")
    return Spec(_assemble(fmt, lead, out, channels), x.dtype)


@op(("max_pool", "nn.max_pool"), "inputs, pool_size, strides=None, padding='valid', data_format=None")
def _max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(inputs, pool_size, strides, padding, data_format)


@op(("average_pool", "nn.average_pool"), "inputs, pool_size, strides=None, padding='valid', data_format=None")
def _average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(inputs, pool_size, strides, padding, data_format)


@op(("layer_normalization", "nn.layer_normalization"), "x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs")
def _layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, kwargs=None):
    x = to_spec(x)
    return Spec(x.shape, x.dtype)


@op(("rms_normalization", "nn.rms_normalization"), "x, scale=None, axis=-1, epsilon=None")
def _rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = to_spec(x)
    return Spec(x.shape, x.dtype)


@op(("normalize", "nn.normalize"), "x, axis=-1, order=2, epsilon=None")
def _normalize(x, axis=-1, order=2, epsilon=None):
    x = to_spec(x)
    return Spec(x.shape, x.dtype)


@op(("dot_product_attention", "nn.dot_product_attention"),
    "query, key, value, bias=None, mask=None, scale=None, is_causal=False, flash_attention=None, "
    "attn_logits_soft_cap=None")
def _dot_product_attention(query, key, value, **_):
    q, k, v = to_spec(query, "query"), to_spec(key, "key"), to_spec(value, "value")
    return Spec(q.shape, q.dtype)


# --------------------------------------------------------------------------------------------------------------
# Images


@op("image.resize", "images, size, interpolation='bilinear', antialias=False, crop_to_aspect_ratio=False, "
                    "pad_to_aspect_ratio=False, fill_mode='constant', fill_value=0.0, data_format=None")
def _resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
            pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    x = to_spec(images, "images")
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ArgumentError("Expected `size` to be a tuple of 2 integers. Received: size=" + repr(size))
    if len(x.shape) not in (3, 4):
        raise ShapeError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={S.fmt(x.shape)}", expected="a 3-D or 4-D input")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ArgumentError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    fmt = _data_format(data_format)
    return Spec(S.resize(x.shape, size, fmt), x.dtype)


@op("image.extract_patches", "images, size, strides=None, dilation_rate=1, padding='valid', data_format=None")
def _extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    x = to_spec(images, "images")
    if isinstance(size, int) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ArgumentError(f"Invalid `size` argument. Expected an int or a tuple of length 2. Received: "
                            f"size={size!r}")
    size = tuple(S._int(s, "size") for s in size)
    st = size if strides is None else _tuple(strides, 2, "strides")
    if len(x.shape) not in (3, 4):
        raise ShapeError(f"Invalid image rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={S.fmt(x.shape)}", expected="a 3-D or 4-D input")
    fmt = _data_format(data_format)
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ArgumentError(f"`padding` must be 'valid' or 'same', got {padding!r}")
    if dilation_rate != 1:
        raise ArgumentError("extract_patches with dilation_rate other than 1 is not supported by shapewise yet")
    return Spec(S.extract_patches(x.shape, size, st, p, fmt), x.dtype)


# --------------------------------------------------------------------------------------------------------------
# Python operators on KerasTensors


def _operator(name, fn):
    KERAS_OPERATORS[name] = KERAS_OPS[fn]


for _dunder, _fn in {"__add__": "add", "__sub__": "subtract", "__mul__": "multiply", "__truediv__": "divide",
                     "__floordiv__": "floor_divide", "__mod__": "mod", "__pow__": "power", "__matmul__": "matmul",
                     "__lt__": "less", "__le__": "less_equal", "__gt__": "greater", "__ge__": "greater_equal",
                     "__and__": "logical_and", "__or__": "logical_or",
                     "__xor__": "logical_xor"}.items():
    _operator(_dunder, _fn)


def _reflected(fn_name):
    entry = KERAS_OPS[fn_name]

    def rule(self, other):
        return entry([other, self], {})
    return rule


for _dunder, _fn in {"__radd__": "add", "__rsub__": "subtract", "__rmul__": "multiply", "__rtruediv__": "divide",
                     "__rfloordiv__": "floor_divide", "__rmod__": "mod", "__rpow__": "power",
                     "__rmatmul__": "matmul", "__rand__": "logical_and", "__ror__": "logical_or",
                     "__rxor__": "logical_xor"}.items():
    KERAS_OPERATORS.op(_dunder, "self, other")(_reflected(_fn))

KERAS_OPERATORS["__neg__"] = KERAS_OPS["negative"]
KERAS_OPERATORS["__abs__"] = KERAS_OPS["abs"]
KERAS_OPERATORS["__invert__"] = KERAS_OPS["logical_not"]
KERAS_OPERATORS["__getitem__"] = KERAS_OPS["get_item"]
KERAS_OPERATORS.op("__round__", "self, ndigits=None")(lambda self, ndigits=None: KERAS_OPS["round"]([self], {}))
