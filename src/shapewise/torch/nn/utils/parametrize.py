"""``torch.nn.utils.parametrize``: a parameter computed by modules from ``original`` tensors.

As torch does it: the module's class becomes ``Parametrized<Class>``, the parameter moves to
``parametrizations.<name>.original`` (or ``original0``, ``original1``, ... when the parametrization's
``right_inverse`` splits it, as weight_norm does), and reading the attribute calls the ParametrizationList, which
calls each parametrization module in turn.
"""

from __future__ import annotations

from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter


class ParametrizationList(ModuleList):
    def __init__(self, modules, original, unsafe=False):
        super().__init__(modules)
        self.unsafe = unsafe
        originals = modules[0].split(original) if hasattr(modules[0], "split") else None
        if originals is None:
            self.is_tensor = True
            self.ntensors = 1
            self.original = Parameter(original, requires_grad=original.requires_grad)
        else:
            self.is_tensor = False
            self.ntensors = len(originals)
            for i, t in enumerate(originals):
                setattr(self, f"original{i}", Parameter(t, requires_grad=original.requires_grad))

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def is_parametrized(module, tensor_name=None):
    params = module.__dict__["_modules"].get("parametrizations")
    if params is None or not isinstance(params, ModuleDict):
        return False
    return tensor_name is None or tensor_name in params


def _parametrized_class(module):
    cls = type(module)
    if cls.__name__.startswith("Parametrized"):
        return cls

    def getter(name):
        return property(lambda self: self.__dict__["_modules"]["parametrizations"][name]())

    new = type("Parametrized" + cls.__name__, (cls,), {"_parametrized_getter": staticmethod(getter)})
    return new


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    if not isinstance(parametrization, Module):
        raise TypeError("parametrization must be an nn.Module")
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    params = module.__dict__["_parameters"]
    buffers = module.__dict__["_buffers"]
    if tensor_name in params:
        original = params.pop(tensor_name)
    elif tensor_name in buffers:
        original = buffers.pop(tensor_name)
    else:
        raise ValueError(f"Module '{module.type_name}' does not have a parameter, a buffer, or a parametrized "
                         f"element with name '{tensor_name}'")
    if not is_parametrized(module):
        cls = _parametrized_class(module)
        module.__class__ = cls
        module.parametrizations = ModuleDict()
    setattr(type(module), tensor_name, type(module)._parametrized_getter(tensor_name))
    module.parametrizations[tensor_name] = ParametrizationList([parametrization], original, unsafe=unsafe)
    if not unsafe:  # torch checks the parametrized value once, by computing it
        getattr(module, tensor_name)
    return module


def parametrized_names(module):
    """The names of a module's parametrized tensors (read once per forward, as torch's own forward reads them)."""
    if not is_parametrized(module):
        return ()
    return tuple(module.__dict__["_modules"]["parametrizations"].keys())
