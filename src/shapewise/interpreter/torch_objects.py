"""PyTorch objects in a snippet: ``nn.Module`` classes of the snippet's, tensors, and what the interpreter may do
with them.

Values are shapewise.torch's own objects (``Tensor``, ``Parameter``, built-in modules, dtypes, devices): calling
one of shapewise's functions with them runs no code of the snippet's. A class of the snippet deriving from
``nn.Module`` (or from a built-in module) gets a per-class subclass of shapewise.torch's ``Module`` whose
``type_name`` is the class name and whose ``_run_forward`` interprets the snippet's ``forward``; its ``__init__``
is interpreted, ``super().__init__()`` reaching ``Module.__init__``.

Attribute access never uses a real ``getattr``/``setattr`` with a name from the snippet: ``self.x = value``
registers through the dicts torch keeps (``_modules``, ``_parameters``, ``_buffers``; plain values in an
attribute dict of the interpreter's), each name a dict key; reads go through the same dicts, the snippet class's
namespace, and fixed tables of methods per type. Names starting with ``_`` of torch's own state are refused.

Everything here is imported only when a snippet imports torch (``torch_ns`` sets ``interp.torch`` to this module).
"""

from __future__ import annotations

import ast
import operator

from ..errors import ArgumentError, RefusedError, ShapewiseError, UsageError
from ..torch import compute as _rec
from ..torch import report as torch_report
from ..torch.nn.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from ..torch.nn.loss import _Loss
from ..torch.nn.module import Module
from ..torch.nn.parameter import Parameter
from ..torch.tensor import METHOD_NAMES, Size, Tensor, ValuesIndices, device, dtype
from .values import BoundMethod, Builtin, Class, Factory, Function, Inert, Method, Namespace, Opaque, Super, _format

_CONTAINERS = (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict)

#: torch.nn.Module's own state: never read or set by a snippet (reading ``self._modules`` is refused)
_INTERNAL = {"_parameters", "_buffers", "_modules", "_non_persistent_buffers_set", "_forward_hooks",
             "_forward_pre_hooks", "_version", "_type_name", "_cls", "training"}


class TorchFunction:
    """A torch function of shapewise's (``torch.cat``, ``F.relu``, ``nn.init.normal_``, ``torch.randn``): called
    with interpreter values; shapewise's own code, never the snippet's. Callable, so a module that takes a
    function (``TransformerEncoderLayer(activation=F.gelu)``) can call it."""

    __slots__ = ("path", "fn")

    def __init__(self, path, fn):
        self.path = path
        self.fn = fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return f"<function {self.path}>"


class InertContext:
    """``torch.no_grad()``, ``torch.inference_mode()``, ``torch.device('meta')`` used in ``with``: no shape
    changes."""

    __slots__ = ("desc",)

    def __init__(self, desc):
        self.desc = desc


def owns(value):
    """Whether ``value`` is a torch object this module handles."""
    return isinstance(value, (Tensor, Module, ValuesIndices, TorchFunction, dtype, device, InertContext)) or (
        isinstance(value, Namespace) and value.path == "torch") or (
        isinstance(value, Super) and isinstance(value.obj, Module)) or (
        isinstance(value, Factory) and value.path.startswith("torch."))


# --------------------------------------------------------------------------------------------------------------
# Calling shapewise's own callables with interpreter values


def _api(interp, value, what="this call"):
    if isinstance(value, Opaque):
        raise RefusedError(f"`{value.desc}` reaches {what}: it comes from data the snippet does not have "
                           f"({value.why()}), so shapewise cannot tell the sizes it gives", line=interp.line,
                           fix="write the size as a number (or give the data's shape)")
    if isinstance(value, (Function, BoundMethod)):
        interp.refuse("passing a function of the snippet here", "shapewise never hands the snippet's functions to "
                      "torch code (hooks, custom activations as callables)")
    return interp._to_api(value)


def guarded(interp, what, fn, args, kwargs, node=None):
    where = f"`{what}`"
    args = [_api(interp, a, where) for a in args]
    kwargs = {k: _api(interp, v, where) for k, v in kwargs.items()}
    try:
        return fn(*args, **kwargs)
    except ShapewiseError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError,
            NotImplementedError) as e:
        raise ArgumentError(f"`{interp._text(node) if node is not None else what}`: {e}", line=interp.line,
                            layer_type=what) from None


# --------------------------------------------------------------------------------------------------------------
# Classes of the snippet deriving from nn.Module


class SnippetModule(Module):
    """The base of every per-class module type made for a snippet class (see the module docstring)."""

    def _run_forward(self, args, kwargs):
        d = self.__dict__
        interp, cls = d["_sw_interp"], d["_cls"]
        forward, _ = cls.lookup("forward")
        if isinstance(forward, Function):
            state = interp._torch_state
            state.depth += 1
            try:
                return interp._call_function(forward, [self, *args], dict(kwargs), None)
            finally:
                state.depth -= 1
        if cls.builtin_base is not None:
            return cls.builtin_base.forward(self, *args, **kwargs)
        raise ArgumentError(f'Module [{cls.name}] is missing the required "forward" function',
                            fix="define forward(self, x) in the class", layer_type=cls.name)


def module_type(cls):
    if cls._engine_type is None:
        bases = (SnippetModule,) if cls.builtin_base is None else (SnippetModule, cls.builtin_base)
        cls._engine_type = type(cls.name, bases, {"__module__": "shapewise.snippet"})
    return cls._engine_type


def instantiate(interp, cls, args, kwargs, node):
    etype = module_type(cls)
    obj = etype.__new__(etype)
    d = obj.__dict__
    d["_sw_interp"] = interp
    d["_cls"] = cls
    d["_type_name"] = cls.name
    d["_sw_attrs"] = {}
    init, _ = cls.lookup("__init__")
    if init is not None:
        interp._call_function(init, [obj, *args], kwargs, node)
    else:
        base_init(interp, obj, args, kwargs, node)
    interp._torch_state.created.append(obj)
    return obj


def base_init(interp, obj, args, kwargs, node):
    """``super().__init__(...)`` reaching the framework base: ``Module.__init__`` or the built-in module's."""
    cls = obj.__dict__["_cls"]
    attrs = obj.__dict__["_sw_attrs"]
    if cls.builtin_base is not None:
        guarded(interp, cls.name, cls.builtin_base.__init__, [obj, *args], kwargs, node)
    else:
        guarded(interp, cls.name, Module.__init__, [obj, *args], kwargs, node)
    obj.__dict__["_sw_attrs"] = attrs
    return None


def _initialized(interp, obj, what, node):
    if "_parameters" not in obj.__dict__:
        raise ArgumentError(f"cannot assign {what} before Module.__init__() call", line=interp.line,
                            layer_type=obj.type_name, fix="call super().__init__() first in __init__")


def _class_defines(obj, name):
    return any(name in k.__dict__ for k in type(obj).__mro__ if k is not object)


# --------------------------------------------------------------------------------------------------------------
# Attributes


def attribute(interp, obj, name, node):
    if isinstance(obj, Super) and (name == "__init__" or not name.startswith("__")):
        return _super_attribute(interp, obj, name, node)
    if isinstance(obj, Namespace):  # torch
        if name == "_assert":
            return Builtin("_assert", lambda i, a, k: None)  # torch._assert(cond, msg): a check on values
        if name.startswith("_"):
            interp.refuse(f"`{name}`", "names starting with `_` are never looked up", node)
        return obj.lookup(name)
    if name.startswith("__"):
        interp.refuse(f"the attribute `{name}`", "dunder attributes are never read", node)
    if isinstance(obj, Module):
        return _module_attribute(interp, obj, name, node)
    if name.startswith("_"):
        interp.refuse(f"the attribute `{name}`", "attributes starting with `_` are never read", node)
    if isinstance(obj, Tensor):
        return _tensor_attribute(interp, obj, name, node)
    if isinstance(obj, Factory) and obj.path == "torch.nn.Transformer" and name == "generate_square_subsequent_mask":
        return TorchFunction("torch.nn.Transformer.generate_square_subsequent_mask", _square_mask)
    if isinstance(obj, Factory):
        interp.refuse(f"the attribute `.{name}` of `{obj.path}`", "class attributes of torch classes are not "
                      "interpreted", node)
    if isinstance(obj, ValuesIndices):
        if name in ("values", "indices"):
            return obj[0] if name == "values" else obj[1]
    if isinstance(obj, dtype) and name in ("is_floating_point", "is_complex", "itemsize"):
        return {"is_floating_point": obj.is_floating_point, "is_complex": obj.is_complex,
                "itemsize": obj.itemsize}[name]
    if isinstance(obj, device) and name in ("type", "index"):
        return obj.type if name == "type" else obj.index
    interp.refuse(f"the attribute `.{name}` of {_format(obj, True)}", "shapewise does not interpret it", node)


def _module_attribute(interp, obj, name, node):
    d = obj.__dict__
    if name.startswith("_") and (name in _INTERNAL or name.startswith("_sw") or "_sw_attrs" not in d):
        interp.refuse(f"the attribute `{name}`", "torch.nn.Module's own state is never read by a snippet", node)
    for table in ("_parameters", "_buffers", "_modules"):
        t = d.get(table)
        if t is not None and name in t:
            return t[name]
    attrs = d.get("_sw_attrs")
    if attrs is not None and name in attrs:
        return attrs[name]
    cls = d.get("_cls")
    if isinstance(cls, Class):
        found, value = interp._class_attribute(obj, cls, name, node)
        if found:
            return value
    if name.startswith("_"):
        interp.refuse(f"the attribute `{name}`", "it was never set on this module", node)
    if name == "training":
        return d.get("training", True)
    method = _MODULE_METHODS.get(name)
    if method is None and isinstance(obj, _CONTAINERS):
        method = _CONTAINER_METHODS.get(name)
    if method is not None:
        return Method(obj, name, method)
    if name == "forward":
        return Method(obj, name, lambda i, o, a, k, n: guarded(i, o.type_name, o.forward, a, k, n))
    for klass in type(obj).__mro__:
        prop = klass.__dict__.get(name)
        if isinstance(prop, property) and klass.__module__.startswith("shapewise.torch"):
            return guarded(interp, obj.type_name, prop.fget, [obj], {}, node)  # a parametrized weight
        if prop is not None:
            break
    value = d.get(name)
    if name in d and isinstance(value, (int, float, str, bool, tuple, type(None))):
        return value  # a built-in module's configuration (in_features, hidden_size, embedding_dim)
    if name in d and isinstance(value, (dtype, device)):
        return value
    raise ArgumentError(f"'{obj.type_name}' object has no attribute '{name}'", line=interp.line,
                        layer_type=obj.type_name)


def _tensor_attribute(interp, obj, name, node):
    entry = _TENSOR_VALUES.get(name)
    if entry is not None:
        return guarded(interp, f"Tensor.{name}", entry, [obj], {}, node)
    if name in _INERT_TENSOR_METHODS:
        return Method(obj, name, lambda i, o, a, k, n: o)
    if name in _VALUE_TENSOR_METHODS:
        desc = f"{interp._text(node)}()"
        return Method(obj, name, lambda i, o, a, k, n: Opaque(desc, {desc: "reads a tensor's values, which "
                                                                     "shapewise does not compute"}))
    fn = _TENSOR_METHODS.get(name)
    if fn is None and name in _ops_methods():
        return Method(obj, name, lambda i, o, a, k, n: guarded(i, f"Tensor.{name}", _tensor_method, [name, o, a, k],
                                                              {}, n))
    if fn is None:
        raise RefusedError(f"the tensor method or attribute `.{name}` is not in shapewise's torch vocabulary",
                           line=interp.line, layer_type="Tensor",
                           fix="only known tensor methods are explained; shapewise never guesses a shape")
    return Method(obj, name, lambda i, o, a, k, n: guarded(i, f"Tensor.{name}", fn, [o, *a], k, n))


def _super_attribute(interp, sup, name, node):
    obj, cls = sup.obj, sup.cls
    obj_cls = obj.__dict__.get("_cls")
    if not isinstance(obj_cls, Class):
        interp.refuse("`super()` here", "it is only interpreted inside a method of a snippet class", node)
    mro = obj_cls.mro()
    for klass in (mro[mro.index(cls) + 1:] if cls in mro else []):
        if name in klass.namespace:
            value = klass.namespace[name]
            if isinstance(value, Function) and value.kind != "staticmethod":
                if value.kind == "property":
                    return interp._call_function(value, [obj], {}, node)
                return BoundMethod(value, obj_cls if value.kind == "classmethod" else obj)
            return value
    if name == "__init__":
        return Method(obj, name, lambda i, o, a, k, n: base_init(i, o, a, k, n))
    base = obj_cls.builtin_base
    if name == "forward" and base is not None:
        return Method(obj, name, lambda i, o, a, k, n: guarded(i, o.type_name, base.forward, [o, *a], k, n))
    method = _MODULE_METHODS.get(name)
    if method is not None:
        return Method(obj, name, method)
    interp.refuse(f"`super().{name}`", "no base class defines it", node)


def set_attribute(interp, obj, name, value, node):
    if name.startswith("__"):
        interp.refuse(f"setting `.{name}`", "dunder attributes are never set", node)
    if isinstance(obj, Tensor):
        if name == "requires_grad":
            if not isinstance(value, bool):
                interp.refuse(f"`.requires_grad = {_format(value, True)}`", "requires_grad must be True or False",
                              node)
            obj.requires_grad = value
            return
        interp.refuse(f"setting `.{name}` on a tensor", "only `.requires_grad` can be set on a tensor here", node)
    if not isinstance(obj, Module):
        interp.refuse(f"setting `.{name}`", f"{_format(obj, True)} has no attributes to set", node)
    d = obj.__dict__
    snippet = "_sw_attrs" in d
    if name.startswith("_") and (not snippet or name in _INTERNAL or name.startswith("_sw")):
        interp.refuse(f"setting `.{name}`", "torch.nn.Module's own state is never set by a snippet", node)
    if name == "training":
        d["training"] = bool(value)
        return
    if isinstance(value, Opaque):
        value.mark_used()
    params, buffers, modules = d.get("_parameters"), d.get("_buffers"), d.get("_modules")
    attrs = d.get("_sw_attrs")
    if isinstance(value, Parameter):
        _initialized(interp, obj, "parameters", node)
        for t in (buffers, modules, attrs or {}):
            t.pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)
        if name not in params and _class_defines(obj, name):
            raise ArgumentError(f"attribute '{name}' already exists", line=interp.line, layer_type=obj.type_name)
        params[name] = value
    elif params is not None and name in params:
        if value is not None:
            raise ArgumentError(f"cannot assign '{_typename(value)}' as parameter '{name}' (torch.nn.Parameter or "
                                "None expected)", line=interp.line, layer_type=obj.type_name,
                                fix=f"wrap it: self.{name} = nn.Parameter(...)")
        params[name] = None
    elif isinstance(value, Module):
        _initialized(interp, obj, "module", node)
        for t in (params, buffers, attrs or {}):
            t.pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)
        modules[name] = value
    elif modules is not None and name in modules:
        if value is not None:
            raise ArgumentError(f"cannot assign '{_typename(value)}' as child module '{name}' (torch.nn.Module or "
                                "None expected)", line=interp.line, layer_type=obj.type_name)
        modules[name] = None
    elif buffers is not None and name in buffers:
        if value is not None and not isinstance(value, Tensor):
            raise ArgumentError(f"cannot assign '{_typename(value)}' as buffer '{name}' (torch.Tensor or None "
                                "expected)", line=interp.line, layer_type=obj.type_name)
        buffers[name] = value
    elif snippet:
        if params is None and not name.startswith("_") and isinstance(value, Tensor):
            pass  # a plain tensor before __init__ is allowed by torch too
        attrs[name] = value
    else:
        current = d.get(name)
        if name in d and isinstance(current, (int, float, bool, str, tuple, type(None))) and \
                isinstance(value, (int, float, bool, str, tuple, type(None))):
            d[name] = value  # a built-in module's configuration (inplace = True)
            return
        interp.refuse(f"setting `.{name}` on a {obj.type_name} module", "only parameters, buffers, submodules and "
                      "the module's own configuration values can be set on a built-in module", node)


def _square_mask(sz, device=None, dtype=None):
    """``nn.Transformer.generate_square_subsequent_mask(sz)``: a float (sz, sz) mask."""
    from ..torch.tensor import float32, zeros

    if isinstance(sz, bool) or not isinstance(sz, int):
        raise TypeError(f"generate_square_subsequent_mask(): sz must be an int, got {_typename(sz)}")
    return zeros(sz, sz, dtype=dtype or float32)


def _typename(value):
    if isinstance(value, Tensor):
        return "torch.FloatTensor"
    return {int: "int", float: "float", str: "str", bool: "bool", tuple: "tuple", list: "list", dict: "dict",
            type(None): "NoneType"}.get(type(value), "object")


# --------------------------------------------------------------------------------------------------------------
# Module methods (a fixed table)


def _m_list(fn):
    def method(interp, obj, args, kwargs, node):
        return list(guarded(interp, obj.type_name, fn, [obj, *args], kwargs, node))

    return method


def _m_self(interp, obj, args, kwargs, node):
    return obj


def _m_none(interp, obj, args, kwargs, node):
    return None


def _m_train(interp, obj, args, kwargs, node):
    return guarded(interp, obj.type_name, Module.train, [obj, *args], kwargs, node)


def _m_eval(interp, obj, args, kwargs, node):
    return Module.train(obj, False)


def _m_requires_grad_(interp, obj, args, kwargs, node):
    return guarded(interp, obj.type_name, Module.requires_grad_, [obj, *args], kwargs, node)


def _m_state_dict(interp, obj, args, kwargs, node):
    return dict(Module.state_dict(obj))


def _m_apply(interp, obj, args, kwargs, node):
    if len(args) != 1 or kwargs:
        raise UsageError("apply() takes one function", line=interp.line)
    fn = args[0]

    def visit(module):
        for child in list(module.children()):
            visit(child)
        interp._call(fn, [module], {}, node)

    visit(obj)
    return obj


def _check_new_name(interp, obj, name, what, node):
    if not isinstance(name, str):
        raise ArgumentError(f"{what} name should be a string. Got {_typename(name)}", line=interp.line)
    if "." in name:
        raise ArgumentError(f"{what} name can't contain \".\"", line=interp.line)
    if name == "":
        raise ArgumentError(f"{what} name can't be empty string \"\"", line=interp.line)
    if name.startswith("__") or name in _INTERNAL or name.startswith("_sw"):
        interp.refuse(f"the {what} name `{name}`", "it names torch.nn.Module's own state", node)


def _exists(obj, name, table):
    d = obj.__dict__
    others = [t for t in ("_parameters", "_buffers", "_modules") if t != table]
    return any(name in d[t] for t in others) or name in d.get("_sw_attrs", {}) or (
        name not in d[table] and _class_defines(obj, name))


def _m_register_buffer(interp, obj, args, kwargs, node):
    names = ("name", "tensor", "persistent")
    given = dict(zip(names, args))
    given.update(kwargs)
    name, tensor, persistent = given.get("name"), given.get("tensor"), given.get("persistent", True)
    _initialized(interp, obj, "buffer", node)
    _check_new_name(interp, obj, name, "buffer", node)
    if _exists(obj, name, "_buffers"):
        raise ArgumentError(f"attribute '{name}' already exists", line=interp.line, layer_type=obj.type_name)
    if tensor is not None and not isinstance(tensor, Tensor):
        raise ArgumentError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (torch Tensor or None "
                            "required)", line=interp.line, layer_type=obj.type_name)
    d = obj.__dict__
    d["_buffers"][name] = tensor
    (d["_non_persistent_buffers_set"].discard if persistent else d["_non_persistent_buffers_set"].add)(name)
    return None


def _m_register_parameter(interp, obj, args, kwargs, node):
    given = dict(zip(("name", "param"), args))
    given.update(kwargs)
    name, param = given.get("name"), given.get("param")
    _initialized(interp, obj, "parameters", node)
    _check_new_name(interp, obj, name, "parameter", node)
    if _exists(obj, name, "_parameters"):
        raise ArgumentError(f"attribute '{name}' already exists", line=interp.line, layer_type=obj.type_name)
    if param is not None and not isinstance(param, Parameter):
        raise ArgumentError(f"cannot assign '{_typename(param)}' object to parameter '{name}' (torch.nn.Parameter "
                            "or None required)", line=interp.line, layer_type=obj.type_name)
    obj.__dict__["_parameters"][name] = param
    return None


def _m_add_module(interp, obj, args, kwargs, node):
    given = dict(zip(("name", "module"), args))
    given.update(kwargs)
    name, module = given.get("name"), given.get("module")
    _initialized(interp, obj, "module", node)
    _check_new_name(interp, obj, name, "module", node)
    if module is not None and not isinstance(module, Module):
        raise ArgumentError(f"{_typename(module)} is not a Module subclass", line=interp.line)
    if _exists(obj, name, "_modules"):
        raise ArgumentError(f"attribute '{name}' already exists", line=interp.line, layer_type=obj.type_name)
    obj.__dict__["_modules"][name] = module
    return None


def _m_hooks(interp, obj, args, kwargs, node):
    interp.refuse(f"`{interp._text(node)}`", "hooks run the snippet's functions inside torch's call; shapewise does "
                  "not interpret them", node)


def _m_call_method(name):
    def method(interp, obj, args, kwargs, node):
        fn = type(obj).__dict__.get(name)
        for klass in type(obj).__mro__:
            if name in klass.__dict__:
                fn = klass.__dict__[name]
                break
        result = guarded(interp, obj.type_name, fn, [obj, *args], kwargs, node)
        if name in ("keys", "values", "items"):
            return list(result)
        return result

    return method


_MODULE_METHODS = {
    "parameters": _m_list(Module.parameters),
    "named_parameters": _m_list(Module.named_parameters),
    "buffers": _m_list(Module.buffers),
    "named_buffers": _m_list(Module.named_buffers),
    "modules": _m_list(Module.modules),
    "named_modules": _m_list(Module.named_modules),
    "children": _m_list(Module.children),
    "named_children": _m_list(Module.named_children),
    "state_dict": _m_state_dict,
    "load_state_dict": _m_none,
    "train": _m_train,
    "eval": _m_eval,
    "requires_grad_": _m_requires_grad_,
    "zero_grad": _m_none,
    "apply": _m_apply,
    "register_buffer": _m_register_buffer,
    "register_parameter": _m_register_parameter,
    "add_module": _m_add_module,
    "register_module": _m_add_module,
    "get_submodule": lambda i, o, a, k, n: guarded(i, o.type_name, Module.get_submodule, [o, *a], k, n),
    "get_parameter": lambda i, o, a, k, n: guarded(i, o.type_name, Module.get_parameter, [o, *a], k, n),
    "register_forward_hook": _m_hooks,
    "register_forward_pre_hook": _m_hooks,
    "register_full_backward_hook": _m_hooks,
    "register_backward_hook": _m_hooks,
    "flatten_parameters": _m_none,
    "reset_parameters": _m_none,
    "share_memory": _m_self,
    **{name: _m_self for name in ("to", "cuda", "cpu", "float", "double", "half", "bfloat16", "to_empty")},
}

_CONTAINER_METHODS = {name: _m_call_method(name) for name in (
    "append", "extend", "insert", "pop", "keys", "values", "items", "update")}


# --------------------------------------------------------------------------------------------------------------
# Tensor methods and attributes (fixed tables built once from shapewise.torch's Tensor)

_TENSOR_METHODS = {name: Tensor.__dict__[name] for name in METHOD_NAMES if name in Tensor.__dict__}
for _name in ("size", "dim", "ndimension", "numel", "nelement", "is_floating_point", "element_size",
              "requires_grad_"):
    _TENSOR_METHODS[_name] = Tensor.__dict__[_name]
del _name

_TENSOR_VALUES = {
    "shape": lambda t: t.shape,
    "dtype": lambda t: t.dtype,
    "device": lambda t: t.device,
    "ndim": lambda t: t.ndim,
    "T": lambda t: t.T,
    "mT": lambda t: t.mT,
    "data": lambda t: t,
    "grad": lambda t: None,
    "is_cuda": lambda t: False,
    "requires_grad": lambda t: t.requires_grad,
    "is_leaf": lambda t: True,
}

#: in-place initializers: they change values only
_INERT_TENSOR_METHODS = {"normal_", "uniform_", "fill_", "copy_", "fill_diagonal_", "bernoulli_", "random_",
                         "exponential_", "clamp_min_", "retain_grad", "backward"}
_VALUE_TENSOR_METHODS = {"item", "tolist", "numpy", "__array__", "data_ptr"}


def _ops_methods():
    from ..ops import torch_ops

    return torch_ops.TENSOR_METHODS


def _tensor_method(name, obj, args, kwargs):
    from ..torch.tensor import _method

    return _method(name, obj, args, kwargs)


# --------------------------------------------------------------------------------------------------------------
# Calls, operators, indexing, iteration, len


def call(interp, func, args, kwargs, node):
    if isinstance(func, Factory):  # a torch class: nn.Linear, nn.Parameter, torch.Size
        if func.path in ("torch.Tensor", "torch.dtype"):
            interp.refuse(f"`{interp._text(node)}`", f"`{func.path}(...)` makes a tensor from values; use "
                          "torch.empty(...), torch.randn(...) or torch.tensor(...)", node)
        return guarded(interp, func.path, func.target, args, kwargs, node)
    if isinstance(func, TorchFunction):
        result = guarded(interp, func.path, func.fn, args, kwargs, node)
        hook = _AFTER.get(func.path.rsplit(".", 1)[-1]) if func.path.startswith(("torchinfo", "torchsummary")) \
            else None
        return hook(interp, result, args) if hook else result
    if isinstance(func, Module):
        state = interp._torch_state
        top = state.depth == 0
        if top and not isinstance(func, _Loss) and all(m is not func for m in state.called):
            state.called.append(func)
        try:
            if top and _rec.ACTIVE is None:  # the op events of the call, for its compute
                with _rec.recording(state.recorder):
                    return guarded(interp, func.type_name, func, args, kwargs, node)
            return guarded(interp, func.type_name, func, args, kwargs, node)
        except ShapewiseError as e:
            if top:
                torch_report.qualify_error(e, func)
                if e.line is None:
                    e.line = interp.line
            raise
    if isinstance(func, InertContext):
        return func
    interp.refuse(f"`{interp._text(node)}`", f"{_format(func, True)} is not callable", node)


def _after_summary(interp, report, args):
    interp._torch_state.summarized = True
    report.name = _name_of(interp, report.root) or report.name
    interp.events.append(("model", report))
    if report.error is not None:
        raise report.error
    return Inert("torchinfo.ModelStatistics")


def _after_torchsummary(interp, report, args):
    _after_summary(interp, report, args)
    return None


_AFTER = {"summary": _after_summary, "torchsummary": _after_torchsummary}


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
           ast.MatMult: operator.matmul, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
           ast.BitXor: operator.xor}
_COMPARES = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
             ast.Eq: operator.eq, ast.NotEq: operator.ne}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}


def _scalar(value):
    if isinstance(value, Opaque):
        value.mark_used()
        return 1.0  # a number from data the snippet lacks: any scalar gives the same shape
    return value


def binop(interp, op_type, a, b, node):
    if not (isinstance(a, Tensor) or isinstance(b, Tensor)):
        return NotImplemented
    fn = _BINOPS.get(op_type)
    if fn is None:
        interp.refuse(f"`{interp._text(node)}`", "this operator on a tensor has no shape rule in shapewise", node)
    return guarded(interp, "operator", fn, [_scalar(a), _scalar(b)], {}, node)


def compare(interp, op, a, b, node):
    if not (isinstance(a, Tensor) or isinstance(b, Tensor)):
        return NotImplemented
    fn = _COMPARES.get(type(op))
    if fn is None:
        return NotImplemented
    return guarded(interp, "operator", fn, [_scalar(a), _scalar(b)], {}, node)


def unaryop(interp, op_type, value, node):
    if not isinstance(value, Tensor):
        return NotImplemented
    fn = _UNARY.get(op_type)
    if fn is None:
        interp.refuse(f"`{interp._text(node)}`", "the truth value of a tensor is not known (shapewise does not "
                      "compute values)", node)
    return guarded(interp, "operator", fn, [value], {}, node)


def truth(interp, value):
    """``if x:`` on a tensor depends on its values (torch raises for more than one element): undecidable."""
    if isinstance(value, Tensor):
        return None
    if isinstance(value, _CONTAINERS):
        return len(value) > 0
    return True


def subscript(interp, obj, index, node):
    if isinstance(obj, Tensor):
        parts = index if isinstance(index, tuple) else (index,)
        if any(isinstance(p, Opaque) or isinstance(p, slice) and any(isinstance(b, Opaque) for b in (
                p.start, p.stop, p.step)) for p in parts):
            interp.refuse(f"`{interp._text(node)}`", "its index comes from data the snippet does not have (values "
                          "shapewise does not compute)", node)
        return guarded(interp, "Tensor.__getitem__", operator.getitem, [obj, index], {}, node)
    if isinstance(obj, _CONTAINERS):
        return guarded(interp, obj.type_name, operator.getitem, [obj, index], {}, node)
    if isinstance(obj, ValuesIndices):
        return NotImplemented
    interp.refuse(f"`{interp._text(node)}`", f"a {obj.type_name if isinstance(obj, Module) else 'value'} cannot be "
                  "indexed", node)


def iterate(interp, value, node):
    if isinstance(value, (ModuleDict, ParameterDict)):
        return list(value.keys())
    if isinstance(value, _CONTAINERS):
        return list(value)
    if isinstance(value, Tensor):
        return list(guarded(interp, "Tensor.unbind", Tensor.unbind, [value, 0], {}, node))
    if isinstance(value, ValuesIndices):
        return list(value)
    interp.refuse(f"iterating over `{interp._text(node)}`", f"{_format(value, True)} cannot be iterated", node)


def length(interp, value):
    if isinstance(value, (_CONTAINERS, Tensor)):
        return guarded(interp, "len", len, [value], {})
    if isinstance(value, ValuesIndices):
        return 2
    interp.refuse("len()", f"{_format(value, True)} has no length")


def with_items(interp, stmt):
    """``with torch.no_grad():`` and the like: the body runs; any other context manager is refused."""
    for item in stmt.items:
        value = interp.eval(item.context_expr)
        if not isinstance(value, (InertContext, device)):
            interp.refuse("`with`", "context managers run code on entry and exit; only torch.no_grad(), "
                          "torch.inference_mode(), torch.device(...) and the like are interpreted", stmt)
        if item.optional_vars is not None:
            interp._assign(item.optional_vars, value, stmt)
    interp._exec_block(stmt.body)


# --------------------------------------------------------------------------------------------------------------
# What is reported


class State:
    """What a run did with torch: the modules it made, called at top level and summarized."""

    __slots__ = ("created", "called", "summarized", "depth", "recorder")

    def __init__(self):
        self.recorder = _rec.Recorder()
        self.created = []
        self.called = []
        self.summarized = False
        self.depth = 0


def _bound_modules(interp):
    """The modules bound to global names at the end, in binding order, without losses and without modules held
    inside another bound module: (name, module)."""
    out = []
    seen = set()
    for name, value in interp.globals.items():
        if isinstance(value, Module) and not isinstance(value, _Loss) and id(value) not in seen:
            seen.add(id(value))
            out.append((name, value))
    inner = set()
    for _, m in out:
        for _, sub in m.named_modules():
            if sub is not m:
                inner.add(id(sub))
    return [(n, m) for n, m in out if id(m) not in inner]


def _name_of(interp, module):
    for name, value in interp.globals.items():
        if value is module and not name.startswith("_"):
            return name
    return None


def report(interp, events, error):
    """Add the torch model reports to ``events`` (see DESIGN.md "PyTorch JSON": the modules the snippet called
    on example tensors or summarized; else, with ``--input``, the bound modules called on those inputs; else each
    bound module with its parameters). Returns the run's error."""
    state = interp._torch_state
    if state is None:
        return error
    inputs = getattr(interp, "torch_inputs", None)
    if state.summarized:
        return error
    if inputs and error is None:
        targets = [(_name_of(interp, m), m) for m in state.called] or _bound_modules(interp)
        try:
            tensors = torch_report.inputs_from_text(inputs)
        except ShapewiseError as e:
            return e
        interp.line = None  # the calls are --input's, not a line of the snippet's
        for name, m in targets:
            rep = torch_report.summary(m, input_data=tensors, name=name)
            events.append(("model", rep))
            if rep.error is not None:
                return rep.error
        return error
    if state.called:
        for m in state.called:
            events.append(("model", torch_report.model_report(m, _name_of(interp, m))))
        return error
    if error is None:
        for name, m in _bound_modules(interp):
            events.append(("model", torch_report.model_report(m, name)))
    if error is None and not any(kind == "model" for kind, _ in events) and not any(
            kind == "print" for kind, _ in events) and not interp.created:
        listed = "".join(f"\n  line {line}: {reason}" for line, reason in sorted(interp.skipped))
        return UsageError("no nn.Module found" + (f"; skipped lines:{listed}" if listed else ""),
                          fix="define the model (class Net(nn.Module) or nn.Sequential(...)) and bind it to a name")
    return error


__all__ = ["TorchFunction", "owns", "instantiate", "attribute", "set_attribute", "call", "binop", "compare",
           "subscript", "iterate", "length", "report", "State", "Size", "Factory", "Builtin"]


def is_module_class(target):
    return isinstance(target, type) and issubclass(target, Module)


def setitem(interp, obj, index, value, node):
    """``x[:, 0::2] = ...`` writes values in place (the shape never changes); ``modules[i] = m`` registers."""
    if isinstance(obj, Tensor):
        if isinstance(value, Opaque):
            value.mark_used()
        elif not isinstance(value, (Tensor, int, float, bool)):
            interp.refuse(f"assigning {_format(value, True)} into a tensor", "only tensors and numbers can be "
                          "written into a tensor", node)
        if not obj.is_floating_point() and obj.spec.dtype != "bool":
            interp.refuse(f"`{interp._text(node)} = ...`", "it writes values into an integer tensor: such values "
                          "are indices or token ids (which rows an embedding reads), and shapewise does not track "
                          "values", node)
        return None
    if isinstance(obj, _CONTAINERS):
        guarded(interp, obj.type_name, operator.setitem, [obj, index, value], {}, node)
        return None
    interp.refuse(f"assigning to `{interp._text(node)}`", "items of this value cannot be set", node)


# --------------------------------------------------------------------------------------------------------------
# Builtins a torch snippet has besides the interpreter's: getattr/hasattr by a constant name go through the same
# attribute tables as `obj.name` (never Python's getattr); set() of plain values


def _b_getattr(interp, args, kwargs):
    if len(args) not in (2, 3) or not isinstance(args[1], str):
        interp.refuse("getattr()", "it is interpreted as obj.name with a string name only")
    if len(args) == 3:
        return _b_hasattr(interp, args[:2], {}) and interp._attribute(args[0], args[1], interp.call_node) or args[2]
    return interp._attribute(args[0], args[1], interp.call_node)


def _b_hasattr(interp, args, kwargs):
    from .values import Missing

    if len(args) != 2 or not isinstance(args[1], str):
        interp.refuse("hasattr()", "it takes an object and a string name")
    obj, name = args
    if name.startswith("_"):
        interp.refuse(f"hasattr(..., {name!r})", "names starting with `_` are never looked up")
    try:
        value = interp._attribute(obj, name, interp.call_node)
    except (ShapewiseError,):
        return False
    return not isinstance(value, Missing)


def _b_set(interp, args, kwargs):
    from .values import _hashable

    if kwargs or len(args) > 1:
        interp.refuse("set()", "it takes one sequence")
    items = interp._iterate(args[0], interp.call_node) if args else []
    if not all(_hashable(i) for i in items):
        interp.refuse("set()", "only numbers and strings can go in a set")
    return set(items)


def _b_all_any(name):
    def impl(interp, args, kwargs):
        if len(args) != 1 or kwargs:
            interp.refuse(f"{name}()", "it takes one sequence")
        items = interp._iterate(args[0], interp.call_node)
        truths = [interp._truth(v) for v in items]
        if any(t is None for t in truths):
            return Opaque(f"{name}(...)", {f"{name}(...)": "depends on data the snippet does not have"})
        return all(truths) if name == "all" else any(truths)

    return Builtin(name, impl)


def _b_setattr(interp, args, kwargs):
    if len(args) != 3 or kwargs or not isinstance(args[1], str):
        interp.refuse("setattr()", "it is interpreted as obj.name = value with a string name only")
    obj, name, value = args
    if not owns(obj):
        interp.refuse("setattr()", "it is interpreted on torch modules only")
    set_attribute(interp, obj, name, value, interp.call_node)  # the same registration as `obj.name = value`
    return None


def _b_next(interp, args, kwargs):
    if len(args) != 1 or not isinstance(args[0], list) or not args[0]:
        interp.refuse("next()", "it is interpreted on a module's parameters(), modules() or children() only")
    return args[0][0]


def builtins():
    return {"next": Builtin("next", _b_next), "setattr": Builtin("setattr", _b_setattr), "getattr": Builtin("getattr", _b_getattr), "hasattr": Builtin("hasattr", _b_hasattr),
            "set": Builtin("set", _b_set), "all": _b_all_any("all"), "any": _b_all_any("any")}
