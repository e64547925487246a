"""NumPy's array constructors and the arithmetic of ``math``/``numpy`` on plain numbers, for the sizes snippets
compute (``int(np.prod(shape))``, ``int(math.sqrt(num_patches))``, ``np.ones((8, 62), "int32")`` fed to a model).

Only values shapewise can compute exactly are computed: numbers and tuples of numbers, and arrays whose shape is
given. Anything else stays an opaque value, as before (``NotImplemented`` here).
"""

from __future__ import annotations

import math

from ..dims import Dim
from ..keras.datasets import Array, ArrayError
from .values import _plain_dim

_INT_LIMIT = 10**12


def _number(v):
    v = _plain_dim(v)
    return v if isinstance(v, (int, float)) and not isinstance(v, (bool, Dim)) else None


def _numbers(v):
    """A number or a flat list/tuple of numbers as a list, else None."""
    if isinstance(v, (list, tuple)):
        out = [_number(x) for x in v]
        return None if any(x is None for x in out) else out
    n = _number(v)
    return None if n is None else [n]


def _checked(x):
    if isinstance(x, int) and abs(x) > _INT_LIMIT:
        return NotImplemented
    if isinstance(x, float) and not math.isfinite(x):
        return x
    return x


def _reduce(fn):
    def reduce(args, kwargs):
        if len(args) != 1 or kwargs:
            return NotImplemented
        values = _numbers(args[0])
        if values is None or not values:
            return NotImplemented
        return _checked(fn(values))
    return reduce


def _unary(fn):
    def unary(args, kwargs):
        if len(args) != 1 or kwargs:
            return NotImplemented
        x = _number(args[0])
        if x is None:
            return NotImplemented
        try:
            return _checked(fn(x))
        except (ValueError, OverflowError):
            return NotImplemented
    return unary


def _binary(fn):
    def binary(args, kwargs):
        if len(args) != 2 or kwargs:
            return NotImplemented
        a, b = _number(args[0]), _number(args[1])
        if a is None or b is None:
            return NotImplemented
        try:
            return _checked(fn(a, b))
        except (ValueError, OverflowError, ZeroDivisionError):
            return NotImplemented
    return binary


def _power(a, b):
    if abs(a) > 1 and b > 0 and b * math.log2(abs(a)) > 40:
        raise OverflowError
    return a ** b


MATH = {
    "sqrt": _unary(math.sqrt), "ceil": _unary(math.ceil), "floor": _unary(math.floor), "log": _unary(math.log),
    "log2": _unary(math.log2), "log10": _unary(math.log10), "exp": _unary(math.exp), "fabs": _unary(math.fabs),
    "isqrt": _unary(lambda x: math.isqrt(x) if isinstance(x, int) else math.isqrt(int(x))),
    "prod": _reduce(math.prod), "pow": _binary(_power), "gcd": _binary(math.gcd),
}
MATH_CONSTANTS = {"pi": math.pi, "e": math.e}

NUMPY_NUMBERS = {
    "prod": _reduce(math.prod), "product": _reduce(math.prod), "sum": _reduce(sum), "max": _reduce(max),
    "min": _reduce(min), "amax": _reduce(max), "amin": _reduce(min), "mean": _reduce(lambda v: sum(v) / len(v)),
    "sqrt": _unary(math.sqrt), "ceil": _unary(lambda x: float(math.ceil(x))),
    "floor": _unary(lambda x: float(math.floor(x))), "log2": _unary(math.log2), "log": _unary(math.log),
    "abs": _unary(abs), "power": _binary(_power),
}


def _shape_arg(shape):
    if isinstance(shape, (int, Dim)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        return None
    out = []
    for d in shape:
        d = _plain_dim(d)
        if isinstance(d, bool) or not isinstance(d, int) or d < 0 or d > _INT_LIMIT:
            return None
        out.append(d)
    return tuple(out)


def _dtype(value, default):
    """A constructor's dtype as text; None (the array stays an opaque value) for one NumPy would not take."""
    from ..keras.datasets import ArrayError, _dtype as numpy_dtype

    if value is None:
        return default
    if isinstance(value, str):
        try:
            return numpy_dtype(value)  # ("int" is int64, as NumPy reads it)
        except ArrayError:
            return None
    return None


def _constructor(default_dtype, shape_pos=0, dtype_pos=1):
    def make(args, kwargs):
        shape = args[shape_pos] if len(args) > shape_pos else kwargs.get("shape", kwargs.get("size"))
        dtype = args[dtype_pos] if dtype_pos is not None and len(args) > dtype_pos else kwargs.get("dtype")
        shape = _shape_arg(shape)
        dtype = _dtype(dtype, default_dtype)
        if shape is None or dtype is None:
            return NotImplemented
        try:
            return Array(shape, dtype.removeprefix("np.").removeprefix("numpy."), "numpy")
        except ArrayError:
            return NotImplemented
    return make


def _rand(args, kwargs):  # np.random.rand(d0, d1, ...)
    shape = _shape_arg(tuple(args))
    return NotImplemented if shape is None or kwargs else Array(shape, "float64", "numpy")


def _literal_shape(value, depth=0):
    """(shape, kind) of a nested list/tuple of numbers, as np.array makes it (kind: "bool", "int", "float"); None
    for ragged or non-numeric content."""
    if depth > 32:
        return None
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,), "float"
        parts = [_literal_shape(v, depth + 1) for v in value]
        if any(p is None for p in parts) or len({p[0] for p in parts}) != 1:
            return None
        kinds = {p[1] for p in parts}
        kind = "float" if "float" in kinds else "int" if "int" in kinds else "bool"
        return (len(value), *parts[0][0]), kind
    v = _plain_dim(value)
    if isinstance(v, bool):
        return (), "bool"
    if isinstance(v, int) and not isinstance(v, Dim):
        return (), "int"
    if isinstance(v, float):
        return (), "float"
    return None


def _np_array(args, kwargs):  # np.array([[1, 2], [3, 4]]): the shape of a literal
    if not args or set(kwargs) - {"dtype"} or len(args) > 2:
        return NotImplemented
    found = _literal_shape(args[0])
    if found is None or not isinstance(args[0], (list, tuple)):
        return NotImplemented
    shape, kind = found
    dtype = _dtype(args[1] if len(args) > 1 else kwargs.get("dtype"), {"bool": "bool", "int": "int64",
                                                                     "float": "float64"}[kind])
    if dtype is None:
        return NotImplemented
    try:
        return Array(shape, dtype.removeprefix("np.").removeprefix("numpy."), "numpy")
    except ArrayError:
        return NotImplemented


def _arange(args, kwargs):  # np.arange([start,] stop[, step]): its length
    if set(kwargs) - {"dtype", "start", "stop", "step"} or not 1 <= len(args) + len(set(kwargs) - {"dtype"}) <= 3:
        return NotImplemented
    values = [_number(a) for a in args]
    if any(v is None for v in values):
        return NotImplemented
    start, stop, step = (0, values[0], 1) if len(values) == 1 else (*values, 1)[:3] if len(values) >= 2 else \
        (None, None, None)
    start = _number(kwargs.get("start", start))
    stop = _number(kwargs.get("stop", stop))
    step = _number(kwargs.get("step", step))
    if start is None or stop is None or not step:
        return NotImplemented
    n = max(0, math.ceil((stop - start) / step))
    if n > _INT_LIMIT:
        return NotImplemented
    kind = "int64" if all(isinstance(v, int) for v in (start, stop, step)) else "float64"
    dtype = _dtype(kwargs.get("dtype"), kind)
    return NotImplemented if dtype is None else Array((n,), dtype, "numpy")


def _linspace(args, kwargs):  # np.linspace(start, stop, num=50)
    num = args[2] if len(args) > 2 else kwargs.get("num", 50)
    num = _plain_dim(num)
    if len(args) < 2 or isinstance(num, bool) or not isinstance(num, int) or not 0 <= num <= _INT_LIMIT:
        return NotImplemented
    return Array((num,), "float64", "numpy")


def _eye(args, kwargs):  # np.eye(N, M=None), np.identity(n)
    n = _plain_dim(args[0]) if args else kwargs.get("N", kwargs.get("n"))
    m = _plain_dim(args[1]) if len(args) > 1 else kwargs.get("M", n)
    m = n if m is None else m
    shape = _shape_arg((n, m))
    dtype = _dtype(kwargs.get("dtype"), "float64")
    return NotImplemented if shape is None or dtype is None else Array(shape, dtype, "numpy")


def _default_rng(args, kwargs):  # np.random.default_rng(seed): a Generator, whose methods make arrays
    from .values import Opaque

    return Opaque("np.random.default_rng(...)", path="numpy.random.Generator")


def _sized(default_dtype, size_pos):
    """A Generator method or np.random function whose ``size`` is its argument at ``size_pos`` (or size=)."""
    def make(args, kwargs):
        size = args[size_pos] if len(args) > size_pos else kwargs.get("size")
        if size is None:
            return NotImplemented  # one number drawn: a value of the data
        shape = _shape_arg(size)
        dtype = _dtype(kwargs.get("dtype"), default_dtype)
        return NotImplemented if shape is None or dtype is None else Array(shape, dtype, "numpy")
    return make


NUMPY_ARRAYS = {
    "random.default_rng": _default_rng,
    "random.Generator.random": _sized("float64", 0), "random.Generator.standard_normal": _sized("float64", 0),
    "random.Generator.normal": _sized("float64", 2), "random.Generator.uniform": _sized("float64", 2),
    "random.Generator.integers": _sized("int64", 2),
    "array": _np_array, "asarray": _np_array, "arange": _arange, "linspace": _linspace, "eye": _eye,
    "identity": _eye,
    "zeros": _constructor("float64"), "ones": _constructor("float64"), "empty": _constructor("float64"),
    "full": _constructor("float64", 0, 2),
    "random.rand": _rand, "random.randn": _rand,
    "random.random": _constructor("float64", 0, None), "random.random_sample": _constructor("float64", 0, None),
    "random.normal": lambda a, k: _constructor("float64", 2, None)(a, k) if len(a) > 2 or "size" in k
    else NotImplemented,
    "random.uniform": lambda a, k: _constructor("float64", 2, None)(a, k) if len(a) > 2 or "size" in k
    else NotImplemented,
    "random.randint": lambda a, k: _constructor("int64", 2, None)(a, k) if len(a) > 2 or "size" in k
    else NotImplemented,
}


def call(path, args, kwargs):
    """``math.f(...)``/``numpy.f(...)`` on plain values, or a NumPy array of a given shape; NotImplemented when the
    call is not one of these (it then stays an opaque value)."""
    root, _, name = path.partition(".")
    if root == "math":
        fn = MATH.get(name)
    elif root == "numpy":
        fn = NUMPY_ARRAYS.get(name) or NUMPY_NUMBERS.get(name)
    else:
        return NotImplemented
    if fn is None:
        return NotImplemented
    return fn(list(args), dict(kwargs))


def array_tensor_spec(array):
    """The tensor a layer makes of a NumPy array it is called on (Keras converts float64 data to float32)."""
    from ..engine import Spec

    if any(d is None for d in array.shape):
        return None
    dtype = "float32" if (array.dtype or "float32").startswith("float") else array.dtype
    return Spec(array.shape, dtype)
