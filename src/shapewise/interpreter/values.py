"""The inert values a name in a snippet can stand for, and helpers that inspect them (never a real getattr)."""

from __future__ import annotations

import ast

from .. import engine
from ..dims import Dim
from ..engine import KerasTensor, Layer, Weight
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


class Inert:
    """A value the snippet makes from Keras but that never matters to shapes (``keras.random.SeedGenerator(1)``)."""

    __slots__ = ("desc",)

    def __init__(self, desc):
        self.desc = desc


class KerasOp:
    """A function of ``keras.ops`` (``keras.ops.matmul``): its shape rule from the ops vocabulary."""

    __slots__ = ("name", "fn")

    def __init__(self, name, fn):
        self.name = name
        self.fn = fn


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


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
    if isinstance(value, (Factory, Builtin, Method, KerasOp)):
        return "function"
    if isinstance(value, Dim):
        return "size"
    if isinstance(value, Opaque):
        return "value from outside the snippet"
    if type(value).__name__ == "Array":
        return "dataset array"
    if isinstance(value, (Function, BoundMethod)):
        return "function"
    if isinstance(value, Class):
        return f"class ({value.name})"
    if isinstance(value, Instance):
        return f"{value.cls.name} object"
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
    if type(value).__module__.startswith(("shapewise.torch", "shapewise.snippet", "shapewise.interpreter.torch")):
        return repr(value) if as_repr else str(value)  # torch's own printing (torch.Size([4, 10]), a module)
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
    if type(value).__name__ == "Array":
        return repr(value)
    if isinstance(value, Function):
        return f"<function {value.name}>"
    if isinstance(value, KerasOp):
        return f"<function keras.ops.{value.name}>"
    if isinstance(value, Inert):
        return f"<{value.desc}>"
    if isinstance(value, BoundMethod):
        return f"<bound method {value.function.name}>"
    if isinstance(value, Class):
        return f"<class '__main__.{value.name}'>"
    if isinstance(value, Instance):
        return f"<__main__.{value.cls.name} object>"
    return f"<{_kind(value)}>"


def _value(fn):
    return ("value", fn)


def _method(fn):
    return ("method", fn)


# --------------------------------------------------------------------------------------------------------------
# Functions and classes the snippet defines: interpreter objects holding their AST, never Python callables


class Function:
    """A ``def`` or ``lambda`` of the snippet: its AST, its defining scope and its evaluated defaults.

    Calling it runs the interpreter on its body in a new frame (``Interpreter._call_function``). ``kind`` is
    "function", "staticmethod", "classmethod" or "property" (from an inert decorator).
    """

    __slots__ = ("name", "node", "closure", "defaults", "kw_defaults", "kind", "owner", "setter")

    def __init__(self, name, node, closure, defaults, kw_defaults, kind="function"):
        self.name = name
        self.node = node  # ast.FunctionDef or ast.Lambda
        self.closure = closure  # tuple of the enclosing functions' local dicts, innermost first
        self.defaults = defaults
        self.kw_defaults = kw_defaults
        self.kind = kind
        self.owner = None  # the Class whose body defined it (for super())
        self.setter = None  # a property's setter Function

    @property
    def is_lambda(self):
        return isinstance(self.node, ast.Lambda)

    @property
    def line(self):
        return self.node.lineno


class BoundMethod:
    """A Function with its first argument (``self`` or the class) bound."""

    __slots__ = ("function", "obj")

    def __init__(self, function, obj):
        self.function = function
        self.obj = obj


class Class:
    """A ``class`` of the snippet: its name, its bases and the namespace its body built.

    ``framework`` is the framework base it derives from, if any: "layer" (``keras.layers.Layer`` or a built-in
    layer class, held in ``builtin_base``), "model" (``keras.Model``), "torch" (``torch.nn.Module``), or None for
    a plain class, whose instances are ``Instance`` objects.
    """

    __slots__ = ("name", "bases", "namespace", "line", "framework", "builtin_base", "_engine_type")

    def __init__(self, name, bases, namespace, line, framework=None, builtin_base=None):
        self.name = name
        self.bases = bases  # Class objects of the snippet only
        self.namespace = namespace
        self.line = line
        self.framework = framework
        self.builtin_base = builtin_base
        self._engine_type = None

    def lookup(self, name):
        """The attribute ``name`` along the class's MRO among the snippet's classes (depth-first, as for simple
        hierarchies), and the Class that defines it; (None, None) when none does."""
        for cls in self.mro():
            if name in cls.namespace:
                return cls.namespace[name], cls
        return None, None

    def mro(self):
        out = []
        stack = [self]
        while stack:
            cls = stack.pop(0)
            if cls not in out:
                out.append(cls)
                stack[0:0] = cls.bases
        return out


class Instance:
    """An instance of a plain snippet class: an attribute dict and its class."""

    __slots__ = ("cls", "attrs")

    def __init__(self, cls):
        self.cls = cls
        self.attrs = {}


class Super:
    """``super()`` inside a method: looks attributes up after ``cls`` in ``obj``'s class hierarchy."""

    __slots__ = ("cls", "obj")

    def __init__(self, cls, obj):
        self.cls = cls
        self.obj = obj


class _Return(Exception):
    def __init__(self, value):
        self.value = value


def _printed(self):
    return _format(self, True)


# The interpreter's values print as the snippet's Python would print them, wherever a message formats one (never
# as "<... object at 0x7f...>": an address differs from run to run)
for _cls in (Opaque, Namespace, Missing, Factory, Builtin, Method, Inert, KerasOp, Function, BoundMethod, Class,
             Instance, Super):
    _cls.__repr__ = _printed
del _cls
