"""Containers: Sequential (also from an OrderedDict), ModuleList, ModuleDict, ParameterList, ParameterDict.

They hold modules (or parameters) under the names torch gives them (``"0"``, ``"1"``, ... or the dict's keys), so
qualified names read ``features.0``; only Sequential has a forward of its own: each module on the previous one's
output.
"""

from __future__ import annotations

from collections import OrderedDict

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _index(idx, n, what):
    if isinstance(idx, bool) or not isinstance(idx, int):
        raise TypeError(f"{what} indices must be integers or slices, not {type(idx).__name__}")
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n


class Sequential(Module):
    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def _values(self):
        return list(self.__dict__["_modules"].values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self.__dict__["_modules"].items())[idx]))
        values = self._values()
        return values[_index(idx, len(values), "Sequential")]

    def __setitem__(self, idx, module):
        key = list(self.__dict__["_modules"])[_index(idx, len(self), "Sequential")]
        setattr(self, key, module)

    def __delitem__(self, idx):
        keys = list(self.__dict__["_modules"])
        for key in keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys), "Sequential")]]:
            del self.__dict__["_modules"][key]
        items = list(self.__dict__["_modules"].items())
        self.__dict__["_modules"].clear()
        for i, (_, m) in enumerate(items):
            self.__dict__["_modules"][str(i)] = m

    def __len__(self):
        return len(self.__dict__["_modules"])

    def __iter__(self):
        return iter(self._values())

    def __add__(self, other):
        out = Sequential()
        for m in [*self, *other]:
            out.append(m)
        return out

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index, module):
        items = self._values()
        items.insert(index if index >= 0 else len(items) + index, module)
        self.__dict__["_modules"].clear()
        for i, m in enumerate(items):
            self.add_module(str(i), m)
        return self

    def extend(self, sequential):
        for m in sequential:
            self.append(m)
        return self

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def _sw_structure(self):
        names = list(self.__dict__["_modules"])
        return (f"each of its {len(names)} modules ({', '.join(names)}) runs on the previous one's output"
                if names else "empty: returns its input")

    def forward(self, input):
        for module in self:
            input = module(input)
        return input


class ModuleList(Module):
    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _values(self):
        return list(self.__dict__["_modules"].values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(self._values()[idx])
        values = self._values()
        return values[_index(idx, len(values), "ModuleList")]

    def __setitem__(self, idx, module):
        idx = _index(idx, len(self), "ModuleList")
        setattr(self, str(idx), module)

    def __delitem__(self, idx):
        values = self._values()
        if isinstance(idx, slice):
            del values[idx]
        else:
            del values[_index(idx, len(values), "ModuleList")]
        self.__dict__["_modules"].clear()
        for i, m in enumerate(values):
            self.add_module(str(i), m)

    def __len__(self):
        return len(self.__dict__["_modules"])

    def __iter__(self):
        return iter(self._values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        out = ModuleList()
        for m in [*self, *other]:
            out.append(m)
        return out

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        if not hasattr(modules, "__iter__"):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}")
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        values = self._values()
        values.insert(index, module)
        self.__dict__["_modules"].clear()
        for i, m in enumerate(values):
            self.add_module(str(i), m)

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def forward(self, *args, **kwargs):
        raise NotImplementedError('Module [ModuleList] is missing the required "forward" function')


class ModuleDict(Module):
    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self.__dict__["_modules"][key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self.__dict__["_modules"][key]

    def __len__(self):
        return len(self.__dict__["_modules"])

    def __iter__(self):
        return iter(self.__dict__["_modules"])

    def __contains__(self, key):
        return key in self.__dict__["_modules"]

    def keys(self):
        return self.__dict__["_modules"].keys()

    def items(self):
        return self.__dict__["_modules"].items()

    def values(self):
        return self.__dict__["_modules"].values()

    def clear(self):
        self.__dict__["_modules"].clear()

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def update(self, modules):
        items = modules.items() if hasattr(modules, "items") else modules
        for key, module in items:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError('Module [ModuleDict] is missing the required "forward" function')


def _as_parameter(value):
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    def __init__(self, values=None):
        super().__init__()
        self.__dict__["_size"] = 0
        if values is not None:
            self.extend(values)

    def __len__(self):
        return self.__dict__["_size"]

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self)[idx])
        idx = _index(idx, len(self), "ParameterList")
        return getattr(self, str(idx))

    def __setitem__(self, idx, param):
        idx = _index(idx, len(self), "ParameterList")
        setattr(self, str(idx), _as_parameter(param))

    def __iter__(self):
        return iter(self[i] for i in range(len(self)))

    def __iadd__(self, parameters):
        return self.extend(parameters)

    def append(self, value):
        n = len(self)
        self.__dict__["_size"] = n + 1
        setattr(self, str(n), _as_parameter(value))
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self


class ParameterDict(Module):
    def __init__(self, parameters=None):
        super().__init__()
        self.__dict__["_keys"] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return getattr(self, key)

    def __setitem__(self, key, value):
        self.__dict__["_keys"][key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key):
        del self.__dict__["_keys"][key]
        delattr(self, key)

    def __len__(self):
        return len(self.__dict__["_keys"])

    def __iter__(self):
        return iter(self.__dict__["_keys"])

    def __contains__(self, key):
        return key in self.__dict__["_keys"]

    def keys(self):
        return self.__dict__["_keys"].keys()

    def items(self):
        return [(k, self[k]) for k in self.__dict__["_keys"]]

    def values(self):
        return [self[k] for k in self.__dict__["_keys"]]

    def update(self, parameters):
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for k, v in items:
            self[k] = v
