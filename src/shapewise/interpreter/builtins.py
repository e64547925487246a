"""The Python builtins a snippet may call, implemented here (never Python's own)."""

from __future__ import annotations

import ast
import builtins
import math
import re

from ..dims import Dim, Unknown
from ..errors import UsageError
from ..keras.datasets import Array
from .budgets import MAX_SEQUENCE
from .values import Opaque, _deep_values, _format, _hashable, _is_number, _kind, _plain_dim

_INERT_BUILTINS = {
    "print", "len", "range", "int", "float", "str", "bool", "max", "min", "sum", "tuple", "list", "dict", "abs",
    "round", "enumerate", "zip", "sorted", "reversed", "isinstance", "super", "set",
}
_PYTHON_BUILTINS = frozenset(dir(builtins))
_PLAIN_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "tuple": tuple, "list": list,
                "dict": dict, "set": set}


def set_items(value):
    """A set's items in a fixed order (sorted; by kind first when they mix), never Python's hash order, so the
    output does not depend on it (real Python's order of a set of strings changes from run to run)."""
    return sorted(value, key=lambda v: (type(v).__name__, v))

#: typing's abstract types that isinstance() accepts (torch snippets: ``isinstance(cfg, Sequence)``), by the plain
#: types of the snippet's values that are instances of them
_TYPING_ABCS = {"typing.Sequence": (list, tuple, str, range), "typing.List": list, "typing.Tuple": tuple,
                "typing.Dict": dict, "typing.Mapping": dict, "typing.Iterable": (list, tuple, dict, str, range, set)}
_TYPING_ABCS.update({f"collections.abc.{k[7:]}": v for k, v in _TYPING_ABCS.items()
                     if k[7:] in ("Sequence", "Mapping", "Iterable")})


class BuiltinsMixin:
    """The builtins, as methods of the interpreter: _b_<name>(self, args, kwargs)."""

    # --- inert builtins --------------------------------------------------------------------------------------
    def _any_opaque(self, args, kwargs):
        found = [v for v in _deep_values(args, kwargs) if isinstance(v, Opaque)]
        return found

    def _opaque_result(self, name, args, kwargs):
        found = self._any_opaque(args, kwargs)
        if found:
            node = getattr(self, "call_node", None)
            return Opaque(self._text(node) if node is not None else f"{name}(...)", parents=tuple(found))
        return None

    def _b_print(self, args, kwargs):
        opaque = self._opaque_result("print", args, kwargs)
        if opaque is not None or "file" in kwargs:
            return opaque or Opaque("print(file=...)", {"print(file=...)": "writes to a file"})
        sep = kwargs.get("sep", " ")
        end = kwargs.get("end", "\n")
        if sep is None:
            sep = " "
        if end is None:
            end = "\n"
        if not isinstance(sep, str) or not isinstance(end, str):
            self.refuse("print(sep=..., end=...)", "sep and end must be strings")
        text = sep.join(_format(a, False) for a in args) + end
        if text.endswith("\n"):
            text = text[:-1]
        self.events.append(("print", text))
        return None

    def _b_len(self, args, kwargs):
        opaque = self._opaque_result("len", args, kwargs)
        if opaque is not None:
            return opaque
        (value,) = self._exactly(args, 1, "len")
        if self.torch is not None and self.torch.owns(value):
            return self.torch.length(self, value)
        if isinstance(value, (tuple, list, str, dict, set, range)):
            return len(value)
        if isinstance(value, Array):
            from .arrays import length

            return length(self, value, getattr(self, "call_node", None))
        self.refuse(f"len() of a {_kind(value)}", "it has no length shapewise knows")

    def _b_range(self, args, kwargs):
        opaque = self._opaque_result("range", args, kwargs)
        if opaque is not None:
            return opaque
        args = [_plain_dim(a) for a in args]
        if not 1 <= len(args) <= 3 or kwargs or not all(isinstance(a, int) and not isinstance(a, bool)
                                                        for a in args):
            if any(isinstance(a, Dim) for a in args):
                self.refuse("range() over an unknown size", "the number of iterations must be known")
            self.refuse("this range()", "range takes 1 to 3 integers")
        return range(*args)

    def _b_int(self, args, kwargs):
        opaque = self._opaque_result("int", args, kwargs)
        if opaque is not None:
            return opaque
        (value,) = self._exactly(args, 1, "int")
        value = _plain_dim(value)
        if isinstance(value, Dim):
            return value
        if isinstance(value, (int, float, bool)):
            if isinstance(value, float) and not math.isfinite(value):
                raise UsageError(f"cannot convert {value} to an integer", line=self.line)
            return self._checked(int(value), None)
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,13}\s*", value):
            return self._checked(int(value), None)
        raise UsageError(f"int() cannot convert {_format(value, True)}", line=self.line)

    def _b_float(self, args, kwargs):
        opaque = self._opaque_result("float", args, kwargs)
        if opaque is not None:
            return opaque
        (value,) = self._exactly(args, 1, "float")
        if isinstance(value, (int, float, bool)):
            return float(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|inf|nan)\s*", value):
            return float(value)
        raise UsageError(f"float() cannot convert {_format(value, True)}", line=self.line)

    def _b_str(self, args, kwargs):
        opaque = self._opaque_result("str", args, kwargs)
        if opaque is not None:
            return opaque
        if not args:
            return ""
        return self._checked(_format(args[0], False), None)

    def _b_bool(self, args, kwargs):
        if not args:
            return False
        truth = self._truth(args[0])
        return Opaque("bool(...)") if truth is None else truth

    def _numbers(self, name, args):
        values = args[0] if len(args) == 1 else args
        if isinstance(values, Opaque):
            return None
        if isinstance(values, range) and len(values) > MAX_SEQUENCE:
            self.refuse(f"{name}() of a range this long", f"it has more than {MAX_SEQUENCE:,} items")
        if isinstance(values, (list, tuple, range, set)):
            values = [_plain_dim(v) for v in values]
        else:
            self.refuse(f"{name}() of a {_kind(values)}", "it takes numbers or a sequence of numbers")
        return values

    def _minmax(self, name, args, kwargs, pick):
        opaque = self._opaque_result(name, args, kwargs)
        if opaque is not None:
            return opaque
        values = self._numbers(name, args)
        if not values:
            raise UsageError(f"{name}() arg is an empty sequence", line=self.line)
        if any(isinstance(v, Dim) for v in values):
            return Unknown(f"{name}({', '.join(_format(v, True) for v in values)})")
        if not all(_is_number(v) for v in values) and not all(isinstance(v, str) for v in values):
            self.refuse(f"{name}() of these values", "it compares numbers or strings only")
        return pick(values)

    def _b_max(self, args, kwargs):
        return self._minmax("max", args, kwargs, max)

    def _b_min(self, args, kwargs):
        return self._minmax("min", args, kwargs, min)

    def _b_sum(self, args, kwargs):
        opaque = self._opaque_result("sum", args, kwargs)
        if opaque is not None:
            return opaque
        if not args or len(args) > 2:
            self.refuse("this sum()", "sum takes a sequence and an optional start")
        values = self._numbers("sum", args[:1])
        total = args[1] if len(args) == 2 else 0
        if self.torch is not None and any(self.torch.owns(v) for v in [total, *values]):
            # sum() of torch tensors is `start + v0 + v1 + ...`, each `+` the operator's own shape rule
            node = getattr(self, "call_node", None)
            for v in values:
                total = self._binop(ast.Add(), total, v, node)
            return total
        for v in values:
            if not (_is_number(v) or isinstance(v, Dim)):
                self.refuse("sum() of these values", "it adds numbers only (and torch tensors)")
            total = total + v
        return self._checked(total, None) if not isinstance(total, Dim) else total

    def _b_abs(self, args, kwargs):
        opaque = self._opaque_result("abs", args, kwargs)
        if opaque is not None:
            return opaque
        (value,) = self._exactly(args, 1, "abs")
        if _is_number(value):
            return abs(value)
        self.refuse(f"abs() of a {_kind(value)}", "it takes a number")

    def _b_round(self, args, kwargs):
        opaque = self._opaque_result("round", args, kwargs)
        if opaque is not None:
            return opaque
        if not 1 <= len(args) <= 2 or not all(_is_number(a) for a in args):
            self.refuse("this round()", "it takes a number and optional digits")
        if len(args) == 2 and (not isinstance(args[1], int) or abs(args[1]) > 20):
            self.refuse("this round()", "digits must be a small integer")
        return round(*args)

    def _sequence_arg(self, name, args, kwargs):
        opaque = self._opaque_result(name, args, kwargs)
        if opaque is not None:
            return opaque
        if not args:
            return []
        value = args[0]
        if self.torch is not None and self.torch.owns(value):
            return self.torch.iterate(self, value, getattr(self, "call_node", None))
        if isinstance(value, range):
            if len(value) > MAX_SEQUENCE:
                self.refuse(f"{name}(range(...))", f"it has more than {MAX_SEQUENCE:,} items")
            return list(value)
        if isinstance(value, set):
            return set_items(value)
        if isinstance(value, (tuple, list, str, dict)):
            return list(value)
        self.refuse(f"{name}() of a {_kind(value)}", "it takes a sequence")

    def _b_set(self, args, kwargs):
        if kwargs or len(args) > 1:
            self.refuse("this set(...)", "set() takes one iterable")
        value = self._sequence_arg("set", args, {})
        if isinstance(value, Opaque):
            return value
        if not all(_hashable(v) for v in value):
            self.refuse("this set(...)", "only numbers and strings can go in a set")
        return set(value)

    def _b_tuple(self, args, kwargs):
        value = self._sequence_arg("tuple", args, kwargs)
        return value if isinstance(value, Opaque) else tuple(value)

    def _b_list(self, args, kwargs):
        return self._sequence_arg("list", args, kwargs)

    def _b_sorted(self, args, kwargs):
        value = self._sequence_arg("sorted", args, {})
        if isinstance(value, Opaque):
            return value
        if set(kwargs) - {"reverse"}:
            self.refuse("sorted(key=...)", "only reverse= is interpreted")
        if not (all(_is_number(v) for v in value) or all(isinstance(v, str) for v in value)):
            self.refuse("sorted() of these values", "it sorts numbers or strings only")
        return sorted(value, reverse=bool(kwargs.get("reverse", False)))

    def _b_reversed(self, args, kwargs):
        value = self._sequence_arg("reversed", args, kwargs)
        return value if isinstance(value, Opaque) else value[::-1]

    def _b_enumerate(self, args, kwargs):
        value = self._sequence_arg("enumerate", args[:1], {})
        if isinstance(value, Opaque):
            return value
        start = args[1] if len(args) > 1 else kwargs.get("start", 0)
        if not isinstance(start, int):
            self.refuse("enumerate(start=...)", "start must be an integer")
        return [(start + i, v) for i, v in enumerate(value)]

    def _b_zip(self, args, kwargs):
        seqs = [self._sequence_arg("zip", [a], {}) for a in args]
        opaque = [s for s in seqs if isinstance(s, Opaque)]
        if opaque:
            return Opaque("zip(...)", parents=tuple(opaque))
        return list(zip(*seqs))

    def _b_dict(self, args, kwargs):
        if args:
            value = args[0]
            if isinstance(value, dict):
                out = dict(value)
            elif isinstance(value, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 and
                                                          _hashable(p[0]) for p in value):
                out = {p[0]: p[1] for p in value}
            else:
                self.refuse(f"dict() of a {_kind(value)}", "it takes a dict or a list of pairs")
        else:
            out = {}
        out.update(kwargs)
        return out

    def _b_super(self, args, kwargs):
        return self._super(args, self.call_node)

    def _b_isinstance(self, args, kwargs):
        """isinstance() against Python's plain types, the snippet's classes and Keras's layer classes."""
        from .values import Builtin, Class, Factory, Instance

        value, types = self._exactly(args, 2, "isinstance")
        types = types if isinstance(types, tuple) else (types,)
        if isinstance(value, Opaque):
            return Opaque("isinstance(...)", parents=(value,))
        value = _plain_dim(value)
        for t in types:
            if isinstance(t, Opaque) and t.path in _TYPING_ABCS:  # isinstance(x, typing.Sequence)
                if isinstance(value, _TYPING_ABCS[t.path]):
                    return True
            elif isinstance(t, Builtin) and t.name in _PLAIN_TYPES:
                if isinstance(value, _PLAIN_TYPES[t.name]):
                    return True
            elif isinstance(t, Class):
                if isinstance(value, Instance) and t in value.cls.mro():
                    return True
                if getattr(value, "_cls", None) is not None and isinstance(value._cls, Class) and \
                        t in value._cls.mro():
                    return True
            elif isinstance(t, Factory) and isinstance(t.target, type):
                if isinstance(value, t.target):
                    return True
            else:
                self.refuse("isinstance()", f"its second argument must be int, float, str, bool, tuple, list, dict, a "
                                            f"class of the snippet or a Keras layer class, not a {_kind(t)}")
        return False

    def _exactly(self, args, n, name):
        if len(args) != n:
            raise UsageError(f"{name}() takes {n} argument(s) ({len(args)} given)", line=self.line)
        return args
