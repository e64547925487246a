"""The whitelisted methods of Python's own lists, tuples, dicts and strings."""

from __future__ import annotations

from ..errors import UsageError
from .budgets import MAX_SEQUENCE
from .values import _format, _hashable, _method, _same


def _l_append(interp, lst, args, kwargs, node):
    (value,) = interp._exactly(args, 1, "append")
    interp._check_length(len(lst) + 1, node)
    lst.append(value)


def _l_extend(interp, lst, args, kwargs, node):
    (value,) = interp._exactly(args, 1, "extend")
    items = interp._iterate(value, node)
    interp._check_length(len(lst) + len(items), node)
    lst.extend(items)


def _l_insert(interp, lst, args, kwargs, node):
    index, value = interp._exactly(args, 2, "insert")
    if not isinstance(index, int):
        interp.refuse("insert()", "the index must be an integer", node)
    interp._check_length(len(lst) + 1, node)
    lst.insert(index, value)


def _l_pop(interp, lst, args, kwargs, node):
    if args and not isinstance(args[0], int):
        interp.refuse("pop()", "the index must be an integer", node)
    try:
        return lst.pop(*args[:1])
    except IndexError as e:
        raise UsageError(str(e), line=interp.line) from None


def _l_index(interp, seq, args, kwargs, node):
    (value,) = interp._exactly(args, 1, "index")
    for i, item in enumerate(seq):
        if _same(item, value):
            return i
    raise UsageError(f"{_format(value, True)} is not in the sequence", line=interp.line)


def _l_count(interp, seq, args, kwargs, node):
    (value,) = interp._exactly(args, 1, "count")
    return sum(1 for item in seq if _same(item, value))


_LIST_ATTRS = {"append": _method(_l_append), "extend": _method(_l_extend), "insert": _method(_l_insert),
               "pop": _method(_l_pop), "index": _method(_l_index), "count": _method(_l_count)}
_TUPLE_ATTRS = {"index": _method(_l_index), "count": _method(_l_count)}


def _d_get(interp, d, args, kwargs, node):
    if not 1 <= len(args) <= 2 or not _hashable(args[0]):
        interp.refuse("get()", "it takes a key and an optional default", node)
    return d.get(args[0], args[1] if len(args) == 2 else None)


def _d_update(interp, d, args, kwargs, node):
    if len(args) > 1:
        interp.refuse("update()", "it takes one dict (or list of pairs) and keywords", node)
    pairs = []
    if args:
        other = args[0]
        if isinstance(other, dict):
            pairs = list(other.items())
        elif isinstance(other, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in other):
            pairs = [tuple(p) for p in other]
        else:
            interp.refuse("update()", "it takes a dict or a list of (key, value) pairs", node)
    pairs += list(kwargs.items())
    if not all(_hashable(key) for key, _ in pairs):
        interp.refuse("update()", "dict keys must be numbers, strings or None", node)
    interp._check_length(len(d) + len(pairs), node)
    d.update(pairs)


def _d_pop(interp, d, args, kwargs, node):
    if not 1 <= len(args) <= 2 or kwargs or not _hashable(args[0]):
        interp.refuse("pop()", "it takes a key and an optional default", node)
    if args[0] not in d and len(args) == 1:
        raise UsageError(f"KeyError: {_format(args[0], True)}", line=interp.line)
    return d.pop(*args)


def _d_setdefault(interp, d, args, kwargs, node):
    if not 1 <= len(args) <= 2 or kwargs or not _hashable(args[0]):
        interp.refuse("setdefault()", "it takes a key and an optional default", node)
    interp._check_length(len(d) + 1, node)
    return d.setdefault(args[0], args[1] if len(args) == 2 else None)


_DICT_ATTRS = {
    "update": _method(_d_update),
    "pop": _method(_d_pop),
    "setdefault": _method(_d_setdefault),
    "get": _method(_d_get),
    "keys": _method(lambda interp, d, a, k, n: list(d.keys())),
    "values": _method(lambda interp, d, a, k, n: list(d.values())),
    "items": _method(lambda interp, d, a, k, n: list(d.items())),
}


def _str_method(name):
    def fn(interp, s, args, kwargs, node):
        if kwargs or not all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in args) or len(args) > 2:
            interp.refuse(f"str.{name}() with these arguments", "it takes strings only", node)
        if any(isinstance(a, int) and abs(a) > MAX_SEQUENCE for a in args):
            interp.refuse(f"str.{name}() with these arguments", f"sizes beyond {MAX_SEQUENCE:,} are not interpreted",
                          node)
        if name == "replace" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], str):
            interp._check_length(len(s) + (s.count(args[0]) + 1) * len(args[1]), node)
        result = getattr(str, name)(s, *args)  # a fixed str method from this table, on a str
        if isinstance(result, str):
            return interp._checked(result, node)
        return result

    return _method(fn)


def _s_join(interp, s, args, kwargs, node):
    (items,) = interp._exactly(args, 1, "join")
    items = interp._iterate(items, node)
    if not all(isinstance(i, str) for i in items):
        interp.refuse("str.join()", "it joins strings only", node)
    interp._check_length(sum(len(i) for i in items) + len(s) * len(items), node)
    return interp._checked(s.join(items), node)


_STR_ATTRS = {name: _str_method(name) for name in (
    "upper", "lower", "strip", "lstrip", "rstrip", "split", "startswith", "endswith", "replace", "title",
    "capitalize", "zfill", "center", "ljust", "rjust", "find", "rfind", "count", "isdigit", "isalpha", "isalnum",
    "isupper", "islower", "isspace", "partition", "rpartition", "rsplit", "splitlines", "casefold", "swapcase")}
_STR_ATTRS["join"] = _method(_s_join)
