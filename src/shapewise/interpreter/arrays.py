"""Arrays a snippet loads from ``keras.datasets``: their attributes, operators and the NumPy/Keras functions
tutorials apply to them (shapes and dtypes only: shapewise.keras.datasets). Data from anywhere else stays an
Opaque value (a named unknown)."""

from __future__ import annotations

import ast

from ..errors import ArgumentError
from ..keras import datasets
from ..keras.datasets import Array, ArrayError
from .values import Builtin, Namespace, Opaque, _format

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}


def _error(interp, node, e):
    where = f"`{interp._text(node)}`: " if node is not None else ""
    raise ArgumentError(f"{where}{e}", line=getattr(node, "lineno", None) or interp.line,
                        fix="check the shapes: shapewise knows this dataset's arrays by their documented shapes")


def _dtype_arg(value):
    """A dtype given as text, as np.float32 / "float32" / float."""
    if isinstance(value, Opaque) and value.path:
        return value.path.rsplit(".", 1)[-1]
    return value


def _call(interp, node, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (ArrayError, TypeError, ValueError, IndexError, ZeroDivisionError) as e:
        _error(interp, node, e)


# --- attributes --------------------------------------------------------------------------------------------------


def _method(fn):
    def bound(array, node):
        return Builtin(fn.__name__.removeprefix("_m_"),
                       lambda interp, args, kwargs, _a=array, _n=node: fn(interp, _a, args, kwargs, _n))

    return bound


def _m_reshape(interp, array, args, kwargs, node):
    return _call(interp, node, array.reshape, *args, **kwargs)


def _m_astype(interp, array, args, kwargs, node):
    args = [_dtype_arg(a) for a in args]
    return _call(interp, node, array.astype, *args, **{k: _dtype_arg(v) for k, v in kwargs.items()
                                                                 if k == "dtype"})


def _reduced(name, interp, node, array, args, kwargs):
    """``a.sum(axis=1, keepdims=True)`` and the like: np.sum(a, ...)."""
    result = NUMPY[name](interp, node, array, *args, **kwargs)
    if result is NotImplemented:
        return Opaque(interp._text(node), {interp._text(node): "a value computed from the data"})
    return result


def _m_flatten(interp, array, args, kwargs, node):
    return _call(interp, node, array.flatten)


def _m_squeeze(interp, array, args, kwargs, node):
    return _call(interp, node, array.squeeze, *args, **kwargs)


def _m_transpose(interp, array, args, kwargs, node):
    return _call(interp, node, array.transpose, *args)


def _m_copy(interp, array, args, kwargs, node):
    return Array(array.shape, array.dtype, array.desc)


ATTRIBUTES = {
    "shape": lambda a, node: a.shape,
    "ndim": lambda a, node: a.ndim,
    "size": lambda a, node: a.size,
    "dtype": lambda a, node: a.dtype,
    "T": lambda a, node: a.T,
    "reshape": _method(_m_reshape),
    **{name: (lambda fn: _method(lambda interp, array, args, kwargs, node: _reduced(fn, interp, node, array, args,
                                                                                      kwargs)))(name)
       for name in ("sum", "mean", "max", "min", "prod", "std", "var")},
    "astype": _method(_m_astype),
    "flatten": _method(_m_flatten),
    "ravel": _method(_m_flatten),
    "squeeze": _method(_m_squeeze),
    "transpose": _method(_m_transpose),
    "copy": _method(_m_copy),
}


def attribute(interp, array, name, node):
    fn = ATTRIBUTES.get(name)
    if fn is None:
        interp.refuse(f"the attribute `.{name}` of an array", "only these are interpreted: "
                      + ", ".join(sorted(ATTRIBUTES)), node)
    return fn(array, node)


def subscript(interp, array, index, node):
    return _call(interp, node, array.__getitem__, index)


def binop(interp, op_type, a, b, node):
    op = _OPS.get(op_type)
    if op is None:
        interp.refuse(f"`{interp._text(node)}`", "this operator is not interpreted on arrays", node)
    if isinstance(a, Array):
        return _call(interp, node, a.binary, op, b)
    return _call(interp, node, b.binary, op, a, True)


def compare(interp, a, b, node):
    """``a < b`` (any comparison) with a NumPy array: a bool array of the broadcast shape."""
    array = a if isinstance(a, Array) else b
    other = b if array is a else a
    out = _call(interp, node, array.binary, "+", other)  # the broadcast shape
    return Array(out.shape, "bool", array.desc)


def length(interp, array, node=None):
    try:
        return len(array)
    except ArrayError as e:
        interp.refuse("len() of this array", str(e), node)


# --- functions: numpy's and keras.utils' ---------------------------------------------------------------------------


def _np_expand_dims(interp, node, a, axis):
    return _call(interp, node, datasets.expand_dims, a, axis)


def _np_reshape(interp, node, a, newshape=None, *rest, **kwargs):
    shape = kwargs.get("shape", kwargs.get("newshape", newshape))
    return _call(interp, node, a.reshape, shape)


def _np_concatenate(interp, node, arrays, axis=0):
    if not all(isinstance(x, Array) for x in arrays):
        return NotImplemented
    return _call(interp, node, datasets.concatenate, arrays, axis)


def _np_array(interp, node, a, dtype=None, **kwargs):
    return a if dtype is None else _call(interp, node, a.astype, _dtype_arg(dtype))


def _np_squeeze(interp, node, a, axis=None):
    return _call(interp, node, a.squeeze, axis)


def _np_transpose(interp, node, a, axes=None):
    return _call(interp, node, a.transpose, *(() if axes is None else (axes,)))


def _np_shape(interp, node, a):
    return a.shape


def _np_elementwise(name):
    """np.sin(a), np.sqrt(a), ...: the array's shape; a float result for an int array (np.abs/np.square keep the
    dtype)."""
    keeps = name in ("abs", "absolute", "square", "negative", "sign", "floor", "ceil", "round", "rint", "trunc")

    def fn(interp, node, a, *args, **kwargs):
        if not isinstance(a, Array) or args or set(kwargs) - {"dtype"}:
            return NotImplemented
        dtype = a.dtype if keeps or (a.dtype or "float64").startswith("float") else "float64"
        return a._new(a.shape, dtype, f" ({name})")
    return fn


def _np_binary(op):
    def fn(interp, node, a, b, **kwargs):
        if kwargs:
            return NotImplemented
        if isinstance(a, Array):
            return _call(interp, node, a.binary, op, b)
        if isinstance(b, Array):
            return _call(interp, node, b.binary, op, a, True)
        return NotImplemented
    return fn


def _np_stack(interp, node, arrays, axis=0):
    if not isinstance(arrays, (list, tuple)) or not arrays or not all(isinstance(x, Array) for x in arrays):
        return NotImplemented
    if len({x.shape for x in arrays}) != 1:
        _error(interp, node, ArrayError("all input arrays must have the same shape"))
    return _call(interp, node, datasets.concatenate, [datasets.expand_dims(x, axis) for x in arrays], axis)


def _np_like(dtype_pos):
    def fn(interp, node, a, *args, **kwargs):
        if not isinstance(a, Array):
            return NotImplemented
        dtype = args[dtype_pos] if dtype_pos is not None and len(args) > dtype_pos else kwargs.get("dtype")
        return a._new(a.shape, a.dtype if dtype is None else datasets._dtype(_dtype_arg(dtype)), " (like)")
    return fn


def _np_unique(interp, node, a, *args, **kwargs):
    if not isinstance(a, Array):
        return NotImplemented
    if args or kwargs:
        interp.refuse(f"`{interp._text(node)}`", "shapewise knows np.unique(labels) alone (no other arguments)", node)
    if a.classes is not None:  # a dataset's labels: one entry per class
        return _call(interp, node, datasets.unique, a)
    # how many distinct values there are is data: the length is unknown (len() of it says so)
    return Array((None,), a.dtype, f"np.unique({a.desc or 'an array'})")


def _np_reduce(name):
    def fn(interp, node, a, axis=None, keepdims=False, **kwargs):
        if not isinstance(a, Array) or set(kwargs) - {"dtype"}:
            return NotImplemented
        if axis is None:
            return NotImplemented  # a value of the data (np.max(y)): it stays an opaque value
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        if any(isinstance(x, bool) or not isinstance(x, int) for x in axes):
            _error(interp, node, ArrayError(f"axis must be an integer or a tuple of integers, not "
                                            f"{_format(axis, True)}"))
        if any(not -a.ndim <= x < a.ndim for x in axes):
            _error(interp, node, ArrayError(f"axis {_format(axis, True)} is out of bounds for array of dimension "
                                            f"{a.ndim}"))
        axes = {x % a.ndim for x in axes}
        shape = tuple(1 if i in axes else d for i, d in enumerate(a.shape) if keepdims or i not in axes)
        dtype = "float64" if name in ("mean", "std", "var") and a.dtype not in ("float16", "float32") else a.dtype
        return a._new(shape, dtype, f" ({name})")
    return fn


_ELEMENTWISE = ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "exp", "exp2", "expm1",
                "log", "log2", "log10", "log1p", "sqrt", "cbrt", "abs", "absolute", "square", "negative", "sign",
                "floor", "ceil", "round", "rint", "trunc", "reciprocal")

NUMPY = {
    **{name: _np_elementwise(name) for name in _ELEMENTWISE},
    **{name: _np_binary(op) for name, op in (("add", "+"), ("subtract", "-"), ("multiply", "*"),
                                              ("divide", "/"), ("true_divide", "/"), ("power", "**"))},
    **{name: _np_reduce(name) for name in ("sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var")},
    "stack": _np_stack, "zeros_like": _np_like(0), "ones_like": _np_like(0), "empty_like": _np_like(0),
    "full_like": _np_like(1), "unique": _np_unique,
    "expand_dims": _np_expand_dims, "reshape": _np_reshape, "concatenate": _np_concatenate, "array": _np_array,
    "asarray": _np_array, "squeeze": _np_squeeze, "transpose": _np_transpose, "shape": _np_shape,
    "float32": lambda interp, node, a: _call(interp, node, a.astype, "float32"),
}


def numpy_call(interp, func, args, kwargs, node):
    """``np.f(array, ...)`` for the functions above when an argument is an Array; NotImplemented otherwise."""
    path = func.path or ""
    if not path.startswith("numpy."):
        return NotImplemented
    values = list(args) + list(kwargs.values())
    if not any(isinstance(v, Array) or (isinstance(v, (list, tuple)) and any(isinstance(x, Array) for x in v))
               for v in values):
        return NotImplemented
    fn = NUMPY.get(path[len("numpy."):])
    if fn is None:
        interp.refuse(f"`{interp._text(node)}`", f"shapewise knows only these NumPy functions of arrays: "
                      f"{', '.join(sorted(NUMPY))}", node)
    try:
        return fn(interp, node, *args, **kwargs)
    except TypeError as e:
        _error(interp, node, e)


def _to_categorical(interp, args, kwargs):
    y = args[0] if args else kwargs.get("x")
    num_classes = args[1] if len(args) > 1 else kwargs.get("num_classes")
    if isinstance(y, Opaque) or isinstance(num_classes, Opaque):
        parents = tuple(v for v in (y, num_classes) if isinstance(v, Opaque))
        return Opaque("to_categorical(...)", parents=parents)
    if not isinstance(y, Array):
        interp.refuse("to_categorical() of this value", "shapewise knows it only on a keras.datasets array")
    try:
        return datasets.to_categorical(y, num_classes)
    except ArrayError as e:
        interp.refuse("to_categorical() here", str(e))


# --- namespaces ------------------------------------------------------------------------------------------------


def _load_data(name):
    def load(interp, args, kwargs):
        try:
            return datasets.load_data(name, *args, **kwargs)
        except (ArrayError, TypeError) as e:
            raise ArgumentError(f"keras.datasets.{name}.load_data(): {e}", line=interp.line) from None

    return Builtin("load_data", load)


def datasets_ns():
    members = {name: Namespace(f"keras.datasets.{name}", {"load_data": _load_data(name)},
                               fallback=lambda n, name=name: _opaque(f"keras.datasets.{name}.{n}"))
               for name in datasets.DATASETS}
    return Namespace("keras.datasets", members, fallback=lambda n: _opaque(f"keras.datasets.{n}"),
                     star=lambda: dict(members))


def _pad_sequences(interp, args, kwargs):
    sequences = args[0] if args else kwargs.pop("sequences", None)
    if isinstance(sequences, Opaque):
        return Opaque("pad_sequences(...)", parents=(sequences,))
    if not isinstance(sequences, Array):
        interp.refuse("pad_sequences() of this value", "shapewise knows it only on a keras.datasets array")
    try:
        return datasets.pad_sequences(sequences, *args[1:], **kwargs)
    except (ArrayError, TypeError) as e:
        raise ArgumentError(f"keras.utils.pad_sequences(): {e}", line=interp.line) from None


def utils_extra():
    return {"to_categorical": Builtin("to_categorical", _to_categorical),
            "pad_sequences": Builtin("pad_sequences", _pad_sequences)}


def _opaque(path):
    return Opaque(path, {path: "is not part of the model"}, path=path)
