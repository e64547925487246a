"""Dtype promotion: Keras's ``keras.backend.result_type`` (a lattice adapted from JAX) and torch's
``torch.result_type`` (categories bool < integer < floating < complex, tensors with dims before 0-dim tensors
before Python numbers).

A dtype is a string ("float32", "int64", "bool"). A Python number passed where a tensor goes is weakly typed:
its kind counts, not its width (``x + 1`` keeps an int8 tensor int8; ``int_tensor + 1.5`` becomes a float).
"""

from __future__ import annotations

from ..errors import ArgumentError

__all__ = ["keras_result_type", "torch_result_type", "torch_promote", "is_float", "is_int", "is_complex",
           "KERAS_DTYPES", "TORCH_DTYPES", "standardize_keras_dtype"]

# --------------------------------------------------------------------------------------------------------------
# Keras

_BOOL = ("bool",)
_INTS = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
_FLOATS = ("bfloat16", "float16", "float32", "float64")
_COMPLEX = ("complex64", "complex128")
KERAS_DTYPES = frozenset(_BOOL + _INTS + _FLOATS + _COMPLEX + ("string",))


def _lattice():
    u1, u2, u4, u8, i1, i2, i4, i8 = _INTS
    bf, f2, f4, f8 = _FLOATS
    c64, c128 = _COMPLEX
    return {
        "bool": ["int"], u1: [i2, u2], u2: [i4, u4], u4: [i8, u8], u8: ["float"],
        "int": [u1, i1, c64], i1: [i2], i2: [i4], i4: [i8], i8: ["float"],
        "float": [bf, f2], bf: [f4], f2: [f4], f4: [f8, c64], f8: [c128], c64: [c128], c128: [],
    }


def _upper_bounds():
    lattice = _lattice()
    bounds = {n: {n} for n in lattice}
    for n in lattice:
        while True:
            new = set().union(*(lattice[b] for b in bounds[n]))
            if new <= bounds[n]:
                break
            bounds[n] |= new
    return bounds


_UB = {}  # dtype -> its upper bounds in the lattice: computed on the first promotion of mixed dtypes, not at import
_BIT64_TO_32 = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}
_KERAS_ALIASES = {"float": "float32", "int": "int32", "double": "float64", "half": "float16", "long": "int64"}


def standardize_keras_dtype(dtype):
    """A dtype argument as Keras names it ("float32"); None stays None."""
    if dtype is None:
        return None
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, str):
        name = _KERAS_ALIASES.get(dtype, dtype)
        if name in KERAS_DTYPES or name.startswith("float8"):
            return name
    raise ArgumentError(f"Invalid dtype: {dtype!r}", expected="a dtype name such as 'float32' or 'int32'")


def _least_upper_bound(nodes):
    if not _UB:
        _UB.update(_upper_bounds())
    try:
        bounds = [_UB[n] for n in nodes]
    except KeyError as e:
        raise ArgumentError(f"dtype={e.args[0]!r} is not a valid dtype for Keras type promotion.") from None
    common = set.intersection(*bounds)
    lub = (common & nodes) or {c for c in common if common <= _UB[c]}
    if len(lub) != 1:
        raise ArgumentError(f"Input dtypes {tuple(sorted(nodes))} have no available implicit dtype promotion path. "
                            "Try explicitly casting inputs to the desired output type.")
    return lub.pop()


def _weak(dtype):
    if dtype == "bool":
        return dtype
    if "float" in dtype:
        return "float"
    if "int" in dtype:
        return "int"
    return "complex"


def _keras_operand(value):
    """(dtype, weak) of an operand: a Spec's dtype, a Python number's type, or a dtype string / Python type."""
    if value is bool or isinstance(value, bool):
        return "bool", False
    if value is int or (isinstance(value, int) and not isinstance(value, bool)):
        return "int32", True
    if value is float or isinstance(value, float):
        return "float32", True
    if isinstance(value, str):
        return standardize_keras_dtype(value), False
    if value is None:
        return "float32", False
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, str):
        return dtype, False
    raise ArgumentError(f"cannot determine the dtype of {type(value).__name__}")


def keras_result_type(*operands, floatx="float32"):
    """``keras.backend.result_type`` (the torch backend: 64-bit results become 32-bit). Operands are Specs,
    Python numbers (weak), Python types ``int``/``float`` (weak) or dtype strings."""
    if not operands:
        return floatx
    pairs = [_keras_operand(v) for v in operands]
    for d, _ in pairs:
        if d.startswith("float8"):
            raise ArgumentError(f"There is no implicit conversions from float8 dtypes to others. You must cast it "
                                f"internally. Received: {tuple(d for d, _ in pairs)}")
    dtypes = [d for d, _ in pairs]
    weak = [w for _, w in pairs]
    if len(dtypes) == 1:
        out, out_weak = dtypes[0], weak[0]
    elif len(set(dtypes)) == 1 and not all(weak):
        out, out_weak = dtypes[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(set(dtypes)), True
    else:
        out = _least_upper_bound({_weak(d) if w else d for d, w in zip(dtypes, weak)})
        out_weak = out in ("int", "float")
    out_weak = out != "bool" and out_weak
    if out_weak:
        precision = floatx[-2:]
        ind = "f" if out == "bfloat16" else out[:1]
        out = {"b": "bool", "i": f"int{precision}", "u": f"uint{precision}"}.get(ind, f"float{precision}")
    return _BIT64_TO_32.get(out, out)


# --------------------------------------------------------------------------------------------------------------
# torch

TORCH_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
                "complex64", "complex128", "uint16", "uint32", "uint64")
_CATEGORY = {"bool": 0, "uint8": 1, "uint16": 1, "uint32": 1, "uint64": 1, "int8": 1, "int16": 1, "int32": 1,
             "int64": 1, "float16": 2, "bfloat16": 2, "float32": 2, "float64": 2, "complex64": 3, "complex128": 3}
_INT_ORDER = {"bool": 0, "uint8": 1, "int8": 1, "int16": 2, "int32": 3, "int64": 4}
_SIGNED_OF_SIZE = {1: "int8", 2: "int16", 3: "int32", 4: "int64"}


def is_float(dtype):
    return _CATEGORY.get(dtype) == 2


def is_int(dtype):
    return _CATEGORY.get(dtype) == 1


def is_complex(dtype):
    return _CATEGORY.get(dtype) == 3


def torch_promote(a, b):
    """``torch.promote_types`` for two dtype strings."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    ca, cb = _CATEGORY[a], _CATEGORY[b]
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if _CATEGORY[hi] == 3 and _CATEGORY[lo] == 2:
            return "complex128" if lo == "float64" or hi == "complex128" else "complex64"
        return hi
    if ca == 1:
        if a in ("uint16", "uint32", "uint64") or b in ("uint16", "uint32", "uint64"):
            raise ArgumentError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                                f"{a} and {b}")
        if {a, b} == {"uint8", "int8"}:
            return "int16"
        return a if _INT_ORDER[a] > _INT_ORDER[b] else b
    if ca == 2:
        if {a, b} == {"float16", "bfloat16"}:
            return "float32"
        order = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3}
        return a if order[a] > order[b] else b
    if ca == 3:
        return "complex128"
    return a


def _combine(higher, lower):
    """torch's combine_categories."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if is_complex(higher):
        return higher
    if is_complex(lower):
        if is_float(higher):
            return "complex128" if higher == "float64" else "complex64"
        return lower
    if is_float(higher):
        return higher
    if higher == "bool" or is_float(lower):
        return torch_promote(higher, lower)
    return higher


def torch_result_type(*operands, default_float="float32"):
    """``torch.result_type`` of Specs (a Spec of rank 0 is a 0-dim tensor) and Python numbers."""
    dim_result = zero_result = wrapped = None
    for v in operands:
        if isinstance(v, bool):
            wrapped = torch_promote(wrapped, "bool")
        elif isinstance(v, int):
            wrapped = torch_promote(wrapped, "int64")
        elif isinstance(v, float):
            wrapped = torch_promote(wrapped, default_float)
        elif isinstance(v, complex):
            wrapped = torch_promote(wrapped, "complex64")
        else:
            dtype = getattr(v, "dtype", None)
            shape = getattr(v, "shape", None)
            if not isinstance(dtype, str) or dtype not in _CATEGORY:
                raise ArgumentError(f"expected a tensor or a number, got {type(v).__name__}")
            if shape:
                dim_result = torch_promote(dim_result, dtype)
            else:
                zero_result = torch_promote(zero_result, dtype)
    out = _combine(dim_result, _combine(zero_result, wrapped))
    return out or default_float
