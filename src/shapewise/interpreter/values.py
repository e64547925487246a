"""The inert values a name in a snippet can stand for, and helpers that inspect them (never a real getattr)."""

from __future__ import annotations

import ast

from .. import engine
from ..dims import Dim
from ..engine import KerasTensor, Layer, Weight
from ..errors import ShapeError
from .budgets import _step

# --------------------------------------------------------------------------------------------------------------
# The inert objects a name can stand for


class Opaque:
    """A value the snippet takes from something it does not define (data, numpy, plotting, files).

    ``desc`` is the source text it came from (``X_train.shape[1]``); ``roots`` maps each outside name it depends
    on to why it is outside. ``used`` is set when it flows into the model (as an unknown dimension), so the
    statements that produced it are not reported as skipped.
    """

    __slots__ = ("desc", "roots", "parents", "used", "path")

    def __init__(self, desc, roots=None, parents=(), path=None):
        self.desc = desc
        self.roots = dict(roots or {})
        for p in parents:
            for k, v in p.roots.items():
                self.roots.setdefault(k, v)
        self.parents = tuple(parents)
        self.used = False
        self.path = path  # a dotted module path (keras.activations.relu), when it names one

    def mark_used(self):
        stack = [self]
        while stack:
            o = stack.pop()
            if not o.used:
                o.used = True
                stack.extend(o.parents)

    def why(self):
        """'matplotlib.pyplot, numpy (not part of the model); X_train (not defined in the snippet)'."""
        groups = {}
        for name, why in sorted(self.roots.items()):
            groups.setdefault(why.removeprefix("is "), []).append(name)
        return "; ".join(f"{', '.join(names)} ({why})" for why, names in groups.items())


class Namespace:
    """A module stand-in: ``keras``, ``keras.layers``, ``tensorflow``. ``lookup`` decides every name."""

    def __init__(self, path, members=None, fallback=None, star=None):
        self.path = path
        self.members = members or {}
        self.fallback = fallback  # fn(name) -> value, for names not in members
        self.star = star  # fn() -> dict, for ``from path import *``

    def lookup(self, name):
        if name in self.members:
            value = self.members[name]
            return value() if isinstance(value, _Lazy) else value
        if self.fallback is not None:
            return self.fallback(name)
        return Missing(f"{self.path}.{name}")


class _Lazy:
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self):
        return self.fn()


class Missing:
    """A Keras name shapewise does not implement (yet): an error as soon as it is used."""

    def __init__(self, path, why=None):
        self.path = path
        self.why = why or "shapewise does not support it (yet)"


class Factory:
    """One of shapewise's own callables (a layer class, Input, Model, an application builder)."""

    __slots__ = ("path", "target")

    def __init__(self, path, target):
        self.path = path
        self.target = target


class Builtin:
    """A builtin implemented here (``len``, ``range``, ``print``): fn(interp, args, kwargs)."""

    __slots__ = ("name", "fn")

    def __init__(self, name, fn):
        self.name = name
        self.fn = fn


class Method:
    """A whitelisted method bound to its object: fn(interp, obj, args, kwargs)."""

    __slots__ = ("obj", "name", "fn")

    def __init__(self, obj, name, fn):
        self.obj = obj
        self.name = name
        self.fn = fn


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


# --------------------------------------------------------------------------------------------------------------
# The interpreter


class OpaqueFunction:
    """A function written in the snippet (``lambda x: ...``). shapewise never runs it: calling it raises.

    It lets ``layers.Lambda(lambda x: ..., output_shape=(...))`` build (the output shape is declared), while a
    Lambda without ``output_shape``, or an ``output_shape`` given as a function, gets a clear error instead of a
    guess.
    """

    __slots__ = ("text", "line")

    def __init__(self, text, line):
        self.text = text
        self.line = line

    def __call__(self, *args, **kwargs):
        raise ShapeError(
            f"shapewise does not run functions written in the snippet (`{self.text}`, line {self.line}), so it "
            f"cannot tell what this one returns",
            expected="a declared shape", fix="give Lambda its output_shape as a tuple, e.g. output_shape=(10,)")

    def __repr__(self):
        return f"<function {self.text}>"


# --------------------------------------------------------------------------------------------------------------
# Helpers


def _deep_values(args, kwargs):
    stack = list(args) + list(kwargs.values())
    opened = set()
    while stack:
        value = stack.pop()
        _step()
        if isinstance(value, (list, tuple, set, dict)):
            if id(value) in opened:
                continue  # a list that contains itself
            opened.add(id(value))
            stack.extend(value.values() if isinstance(value, dict) else value)
        else:
            yield value


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, Dim)


def _is_plain(v):
    return isinstance(v, (int, float, str, bool, type(None)))


def _hashable(v):
    return isinstance(v, (int, float, str, bool, type(None))) or (
        isinstance(v, tuple) and all(_hashable(x) for x in v))


def _plain_dim(v):
    """A Dim whose value is known is that number."""
    if isinstance(v, Dim) and v.value is not None:
        return v.value
    return v


def _same(a, b):
    _step()
    if _is_plain(a) and _is_plain(b):
        return a == b
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and type(a) is type(b):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b


def _bound_by(target, name):
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _kind(value):
    from ..graph import Functional, Sequential

    if isinstance(value, Sequential):
        return "Sequential model"
    if isinstance(value, Functional):
        return "functional model"
    if isinstance(value, Layer):
        return f"{type(value).keras_name} layer"
    if isinstance(value, KerasTensor):
        return "symbolic tensor"
    if isinstance(value, Weight):
        return "weight"
    if isinstance(value, Namespace):
        return f"module ({value.path})"
    if isinstance(value, (Factory, Builtin, Method)):
        return "function"
    if isinstance(value, Dim):
        return "size"
    if isinstance(value, Opaque):
        return "value from outside the snippet"
    return {bool: "bool", int: "int", float: "float", str: "str", tuple: "tuple", list: "list", dict: "dict",
            set: "set", range: "range", type(None): "None"}.get(type(value), "value")


def _format(value, as_repr, _open=None):
    """A value as Python (and Keras) would print it: str() when as_repr is False, repr() otherwise."""
    _step(1 + (len(value) // 64 if isinstance(value, str) else 0))
    if isinstance(value, (list, dict)):
        _open = _open or set()
        if id(value) in _open:
            return "[...]" if isinstance(value, list) else "{...}"
        _open = _open | {id(value)}
    if isinstance(value, str):
        return repr(value) if as_repr else value
    if isinstance(value, (bool, int, float, type(None), range)):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(_format(v, True, _open) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_format(v, True, _open) for v in value) + "]"
    if isinstance(value, set):
        return "{" + ", ".join(_format(v, True) for v in sorted(value, key=repr)) + "}" if value else "set()"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_format(k, True)}: {_format(v, True, _open)}" for k, v in value.items()) + "}"
    if isinstance(value, KerasTensor):
        return repr(value)
    if isinstance(value, Layer):
        from ..graph import Functional

        name = "Functional" if isinstance(value, Functional) else type(value).keras_name
        return f"<{name} name={value.name}, built={value.built}>"
    if isinstance(value, Weight):
        return (f"<Variable path={value.owner.name}/{value.name}, shape={engine.format_shape(value.shape)}, "
                f"dtype={value.owner.dtype}>")
    if isinstance(value, Dim):
        return value.names() if value.value is None else str(value.value)
    if isinstance(value, Namespace):
        return f"<module '{value.path}'>"
    if isinstance(value, Factory):
        return f"<class '{value.path}'>"
    if isinstance(value, (Builtin, Method)):
        return f"<built-in function {value.name}>"
    if isinstance(value, Missing):
        return f"<{value.path}>"
    if isinstance(value, Opaque):
        return f"<{value.desc}>"
    return f"<{_kind(value)}>"


def _value(fn):
    return ("value", fn)


def _method(fn):
    return ("method", fn)
