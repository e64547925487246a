"""What the per-framework tables share: a signature binder and turning arguments into Specs.

An entry is declared with the framework's own signature, written as text:
``@table.op("sum", "x, axis=None, keepdims=False")``. Calling the entry binds ``(args, kwargs)`` to it the way
Python would (the framework's argument names, positional or keyword, defaults) and calls the rule with them.
A bad call is an ``ArgumentError`` worded as Python words it (``sum() got an unexpected keyword argument 'dim'``).
"""

from __future__ import annotations

from ..dims import Dim
from ..engine import Spec
from ..errors import ArgumentError, ShapewiseError

REQUIRED = object()


class Signature:
    """A parsed signature: positional-or-keyword params, ``*args`` name, keyword-only params, ``**kwargs``.

    The text is parsed on the first call (hundreds of entries are declared; a model uses a few)."""

    __slots__ = ("name", "text", "params", "star", "kwonly", "starstar", "posonly")

    def __init__(self, name, text):
        self.name = name
        self.text = text
        self.params = None

    def _parse(self):
        import ast

        tree = ast.parse(f"def f({self.text}): pass").body[0].args
        pos = tree.posonlyargs + tree.args
        defaults = [REQUIRED] * (len(pos) - len(tree.defaults)) + [ast.literal_eval(d) for d in tree.defaults]
        self.posonly = len(tree.posonlyargs)
        self.star = tree.vararg.arg if tree.vararg else None
        self.kwonly = [(a.arg, REQUIRED if d is None else ast.literal_eval(d))
                       for a, d in zip(tree.kwonlyargs, tree.kw_defaults)]
        self.starstar = tree.kwarg.arg if tree.kwarg else None
        self.params = [(a.arg, d) for a, d in zip(pos, defaults)]

    def names(self):
        if self.params is None:
            self._parse()
        return [n for n, _ in self.params] + [n for n, _ in self.kwonly]

    def bind(self, args, kwargs):
        if self.params is None:
            self._parse()
        out = {}
        n = len(self.params)
        if len(args) > n and not self.star:
            raise ArgumentError(f"{self.name}() takes {n} positional argument{'s' if n != 1 else ''} but "
                                f"{len(args)} were given")
        for (pname, _), value in zip(self.params, args):
            out[pname] = value
        if self.star:
            out[self.star] = tuple(args[n:])
        extra = {}
        kwnames = {k for k, _ in self.kwonly}
        for i, (key, value) in enumerate(kwargs.items()):
            if not isinstance(key, str):
                raise ArgumentError(f"{self.name}() keywords must be strings")
            posonly = [p for p, _ in self.params[:self.posonly]]
            if key in out and key not in posonly:
                raise ArgumentError(f"{self.name}() got multiple values for argument '{key}'")
            if (key in dict(self.params) and key not in posonly) or key in kwnames:
                out[key] = value
            elif self.starstar:
                extra[key] = value
            else:
                raise ArgumentError(f"{self.name}() got an unexpected keyword argument '{key}'")
        for pname, default in self.params + self.kwonly:
            if pname not in out:
                if default is REQUIRED:
                    raise ArgumentError(f"{self.name}() missing 1 required argument: '{pname}'")
                out[pname] = default
        if self.starstar:
            out[self.starstar] = extra
        return out


class Table(dict):
    """A dict of name → entry, filled by the ``op`` decorator."""

    def op(self, names, signature):
        names = (names,) if isinstance(names, str) else tuple(names)

        def register(rule):
            for name in names:
                sig = Signature(name.rsplit(".", 1)[-1], signature)
                self[name] = _entry(rule, sig)
            return rule

        return register


class _entry:
    """A table entry: ``entry(args, kwargs)`` binds the arguments to the signature and calls the rule. (A slotted
    object rather than a closure with attributes: hundreds are made at import, a run calls a few.)"""

    __slots__ = ("rule", "signature", "__name__")

    def __init__(self, rule, sig):
        self.rule = rule
        self.signature = sig
        self.__name__ = sig.name

    def __call__(self, args, kwargs):
        sig = self.signature
        bound = sig.bind(list(args), dict(kwargs))
        try:
            return self.rule(**bound)
        except ShapewiseError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError, AttributeError,
                RecursionError, MemoryError) as e:  # a rule's own slip on an odd argument: a clear refusal
            raise ArgumentError(f"{sig.name}(): unsupported arguments ({type(e).__name__}: {e})") from None

    def __repr__(self):
        return f"<op {self.__name__}>"


# --------------------------------------------------------------------------------------------------------------
# Values


def is_tensor(v):
    return isinstance(v, Spec)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, Dim)


def nested_shape(value, what, limit=1_000_000):
    """The shape of a nested list/tuple of numbers (a Python literal used as a tensor) and its leaf kinds."""
    shape = []
    level = [value]
    kinds = set()
    count = 0
    while True:
        if all(isinstance(v, (list, tuple)) for v in level):
            lengths = {len(v) for v in level}
            if len(lengths) != 1:
                raise ArgumentError(f"{what}: a nested list with rows of different lengths {sorted(lengths)[:4]}",
                                    expected="a rectangular nested list")
            n = lengths.pop()
            shape.append(n)
            count += n * len(level)
            if count > limit:
                raise ArgumentError(f"{what}: the literal is too large", expected="a small literal")
            level = [x for v in level for x in v]
            if n == 0:
                return tuple(shape), kinds
            continue
        for v in level:
            if isinstance(v, bool):
                kinds.add("bool")
            elif isinstance(v, int):
                kinds.add("int")
            elif isinstance(v, float):
                kinds.add("float")
            elif isinstance(v, Spec) and not v.shape:
                kinds.add(v.dtype)
            else:
                raise ArgumentError(f"{what}: cannot make a tensor from {type(v).__name__}",
                                    expected="a tensor, a number or a nested list of numbers")
        return tuple(shape), kinds
