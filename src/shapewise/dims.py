"""Dimensions as small immutable expressions.

A dimension remembers where it came from: a number with a role (``units=32``), an unknown (``batch``, or
``timesteps`` when the user wrote ``None``), an input axis bound to a local name inside a layer
(``features`` = 64), or arithmetic on those (``4·units``, ``⌊(height − 3) / 2⌋ + 1``).

Every dimension carries its value, computed once when it is built: an ``int``, or ``None`` when a leaf is
unknown. It renders in two ways: with names (``features × 4·units``) and with numbers (``64 × 128``).
Comparisons are three-valued: :func:`same` answers True, False or None (unknown), never a silent False.
"""

from __future__ import annotations

__all__ = [
    "Dim", "Known", "Unknown", "Named", "as_dim", "as_dims", "same", "product", "leaves", "fmt_int",
]


def fmt_int(n):
    """12416 -> '12,416' (Keras's thousands separator)."""
    return f"{n:,}"


class Dim:
    """Base of every dimension expression. Subclasses set ``value`` and implement ``_render``."""

    __slots__ = ("value",)
    prec = 9  # binding strength when rendered inside another expression

    # --- arithmetic builds new expressions, folding plain numbers -------------------------------------------
    # (``other if isinstance(other, Dim) else as_dim(other)``: the common case, another Dim, costs no call)
    def __add__(self, other):
        return _add(self, other if isinstance(other, Dim) else as_dim(other))

    def __radd__(self, other):
        return _add(as_dim(other), self)

    def __sub__(self, other):
        return _add(self, _neg(other if isinstance(other, Dim) else as_dim(other)))

    def __rsub__(self, other):
        return _add(as_dim(other), _neg(self))

    def __mul__(self, other):
        return _mul(self, other if isinstance(other, Dim) else as_dim(other))

    def __rmul__(self, other):
        return _mul(as_dim(other), self)

    def __floordiv__(self, other):
        return _floordiv(self, other if isinstance(other, Dim) else as_dim(other))

    def __rfloordiv__(self, other):
        return _floordiv(as_dim(other), self)

    def exactdiv(self, other):
        """self / other where the caller has checked it divides evenly; rendered as a plain division."""
        other = as_dim(other)
        if self.value is not None and other.value and self.value % other.value:
            raise ValueError(f"{self.value} is not divisible by {other.value}")
        return _exactdiv(self, other)

    def ceildiv(self, other):
        """⌈self / other⌉, rendered as such; exact for ints."""
        return _ceildiv(self, other if isinstance(other, Dim) else as_dim(other))

    # --- rendering -------------------------------------------------------------------------------------------
    def names(self):
        """The expression written with names: ``4·units``."""
        return self._render("names")

    def numbers(self):
        """The expression with every named leaf replaced by its number: ``4·32``."""
        return self._render("numbers")

    def text(self):
        """The value as Keras prints it: an int or ``None``."""
        return "None" if self.value is None else str(self.value)

    def _wrap(self, mode, outer_prec):
        s = self._render(mode)
        return f"({s})" if self.prec < outer_prec else s

    def is_plain(self):
        """True for a bare number with no name attached."""
        return False

    def __repr__(self):
        return f"Dim({self.names()}={self.text()})"

    # Dims are compared by identity; use same() for value comparison.
    __hash__ = object.__hash__


class Known(Dim):
    """A concrete number, optionally with the role it plays (``units``, ``kernel_size``)."""

    __slots__ = ("role",)

    def __init__(self, value, role=None):
        self.value = value if value.__class__ is int else int(value)
        self.role = role

    def _render(self, mode):
        if self.role and mode == "names":
            return self.role
        return str(self.value) if self.value >= 0 else f"−{-self.value}"

    def is_plain(self):
        return self.role is None

    @property
    def prec(self):
        return 9 if self.value >= 0 else 1


class Unknown(Dim):
    """A dimension whose size is not known: the batch, a ``None`` in a shape, or data the snippet lacks."""

    __slots__ = ("name",)

    def __init__(self, name="None"):
        self.value = None
        self.name = name

    def _render(self, mode):
        return self.name


class Named(Dim):
    """An axis bound to a local name inside one layer: ``features`` is the last axis of a Dense input.

    It shows its name in ``names`` mode and its number in ``numbers`` mode; the expression it stands for
    (another layer's output) is kept in ``inner`` but not rendered, so explanations stay local.
    """

    __slots__ = ("role", "inner")

    def __init__(self, role, inner):
        self.role = role
        self.inner = inner
        self.value = inner.value

    def _render(self, mode):
        if mode == "numbers" and self.value is not None:
            return str(self.value)
        return self.role


class _Sum(Dim):
    __slots__ = ("left", "right")
    prec = 1

    def __init__(self, left, right):
        self.left, self.right = left, right
        self.value = None if left.value is None or right.value is None else left.value + right.value

    def _render(self, mode):
        right = self.right
        if isinstance(right, _Neg):
            return f"{self.left._wrap(mode, 1)} − {right.operand._wrap(mode, 2)}"
        if isinstance(right, Known) and right.is_plain() and right.value < 0:
            return f"{self.left._wrap(mode, 1)} − {-right.value}"
        return f"{self.left._wrap(mode, 1)} + {right._wrap(mode, 1)}"


class _Neg(Dim):
    __slots__ = ("operand",)
    prec = 1

    def __init__(self, operand):
        self.operand = operand
        self.value = None if operand.value is None else -operand.value

    def _render(self, mode):
        return f"−{self.operand._wrap(mode, 2)}"


class _Prod(Dim):
    __slots__ = ("left", "right")
    prec = 2

    def __init__(self, left, right):
        self.left, self.right = left, right
        self.value = None if left.value is None or right.value is None else left.value * right.value

    def _render(self, mode):
        return f"{self.left._wrap(mode, 2)}·{self.right._wrap(mode, 3)}"


class _FloorDiv(Dim):
    __slots__ = ("num", "den")

    def __init__(self, num, den):
        self.num, self.den = num, den
        self.value = None if num.value is None or den.value is None else num.value // den.value

    def _render(self, mode):
        return f"⌊{self.num._wrap(mode, 2)} / {self.den._wrap(mode, 3)}⌋"


class _ExactDiv(Dim):
    __slots__ = ("num", "den")
    prec = 2

    def __init__(self, num, den):
        self.num, self.den = num, den
        self.value = None if num.value is None or den.value is None else num.value // den.value

    def _render(self, mode):
        return f"{self.num._wrap(mode, 2)} / {self.den._wrap(mode, 3)}"


class _CeilDiv(Dim):
    __slots__ = ("num", "den")

    def __init__(self, num, den):
        self.num, self.den = num, den
        self.value = None if num.value is None or den.value is None else -(-num.value // den.value)

    def _render(self, mode):
        return f"⌈{self.num._wrap(mode, 2)} / {self.den._wrap(mode, 3)}⌉"


_UNKNOWN = Unknown("None")


def as_dims(shape):
    """A tuple of Dims from ints, ``None`` and Dims (the common case, all Dims already, costs no Python call)."""
    shape = tuple(shape)
    if _DIM_TYPES.issuperset(map(type, shape)):
        return shape
    return tuple(map(as_dim, shape))


def as_dim(x):
    """An int, ``None`` or Dim, as a Dim."""
    if type(x) is int:
        return Known(x)
    if isinstance(x, Dim):
        return x
    if x is None:
        return _UNKNOWN
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"a dimension must be an int or None, got {x!r}")
    return Known(x)


def _add(a, b):
    a_plain = a.__class__ is Known and a.role is None
    b_plain = b.__class__ is Known and b.role is None
    if a_plain and b_plain:
        return Known(a.value + b.value)
    if b_plain and b.value == 0:
        return a
    if a_plain and a.value == 0:
        return b
    return _Sum(a, b)


def _neg(a):
    if a.__class__ is Known and a.role is None:
        return Known(-a.value)
    if isinstance(a, _Neg):
        return a.operand
    return _Neg(a)


def _mul(a, b):
    a_plain = a.__class__ is Known and a.role is None
    b_plain = b.__class__ is Known and b.role is None
    if a_plain and b_plain:
        return Known(a.value * b.value)
    if b_plain and b.value == 1:
        return a
    if a_plain and a.value == 1:
        return b
    if b_plain:  # numbers first: 4·units, not units·4 (a is not plain here)
        a, b = b, a
    return _Prod(a, b)


def _divide(a, b, node, fold):
    """A division node, folded when both sides are plain numbers and dropped when dividing by 1."""
    if b.value == 0:
        raise ZeroDivisionError("dimension divided by zero")
    b_plain = b.__class__ is Known and b.role is None
    if b_plain and a.__class__ is Known and a.role is None:
        return Known(fold(a.value, b.value))
    if b_plain and b.value == 1:
        return a
    return node(a, b)


def _floordiv(a, b):
    return _divide(a, b, _FloorDiv, int.__floordiv__)


def _exactdiv(a, b):
    return _divide(a, b, _ExactDiv, int.__floordiv__)


def _ceil(x, y):
    return -(-x // y)


def _ceildiv(a, b):
    return _divide(a, b, _CeilDiv, _ceil)


def product(dims):
    """The product of several dims as one expression (1 for none)."""
    result = Known(1)
    for d in dims:
        result = _mul(result, d if isinstance(d, Dim) else as_dim(d))
    return result


def same(a, b):
    """Three-valued equality: True, False, or None when either side is unknown."""
    a, b = as_dim(a), as_dim(b)
    if a is b:
        return True
    if a.value is None or b.value is None:
        return None
    return a.value == b.value


def leaves(dim):
    """The named leaves an expression mentions (Named, Unknown, Known with a role), without entering a Named."""
    out = []
    stack = [dim]
    while stack:
        d = stack.pop()
        if isinstance(d, (Named, Unknown)) or (isinstance(d, Known) and d.role):
            out.append(d)
        elif isinstance(d, (_Sum, _Prod)):
            stack += (d.right, d.left)
        elif isinstance(d, (_FloorDiv, _CeilDiv, _ExactDiv)):
            stack += (d.den, d.num)
        elif isinstance(d, _Neg):
            stack.append(d.operand)
    return out


_DIM_TYPES = frozenset({Known, Unknown, Named, _Sum, _Neg, _Prod, _FloorDiv, _ExactDiv, _CeilDiv})
