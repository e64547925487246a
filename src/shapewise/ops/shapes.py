"""Shape rules of tensor operations over tuples of Dims, shared by keras.ops and torch.

Each rule takes shapes (tuples of :class:`~shapewise.dims.Dim`) and plain arguments (ints, or Dims where a size
goes) and returns the output shape as a tuple of Dims. An output axis that is an input axis is that same Dim
object, so names flow through; derived sizes are Dim expressions (``h·w``, ``⌊(in − 3) / 2⌋ + 1``).

Checks are three-valued as Keras's are at build time: a size that is unknown (``None``) never fails a check
against a known one; only two known, different sizes fail. ``fw`` (``"keras"`` or ``"torch"``) only selects the
wording of an error, never the rule: where the two frameworks differ in behaviour the rule takes an argument.
"""

from __future__ import annotations

from ..dims import Dim, Known, Unknown, product
from ..errors import ArgumentError, ShapeError

__all__ = [
    "ONE", "dim", "dims", "fmt", "norm_axis", "norm_axes", "broadcast", "matmul", "reshape", "transpose",
    "permute", "swapaxes", "moveaxis", "expand_dims", "squeeze", "concatenate", "stack", "split_sections",
    "split_indices", "split_sizes", "chunk", "reduce", "top_k", "take", "take_along_axis", "one_hot", "tile",
    "repeat", "expand", "broadcast_to", "pad", "getitem", "flatten", "unflatten", "window_out", "conv_shape",
    "pool_shape", "resize", "extract_patches", "einsum", "size_of", "UNKNOWN",
]

ONE = Known(1)
UNKNOWN = Unknown("None")
MAX_PARTS = 10_000  # an op that returns one tensor per part (split, chunk, unstack) returns at most this many
MAX_RANK = 64  # as torch (and more than any model uses)


def _parts(n, what="parts"):
    if n > MAX_PARTS:
        raise ShapeError(f"this would make {n} {what}; shapewise follows at most {MAX_PARTS}",
                         expected=f"at most {MAX_PARTS} {what}")
    return n


def _rank(n):
    if n > MAX_RANK:
        raise ShapeError(f"a tensor of {n} dimensions: at most {MAX_RANK} are supported",
                         expected=f"at most {MAX_RANK} dims")
    return n


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def dim(value, what="size"):
    """An int or Dim argument as a Dim (``None`` is an unknown size); anything else is an ArgumentError."""
    if isinstance(value, Dim):
        return value
    if value is None:
        return UNKNOWN
    if isinstance(value, bool) or not isinstance(value, int):
        _tensor_value(value, what)
        raise ArgumentError(f"{what} must be an integer, got {_repr(value)}",
                            expected="an int (or a dimension such as x.shape[1])")
    return Known(int(value))


def _tensor_value(value, what):
    """A number given as a tensor (``ops.tile(x, ops.concatenate([...]))``): the program is fine, but its value is
    computed from tensors, which shapewise never does: a refusal, not an error in the user's code."""
    from ..engine import Spec
    from ..errors import RefusedError

    if isinstance(value, Spec) or (isinstance(value, (list, tuple)) and any(isinstance(v, Spec) for v in value)):
        raise RefusedError(f"{what} is computed from a tensor's values, which shapewise does not follow (it follows "
                           "shapes, not the numbers inside tensors)",
                           fix="write the number itself, or take it from a shape: ops.shape(x)[i] or x.shape[i]")


def dims(values, what="shape"):
    """A sequence of ints/Dims (or one int) as a tuple of Dims."""
    if isinstance(values, (int, Dim)) and not isinstance(values, bool):
        return (dim(values, what),)
    if not isinstance(values, (tuple, list)):
        _tensor_value(values, what)
        raise ArgumentError(f"{what} must be a tuple of integers, got {_repr(values)}",
                            expected="a tuple of ints")
    return tuple(dim(v, what) for v in values)


def _repr(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _int(value, what):
    """A plain int argument (an axis, a count); a Dim with a known value is accepted."""
    if isinstance(value, Dim):
        if value.value is None:
            raise ArgumentError(f"{what} must be a known integer, got an unknown size {value.names()}",
                                expected="a concrete int")
        return value.value
    if isinstance(value, bool) or not isinstance(value, int):
        _tensor_value(value, what)
        raise ArgumentError(f"{what} must be an integer, got {_repr(value)}", expected="an int")
    return int(value)


def fmt(shape, fw="keras"):
    """A shape as the framework prints it: Keras ``(None, 3)``, torch ``[4, 3]``."""
    values = ["None" if d.value is None else str(d.value) for d in shape]
    if fw == "torch":
        return "[" + ", ".join(values) + "]"
    return f"({values[0]},)" if len(values) == 1 else "(" + ", ".join(values) + ")"


def _v(d):
    return d.value


def _differ(a, b):
    """True only when both sizes are known and different (three-valued: unknown never differs)."""
    return a.value is not None and b.value is not None and a.value != b.value


def norm_axis(axis, ndim, fw="keras"):
    """An axis in [-ndim, ndim) as a non-negative index; out of range is the framework's error."""
    axis = _int(axis, "axis")
    if -ndim <= axis < ndim:
        return axis + ndim if axis < 0 else axis
    if fw == "torch":
        lo, hi = (-max(ndim, 1), max(ndim, 1) - 1)
        raise ShapeError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {axis})",
                         expected=f"a dim in [{lo}, {hi}] for a {ndim}-D tensor",
                         fix="count dims from 0, or from the end with negative numbers")
    raise ShapeError(f"axis {axis} is out of bounds for an array with dimension {ndim}.",
                     expected=f"an axis in [-{ndim}, {ndim})",
                     fix="count axes from 0 (the batch axis), or from the end with negative numbers")


def norm_axes(axes, ndim, fw="keras", unique=True):
    """A tuple of normalized axes from an int or a sequence of ints."""
    if isinstance(axes, (tuple, list)):
        out = tuple(norm_axis(a, ndim, fw) for a in axes)
    else:
        out = (norm_axis(axes, ndim, fw),)
    if unique and len(set(out)) != len(out):
        dup = next(a for a in out if out.count(a) > 1)
        if fw == "torch":
            raise ShapeError(f"dim {dup} appears multiple times in the list of dims",
                             expected="each dim at most once")
        raise ShapeError(f"repeated axis {dup} in axis={axes}", expected="each axis at most once")
    return out


def size_of(shape):
    """The number of elements, as a Dim (its value None when an axis is unknown)."""
    return product(shape)


# --------------------------------------------------------------------------------------------------------------
# Broadcasting


def broadcast(*shapes, fw="keras"):
    """NumPy broadcasting of several shapes. Keras's three-valued rule: an unknown size against 1 stays
    unknown, against a known size n gives n; only two known sizes, neither 1 and different, fail."""
    if not shapes:
        return ()
    out = tuple(shapes[0])
    for other in shapes[1:]:
        out = _broadcast2(out, tuple(other), fw)
    return out


def _broadcast2(a, b, fw):
    n = max(len(a), len(b))
    pa = (ONE,) * (n - len(a)) + a
    pb = (ONE,) * (n - len(b)) + b
    if fw == "torch":  # torch (infer_size) walks the axes from the last one: the error names the last mismatch
        for i in reversed(range(n)):
            x, y = pa[i], pb[i]
            if _differ(x, y) and x.value != 1 and y.value != 1:
                raise ShapeError(
                    f"The size of tensor a ({x.value}) must match the size of tensor b ({y.value}) at "
                    f"non-singleton dimension {i}",
                    expected=f"sizes that are equal or 1 along each aligned axis; got {fmt(a, fw)} and "
                             f"{fmt(b, fw)}",
                    fix="make the sizes match, or give one of them size 1 (unsqueeze) so it broadcasts")
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x is y or x.value == 1:
            out.append(y if x.value == 1 else x)
        elif x.value is None:
            out.append(x if y.value == 1 else y)
        elif y.value == 1 or y.value is None or y.value == x.value:
            out.append(x)
        else:
            if fw == "torch":
                raise ShapeError(
                    f"The size of tensor a ({x.value}) must match the size of tensor b ({y.value}) at "
                    f"non-singleton dimension {i}",
                    expected=f"sizes that are equal or 1 along each aligned axis; got {fmt(a, fw)} and "
                             f"{fmt(b, fw)}",
                    fix="make the sizes match, or give one of them size 1 (unsqueeze) so it broadcasts")
            raise ShapeError(
                f"Cannot broadcast shape, the failure dim has value {x.value}, which cannot be broadcasted to "
                f"{y.value}. Input shapes are: {list(map(_v, a))} and {list(map(_v, b))}.",
                expected="sizes that are equal or 1 along each axis, aligned from the last axis",
                fix="make the sizes match, or give one of them size 1 (expand_dims) so it broadcasts")
    return tuple(out)


def broadcast_to(shape, target, fw="keras"):
    """Broadcast ``shape`` to exactly ``target`` (broadcast_to / expand_as). Keras only checks that the two
    broadcast together (either way) and returns the target."""
    target = dims(target)
    if fw == "keras":
        broadcast(shape, target, fw=fw)
        return target
    if len(shape) > len(target):
        raise ShapeError(f"Cannot broadcast a tensor of shape {fmt(shape, fw)} to the shape {fmt(target, fw)}: "
                         "the target has fewer axes", expected=f"at least {len(shape)} axes")
    lead = len(target) - len(shape)
    for i, (s, t) in enumerate(zip(shape, target[lead:])):
        if s.value != 1 and _differ(s, t):
            if fw == "torch":
                raise ShapeError(
                    f"The expanded size of the tensor ({t.value}) must match the existing size ({s.value}) at "
                    f"non-singleton dimension {lead + i}.  Target sizes: {fmt(target, fw)}.  Tensor sizes: "
                    f"{fmt(shape, fw)}", expected="target sizes equal to the tensor's, or the tensor's size 1")
            raise ShapeError(f"Cannot broadcast shape {fmt(shape)} to {fmt(target)}: size {s.value} at axis "
                             f"{lead + i} cannot become {t.value}", expected="target sizes equal to the input's or "
                             "input sizes of 1")
    return target


def expand(shape, sizes):
    """torch's ``expand``: -1 keeps a size; new leading sizes are added; a size-1 axis may grow."""
    sizes = list(sizes)
    if len(sizes) < len(shape):
        raise ShapeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                         f"number of dimensions in the tensor ({len(shape)})",
                         expected=f"at least {len(shape)} sizes")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if not isinstance(s, Dim) and _int(s, "size") == -1:
            if i < lead:
                raise ShapeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                 f"non-existing dimension {i}", expected="a size for a new leading dimension")
            out.append(shape[i - lead])
            continue
        d = dim(s, "size")
        if d.value is not None and d.value < 0:
            raise ShapeError(f"The expanded size of the tensor ({d.value}) isn't allowed",
                             expected="sizes ≥ 0, or -1 to keep one")
        out.append(d)
    return broadcast_to(shape, out, fw="torch")


# --------------------------------------------------------------------------------------------------------------
# Matrix products


def matmul(a, b, fw="keras"):
    """``a @ b`` as numpy.matmul: 1-D operands get a temporary axis, the batch axes broadcast, the inner
    sizes must agree (an unknown one never fails)."""
    if fw == "torch":
        return _torch_matmul(a, b)
    if not a or not b:
        raise ShapeError("matmul does not accept a scalar (0-D) operand, got shapes "
                         f"{fmt(a)} and {fmt(b)}", expected="operands with at least 1 axis",
                         fix="use ops.multiply for a scalar")
    a1, b1 = len(a) == 1, len(b) == 1
    sa = (ONE, a[0]) if a1 else a
    sb = (b[0], ONE) if b1 else b
    if _differ(sa[-1], sb[-2]):
        raise ShapeError(
            "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received "
            f"`x1.shape={fmt(sa)}` and `x2.shape={fmt(sb)}`.",
            expected=f"x2.shape[-2] = x1.shape[-1] = {sa[-1].value}",
            fix="transpose one operand, or make the contracted sizes equal")
    lead = broadcast(sa[:-2], sb[:-2], fw=fw)
    out = [*lead, sa[-2], sb[-1]]
    if a1:
        del out[-2]
    if b1:
        del out[-1]
    return tuple(out)


def _mat(shape):
    return "x".join("None" if d.value is None else str(d.value) for d in shape)


def _torch_matmul(a, b):
    """torch.matmul, with the error torch raises on the CPU for each of its paths (dot, mv, mm, fold, bmm)."""
    na, nb = len(a), len(b)
    if na == 0 or nb == 0:
        raise ShapeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D",
                         expected="tensors with at least 1 dim", fix="use * for a scalar")
    if na == 1 and nb == 1:
        if _differ(a[0], b[0]):
            raise ShapeError(
                f"inconsistent tensor size, expected tensor [{a[0].value}] and src [{b[0].value}] to have the same "
                f"number of elements, but got {a[0].value} and {b[0].value} elements respectively",
                expected="two vectors of the same length")
        return ()
    if na == 2 and nb == 1:
        if _differ(a[1], b[0]):
            raise ShapeError(f"size mismatch, got input ({a[0].value}), mat ({_mat(a)}), vec ({b[0].value})",
                             expected=f"a vector of length {a[1].value}")
        return (a[0],)
    if na == 1 and nb == 2:
        if _differ(a[0], b[0]):
            raise ShapeError(f"mat1 and mat2 shapes cannot be multiplied (1x{a[0].value} and {_mat(b)})",
                             expected=f"mat2 with {a[0].value} rows")
        return (b[1],)
    if na == 2 and nb == 2:
        _mm_check(a, b)
        return (a[0], b[1])
    if na >= 3 and nb <= 2:  # torch folds the batch axes of a into its rows
        rows = product(a[:-1])
        if nb == 1:
            if _differ(a[-1], b[0]):
                raise ShapeError(f"size mismatch, got input ({rows.value}), mat ({rows.value}x{a[-1].value}), "
                                 f"vec ({b[0].value})", expected=f"a vector of length {a[-1].value}")
            return a[:-1]
        _mm_check((rows, a[-1]), b)
        return (*a[:-1], b[1])
    # batched: broadcast the batch axes, then bmm
    sa = (ONE, a[0]) if na == 1 else a
    sb = (b[0], ONE) if nb == 1 else b
    lead = broadcast(sa[:-2], sb[:-2], fw="torch")
    if _differ(sa[-1], sb[-2]):
        batch = product(lead)
        raise ShapeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{_vt(batch)}, {_vt(sa[-1])}] but "
            f"got: [{_vt(batch)}, {_vt(sb[-2])}].",
            expected=f"the second operand's dim -2 equal to the first one's last dim ({_vt(sa[-1])})",
            fix="transpose one operand (x.transpose(-2, -1)) or make the contracted sizes equal")
    out = [*lead, sa[-2], sb[-1]]
    if na == 1:
        del out[-2]
    if nb == 1:
        del out[-1]
    return tuple(out)


def _vt(d):
    return "None" if d.value is None else str(d.value)


def _mm_check(a, b):
    if _differ(a[1], b[0]):
        raise ShapeError(f"mat1 and mat2 shapes cannot be multiplied ({_mat(a)} and {_mat(b)})",
                         expected=f"mat2 with {a[1].value} rows (mat1's columns)",
                         fix=f"the first operand has {a[1].value} features per row: make the layer/matrix take "
                             f"{a[1].value} inputs (e.g. nn.Linear({a[1].value}, ...)), or reshape the input to "
                             f"{b[0].value} features")


def bmm(a, b, fw="torch"):
    """torch.bmm: two 3-D tensors with the same batch size and agreeing inner sizes."""
    if len(a) != 3:
        raise ShapeError("batch1 must be a 3D tensor", expected="a (b, n, m) tensor")
    if len(b) != 3:
        raise ShapeError("batch2 must be a 3D tensor", expected="a (b, m, p) tensor")
    if _differ(a[0], b[0]) or _differ(a[2], b[1]):
        raise ShapeError(f"Expected size for first two dimensions of batch2 tensor to be: [{_vt(a[0])}, "
                         f"{_vt(a[2])}] but got: [{_vt(b[0])}, {_vt(b[1])}].",
                         expected="the same batch size and batch2's dim 1 equal to batch1's dim 2")
    return (a[0], a[1], b[2])


def mm(a, b):
    """torch.mm: two matrices."""
    if len(a) != 2:
        raise ShapeError("self must be a matrix", expected="a 2-D tensor")
    if len(b) != 2:
        raise ShapeError("mat2 must be a matrix", expected="a 2-D tensor")
    _mm_check(a, b)
    return (a[0], b[1])


def einsum(equation, shapes, fw="keras"):
    """Einstein summation: each letter is one size, equal across operands (or 1, which broadcasts)."""
    if not isinstance(equation, str):
        raise ArgumentError(f"einsum's equation must be a string, got {_repr(equation)}")
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
        explicit = True
    else:
        lhs, rhs, explicit = eq, "", False
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ShapeError(f"einsum(): the equation {equation!r} has {len(terms)} operand(s) but {len(shapes)} "
                         "were given", expected=f"{len(terms)} operands")
    found = {}  # letter -> the sizes it has in the operands
    ell = None
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        letters = term.replace("...", ".")
        if letters.count(".") > 1 or any(not (c.isalpha() or c == ".") for c in letters):
            raise ShapeError(f"einsum(): invalid subscripts {term!r} in {equation!r}",
                             expected="letters, optionally one '...'")
        if "." in letters:
            n_ell = len(shape) - (len(letters) - 1)
            if n_ell < 0:
                raise ShapeError(f"einsum(): the subscripts {term!r} need at least {len(letters) - 1} dims, the "
                                 f"operand has {len(shape)}", expected=f"at least {len(letters) - 1} dims")
            i = letters.index(".")
            here = tuple(shape[i:i + n_ell])
            ell = here if ell is None else broadcast(ell, here, fw=fw)
            shape = tuple(shape[:i]) + (None,) + tuple(shape[i + n_ell:])
        elif len(letters) != len(shape):
            raise ShapeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                             f"the number of dimensions ({len(shape)}) for operand {k}"
                             + ("" if fw == "torch" else f": {term!r} against shape {fmt(shape)}"),
                             expected=f"{len(letters)} dims")
        for c, d in zip(letters, shape):
            if c != ".":
                found.setdefault(c, []).append(d)
    if not explicit:
        seen = lhs.replace("...", "").replace(",", "")
        rhs = ("..." if ell is not None else "") + "".join(sorted(c for c in set(seen) if seen.count(c) == 1))
    sizes = {}
    for c, ds in found.items():
        # Keras broadcasts only the letters it keeps; torch checks every letter (sizes equal, or 1)
        if c in rhs or fw == "torch":
            try:
                sizes[c] = broadcast(*((d,) for d in ds), fw=fw)[0]
            except ShapeError:
                raise ShapeError(f"einsum(): operands do not broadcast with remapped shapes: subscript {c!r} has "
                                 f"sizes {[d.value for d in ds]} in {equation!r}",
                                 expected=f"{c} the same size in every operand (or 1)") from None
        else:
            sizes[c] = ds[0]
    out = []
    for c in rhs.replace("...", "."):
        if c == ".":
            out.extend(ell or ())
        elif c not in sizes:
            raise ShapeError(f"einsum(): output subscript {c!r} does not appear in the equation's inputs",
                             expected="output letters taken from the inputs")
        else:
            out.append(sizes[c])
    return tuple(out)


# --------------------------------------------------------------------------------------------------------------
# Reshaping


def _factors(d, out):
    """The factors of a product expression (a known product folds into one number)."""
    from ..dims import _Prod  # the product node: its factors cancel against the input's axes

    if isinstance(d, _Prod):
        _factors(d.left, out)
        _factors(d.right, out)
    else:
        out.append(d)


def _cancel(num, den):
    """Drop factors common to ``num`` and ``den`` (the same Dim object, or equal known numbers)."""
    num, den = list(num), list(den)
    rest = []
    for d in den:
        for i, n in enumerate(num):
            if n is d or (n.value is not None and n.value == d.value and n.value != 1
                          and (type(n) is Known or type(d) is Known)):
                del num[i]
                break
        else:
            rest.append(d)
    return num, rest


def reshape(shape, target, fw="keras"):
    """Reshape with at most one -1. The inferred size is the input's size divided by the target's others,
    as an expression: factors that appear on both sides cancel (``reshape(x, (-1, h·w, c))`` on an input
    (batch, h, w, c) gives batch). Known sizes that do not match are an error; unknown ones never are."""
    if not isinstance(target, (tuple, list)):
        target = (target,)
    items = []
    infer_at = None
    for i, t in enumerate(target):
        if isinstance(t, Dim):
            items.append(t)
            continue
        t = _int(t, "shape")
        if t == -1:
            if infer_at is not None:
                if fw == "torch":
                    raise ShapeError("only one dimension can be inferred", expected="at most one -1")
                raise ShapeError("There must be at most one unknown dimension (-1) in `newshape`. Received: "
                                 f"newshape={tuple(target)}.", expected="at most one -1")
            infer_at = i
            items.append(None)
        elif t < -1:
            if fw == "torch":
                raise ShapeError(f"invalid shape dimension {t} at index {i} of shape {_list(target)}",
                                 expected="sizes ≥ 0, or -1 for one inferred size")
            raise ShapeError("Each dimension in `newshape` must be a non-negative integer, or `-1` for a single "
                             f"unknown dimension. Received: newshape={tuple(_plain(x) for x in target)}.",
                             expected="sizes ≥ 0, or -1 for one inferred size")
        else:
            items.append(Known(t))
    total = product(shape)
    known = [d for d in items if d is not None]
    if infer_at is None:
        if total.value is not None and all(d.value is not None for d in known):
            if total.value != product(known).value:
                _reshape_error(shape, target, total, fw)
        return tuple(items)
    rest = product(known)
    if fw == "keras" and rest.value is None:
        # Keras infers nothing when the target holds an unknown size (its None): the -1 stays unknown, even where
        # the expressions would cancel (x of (None, 8) to (ops.shape(x)[0], -1))
        items[infer_at] = UNKNOWN
        return tuple(items)
    if total.value is not None and rest.value is not None:
        if rest.value == 0 or total.value % rest.value:
            if fw == "torch" and rest.value == 0 and total.value == 0:
                raise ShapeError(f"cannot reshape tensor of 0 elements into shape {_list(target)} because the "
                                 "unspecified dimension size -1 can be any value and is ambiguous",
                                 expected="no -1 next to a size 0")
            _reshape_error(shape, target, total, fw, inferred=True)
    num, den = [], []
    for d in shape:
        _factors(d, num)
    for d in known:
        _factors(d, den)
    num, den = _cancel(num, den)
    if den and all(d.value is not None for d in den):
        # the known sizes left on both sides divide as numbers: (batch·8·8) / 64 is batch
        den_value = 1
        for d in den:
            den_value *= d.value
        num_value = 1
        for n in num:
            if n.value is not None:
                num_value *= n.value
        if den_value and num_value % den_value == 0:
            num = [n for n in num if n.value is None]
            if num_value // den_value != 1:
                num.append(Known(num_value // den_value))
            den = []
    inferred = product(num)
    if den:
        divisor = product(den)
        if inferred.value is not None and divisor.value:
            inferred = Known(inferred.value // divisor.value) if type(inferred) is Known and \
                type(divisor) is Known else inferred.exactdiv(divisor)
        elif divisor.value == 0:
            inferred = UNKNOWN
        else:
            inferred = _ExactDivOf(inferred, divisor)
    items[infer_at] = inferred
    return tuple(items)


def _ExactDivOf(num, den):
    """num / den with one side unknown: an expression whose value is unknown."""
    from ..dims import _ExactDiv

    return _ExactDiv(num, den)


def _plain(x):
    return x.value if isinstance(x, Dim) else x


def _list(target):
    return "[" + ", ".join("None" if _plain(t) is None else str(_plain(t)) for t in target) + "]"


def _reshape_error(shape, target, total, fw, inferred=False):
    if fw == "torch":
        raise ShapeError(f"shape '{_list(target)}' is invalid for input of size {total.value}",
                         expected=f"sizes whose product is {total.value} (the input's {fmt(shape, fw)})",
                         fix=_reshape_fix(shape, target, total))
    if inferred:
        raise ShapeError("The total size of the tensor must be unchanged, however, the input size cannot by "
                         "divided by the specified dimensions in newshape. Received: "
                         f"input_shape={tuple(map(_v, shape))}, newshape={tuple(_plain(t) for t in target)}",
                         expected=f"sizes that divide {total.value}", fix=_reshape_fix(shape, target, total))
    raise ShapeError("The total size of the tensor must be unchanged. Received: "
                     f"input_shape={tuple(map(_v, shape))}, newshape={tuple(_plain(t) for t in target)}",
                     expected=f"sizes whose product is {total.value}", fix=_reshape_fix(shape, target, total))


def _reshape_fix(shape, target, total):
    known = [_plain(t) for t in target if _plain(t) not in (-1, None)]
    rest = 1
    for k in known:
        rest *= k
    if len(shape) >= 2 and -1 in [_plain(t) for t in target] and len(target) == 2:
        per_row = product(shape[1:]).value
        if per_row is not None:
            return (f"the input has {per_row} values per row ({'·'.join(_vt(d) for d in shape[1:])}): reshape to "
                    f"(-1, {per_row}), or change the next layer to take {per_row} features")
    return f"the input has {total.value} elements; the new sizes multiply to {rest}"


def flatten(shape, start_dim=0, end_dim=-1, fw="torch"):
    """Merge the axes start_dim..end_dim into one (torch.flatten); a 0-D tensor becomes 1-D."""
    if not shape:
        return (ONE,)
    s = norm_axis(start_dim, len(shape), fw)
    e = norm_axis(end_dim, len(shape), fw)
    if s > e:
        raise ShapeError("flatten() has invalid args: start_dim cannot come after end_dim",
                         expected="start_dim ≤ end_dim")
    if s == e:
        return tuple(shape)
    return (*shape[:s], product(shape[s:e + 1]), *shape[e + 1:])


def unflatten(shape, dim_, sizes, fw="torch"):
    """Split one axis into ``sizes`` (one of them may be -1)."""
    axis = norm_axis(dim_, len(shape), fw)
    sizes = list(sizes) if isinstance(sizes, (tuple, list)) else [sizes]
    if not sizes:
        raise ShapeError("unflatten: sizes must be non-empty", expected="at least one size")
    try:
        new = reshape((shape[axis],), sizes, fw=fw)
    except ShapeError:
        raise ShapeError(f"unflatten: Provided sizes {_list(sizes)} don't multiply up to the size of dim {_int(dim_, 'dim')} "
                         f"({_vt(shape[axis])}) in the input tensor",
                         expected=f"sizes whose product is {_vt(shape[axis])}") from None
    return (*shape[:axis], *new, *shape[axis + 1:])


# --------------------------------------------------------------------------------------------------------------
# Axis moves


def transpose(shape, axes=None, fw="keras"):
    """Reverse the axes, or permute them by ``axes``."""
    if axes is None:
        return tuple(reversed(shape))
    return permute(shape, axes, fw)


def permute(shape, axes, fw="keras"):
    n = len(shape)
    if not isinstance(axes, (tuple, list)):
        raise ArgumentError(f"axes must be a sequence of ints, got {_repr(axes)}")
    if len(axes) != n:
        if fw == "torch":
            raise ShapeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                             f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                             f"len(dims) = {len(axes)}", expected=f"{n} dims", fix="name every dim once")
        raise ShapeError("axis must be a list of the same length as the input shape, expected "
                         f"{n}, but received {len(axes)}.", expected=f"{n} axes")
    norm = []
    for a in axes:
        a_int = _int(a, "axis")
        if not -n <= a_int < n:
            if fw == "torch":
                norm_axis(a_int, n, fw)
            raise ShapeError(f"Each axis in `axes` must be an integer in [-{n}, {n}). Received: axes={list(axes)}.",
                             expected=f"axes in [-{n}, {n})")
        norm.append(a_int % n)
    if len(set(norm)) != n:
        if fw == "torch":
            raise ShapeError("permute(): duplicate dims are not allowed.", expected="each dim once")
        raise ShapeError("`axes` must be a valid permutation of the input dimensions (no duplicates). Received: "
                         f"axes={list(axes)} for input of rank {n}.", expected="each axis once")
    return tuple(shape[a] for a in norm)


def swapaxes(shape, axis1, axis2, fw="keras"):
    n = len(shape)
    if n == 0 and fw == "torch":
        return ()
    a, b = norm_axis(axis1, n, fw), norm_axis(axis2, n, fw)
    out = list(shape)
    out[a], out[b] = out[b], out[a]
    return tuple(out)


def moveaxis(shape, source, destination, fw="keras"):
    n = len(shape)
    src = norm_axes(source, n, fw)
    dst = norm_axes(destination, n, fw)
    if len(src) != len(dst):
        raise ShapeError("`source` and `destination` arguments must have the same number of elements",
                         expected="as many destinations as sources")
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(shape[i] for i in order)


def expand_dims(shape, axis, fw="keras"):
    """Insert size-1 axes at ``axis`` (an int or several), counted in the output."""
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    n_out = _rank(len(shape) + len(axes))
    norm = norm_axes(axes, n_out, fw)
    it = iter(shape)
    return tuple(ONE if i in norm else next(it) for i in range(n_out))


def squeeze(shape, axis=None, fw="keras"):
    """Remove size-1 axes (all of them, or those named). Keras fails on a named axis of another size; torch
    leaves it as it is."""
    if axis is None:
        return tuple(d for d in shape if d.value != 1)
    if not shape and fw == "torch":
        for a in (axis if isinstance(axis, (tuple, list)) else (axis,)):
            norm_axis(a, 1, fw)
        return ()
    axes = norm_axes(axis, len(shape), fw, unique=False)
    drop = set()
    for a in axes:
        d = shape[a]
        if d.value == 1:
            drop.add(a)
        elif fw == "keras":  # (an unknown size too: Keras squeezes only a known 1)
            raise ShapeError(f"Cannot squeeze axis {a}, because the dimension is not 1. Received: "
                             f"x.shape={fmt(shape)} and axis={axis}.", expected=f"axis {a} of size 1")
    return tuple(d for i, d in enumerate(shape) if i not in drop)


# --------------------------------------------------------------------------------------------------------------
# Joining and splitting


def concatenate(shapes, axis=0, fw="keras"):
    """Join along ``axis``: every other axis must agree; the joined size is the sum."""
    shapes = [tuple(s) for s in shapes]
    if not shapes:
        if fw == "torch":
            raise ShapeError("torch.cat(): expected a non-empty list of Tensors", expected="at least one tensor")
        raise ShapeError("Need at least one tensor to concatenate", expected="a list of tensors")
    if fw == "torch":  # torch skips legacy 1-D empty tensors and needs equal ranks
        first = shapes[0]
        if not first:
            raise ShapeError("zero-dimensional tensor (at position 0) cannot be concatenated",
                             expected="tensors with at least 1 dim")
        ax = norm_axis(axis, len(first), fw)
        for k, s in enumerate(shapes[1:], 1):
            if len(s) != len(first):
                raise ShapeError(f"Tensors must have same number of dimensions: got {len(first)} and {len(s)}",
                                 expected=f"{len(first)}-D tensors")
            for i, (x, y) in enumerate(zip(first, s)):
                if i != ax and _differ(x, y):
                    raise ShapeError(
                        f"Sizes of tensors must match except in dimension {ax}. Expected size {x.value} but got "
                        f"size {y.value} for tensor number {k} in the list.",
                        expected=f"all sizes equal except along dim {ax}",
                        fix="crop or resize one input (a U-Net skip: pad or crop to the same size), or "
                            "concatenate along the axis where they differ")
    else:
        first = shapes[0]
        if not first:
            raise ShapeError("Cannot concatenate scalars (0-D tensors)", expected="tensors with at least 1 axis")
        ax = norm_axis(axis, len(first), fw)
        for s in shapes[1:]:
            if len(s) != len(first):
                raise ShapeError(
                    "Arguments `xs` passed to concatenate must have the same rank, but received shapes "
                    f"{fmt(first)} and {fmt(s)}", expected=f"{len(first)}-D tensors")
            for i, (x, y) in enumerate(zip(first, s)):
                if i != ax and _differ(x, y):
                    raise ShapeError(
                        "`concatenate` expects all input tensors to have the same shape, except on the "
                        f"concatenation axis. Received: shapes {fmt(first)} and {fmt(s)} on axis={axis}",
                        expected=f"equal sizes on every axis but {axis}",
                        fix="crop or resize one input, or concatenate along the axis where they differ")
    out = list(first)
    for i in range(len(first)):
        if i == ax or fw == "keras":  # (Keras keeps the first tensor's sizes, an unknown one included)
            continue
        known = next((s[i] for s in shapes if s[i].value is not None), None)
        if known is not None:
            out[i] = known
    joined = [s[ax] for s in shapes]
    if len(joined) == 1:
        out[ax] = joined[0]
    elif any(d.value is None for d in joined):
        out[ax] = UNKNOWN
    else:
        total = joined[0]
        for d in joined[1:]:
            total = total + d
        out[ax] = total
    return tuple(out)


def stack(shapes, axis=0, fw="keras"):
    """Stack equal shapes along a new axis."""
    shapes = [tuple(s) for s in shapes]
    if not shapes:
        if fw == "torch":
            raise ShapeError("stack expects a non-empty TensorList", expected="at least one tensor")
        raise ShapeError("Need at least one tensor to stack", expected="a list of tensors")
    first = shapes[0]
    for k, s in enumerate(shapes[1:], 1):
        if len(s) != len(first) or any(_differ(x, y) for x, y in zip(first, s)):
            if fw == "torch":
                raise ShapeError(f"stack expects each tensor to be equal size, but got {fmt(first, fw)} at entry 0 "
                                 f"and {fmt(s, fw)} at entry {k}", expected="tensors of one shape")
            raise ShapeError(f"All input tensors must have the same shape. Received: shapes {fmt(first)} and "
                             f"{fmt(s)}", expected="tensors of one shape")
    ax = norm_axis(axis, len(first) + 1, fw)
    if fw == "keras":  # Keras keeps the first tensor's sizes
        return (*first[:ax], Known(len(shapes)), *first[ax:])
    merged = [next((s[i] for s in shapes if s[i].value is not None), first[i]) for i in range(len(first))]
    return (*merged[:ax], Known(len(shapes)), *merged[ax:])


def split_sections(shape, sections, axis=0, fw="keras"):
    """Split into ``sections`` equal parts (numpy/keras split with an int)."""
    n = _int(sections, "indices_or_sections")
    ax = norm_axis(axis, len(shape), fw)
    if n <= 0:
        raise ShapeError(f"number sections must be larger than 0, got {n}", expected="a positive count")
    _parts(n)
    size = shape[ax]
    if size.value is not None and size.value % n:
        raise ShapeError("array split does not result in an equal division: the axis of size "
                         f"{size.value} cannot be split into {n} equal sections",
                         expected=f"a size divisible by {n}", fix="pass split indices instead of a count")
    part = size.exactdiv(Known(n)) if size.value is not None else (UNKNOWN if n != 1 else size)
    return [(*shape[:ax], part, *shape[ax + 1:]) for _ in range(n)]


def split_indices(shape, indices, axis=0, fw="keras"):
    """Split at the given indices (numpy semantics: out-of-range indices clip, giving empty parts)."""
    ax = norm_axis(axis, len(shape), fw)
    size = shape[ax]
    cuts = [_int(i, "index") for i in indices]
    _parts(len(cuts) + 1)
    out = []
    if size.value is None:
        return [(*shape[:ax], UNKNOWN, *shape[ax + 1:]) for _ in range(len(cuts) + 1)]
    bounds = [0, *cuts, size.value]
    if fw == "keras":  # Keras takes the differences as they are: a negative one is an error
        for lo, hi in zip(bounds, bounds[1:]):
            if hi - lo < 0:
                raise ShapeError(f"Cannot split an axis of size {size.value} at indices {cuts}: a part would have "
                                 f"negative size {hi - lo}", expected=f"increasing indices in [0, {size.value}]")
    for lo, hi in zip(bounds, bounds[1:]):
        lo_c = len(range(size.value)[:lo]) if lo >= 0 else max(size.value + lo, 0)
        hi_c = len(range(size.value)[:hi]) if hi >= 0 else max(size.value + hi, 0)
        out.append((*shape[:ax], Known(max(hi_c - lo_c, 0)), *shape[ax + 1:]))
    return out


def split_sizes(shape, split_size_or_sections, dim_=0, fw="torch"):
    """torch.split: an int (parts of that size, the last smaller) or a list of sizes summing to the axis."""
    ax = norm_axis(dim_, len(shape), fw)
    size = shape[ax]
    if isinstance(split_size_or_sections, (tuple, list)):
        parts = [_int(p, "split_size") for p in split_size_or_sections]
        if size.value is not None and sum(parts) != size.value or any(p < 0 for p in parts):
            raise ShapeError(f"split_with_sizes expects split_sizes to sum exactly to {_vt(size)} (input tensor's "
                             f"size at dimension {ax}), but got split_sizes={parts}",
                             expected=f"sizes summing to {_vt(size)}")
        return [(*shape[:ax], Known(p), *shape[ax + 1:]) for p in parts]
    step = _int(split_size_or_sections, "split_size")
    if step < 0 or (step == 0 and size.value != 0):
        raise ShapeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {_vt(size)}"
                         if step == 0 else f"split expects split_size be non-negative, but got split_size={step}",
                         expected="a positive split_size")
    if size.value is None:
        raise ShapeError("torch.split of an axis of unknown size gives an unknown number of parts",
                         expected="a known size along the split dim")
    if size.value == 0:
        return [tuple(shape)]
    n = _parts(-(-size.value // step))
    return [(*shape[:ax], Known(min(step, size.value - i * step)), *shape[ax + 1:]) for i in range(n)]


def chunk(shape, chunks, dim_=0, fw="torch"):
    """torch.chunk: parts of ⌈size / chunks⌉ (the last smaller; fewer parts when they run out)."""
    n = _int(chunks, "chunks")
    if n <= 0:
        raise ShapeError("chunk expects `chunks` to be greater than 0, got: " + str(n), expected="chunks > 0")
    if not shape:
        raise ShapeError("chunk expects at least a 1-dimensional tensor", expected="a tensor with a dim")
    ax = norm_axis(dim_, len(shape), fw)
    size = shape[ax]
    if size.value is None:
        raise ShapeError("torch.chunk of an axis of unknown size gives an unknown number of parts",
                         expected="a known size along the chunked dim")
    step = -(-size.value // n) if size.value else 0
    if step == 0:
        return [tuple(shape)] * 1 if size.value == 0 else []
    return split_sizes(shape, step, ax, fw)


# --------------------------------------------------------------------------------------------------------------
# Reductions and selections


def reduce(shape, axis=None, keepdims=False, fw="keras"):
    """Reduce over ``axis`` (None: every axis; an int or several, negative ones counted from the end)."""
    if axis is None or (fw == "torch" and isinstance(axis, (tuple, list)) and len(axis) == 0):
        return tuple(ONE for _ in shape) if keepdims else ()
    if not shape and fw == "torch":
        for a in (axis if isinstance(axis, (tuple, list)) else (axis,)):
            norm_axis(a, 1, fw)
        return ()
    axes = norm_axes(axis, len(shape), fw, unique=fw == "torch")
    if keepdims:
        return tuple(ONE if i in axes else d for i, d in enumerate(shape))
    out = list(shape)
    for a in sorted(axes, reverse=True):  # (Keras deletes a repeated axis twice, as here)
        if a >= len(out):
            raise ShapeError(f"axis {a} repeated in axis={axis} leaves no axis to remove",
                             expected="each axis at most once")
        del out[a]
    return tuple(out)


def top_k(shape, k, fw="keras"):
    """The k largest along the last axis: (values, indices) of shape (..., k)."""
    k_ = dim(k, "k")
    if not shape:
        raise ShapeError("top_k needs at least one axis", expected="a tensor with an axis")
    last = shape[-1]
    if k_.value is not None and (k_.value < 0 or (last.value is not None and k_.value > last.value)):
        if fw == "torch":
            raise ShapeError("selected index k out of range", expected=f"k ≤ {last.value}")
        raise ShapeError(f"k={k_.value} is larger than the last axis ({last.value})", expected=f"k ≤ {last.value}")
    return (*shape[:-1], k_)


def take(shape, indices_shape, axis=None, fw="keras"):
    """numpy.take: the indices' shape replaces ``axis`` (or the flattened input when axis is None)."""
    if axis is None:
        return tuple(indices_shape)
    ax = norm_axis(axis, len(shape), fw)
    return (*shape[:ax], *indices_shape, *shape[ax + 1:])


def take_along_axis(shape, indices_shape, axis=None, fw="keras"):
    if axis is None:
        shape = (product(shape),)
        ax = 0
    else:
        ax = None
    if len(shape) != len(indices_shape):
        raise ShapeError("`x` and `indices` must have the same number of dimensions, but receive shape "
                         f"{list(map(_v, shape))} and {list(map(_v, indices_shape))}.",
                         expected=f"{len(shape)}-D indices")
    if ax is None:
        ax = norm_axis(axis, len(shape), fw)
    left = list(shape)
    left[ax] = indices_shape[ax]
    return broadcast(tuple(left), tuple(indices_shape), fw=fw)


def gather(shape, dim_, index_shape, fw="torch"):
    """torch.gather: the output has the index's shape; the ranks must agree and the index may not be larger
    than the input along the other dims."""
    ax = norm_axis(dim_, max(len(shape), 1), fw)
    if len(index_shape) != len(shape):
        raise ShapeError("Index tensor must have the same number of dimensions as input tensor",
                         expected=f"a {len(shape)}-D index")
    for i, (x, y) in enumerate(zip(shape, index_shape)):
        if i != ax and x.value is not None and y.value is not None and y.value > x.value:
            raise ShapeError(f"Size does not match at dimension {i} expected index {fmt(index_shape, fw)} to be "
                             f"no larger than self {fmt(shape, fw)} apart from dimension {ax}",
                             expected="an index no larger than the input")
    return tuple(index_shape)


def one_hot(shape, num_classes, axis=-1, fw="keras"):
    n = dim(num_classes, "num_classes")
    ax = norm_axis(axis, len(shape) + 1, fw)
    return (*shape[:ax], n, *shape[ax:])


def tile(shape, reps, fw="keras"):
    """numpy.tile / torch's repeat: each axis times its repetition count; extra counts add leading axes."""
    reps = list(reps) if isinstance(reps, (tuple, list)) else [reps]
    reps = [dim(r, "repeats") for r in reps]
    for r in reps:
        if r.value is not None and r.value < 0:
            raise ShapeError(f"Trying to create tensor with negative dimension {r.value}",
                             expected="repeat counts ≥ 0")
    if fw == "torch" and len(reps) < len(shape):
        raise ShapeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                         "tensor", expected=f"at least {len(shape)} repeat counts")
    n = _rank(max(len(reps), len(shape)))
    reps = [ONE] * (n - len(reps)) + reps
    base = [ONE] * (n - len(shape)) + list(shape)
    return tuple(b if r.value == 1 and type(r) is Known and r.role is None else b * r for b, r in zip(base, reps))


def repeat(shape, repeats, axis=None, fw="keras"):
    """numpy.repeat / torch.repeat_interleave with an int count: each element repeated along ``axis`` (the
    flattened input when None)."""
    if isinstance(repeats, (tuple, list)):
        counts = [_int(r, "repeats") for r in repeats]
        if axis is None:
            return (Known(sum(counts)),) if len(counts) != 1 else (product(shape) * counts[0],)
        ax = norm_axis(axis, len(shape), fw)
        if len(counts) == 1:
            return (*shape[:ax], shape[ax] * counts[0], *shape[ax + 1:])
        if shape[ax].value is not None and len(counts) != shape[ax].value:
            raise ShapeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                             f"{len(counts)} and input.size({ax}) = {shape[ax].value}",
                             expected=f"{shape[ax].value} counts")
        return (*shape[:ax], Known(sum(counts)), *shape[ax + 1:])
    r = dim(repeats, "repeats")
    if r.value is not None and r.value < 0:
        raise ShapeError("repeats can not be negative", expected="repeats ≥ 0")
    if axis is None:
        return (product(shape) * r,)
    ax = norm_axis(axis, len(shape), fw)
    return (*shape[:ax], shape[ax] * r, *shape[ax + 1:])


def pad(shape, widths, fw="keras"):
    """Padding: ``widths`` is one (before, after) pair per axis, first axis first; a size grows by both."""
    if len(widths) != len(shape):
        raise ShapeError(f"pad width has {len(widths)} entries for {len(shape)} axes",
                         expected=f"one (before, after) pair per axis ({len(shape)})")
    out = []
    for d, (lo, hi) in zip(shape, widths):
        lo_, hi_ = _int(lo, "pad width"), _int(hi, "pad width")
        new = d + (lo_ + hi_)
        if new.value is not None and new.value < 0:
            raise ShapeError(f"The input size {d.value}, plus negative padding {lo_} and {hi_} resulted in a "
                             f"negative output size, which is invalid.", expected="an output size ≥ 0")
        out.append(new)
    return tuple(out)


# --------------------------------------------------------------------------------------------------------------
# Indexing


def _slice_len(s, d):
    """The length of ``d[s]``: a number when d is known; the same Dim for a full ``:``; else unknown."""
    start, stop, step = (None if v is None else _int(v, "slice index") for v in (s.start, s.stop, s.step))
    if step == 0:
        raise ShapeError("slice step cannot be zero", expected="a non-zero step")
    if start is None and stop is None and step in (None, 1):
        return d
    if d.value is None:
        return UNKNOWN
    return Known(len(range(*slice(start, stop, step).indices(d.value))))


def getitem(shape, key, fw="keras"):
    """``x[key]``. ``key`` is an item or a tuple of items: an int, a slice, None (a new axis), Ellipsis, or a
    :class:`TensorIndex` (a tensor used as an index: an int tensor picks, its shape takes the axis's place; a
    bool mask selects a data-dependent number of elements, an unknown size)."""
    items = list(key) if isinstance(key, tuple) else [key]
    if fw == "torch" and items.count(Ellipsis) > 1:  # torch lets later ellipses stand for no axes
        first = items.index(Ellipsis)
        items = items[:first + 1] + [i for i in items[first + 1:] if i is not Ellipsis]
    if items.count(Ellipsis) > 1:
        if fw == "torch":
            raise ShapeError("an index can only have a single ellipsis ('...')", expected="one ...")
        raise ShapeError(f"Slice should only have one ellipsis. Received: `{_repr(key)}`", expected="one ...")
    uses = []
    for item in items:
        if item is None or item is Ellipsis:
            uses.append(0)
        elif isinstance(item, _TensorIndex):
            uses.append(len(item.shape) if item.dtype == "bool" else 1)
        else:
            uses.append(1)
    needed = sum(uses)
    if needed > len(shape):
        if fw == "torch":
            raise ShapeError(f"too many indices for tensor of dimension {len(shape)}",
                             expected=f"at most {len(shape)} indices")
        raise ShapeError(f"Array has shape {fmt(shape)} but slice has to many indices. Received: `{_repr(key)}`",
                         expected=f"at most {len(shape)} indices")
    if Ellipsis not in items:
        items.append(Ellipsis)
        uses.append(0)
    out = []
    advanced = []  # (position in out, shape) of the tensor indices
    rest = list(shape)
    pos = 0
    for item, use in zip(items, uses):
        if item is Ellipsis:
            take_n = len(rest) - (needed - pos)
            out.extend(rest[:take_n])
            rest = rest[take_n:]
            continue
        if item is None:
            out.append(ONE)
            continue
        if isinstance(item, _TensorIndex):
            axes = rest[:use]
            rest = rest[use:]
            pos += use
            if item.dtype == "bool":
                for a, m in zip(axes, item.shape):
                    if _differ(a, m):
                        raise ShapeError(f"The shape of the mask {fmt(item.shape, fw)} at index 0 does not match "
                                         f"the shape of the indexed tensor {fmt(axes, fw)} at index 0",
                                         expected="a mask with the indexed axes' shape")
                advanced.append((len(out), (UNKNOWN,)))  # how many are True is data: unknown
            else:
                advanced.append((len(out), tuple(item.shape)))
            continue
        d = rest.pop(0)
        pos += 1
        if isinstance(item, slice):
            out.append(_slice_len(item, d))
            continue
        index = _int(item, "index")
        if d.value is not None and not -d.value <= index < d.value:
            if fw == "torch":
                raise ShapeError(f"index {index} is out of bounds for dimension {pos - 1} with size {d.value}",
                                 expected=f"an index in [-{d.value}, {d.value})")
            raise ShapeError(f"Array has shape {fmt(shape)} but out-of-bounds index {_repr(key)} was requested.",
                             expected=f"an index in [-{d.value}, {d.value}) on axis {pos - 1}")
    if advanced:
        where = [p for p, _ in advanced]
        joined = broadcast(*(s for _, s in advanced), fw=fw)
        adjacent = all(b == a for a, b in zip(where, where[1:]))
        at = where[0] if adjacent else 0
        out = out[:at] + list(joined) + out[at:]
    return tuple(out)


class _TensorIndex:
    """A tensor used as an index: its shape and dtype (an int tensor picks, a bool tensor masks)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = dims(tuple(shape), "index shape")
        self.dtype = dtype


TensorIndex = _TensorIndex


# --------------------------------------------------------------------------------------------------------------
# Convolution and pooling arithmetic


def window_out(size, kernel, stride=1, dilation=1, padding=0, ceil_mode=False):
    """Positions of a window over one axis: ⌊(in + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1, where
    ``padding`` is the total added (both sides); with ``ceil_mode`` (torch pooling) the last partial window counts
    when it starts inside the input or the left padding."""
    k, s, d = dim(kernel, "kernel_size"), dim(stride, "stride"), dim(dilation, "dilation")
    if s.value is not None and s.value <= 0:
        raise ShapeError(f"stride should be greater than zero, but got stride={s.value}", expected="stride > 0")
    if d.value is not None and d.value <= 0:
        raise ShapeError(f"dilation should be greater than zero, but got dilation={d.value}",
                         expected="dilation > 0")
    span = k if d.value == 1 else d * (k - 1) + 1
    padded = size + padding if not (isinstance(padding, int) and padding == 0) else size
    if not ceil_mode:
        return (padded - span) // s + 1
    out = (padded - span).ceildiv(s) + 1
    if out.value is not None and size.value is not None:
        pad_lo = _int(padding, "padding") // 2
        if (out.value - 1) * s.value >= size.value + pad_lo:
            return Known(out.value - 1)
    return out


def conv_shape(spatial, kernel, strides, dilation, padding):
    """Spatial output sizes of a convolution. ``padding`` is 'valid', 'same' (out = ⌈in / stride⌉, Keras and
    torch alike) or a list of total paddings per axis (torch)."""
    out = []
    for i, L in enumerate(spatial):
        k, s, d = kernel[i], strides[i], dilation[i]
        if padding == "same" or padding == "causal":
            out.append(L if s == 1 else L.ceildiv(dim(s)))
        else:
            p = 0 if padding == "valid" else padding[i]
            out.append(window_out(L, k, s, d, p))
    return tuple(out)


def conv_transpose_size(size, kernel, stride, dilation, padding, output_padding):
    """torch's ConvTranspose output: (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def pool_shape(spatial, pool, strides, padding):
    """Keras pooling: 'valid' ⌊(in − pool) / stride⌋ + 1, 'same' ⌈in / stride⌉."""
    return conv_shape(spatial, pool, strides, [1] * len(spatial), padding)


def resize(shape, size, data_format="channels_last"):
    """image.resize: the spatial axes become ``size`` (height, width)."""
    h, w = dims(size, "size")
    if data_format == "channels_last":
        return (*shape[:-3], h, w, shape[-1])
    return (*shape[:-2], h, w)


def extract_patches(shape, size, strides, padding, data_format="channels_last"):
    """image.extract_patches: a (ph, pw) window sliding with ``strides``; each patch flattened into the
    channel axis: (…, out_h, out_w, ph·pw·channels)."""
    ph, pw = size
    sh, sw = strides
    if data_format == "channels_last":
        lead, (H, W), C = shape[:-3], shape[-3:-1], shape[-1]
    else:
        lead, C, (H, W) = shape[:-3], shape[-3], shape[-2:]
    oh, ow = conv_shape((H, W), (ph, pw), (sh, sw), (1, 1), padding)
    depth = Known(ph * pw) * C
    if data_format == "channels_last":
        return (*lead, oh, ow, depth)
    return (*lead, depth, oh, ow)
