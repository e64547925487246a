"""What ``import torch`` (and ``torch.nn``, ``torch.nn.functional``, ``torchinfo``, ``torchsummary``) resolve to in a
snippet: namespaces over shapewise.torch, built from explicit lists of names.

Module classes are ``Factory`` values (shapewise's own constructors, called with interpreter values); torch
functions, ``F.*`` and ``nn.init.*`` are ``TorchFunction`` values (shapewise's functions, which dispatch to the ops
vocabulary's tables with Specs); ``torch.nn.Module`` is the framework base of the snippet's own modules;
``torch.optim`` and ``torch.utils.data`` are inert (their values never reach a model); a torch name shapewise does
not know is ``Missing``: refused, with its name and line, as soon as it is used.

shapewise.torch is imported only here, when a snippet imports torch: a Keras snippet never pays for it.
"""

from __future__ import annotations

import math

from .values import Builtin, Factory, Inert, Missing, Namespace, Opaque

#: the import roots this module resolves
ROOTS = {"torch", "torchinfo", "torchsummary", "torchvision", "collections", "math", "typing", "string", "functools",
         "copy", "argparse", "itertools", "types"}

_REFUSED = {
    "load": "it reads a file (weights or a pickled model), which shapewise never reads",
    "save": None,  # inert: writes a file
    "compile": "it wraps the model in an optimized module; explain the model itself (drop torch.compile)",
    "hub": "torch.hub downloads and runs code from the internet, which shapewise never does",
    "jit": "TorchScript compiles the snippet's code; explain the model itself (drop torch.jit)",
    "export": "torch.export traces the model by running it; explain the model itself",
    "fx": "torch.fx traces the model by running it; explain the model itself",
    "from_numpy": "it makes a tensor from an array's values; use torch.randn(...) with the array's shape",
    "library": "custom operators are outside what shapewise interprets",
    "ops": "custom operators are outside what shapewise interprets",
    "autograd": "autograd functions run the snippet's code inside torch; they are outside what shapewise "
                "interprets",
    "distributed": "distributed training is outside what shapewise interprets",
    "multiprocessing": "processes are outside what shapewise interprets",
    "classes": "TorchScript classes are outside what shapewise interprets",
    "package": "torch.package reads and runs packaged code, which shapewise never does",
    "overrides": "__torch_function__ overrides are outside what shapewise interprets",
}


def setup(interp):
    """Make torch available to ``interp`` (the first time a snippet imports it)."""
    if interp.torch is None:
        from . import torch_objects

        interp.torch = torch_objects
        interp._torch_state = torch_objects.State()
    return interp.torch


def root(interp, name):
    """The namespace an import of ``name`` resolves to, or None when it is not torch's."""
    if name == "collections":
        return _collections_ns()
    if name == "math":
        return _math_ns()
    if name == "types":
        return Namespace("types", {"SimpleNamespace": Builtin("SimpleNamespace", _argparse_namespace)},
                         fallback=lambda n: Missing(f"types.{n}", "only types.SimpleNamespace(...) is interpreted"))
    if name == "itertools":
        return Namespace("itertools", {"repeat": Builtin("repeat", _repeat)},
                         fallback=lambda n: Missing(f"itertools.{n}", "only itertools.repeat(x, n) is interpreted"))
    if name == "argparse":
        return Namespace("argparse", {"Namespace": Builtin("Namespace", _argparse_namespace)},
                         fallback=lambda n: Opaque(f"argparse.{n}", {f"argparse.{n}": "command-line parsing is not "
                                                                     "part of the model"}, path=f"argparse.{n}"))
    if name == "copy":
        return Namespace("copy", {"copy": Builtin("copy", _shallow_copy)},
                         fallback=lambda n: Missing(f"copy.{n}", "only copy.copy of the snippet's own objects and of "
                                                                 "lists and dicts is interpreted"))
    if name == "functools":
        return Namespace("functools", {"partial": Builtin("partial", _partial)},
                         fallback=lambda n: Opaque(f"functools.{n}", {f"functools.{n}": "is not interpreted"}))
    if name == "string":
        import string

        constants = {n: string.__dict__[n] for n in ("ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits",
                                                     "hexdigits", "octdigits", "punctuation", "whitespace",
                                                     "printable")}
        return Namespace("string", constants, fallback=lambda n: Opaque(f"string.{n}",
                                                                        {f"string.{n}": "is not interpreted"}))
    if name == "typing":
        return Namespace("typing", {"cast": Builtin("cast", lambda interp, a, k: a[1] if len(a) == 2 else
                                                     interp.refuse("typing.cast(...)", "it takes a type and a value"))},
                         fallback=lambda n: Opaque(f"typing.{n}", {f"typing.{n}": "is a type annotation"},
                                                   path=f"typing.{n}"))
    setup(interp)
    if name == "torch":
        ns = getattr(interp, "_torch_ns", None)
        if ns is None:
            ns = interp._torch_ns = _torch_ns()
        return ns
    if name in ("torchinfo", "torchsummary"):
        return _summary_ns(name)
    if name == "torchvision":
        return Namespace("torchvision", fallback=lambda n: _torchvision(n))
    return None


def _fn(path, fn):
    from .torch_objects import TorchFunction

    return TorchFunction(path, fn)


def _functions_ns(path, module, names, extra=None, fallback_why="shapewise does not know this torch function (yet)"):
    members = {name: _fn(f"{path}.{name}", module.__dict__[name]) for name in names if name in module.__dict__}
    members.update(extra or {})

    def fallback(name):
        return Missing(f"{path}.{name}", fallback_why)

    return Namespace(path, members, fallback=fallback, star=lambda: dict(members))


def _inert(path):
    """A namespace whose every value is inert data: ``torch.optim``, ``torch.utils.data``."""
    return Opaque(path, {path: "is not part of the model"}, path=path)


def _torch_ns():
    import shapewise.torch as st
    from shapewise.torch.tensor import DTYPE_ALIASES, Size, Tensor, dtype

    from .torch_objects import InertContext

    names = set(st.FUNCTION_NAMES) | {
        "randn", "rand", "zeros", "ones", "empty", "full", "randint", "arange", "tensor", "as_tensor", "zeros_like",
        "ones_like", "empty_like", "randn_like", "rand_like", "full_like", "is_tensor", "device"}
    members = {name: _fn(f"torch.{name}", st.__dict__[name]) for name in names if name in st.__dict__}
    for name, value in st.DTYPES.items():
        members[name] = value
    for name, value in DTYPE_ALIASES.items():
        members[name] = value
    members["bool"] = st.DTYPES["bool"]
    members["Tensor"] = Factory("torch.Tensor", Tensor)
    members["Size"] = Factory("torch.Size", Size)
    members["dtype"] = Factory("torch.dtype", dtype)
    members["nn"] = _nn_ns()
    members["__version__"] = st.__version__

    def context(name):
        return Builtin(name, lambda interp, a, k: InertContext(f"torch.{name}"))

    for name in ("no_grad", "enable_grad", "inference_mode", "set_grad_enabled"):
        members[name] = context(name)
    members["manual_seed"] = Builtin("manual_seed", lambda interp, a, k: None)
    members["set_default_dtype"] = Builtin("set_default_dtype", _set_default_dtype)
    members["get_default_dtype"] = Builtin("get_default_dtype", lambda interp, a, k: st.float32)
    members["set_float32_matmul_precision"] = Builtin("set_float32_matmul_precision", lambda interp, a, k: None)
    members["save"] = Builtin("save", lambda interp, a, k: None)
    false = Builtin("is_available", lambda interp, a, k: False)
    members["cuda"] = Namespace("torch.cuda", {
        "is_available": false, "device_count": Builtin("device_count", lambda interp, a, k: 0),
        "manual_seed": Builtin("manual_seed", lambda interp, a, k: None),
        "manual_seed_all": Builtin("manual_seed_all", lambda interp, a, k: None),
        "empty_cache": Builtin("empty_cache", lambda interp, a, k: None),
        "is_bf16_supported": false,
    }, fallback=lambda n: Missing(f"torch.cuda.{n}", "shapewise has no GPU: this CUDA call is not interpreted"))
    members["backends"] = Namespace("torch.backends", {
        "mps": Namespace("torch.backends.mps", {"is_available": false}),
        "cudnn": _inert("torch.backends.cudnn"),
        "cuda": _inert("torch.backends.cuda"),
    }, fallback=lambda n: _inert(f"torch.backends.{n}"))
    # eager code asks whether it is being scripted or traced: never (scripting itself stays refused)
    members["jit"] = Namespace("torch.jit", {"is_scripting": Builtin("is_scripting", lambda interp, a, k: False),
                                             "is_tracing": Builtin("is_tracing", lambda interp, a, k: False)},
                               fallback=lambda n: Missing(f"torch.jit.{n}", _REFUSED["jit"]))
    members["optim"] = _inert("torch.optim")
    members["utils"] = Namespace("torch.utils", {"data": _inert("torch.utils.data")},
                                 fallback=lambda n: _inert(f"torch.utils.{n}"))
    members["amp"] = Namespace("torch.amp", {"autocast": context("autocast")},
                               fallback=lambda n: _inert(f"torch.amp.{n}"))
    members["autocast"] = context("autocast")
    members["distributions"] = _inert("torch.distributions")

    def fallback(name):
        if name in _REFUSED:
            return Missing(f"torch.{name}", _REFUSED[name])
        return Missing(f"torch.{name}", "shapewise does not know this torch function (yet)")

    return Namespace("torch", members, fallback=fallback)


def _repeat(interp, args, kwargs):
    """``itertools.repeat(x, n)``: n times x, as a list (``tuple(repeat(x, 2))`` in timm's to_2tuple)."""
    times = kwargs.get("times", args[1] if len(args) == 2 else None)
    if not args or len(args) > 2 or set(kwargs) - {"times"} or not isinstance(times, int) or isinstance(times, bool):
        interp.refuse("itertools.repeat(...)", "it is interpreted with a count: repeat(x, n)")
    interp._check_length(max(times, 0), interp.call_node)
    return [args[0]] * max(times, 0)


_NAMESPACE_CLASS = []


def _argparse_namespace(interp, args, kwargs):
    """``argparse.Namespace(lr=0.01, ...)`` / ``types.SimpleNamespace(...)``: an object of the interpreter's with
    those attributes (a snippet often writes its options this way instead of parsing the command line)."""
    from .values import Class, Instance

    if args:
        interp.refuse("Namespace(...)", "it takes keyword arguments only")
    if not _NAMESPACE_CLASS:
        _NAMESPACE_CLASS.append(Class("Namespace", [], {}, 0))
    obj = Instance(_NAMESPACE_CLASS[0])
    obj.attrs.update(kwargs)
    return obj


def _shallow_copy(interp, args, kwargs):
    """``copy.copy(cfg)``: a new instance of the snippet's own class with the same attributes (a new dict of the
    interpreter's holding the same values), or a new list / dict. Torch objects are never copied this way."""
    from .values import Instance

    if len(args) != 1 or kwargs:
        interp.refuse("copy.copy(...)", "it takes one object")
    value = args[0]
    if isinstance(value, Instance):
        new = Instance(value.cls)
        new.attrs.update(value.attrs)
        return new
    if isinstance(value, (list, dict, tuple, str, int, float, bool, type(None))):
        return value.copy() if isinstance(value, (list, dict)) else value
    interp.refuse(f"copy.copy() of {_describe(value)}", "only the snippet's own objects, lists and dicts are copied")


def _describe(value):
    from .values import _format

    return _format(value, True)


def _partial(interp, args, kwargs):
    """``functools.partial(nn.LayerNorm, eps=1e-6)`` of one of shapewise's torch callables (handed to torch code
    as a Python callable), or of the snippet's own class or function (a Builtin whose call is interpreted: it is
    never handed to torch code)."""
    from .torch_objects import TorchFunction, _api
    from .values import BoundMethod, Class, Function

    if args and isinstance(args[0], (Class, Function, BoundMethod, Builtin)):
        # a snippet class or function (or another partial): calling the partial is interpreting the call
        func, bound, bound_kw = args[0], list(args[1:]), dict(kwargs)
        name = getattr(func, "name", "function")
        return Builtin(f"partial({name})", lambda i, a, k: i._call(func, [*bound, *a], {**bound_kw, **k},
                                                                   i.call_node))
    if not args or not isinstance(args[0], (Factory, TorchFunction)):
        interp.refuse("functools.partial(...)", "it is interpreted on torch's classes, torch functions and the "
                      "snippet's own classes and functions only")
    func = args[0]
    bound = [_api(interp, v, "functools.partial") for v in args[1:]]
    bound_kw = {k: _api(interp, v, "functools.partial") for k, v in kwargs.items()}
    target = func.target if isinstance(func, Factory) else func.fn

    def call(*a, **k):
        return target(*bound, *a, **{**bound_kw, **k})

    return TorchFunction(f"functools.partial({func.path})", call)


def _set_default_dtype(interp, args, kwargs):
    interp.refuse("torch.set_default_dtype", "shapewise models torch's default float32 only")


def _nn_ns():
    from shapewise.torch import nn
    from shapewise.torch.nn import functional, init

    from .functions import FrameworkBase
    from .values import _Lazy

    # A module class's Factory is made on its first look-up (which imports only its family), and kept: the same
    # value every time.
    members = {"Module": FrameworkBase("torch.nn.Module", "torch"),
               "Parameter": Factory("torch.nn.Parameter", nn.Parameter)}

    def module_class(name):
        if name in members:
            value = members[name]
            return value() if isinstance(value, _Lazy) else value
        cls = nn.MODULES.get(name)
        if cls is None:
            return None
        value = members[name] = Factory(f"torch.nn.{name}", cls)
        return value

    members["functional"] = _functions_ns("torch.nn.functional", functional, functional.NAMES)
    init_names = [n for n in init.__dict__ if not n.startswith("_") and callable(init.__dict__[n])
                  and n != "Tensor"] + ["_calculate_fan_in_and_fan_out"]
    members["init"] = _functions_ns("torch.nn.init", init, init_names)
    utils_ns = []

    def utils():
        if not utils_ns:
            from shapewise.torch.nn import utils
            from shapewise.torch.nn.utils import parametrizations, parametrize, rnn

            utils_ns.append(Namespace("torch.nn.utils", {
                **{n: _fn(f"torch.nn.utils.{n}", utils.__dict__[n]) for n in (
                    "weight_norm", "spectral_norm", "remove_weight_norm", "remove_spectral_norm", "clip_grad_norm_",
                    "clip_grad_value_", "parameters_to_vector")},
                "parametrizations": _functions_ns("torch.nn.utils.parametrizations", parametrizations,
                                                  ("weight_norm", "spectral_norm", "orthogonal")),
                "parametrize": _functions_ns("torch.nn.utils.parametrize", parametrize,
                                             ("register_parametrization", "is_parametrized",
                                              "remove_parametrizations")),
                "rnn": _functions_ns("torch.nn.utils.rnn", rnn, ("pack_padded_sequence", "pad_packed_sequence",
                                                                 "pack_sequence", "pad_sequence")),
            }, fallback=lambda n: Missing(f"torch.nn.utils.{n}", "shapewise does not know this torch function (yet)")))
        return utils_ns[0]

    members["utils"] = _Lazy(utils)
    members["modules"] = Namespace("torch.nn.modules", fallback=lambda n: module_class(n) or Namespace(
        f"torch.nn.modules.{n}", fallback=lambda m: module_class(m) or Missing(f"torch.nn.modules.{n}.{m}")))

    def fallback(name):
        return module_class(name) or Missing(f"torch.nn.{name}", "shapewise does not know this torch.nn module (yet)")

    def star():
        out = {name: module_class(name) for name in nn.MODULES}  # torch.nn's order; Module is the framework base
        out["Parameter"] = members["Parameter"]
        return out

    return Namespace("torch.nn", members, fallback=fallback, star=star)


def _summary_ns(name):
    from shapewise.torch import report

    if name == "torchinfo":
        fn = _fn("torchinfo.summary", report.summary)
    else:
        fn = _fn("torchsummary.torchsummary", report.torchsummary)
    return Namespace(name, {"summary": fn}, fallback=lambda n: Missing(f"{name}.{n}"))


def _torchvision(name):
    if name in ("transforms", "datasets", "utils", "io"):
        return _inert(f"torchvision.{name}")
    return Missing(f"torchvision.{name}", "torchvision's model builders are not in shapewise (yet): paste the "
                                          "model's code instead")


def _collections_ns():
    def ordered_dict(interp, args, kwargs):
        out = {}
        for arg in args:
            items = arg.items() if isinstance(arg, dict) else arg
            if isinstance(items, Opaque) or not isinstance(items, (list, tuple)) and not isinstance(arg, dict):
                interp.refuse("OrderedDict(...)", "it takes a list of (key, value) pairs or a dict")
            for pair in items:
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    interp.refuse("OrderedDict(...)", "it takes a list of (key, value) pairs")
                out[pair[0]] = pair[1]
        out.update(kwargs)
        return out

    def fallback(name):
        return Opaque(f"collections.{name}", {f"collections.{name}": "is not part of the model"},
                      path=f"collections.{name}")

    return Namespace("collections", {"OrderedDict": Builtin("OrderedDict", ordered_dict)}, fallback=fallback)


def _math_ns():
    def number_fn(name, fn):
        def impl(interp, args, kwargs):
            if kwargs or any(isinstance(a, bool) or not isinstance(a, (int, float)) for a in args):
                found = [a for a in args if isinstance(a, Opaque)]
                if found:
                    return Opaque(f"math.{name}(...)", parents=tuple(found))
                interp.refuse(f"math.{name}(...)", "it is interpreted on plain numbers only")
            try:
                return fn(*args)
            except (ValueError, TypeError, OverflowError) as e:
                interp.refuse(f"math.{name}(...)", str(e))

        return Builtin(name, impl)

    members = {name: number_fn(name, math.__dict__[name]) for name in (
        "sqrt", "log", "log2", "log10", "exp", "ceil", "floor", "sin", "cos", "tan", "tanh", "pow", "gcd", "isqrt",
        "prod", "fabs", "trunc", "atan", "log1p", "expm1", "erf")}
    members["prod"] = Builtin("prod", lambda interp, a, k: math.prod(a[0]) if a and isinstance(a[0], (list, tuple))
                              and all(isinstance(v, int) for v in a[0]) else interp.refuse("math.prod(...)",
                                                                                          "it needs a list of ints"))
    members.update({"pi": math.pi, "e": math.e, "inf": math.inf, "tau": math.tau})
    return Namespace("math", members, fallback=lambda n: Opaque(f"math.{n}", {f"math.{n}": "is not interpreted"}))


def inert_value(desc):
    return Inert(desc)


def implicit(interp):
    """A torch snippet (detected or ``--framework torch``): torch's objects are handled from the start."""
    setup(interp)
    interp.builtins.update(interp.torch.builtins())
