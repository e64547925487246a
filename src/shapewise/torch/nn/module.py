"""``nn.Module`` with torch's semantics in plain Python, and the base of the built-in modules' shape rules.

A Module registers what is assigned to it as torch does (``__setattr__``: a Module into ``_modules``, a Parameter
into ``_parameters``, a Parameter assigned to an existing name replacing it, which is how weights are tied), walks
its tree the same way (``named_modules`` deduplicated by identity under the first name, ``named_parameters``
each tensor once), and on ``__call__`` records the shapes of its first call and the number of calls, then runs
``forward`` through one overridable hook, ``_run_forward``. A built-in module (``Linear``, ``Conv2d``, ...) is a
``RuleModule``: its forward is a shape rule over Dims (``infer(ctx, x)``), written like the Keras rules, that
checks what torch checks, returns the output spec and adds the sentences of the explanation.
"""

from __future__ import annotations

from collections import OrderedDict

from ...engine import Context, Spec, map_structure
from ...errors import ArgumentError, ShapeError, ShapewiseError
from .. import compute as _rec
from ..tensor import Tensor, is_floating, wrap
from .parameter import Parameter


def shape_json(value):
    """A value as DESIGN.md's PyTorch JSON writes shapes: a tensor as a list of ints, a tuple or list of values as
    the list of theirs (nested as the value is), anything else as None."""
    if isinstance(value, Tensor):
        return [d.value for d in value.spec.shape]
    if isinstance(value, (tuple, list)):
        return [shape_json(v) for v in value]
    return None


def _args_json(args, kwargs):
    """The input of a call: the shape of its one argument, or the list of its arguments' shapes."""
    values = list(args) + [v for v in kwargs.values() if isinstance(v, (Tensor, tuple, list))]
    if len(values) == 1:
        return shape_json(values[0])
    return [shape_json(v) for v in values]


class Module:
    """``torch.nn.Module``."""

    training = True
    dump_patches = False
    _version = 1
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected argument: Module.__init__() takes "
                            f"no arguments")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()

    # --- the class name the report shows ------------------------------------------------------------------
    @property
    def type_name(self):
        """The class name shown for this module: its Python class's, or the one an interpreted class set."""
        return self.__dict__.get("_type_name") or type(self).__name__

    @type_name.setter
    def type_name(self, value):
        self.__dict__["_type_name"] = value

    # --- registration, as torch.nn.Module does it ---------------------------------------------------------
    def _tables(self):
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError("cannot assign before Module.__init__() call")
        return d["_parameters"], d["_buffers"], d["_modules"]

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            d.pop(name, None)
            d["_buffers"].pop(name, None)
            d["_modules"].pop(name, None)
            d["_non_persistent_buffers_set"].discard(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_torch_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                d.pop(name, None)
                params.pop(name, None)
                d["_buffers"].pop(name, None)
                d["_non_persistent_buffers_set"].discard(name)
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_torch_typename(value)}' as child module '{name}' "
                                    "(torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = d.get("_buffers")
                if buffers is not None and name in buffers:
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_torch_typename(value)}' as buffer '{name}' "
                                        "(torch.Tensor or None expected)")
                    buffers[name] = value
                else:
                    object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            t = d.get(table)
            if t is not None and name in t:
                return t[name]
        raise AttributeError(f"'{self.type_name if '_parameters' in d else type(self).__name__}' object has no "
                             f"attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if name in d.get(table, ()):
                del d[table][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        params, _, _ = self._tables()
        _check_name(name, "parameter", self)
        if hasattr(self, name) and name not in params:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            params[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_torch_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        params[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        _, buffers, _ = self._tables()
        _check_name(name, "buffer", self)
        if hasattr(self, name) and name not in buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_torch_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        buffers[name] = tensor
        if persistent:
            self.__dict__["_non_persistent_buffers_set"].discard(name)
        else:
            self.__dict__["_non_persistent_buffers_set"].add(name)

    def add_module(self, name, module):
        _, _, modules = self._tables()
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_torch_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_torch_typename(name)}")
        if hasattr(self, name) and name not in modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        modules[name] = module

    register_module = add_module

    # --- walking the tree ----------------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self.__dict__["_modules"].items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        memo = set()
        for name, module in self.__dict__["_modules"].items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, table, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in module.__dict__[table].items():
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield module_prefix + ("." if module_prefix else "") + k, v

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target):
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if item not in mod.__dict__["_modules"]:
                raise AttributeError(f"{mod.type_name} has no attribute `{item}`")
            mod = mod.__dict__["_modules"][item]
        return mod

    def get_parameter(self, target):
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod.__dict__["_parameters"]:
            raise AttributeError(f"{mod.type_name} has no parameter `{name}`")
        return mod.__dict__["_parameters"][name]

    def get_buffer(self, target):
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod.__dict__["_buffers"]:
            raise AttributeError(f"{mod.type_name} has no buffer `{name}`")
        return mod.__dict__["_buffers"][name]

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        out = OrderedDict() if destination is None else destination
        for name, module in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            pre = name + "." if name else ""
            for k, p in module.__dict__["_parameters"].items():
                if p is not None:
                    out[pre + k] = p
            for k, b in module.__dict__["_buffers"].items():
                if b is not None and k not in module.__dict__["_non_persistent_buffers_set"]:
                    out[pre + k] = b
        return out

    def load_state_dict(self, state_dict, strict=True, assign=False):
        return None

    # --- modes and in-place changes ------------------------------------------------------------------------
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.__dict__["training"] = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none=True):
        return None

    def apply(self, fn):
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _self(self, *args, **kwargs):
        return self

    to = cuda = cpu = float = double = half = bfloat16 = to_empty = share_memory = _self

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        hooks = self.__dict__["_forward_hooks"]
        key = len(hooks)
        hooks[key] = hook
        return _Handle(hooks, key)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        hooks = self.__dict__["_forward_pre_hooks"]
        key = len(hooks)
        hooks[key] = hook
        return _Handle(hooks, key)

    # --- calling -------------------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{self.type_name}] is missing the required "forward" function')

    def _run_forward(self, args, kwargs):
        """The one place a call runs the module's forward: an interpreted module overrides this."""
        return self.forward(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        rec = _rec.ACTIVE
        if rec is not None:  # the op-event hook (shapewise.torch.compute): this call's events are attributed to it
            call = rec.push(self, args, kwargs)
        out = None
        try:
            for hook in tuple(d["_forward_pre_hooks"].values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            try:
                out = self._run_forward(args, kwargs)
            except ShapewiseError as e:
                if getattr(e, "module", None) is None:
                    e.module = self
                raise
            for hook in tuple(d["_forward_hooks"].values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        finally:
            if rec is not None:
                rec.pop(call, out)
        calls = d.get("_sw_calls", 0)
        if not calls:
            d["_sw_input"] = _args_json(args, kwargs)
            d["_sw_output"] = shape_json(out)
        d["_sw_calls"] = calls + 1
        return out

    # --- what a call recorded (read by the report) ----------------------------------------------------------
    @property
    def calls(self):
        return self.__dict__.get("_sw_calls", 0)

    # --- printing, as torch does ---------------------------------------------------------------------------
    def extra_repr(self):
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for key, module in self.__dict__["_modules"].items():
            mod = _add_indent(repr(module), 2)
            lines.append(f"({key}): {mod}")
        main = self.type_name + "("
        if lines:
            if len(lines) == 1 and not self.__dict__["_modules"]:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    __hash__ = object.__hash__


class _Handle:
    def __init__(self, table, key):
        self.table, self.key = table, key

    def remove(self):
        self.table.pop(self.key, None)


def _add_indent(text, n):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


def _check_name(name, what, module):
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a string. Got {_torch_typename(name)}")
    if "." in name:
        raise KeyError(f'{what} name can\'t contain "."')
    if name == "":
        raise KeyError(f'{what} name can\'t be empty string ""')


def _torch_typename(value):
    if isinstance(value, Parameter):
        return "torch.nn.Parameter"
    if isinstance(value, Tensor):
        return "torch.FloatTensor"
    return type(value).__module__ + "." + type(value).__qualname__ if type(value).__module__ != "builtins" \
        else type(value).__name__


# --------------------------------------------------------------------------------------------------------------
# The rule machinery of the built-in modules


class TorchContext(Context):
    """A Context for a torch module's rule: errors carry the module's class (the report adds its qualified name)
    and an output's dtype follows the input's."""

    def fail(self, message, expected=None, fix=None, error=ShapeError, expected_rank=None):
        got = [s.values() for s in self.input_specs]
        raise error(message, layer=None, layer_type=self.layer.type_name, got=got[0] if len(got) == 1 else got,
                    expected=expected, fix=fix, expected_rank=expected_rank)

    def spec(self, shape, dtype=None):
        if dtype is None:
            first = self.input_specs[0].dtype if self.input_specs else "float32"
            dtype = first if is_floating(first) else "float32"
        return Spec(shape, dtype)


def _to_spec(value):
    return value.spec if isinstance(value, Tensor) else value


class RuleModule(Module):
    """A built-in module whose forward is a shape rule: ``infer(ctx, *inputs, **kwargs)`` over Specs."""

    def forward(self, *args, **kwargs):
        parametrized = self.__dict__["_modules"].get("parametrizations")
        if parametrized is not None:  # torch's forward reads each parametrized weight once: it runs its modules
            for name in list(parametrized.keys()):
                getattr(self, name)
        tensors = _flat_tensors((args, kwargs))
        specs = [t.spec for t in tensors]
        ctx = TorchContext(self, specs)
        ctx.highs = [t.high for t in tensors]  # integer inputs' known bounds (see Tensor.high)
        spec_args = [map_structure(_to_spec, a) if type(a) is not Tensor else a.spec for a in args]
        spec_kwargs = {k: map_structure(_to_spec, v) for k, v in kwargs.items()}
        out = self.infer(ctx, *spec_args, **spec_kwargs)
        if _rec.ACTIVE is not None:
            _rec.ACTIVE.module_op(self, ctx, spec_args, spec_kwargs, out)
        d = self.__dict__
        if "_sw_ctx" not in d:  # the first call's: the explanation reads them
            d["_sw_ctx"] = ctx
            d["_sw_out_specs"] = [s for s in _flat_specs(out)]
        return wrap(out)

    def infer(self, ctx, *inputs, **kwargs):  # pragma: no cover - every rule module overrides it
        raise AssertionError(f"{type(self).__name__} has no rule")

    def _first_ctx(self):
        return self.__dict__.get("_sw_ctx")


def _flat_specs(structure):
    if isinstance(structure, Spec):
        return [structure]
    if isinstance(structure, (tuple, list)):
        return [s for item in structure for s in _flat_specs(item)]
    return []


def _flat_tensors(structure):
    out = []
    stack = [structure]
    while stack:
        v = stack.pop()
        if isinstance(v, Tensor):
            out.append(v)
        elif isinstance(v, (tuple, list)):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
    return out


def expect_tensor(value, fn, arg="input", position=1):
    """torch's TypeError for a non-tensor argument, as a shapewise error."""
    if not isinstance(value, Spec):
        raise ArgumentError(f"{fn}(): argument '{arg}' (position {position}) must be Tensor, not "
                            f"{type(value).__name__}", layer_type=fn)


__all__ = ["Module", "RuleModule", "TorchContext", "shape_json"]
