"""Functions, classes, custom layers and subclassed models, as the interpreter follows them.

A ``def`` makes a ``Function`` (its AST, its defining scope, its evaluated defaults); calling it interprets the
body in a new frame under the same global budgets, with a fixed limit on call depth. A ``class`` makes a
``Class``; a class deriving from a framework base (``keras.layers.Layer``, a built-in layer, ``keras.Model``)
makes custom layers (see ``custom``), whose ``call`` is interpreted on symbolic tensors when the layer is called.
Special methods that change how Python itself finds or makes objects (``__getattr__``, ``__new__``,
metaclasses, ``__init_subclass__``, descriptors) are refused: the interpreter never calls a Python callable of
the snippet's and never reads a real attribute.
"""

from __future__ import annotations

import ast

from .. import engine
from ..dims import Dim, Known, Unknown, as_dim
from ..engine import Context, KerasTensor, Layer, Spec, Weight, map_structure
from ..errors import ArgumentError, NotReplayableError, RefusedError, ShapewiseError, UsageError
from ..graph import Functional
from .custom import CustomFunctional, CustomLayer, CustomModel, engine_type, functional_type
from .values import (
    BoundMethod,
    Builtin,
    Class,
    Factory,
    Function,
    Instance,
    KerasOp,
    Method,
    Missing,
    Opaque,
    Super,
    _Break,
    _Continue,
    _format,
    _kind,
    _plain_dim,
    _Return,
)

MAX_CALL_DEPTH = 40

#: Special methods a snippet class may define: the interpreter calls these itself where Python would.
_ALLOWED_DUNDERS = {"__init__", "__call__", "__repr__", "__str__", "__len__"}
#: class attributes that are only hints for TorchScript or type checkers: skipped, never kept or read
_HINT_CLASS_DUNDERS = {"__constants__", "__annotations__", "__jit_unused_properties__"}
_REFUSED_DUNDER_WHY = ("it changes how Python itself looks up, sets or creates objects, which shapewise "
                       "never lets a snippet do")

#: Decorators known to be inert for what shapewise reports (by the dotted name they are written with).
_INERT_DECORATORS = {
    "register_keras_serializable", "function", "no_grad", "inference_mode", "script", "export", "ignore",
    "compile", "wraps", "cache", "lru_cache", "override", "abstractmethod", "dataclass", "unused",
}
_INERT_DECORATOR_ROOTS = {"keras", "tf", "tensorflow", "torch", "functools", "typing", "abc", "saving", "utils",
                          "jit", "typing_extensions"}


class _Frame:
    """One function call's names: its locals, the enclosing functions' locals (innermost first), and the names
    it declared ``global`` / ``nonlocal``."""

    __slots__ = ("locals", "enclosing", "global_names", "nonlocal_names", "function", "is_class")

    def __init__(self, locals_, enclosing, function=None, is_class=False):
        self.locals = locals_
        self.enclosing = enclosing
        self.global_names = set()
        self.nonlocal_names = set()
        self.function = function
        self.is_class = is_class


def _dotted(node):
    """``keras.saving.register_keras_serializable`` for a decorator expression (its call stripped), or None."""
    if isinstance(node, ast.Call):
        node = node.func
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return list(reversed(parts))
    return None


class FunctionsMixin:
    """Statements and calls for functions and classes (mixed into the Interpreter)."""

    # --- def, lambda, return, global, nonlocal ----------------------------------------------------------------
    def _closure(self):
        frame = self.frame
        if frame.is_class:
            return frame.enclosing  # a class body's names are not visible to its methods, as in Python
        if self.env is self.globals:
            return ()
        return (self.env, *frame.enclosing)

    def _decorator_kind(self, decorators, stmt):
        kind = "function"
        setter_of = None
        for dec in decorators:
            parts = _dotted(dec)
            if parts is None:
                self.refuse(f"the decorator `@{self._text(dec)}`", "shapewise cannot tell what it does to the function",
                            dec)
            name = parts[-1]
            if parts == ["property"]:
                kind = "property"
            elif parts == ["staticmethod"]:
                kind = "staticmethod"
            elif parts == ["classmethod"]:
                kind = "classmethod"
            elif len(parts) == 2 and name == "setter":
                setter_of = parts[0]
            elif name in _INERT_DECORATORS and (len(parts) == 1 or parts[0] in _INERT_DECORATOR_ROOTS):
                continue
            else:
                self.refuse(f"the decorator `@{self._text(dec)}`",
                            "only inert decorators are interpreted (property, staticmethod, classmethod, "
                            "register_keras_serializable, tf.function, torch.no_grad); shapewise cannot tell what "
                            "this one does to the function", dec)
        return kind, setter_of

    def _s_functiondef(self, stmt):
        self._check_def_name(stmt.name, stmt)
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Yield, ast.YieldFrom)) and self._own_scope(stmt, node):
                self.refuse(f"the generator function `{stmt.name}`", "generators (`yield`) are not interpreted", node)
        kind, setter_of = self._decorator_kind(stmt.decorator_list, stmt)
        fn = self._make_function(stmt.name, stmt, kind)
        if setter_of is not None:
            prop = self.env.get(setter_of)
            if not isinstance(prop, Function) or prop.kind != "property":
                self.refuse(f"`@{setter_of}.setter`", f"`{setter_of}` is not a property defined above it", stmt)
            prop.setter = fn
            return
        self._bind(stmt.name, fn)

    def _own_scope(self, fn_node, node):
        """Whether ``node`` belongs to ``fn_node``'s own body (not to a function nested in it)."""
        stack = list(fn_node.body)
        while stack:
            n = stack.pop()
            if n is node:
                return True
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            stack.extend(ast.iter_child_nodes(n))
        return False

    def _make_function(self, name, node, kind="function"):
        args = node.args
        defaults = [self.eval(d) for d in args.defaults]
        kw_defaults = [None if d is None else (self.eval(d),) for d in args.kw_defaults]
        fn = Function(name, node, self._closure(), defaults, kw_defaults, kind)
        if self.frame.is_class:
            fn.owner = self.frame.function  # the Class being defined (set by _s_classdef)
        return fn

    def _check_def_name(self, name, stmt):
        if name.startswith("__") and name.endswith("__"):
            if not self.frame.is_class:
                self.refuse(f"the function name `{name}`", "dunder names are never bound or looked up", stmt)
            if name not in _ALLOWED_DUNDERS:
                self.refuse(f"the special method `{name}`", _REFUSED_DUNDER_WHY, stmt)
        elif name.startswith("__"):
            self.refuse(f"the name `{name}`", "names starting with `__` are never bound or looked up", stmt)

    def _e_lambda(self, node):
        return self._make_function("<lambda>", node)

    def _s_return(self, stmt):
        if self.call_depth == 0:
            self.refuse("`return`", "it is outside any function", stmt)
        raise _Return(None if stmt.value is None else self.eval(stmt.value))

    def _s_global(self, stmt):
        if self.env is not self.globals:
            self.frame.global_names.update(stmt.names)

    def _s_nonlocal(self, stmt):
        self.frame.nonlocal_names.update(stmt.names)

    def _s_while(self, stmt):
        while True:
            truth = self._truth(self.eval(stmt.test))
            if truth is None:
                self._undecidable(stmt, "`while` condition", None)
                return
            if not truth:
                self._exec_block(stmt.orelse)
                return
            self._count_iteration(stmt)
            try:
                self._exec_block(stmt.body)
            except _Break:
                return
            except _Continue:
                continue

    # --- calling a function ----------------------------------------------------------------------------------
    def _call_function(self, fn, args, kwargs, node, self_obj=None):
        if self.call_depth >= MAX_CALL_DEPTH:
            self.refuse(f"calling `{fn.name}`", f"calls nest more than {MAX_CALL_DEPTH} deep (recursion is followed up "
                                               f"to that depth)", node)
        local = self._bind_arguments(fn, args, kwargs)
        saved = self.env, self.frame
        call_line = getattr(node, "lineno", None) or self.line
        self.env = local
        self.frame = _Frame(local, fn.closure, function=fn)
        self.call_depth += 1
        try:
            if fn.is_lambda:
                return self.eval(fn.node.body)
            try:
                self._exec_block(fn.node.body)
            except _Return as r:
                return r.value
            return None
        except ShapewiseError as e:
            if e.line is None:
                e.line = self.line
            if call_line is not None and len(e.calls) < 20:
                e.calls.append((fn.name, call_line))
            raise
        finally:
            self.call_depth -= 1
            self.env, self.frame = saved

    def _bind_arguments(self, fn, args, kwargs):
        """Python's argument binding, with Python's messages for a wrong call."""
        a = fn.node.args
        positional = [p.arg for p in a.posonlyargs + a.args]
        posonly = {p.arg for p in a.posonlyargs}
        kwonly = [p.arg for p in a.kwonlyargs]
        title = f"{fn.name}()"
        local = {}
        extra = []
        for i, value in enumerate(args):
            if i < len(positional):
                local[positional[i]] = value
            else:
                extra.append(value)
        if extra and a.vararg is None:
            raise UsageError(f"{title} takes {len(positional)} positional argument{'s' * (len(positional) != 1)} "
                             f"but {len(args)} were given", line=self.line)
        if a.vararg is not None:
            local[a.vararg.arg] = tuple(extra)
        extra_kw = {}
        for key, value in kwargs.items():
            if (key in positional and key not in posonly) or key in kwonly:
                if key in local:
                    raise UsageError(f"{title} got multiple values for argument '{key}'", line=self.line)
                local[key] = value
            elif a.kwarg is not None:
                extra_kw[key] = value
            else:
                raise UsageError(f"{title} got an unexpected keyword argument '{key}'", line=self.line)
        if a.kwarg is not None:
            local[a.kwarg.arg] = extra_kw
        first_default = len(positional) - len(fn.defaults)
        missing = []
        for i, name in enumerate(positional):
            if name not in local:
                if i >= first_default:
                    local[name] = fn.defaults[i - first_default]
                else:
                    missing.append(name)
        if missing:
            names = " and ".join(", ".join(f"'{m}'" for m in missing).rsplit(", ", 1))
            raise UsageError(f"{title} missing {len(missing)} required positional argument"
                             f"{'s' * (len(missing) != 1)}: {names}", line=self.line)
        for name, default in zip(kwonly, fn.kw_defaults):
            if name not in local:
                if default is None:
                    raise UsageError(f"{title} missing 1 required keyword-only argument: '{name}'", line=self.line)
                local[name] = default[0]
        return local

    # --- class -----------------------------------------------------------------------------------------------
    def _s_classdef(self, stmt):
        self._check_def_name(stmt.name, stmt)
        for kw in stmt.keywords:
            self.refuse(f"the class keyword `{kw.arg or '**'}=`", "metaclasses and class keywords change how Python "
                                                                "creates the class", stmt)
        for dec in stmt.decorator_list:
            parts = _dotted(dec)
            if parts is None or parts[-1] not in ("register_keras_serializable", "dataclass"):
                self.refuse(f"the class decorator `@{self._text(dec)}`",
                            "only @keras.saving.register_keras_serializable(...) is interpreted on a class", dec)
        bases = []
        framework = builtin_base = None
        for base_node in stmt.bases:
            if isinstance(base_node, ast.Starred):
                self.refuse("`*` in a class's bases", "bases must be written out", base_node)
            if isinstance(base_node, ast.Name) and base_node.id == "object":
                continue
            base = self.eval(base_node)
            kind, builtin = self._base_kind(base, base_node)
            if isinstance(base, Class):
                bases.append(base)
                kind, builtin = base.framework, base.builtin_base
            if kind is not None:
                if framework is not None and (framework, builtin_base) != (kind, builtin):
                    if builtin_base is None and builtin is not None and framework in ("layer", "torch"):
                        # a mixin of the snippet's own before a built-in base: class Linear(Bottle, nn.Linear)
                        builtin_base = builtin
                        continue
                    self.refuse(f"the bases of `{stmt.name}`", "a class can derive from one framework base only",
                                stmt)
                framework, builtin_base = kind, builtin
        cls = Class(stmt.name, bases, {}, stmt.lineno, framework, builtin_base)
        saved = self.env, self.frame
        self.env = cls.namespace
        frame = _Frame(cls.namespace, self._closure(), function=cls, is_class=True)
        self.frame = frame
        try:
            for item in stmt.body:
                if isinstance(item, (ast.Assign, ast.AnnAssign)):
                    targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                    if all(isinstance(t, ast.Name) and t.id in _HINT_CLASS_DUNDERS for t in targets):
                        continue  # a TorchScript hint (``__constants__ = [...]``): never read, not kept
                    for t in targets:
                        for n in ast.walk(t):
                            if isinstance(n, ast.Name) and n.id.startswith("__"):
                                self.refuse(f"the class attribute `{n.id}`", _REFUSED_DUNDER_WHY, item)
                self._exec(item)
        finally:
            self.env, self.frame = saved
        if any((_dotted(d) or [""])[-1] == "dataclass" for d in stmt.decorator_list):
            # @dataclass: __init__ takes the annotated fields in order, with their defaults
            cls.namespace["__dataclass_fields__"] = [item.target.id for item in stmt.body if isinstance(
                item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.simple]
        self._bind(stmt.name, cls)

    def _base_kind(self, base, node):
        """(framework, built-in layer class) of a base class value; refuses what cannot be a base."""
        from ..graph import Functional, Model, Sequential, make_model

        if isinstance(base, Class):
            return None, None
        if isinstance(base, FrameworkBase):
            return base.kind, None
        if isinstance(base, Factory):
            target = base.target
            if self.torch is not None and self.torch.is_module_class(target):
                return "torch", target  # a built-in torch module as the base (class Block(nn.Sequential))
            if target in (make_model, Functional, Model) or base.path in ("keras.Model", "keras.models.Model"):
                return "model", None
            if target is Sequential:
                self.refuse(f"subclassing `{self._text(node)}`", "a subclass of Sequential is not interpreted; "
                                                                 "subclass keras.Model instead", node)
            if isinstance(target, type) and issubclass(target, Layer):
                return "layer", target
        path = base.path if isinstance(base, (Missing, Opaque)) else None
        if path and path.split(".")[0] in ("keras", "tensorflow", "tf", "tf_keras") and \
                ".layers." not in f"{path}." and not path.endswith(("Model", "Sequential")):
            # a regularizer, initializer, constraint, loss, metric, callback or schedule of the snippet's own: a
            # plain class whose instances are inert values to the model
            return None, None
        if isinstance(base, Missing):
            raise RefusedError(f"`{base.path}` is not supported: {base.why}", line=node.lineno)
        self.refuse(f"the base class `{self._text(node)}`",
                    f"a {_kind(base)} cannot be a base class here: derive from keras.layers.Layer, a Keras layer, "
                    "keras.Model, torch.nn.Module or a class of the snippet", node)

    def _instantiate(self, cls, args, kwargs, node):
        if cls.framework is None:
            obj = Instance(cls)
            init, _ = cls.lookup("__init__")
            fields, _ = cls.lookup("__dataclass_fields__")
            if init is not None:
                self._call_function(init, [obj, *args], kwargs, node)
            elif fields is not None:
                self._dataclass_init(cls, obj, fields, args, kwargs)
            elif args or kwargs:
                raise UsageError(f"{cls.name}() takes no arguments", line=self.line)
            return obj
        if cls.framework == "torch":
            return self._torch_instantiate(cls, args, kwargs, node)
        etype = engine_type(cls)
        obj = etype.__new__(etype)
        obj._setup_custom(self, cls)
        init, _ = cls.lookup("__init__")
        if init is not None:
            self._call_function(init, [obj, *args], kwargs, node)
            if not obj._initialized:
                self.refuse(f"`{cls.name}(...)`", "its __init__ never calls super().__init__(); Keras requires it "
                                                  "before anything else", node)
        else:
            self._engine_init(obj, cls, args, kwargs, node)
        if isinstance(obj, CustomModel):
            self._note_model(obj)
        return obj

    def _dataclass_init(self, cls, obj, fields, args, kwargs):
        if len(args) > len(fields):
            raise UsageError(f"{cls.name}.__init__() takes {len(fields) + 1} positional arguments but "
                             f"{len(args) + 1} were given", line=self.line)
        values = dict(zip(fields, args))
        for key, value in kwargs.items():
            if key not in fields:
                raise UsageError(f"{cls.name}.__init__() got an unexpected keyword argument '{key}'", line=self.line)
            values[key] = value
        for name in fields:
            if name not in values:
                default, _ = cls.lookup(name)
                if default is None and all(name not in k.namespace for k in cls.mro()):
                    raise UsageError(f"{cls.name}.__init__() missing 1 required positional argument: '{name}'",
                                     line=self.line)
                values[name] = default
            obj.attrs[name] = values[name]

    def _engine_init(self, obj, cls, args, kwargs, node):
        """``super().__init__(...)`` reaching the framework base: Layer's (or the built-in layer's) constructor."""
        if obj._initialized:
            return None
        obj._initialized = True
        kwargs = {k: self._to_api(v) for k, v in kwargs.items()}
        args = [self._to_api(v) for v in args]
        base = cls.builtin_base
        try:
            if base is not None:
                if "name" not in kwargs:
                    kwargs["name"] = engine.session().auto_name(engine.to_snake_case(cls.name))
                base.__init__(obj, *args, **kwargs)
            else:
                if cls.framework == "model" and (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or (
                        "inputs" in kwargs and "outputs" in kwargs)):
                    # Keras's Model.__init__ with inputs and outputs: the object becomes a functional model of this
                    # class (models/model.py, functional_init_arguments)
                    attrs = obj._attrs
                    obj.__class__ = functional_type(cls)
                    obj._attrs, obj._cls = attrs, cls
                    if "name" not in kwargs:
                        kwargs["name"] = engine.session().auto_name(engine.to_snake_case(cls.name))
                    Functional.__init__(obj, *args, **kwargs)
                    return None
                if args:
                    raise UsageError(f"Layer.__init__() takes 1 positional argument but {len(args) + 1} were given",
                                     line=self.line)
                if "name" not in kwargs:
                    kwargs["name"] = engine.session().auto_name(engine.to_snake_case(cls.name))
                Layer.__init__(obj, **kwargs)
        except ShapewiseError:
            raise
        except (TypeError, ValueError) as e:
            raise ArgumentError(f"`{cls.name}(...)`: {e}", line=self.line) from None
        return None

    # --- attributes of snippet objects -----------------------------------------------------------------------
    def _class_attribute(self, obj, cls, name, node):
        """An attribute found on ``cls``'s MRO, bound to ``obj`` as Python would; (found, value)."""
        value, owner = cls.lookup(name)
        if value is None and name not in (owner.namespace if owner else {}):
            return False, None
        if isinstance(value, Function):
            if value.kind == "staticmethod":
                return True, value
            if value.kind == "classmethod":
                return True, BoundMethod(value, cls)
            if value.kind == "property":
                if obj is None:
                    return True, value
                return True, self._call_function(value, [obj], {}, node)
            if obj is None:
                return True, value
            return True, BoundMethod(value, obj)
        return True, value

    def _object_attribute(self, obj, name, node):
        """``obj.name`` for an Instance, a custom layer, a Class or ``super()``; NotImplemented when the object
        is none of these."""
        if isinstance(obj, Instance):
            if name in obj.attrs:
                return obj.attrs[name]
            found, value = self._class_attribute(obj, obj.cls, name, node)
            if found:
                return value
            self.refuse(f"the attribute `.{name}` of a {obj.cls.name} object", "it was never set", node)
        if isinstance(obj, CustomLayer):
            attrs = obj._attrs
            if name in attrs:
                return attrs[name]
            found, value = self._class_attribute(obj, obj._cls, name, node)
            if found:
                return value
            if not obj._initialized:
                self.refuse(f"`self.{name}` before `super().__init__()`", "Keras requires super().__init__() first "
                                                                          "in a layer's __init__", node)
            if name in _CUSTOM_METHODS:
                return Method(obj, name, _CUSTOM_METHODS[name])
            base = obj._cls.builtin_base
            if base is not None:
                for weight in obj.__dict__.get("_weights") or ():  # the built-in layer's weights (self.kernel)
                    if weight.name == name:
                        return weight
                if name in obj.__dict__ and not name.startswith("_"):  # a config value the built-in layer keeps
                    plain = obj.__dict__[name]               # (self.units), or its inner layer (a Wrapper's .layer)
                    if isinstance(plain, (int, float, str, bool, tuple, type(None), Layer)):
                        return plain
            return NotImplemented  # the engine layer's own attributes (_LAYER_ATTRS)
        if isinstance(obj, CustomFunctional):
            attrs = obj.__dict__.get("_attrs", {})
            if name in attrs:
                return attrs[name]
            found, value = self._class_attribute(obj, obj._cls, name, node)
            if found:
                return value
            return NotImplemented  # the functional model's own attributes (_MODEL_ATTRS)
        if isinstance(obj, Class):
            found, value = self._class_attribute(None, obj, name, node)
            if found:
                return value
            self.refuse(f"the attribute `.{name}` of the class {obj.name}", "it is not defined in the class", node)
        if isinstance(obj, Super):
            return self._super_attribute(obj, name, node)
        return NotImplemented

    def _set_object_attribute(self, obj, name, value, node):
        if isinstance(obj, Instance):
            obj.attrs[name] = value
            return True
        if isinstance(obj, CustomFunctional) and name != "trainable":
            obj._attrs[name] = value
            return True
        if isinstance(obj, CustomLayer):
            if not obj._initialized:
                self.refuse(f"setting `self.{name}` before `super().__init__()`",
                            "Keras requires super().__init__() first in a layer's __init__", node)
            if name == "trainable":
                if not isinstance(value, bool):
                    self.refuse(f"`.trainable = {_format(value, True)}`", "trainable must be True or False", node)
                obj.trainable = value
                return True
            if name == "name":
                self.refuse("setting `.name`", "a layer's name is set by its constructor", node)
            if name in ("built",):
                if value is True:
                    obj._custom_built = True
                return True
            found, prop = self._class_attribute(None, obj._cls, name, node)
            if found and isinstance(prop, Function) and prop.kind == "property":
                if prop.setter is None:
                    self.refuse(f"setting `.{name}`", "the property has no setter", node)
                self._call_function(prop.setter, [obj, value], {}, node)
                return True
            obj._attrs[name] = value
            return True
        return False

    def _super_attribute(self, sup, name, node):
        obj, cls = sup.obj, sup.cls
        obj_cls = obj.cls if isinstance(obj, Instance) else obj._cls if isinstance(obj, CustomLayer) else obj
        if not isinstance(obj_cls, Class):
            self.refuse("`super()` here", "it is only interpreted inside a method of a snippet class", node)
        mro = obj_cls.mro()
        after = mro[mro.index(cls) + 1:] if cls in mro else []
        for klass in after:
            if name == "__init__" and "__init__" not in klass.namespace and isinstance(obj, Instance) and \
                    "__dataclass_fields__" in klass.namespace:
                # the __init__ that @dataclass generated for a base class (super().__init__(fields...))
                fields = klass.namespace["__dataclass_fields__"]
                return Builtin(f"{klass.name}.__init__", lambda interp, a, k, klass=klass, fields=fields:
                               interp._dataclass_init(klass, obj, fields, a, k))
            if name in klass.namespace:
                value = klass.namespace[name]
                if isinstance(value, Function) and value.kind not in ("staticmethod",):
                    if value.kind == "property":
                        return self._call_function(value, [obj], {}, node)
                    return BoundMethod(value, obj_cls if value.kind == "classmethod" else obj)
                return value
        if isinstance(obj, CustomLayer):
            method = _SUPER_METHODS.get(name)
            if method is not None:
                return Method(obj, name, method)
            self.refuse(f"`super().{name}`", f"the framework base's `{name}` is not interpreted (only __init__, "
                                             f"build, call, get_config and compute_output_shape)", node)
        if name == "__init__":
            return Builtin("object.__init__", lambda interp, a, k: None)
        self.refuse(f"`super().{name}`", "no base class defines it", node)

    def _super(self, args, node):
        frame = self.frame
        fn = frame.function
        if args:
            if len(args) != 2 or not isinstance(args[0], Class):
                self.refuse("this super(...)", "write super() or super(ClassName, self)", node)
            return Super(args[0], args[1])
        if not isinstance(fn, Function) or fn.owner is None:
            self.refuse("`super()`", "it is only interpreted inside a method of a snippet class", node)
        first = fn.node.args.posonlyargs + fn.node.args.args
        if not first or first[0].arg not in frame.locals:
            self.refuse("`super()`", "the method has no `self` argument", node)
        return Super(fn.owner, frame.locals[first[0].arg])

    # --- custom layers: their call, interpreted ------------------------------------------------------------
    def run_custom_call(self, layer, ctx, args, kwargs):
        """The rule of a custom layer (CustomLayer.infer): interpret its build() when the layer is being built,
        then its compute_output_shape() if it has one (Keras then never runs call() symbolically), else its call()
        on symbolic tensors. Returns the output spec(s)."""
        cls = layer._cls
        if cls.builtin_base is not None and not any(
                isinstance(cls.lookup(m)[0], Function) for m in ("build", "call", "compute_output_shape")):
            # a subclass of a built-in layer that only sets its arguments: the built-in rule, which explains it
            out = cls.builtin_base.infer(layer, ctx, *args, **kwargs)
            if ctx.building:
                layer._weights = list(ctx.weights)
            return out
        if ctx.fresh:
            # The report asking "would the weights change if this axis were unknown?" re-runs rules on a
            # hypothetical input; the snippet's own code is not re-run for that (it would build sublayers again).
            raise NotReplayableError(f"{cls.name} is defined by the snippet's code, which shapewise runs only on "
                                     "the model's real input", layer=layer.name, layer_type=cls.name)
        shapes = map_structure(lambda s: self._input_shape_of(ctx, s), list(args))
        # (an RNN's cell is built on one step's input shape, then called on it and its states)
        shape_arg = shapes[0] if len(shapes) == 1 or layer.__dict__.get("_build_with_first_input") else shapes
        line = self.line
        saved_calls, saved_ctx = layer._called_sublayers, layer.__dict__.get("_current_ctx")
        layer._called_sublayers = []
        layer._current_ctx = ctx
        try:
            build, _ = cls.lookup("build")
            compute_shape, _ = cls.lookup("compute_output_shape")
            call, _ = cls.lookup("call")
            if ctx.building and cls.builtin_base is not None and not isinstance(build, Function) and (
                    isinstance(call, Function) or isinstance(compute_shape, Function)):
                # a built-in layer's build() runs before the snippet's call(): its weights (self.kernel) exist then
                bctx = Context(layer, ctx.input_specs, building=True, called=False)
                cls.builtin_base.infer(layer, bctx, *args, **kwargs)
                layer._weights = list(bctx.weights)
                ctx.weights = list(bctx.weights)
            if ctx.building and isinstance(build, Function):
                self._call_function(build, [layer, shape_arg], {}, None)
            if isinstance(compute_shape, Function):
                result = self._call_function(compute_shape, [layer, shape_arg], {}, None)
                out = self._shape_result(layer, result)
                ctx.note(f"{cls.name} declares compute_output_shape, so Keras takes the output shape from it and "
                         "does not trace call()")
            elif isinstance(call, Function):
                out = self._trace_call(layer, call, args, kwargs)
            elif cls.builtin_base is not None:
                out = cls.builtin_base.infer(layer, ctx, *args, **kwargs)
            else:
                raise ArgumentError(f"Layer {cls.name} does not have a `call()` method implemented.",
                                    fix="define call(self, inputs) returning the layer's output")
            if ctx.building and ctx.weights:
                layer._weights = list(ctx.weights)  # what a built-in base layer's rule declared (super().call)
            self._explain_custom(layer, ctx)
            return out
        finally:
            self.line = line
            layer._called_sublayers, layer._current_ctx = saved_calls, saved_ctx

    def run_compute_mask(self, layer, fn, inputs, previous_mask):
        """The snippet's compute_mask(inputs, mask), as Keras runs it after a call: on the call's input tensors
        and the mask it was given; its ops on a model's tensors are operations of the graph, as in Keras."""
        line = self.line
        try:
            return self._call_function(fn, [layer, inputs, previous_mask], {}, None)
        finally:
            self.line = line

    def _input_shape_of(self, ctx, spec):
        """The input_shape build() gets: Keras's tuple, with each known axis a named dim (so weights built from
        it explain themselves: ``features × units``) and None for an unknown one."""
        if not isinstance(spec, Spec):
            return spec
        if spec.rank == 0:
            return ()
        names = ("batch", ..., "features") if spec.rank >= 2 else ("batch",)
        bound = ctx.bind(spec, *names)
        return tuple(None if d.value is None or i == 0 else d for i, d in enumerate(bound))

    def _shape_result(self, layer, result):
        def one(shape):
            if isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, (int, Dim)) and
                                                        not isinstance(d, bool) for d in shape):
                return Spec([Unknown() if d is None else as_dim(d) for d in shape], layer.compute_dtype)
            raise ArgumentError(f"compute_output_shape of {layer._cls.name} returned {_format(shape, True)}, not a "
                                "shape", expected="a tuple of ints or None, batch axis included")
        if isinstance(result, list) and result and all(isinstance(r, (tuple, list)) for r in result):
            return [one(r) for r in result]
        return one(result)

    def _trace_call(self, layer, call, args, kwargs):
        """Run the snippet's call() on symbolic tensors standing for the specs. Keras (torch backend) traces it on
        tensors that never become KerasTensors of the model: the tensor counter is left as it was."""
        tensors = untracked_tensors(list(args))
        kw = {k: untracked_tensors(v) for k, v in kwargs.items()}
        params = {p.arg for p in call.node.args.posonlyargs + call.node.args.args + call.node.args.kwonlyargs}
        if call.node.args.kwarg is None:  # Keras passes training= and mask= only to a call() that declares them
            kw = {k: v for k, v in kw.items() if k not in ("training", "mask") or k in params}
        result = self._run_traced(call, [layer, *tensors], kw)

        def to_spec(value):
            if isinstance(value, KerasTensor):
                return value.spec
            if isinstance(value, Weight):
                return Spec(value.dims, layer.compute_dtype)
            if isinstance(value, Opaque):
                raise RefusedError(f"{layer._cls.name}.call() returns a value computed from something shapewise does "
                                   f"not follow ({value.why() or value.desc})", line=self.line)
            raise ArgumentError(f"{layer._cls.name}.call() returned {_format(value, True)}, not a tensor",
                                expected="call() to return the layer's output tensor(s)")

        return map_structure(to_spec, result)  # the structure call() returned (a tuple stays a tuple, as in Keras)

    def _run_traced(self, fn, args, kwargs):
        """Interpret ``fn`` on symbolic tensors as Keras traces a call(): its ops make no graph nodes, and the
        tensors it makes take no Keras auto-name (the counter is left as it was)."""
        uids = engine.session().uids
        counter = uids.get("keras_tensor", 0)
        self.tracing += 1
        try:
            return self._call_function(fn, args, kwargs, None)
        finally:
            self.tracing -= 1
            uids["keras_tensor"] = counter

    def _explain_custom(self, layer, ctx):
        """The custom layer's explanation: its weights, and the sublayers its call ran with their contexts."""
        if not ctx.building:
            return
        subs = [s for s in layer._sublayers if s.built and s._build_ctx is not None]
        if subs:
            ctx.children = [(s.name, s._build_ctx) for s in subs]
            parts = [f"{s.name} ({type(s).keras_name}, {sum(w.size for w in s.weights):,} params)" for s in subs]
            ctx.note(f"{type(layer).keras_name} holds {len(subs)} sublayer{'s' * (len(subs) != 1)} its call "
                     f"ran: " + ", ".join(parts))
        ctx.weights = layer.weights
        ops = layer._called_sublayers
        if ops:
            ctx.note("its call(): " + "; ".join(ops))
        name = type(layer).keras_name
        if subs:
            ctx.units(f"what each output value depends on follows from {name}.call(): its sublayers' "
                      "explanations say what their units see")
        elif ctx.weights:
            ctx.units(f"each output value is computed by the ops of {name}.call() above, from the input and the "
                      "layer's own weights")
        else:
            ctx.units(f"no weights: {name} is defined by the ops of its call() above")

    def builtin_layer_call(self, layer, base, args, kwargs, node):
        """``super().call(x)`` in a subclass of a built-in layer: the built-in rule, on the layer's own context."""
        specs = [a.spec if isinstance(a, KerasTensor) else a for a in args]
        built = layer._weights is not None and len(layer._weights) > 0
        ctx = Context(layer, [s for s in specs if isinstance(s, Spec)], building=not built, called=False) if built \
            else layer._current_ctx  # built already: only the output (no weights declared twice)
        out = base.infer(layer, ctx, *specs, **kwargs)
        return map_structure(lambda s: KerasTensor(s) if isinstance(s, Spec) else s, out)

    def note_cost(self, entry):
        """What a custom layer's traced call() ran, for its compute: ("layer", sublayer, input specs, output
        specs, its call's context) or ("op", name, input specs, output specs, None), kept on the call's
        context."""
        for layer in self._tracing_layers():
            ctx = layer.__dict__.get("_current_ctx")
            if ctx is not None:
                costs = ctx.__dict__.setdefault("trace_costs", [])
                if len(costs) < 10_000:
                    costs.append(entry)
            break

    def note_trace(self, text):
        """A line of a custom layer's trace (an op or a sublayer call with its shapes), for its explanation."""
        for layer in self._tracing_layers():
            layer._called_sublayers.append(text)
            break

    def _tracing_layers(self):
        fn = self.frame.function
        if isinstance(fn, Function) and self.tracing:
            first = fn.node.args.posonlyargs + fn.node.args.args
            if first and isinstance(self.frame.locals.get(first[0].arg), CustomLayer):
                yield self.frame.locals[first[0].arg]


def untracked_tensors(structure):
    """The Specs of a structure as symbolic tensors that take no Keras auto-name (Keras traces a call(), and runs
    a call on data, on tensors that never become KerasTensors of a model)."""
    uids = engine.session().uids
    counter = uids.get("keras_tensor", 0)
    out = map_structure(lambda s: KerasTensor(s) if isinstance(s, Spec) else s, structure)
    uids["keras_tensor"] = counter
    return out


class SnippetCallable:
    """A function of the snippet handed to shapewise's own API (``Lambda``'s function or its output_shape).

    Calling it does not run Python code of the snippet's: the interpreter interprets the function's AST.
    ``trace`` runs it on symbolic tensors standing for input specs (Lambda without output_shape, as Keras traces
    it); a plain call passes plain values (an output_shape function gets shape tuples).
    """

    __slots__ = ("interp", "fn")

    def __init__(self, interp, fn):
        self.interp = interp
        self.fn = fn

    def __call__(self, *args, **kwargs):
        if isinstance(self.fn, KerasOp):
            return self.interp._call(self.fn, list(args), kwargs, None)
        return self.interp._call_function(self.fn, list(args), kwargs, None)

    def trace(self, specs, arguments):
        interp = self.interp
        line = interp.line
        try:
            if isinstance(self.fn, KerasOp):  # Lambda(keras.ops.square): the op's shape rule, traced
                interp.tracing += 1
                try:
                    result = interp._call(self.fn, [untracked_tensors(specs)], dict(arguments or {}), None)
                finally:
                    interp.tracing -= 1
            else:
                result = interp._run_traced(self.fn, [untracked_tensors(specs)], dict(arguments or {}))
        finally:
            interp.line = line

        def to_spec(value):
            if isinstance(value, KerasTensor):
                return value.spec
            raise ArgumentError(f"the Lambda's function returned {_format(value, True)}, not a tensor",
                                expected="the function to return tensors")
        return map_structure(to_spec, result)

    def __repr__(self):
        return f"<function {self.fn.name}>"


class FrameworkBase:
    """``keras.layers.Layer`` / ``torch.nn.Module``: a base class for the snippet's own layers."""

    __slots__ = ("path", "kind")

    def __init__(self, path, kind):
        self.path = path
        self.kind = kind


# --------------------------------------------------------------------------------------------------------------
# Methods a custom layer has from its framework base


def _add_weight(interp, layer, args, kwargs, node):
    names = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer", "constraint", "aggregation",
             "overwrite_with_gradient", "name")
    if len(args) > len(names):
        interp.refuse("add_weight(...)", "too many positional arguments", node)
    given = dict(zip(names, args))
    for key, value in kwargs.items():
        if key in given:
            raise UsageError(f"add_weight() got multiple values for argument '{key}'", line=interp.line)
        if key not in names:
            raise UsageError(f"add_weight() got an unexpected keyword argument '{key}'", line=interp.line)
        given[key] = value
    shape = given.get("shape")
    if shape is None:
        shape = ()
    if isinstance(shape, (int, Dim)) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, Opaque):
        interp.refuse(f"add_weight(shape={shape.desc})", f"its shape comes from data the snippet does not have "
                                                        f"({shape.why()})", node)
    if not isinstance(shape, (tuple, list)):
        raise ArgumentError(f"add_weight(): Cannot convert '{_format(shape, True)}' to a shape.",
                            expected="shape=(d1, d2, ...)", line=interp.line)
    dims = []
    for d in shape:
        d = d if isinstance(d, Dim) else _plain_dim(d)
        if isinstance(d, Opaque):
            interp.refuse("add_weight(shape=...)", f"a size comes from data the snippet does not have ({d.why()})",
                          node)
        if d is None or (isinstance(d, Dim) and d.value is None):
            raise ArgumentError(f"add_weight() of {layer.name}: shape {_format(tuple(shape), True)} has an unknown "
                                "dimension", expected="known sizes for every axis of a weight",
                                fix="build the weight from a known axis of input_shape", line=interp.line)
        if isinstance(d, bool) or not isinstance(d, (int, Dim)):
            raise ArgumentError(f"add_weight(): invalid dimension {_format(d, True)} in shape", line=interp.line)
        if isinstance(d, int) and d < 0:
            raise ArgumentError(f"add_weight(): negative dimension {d} in shape", line=interp.line)
        dims.append(d if isinstance(d, Dim) else Known(d))
    trainable = given.get("trainable", True)
    if not isinstance(trainable, bool):
        raise ArgumentError(f"add_weight(trainable={_format(trainable, True)}): trainable must be True or False",
                            line=interp.line)
    name = given.get("name")
    if name is None:
        name = engine.session().auto_name("variable")  # Keras's Variable: variable, variable_1, ... (one counter)
    if not isinstance(name, str):
        raise ArgumentError("add_weight(name=...) must be a string", line=interp.line)
    return layer.add_weight(name, tuple(dims), trainable)


def _super_init(interp, layer, args, kwargs, node):
    return interp._engine_init(layer, layer._cls, args, kwargs, node)


def _super_build(interp, layer, args, kwargs, node):
    layer._custom_built = True
    return None


def _super_call(interp, layer, args, kwargs, node):
    base = layer._cls.builtin_base
    if base is None:
        raise ArgumentError(f"Layer {layer._cls.name}: super().call() reaches keras.layers.Layer, which has no call()")
    return interp.builtin_layer_call(layer, base, args, kwargs, node)


def _get_config(interp, layer, args, kwargs, node):
    return {"name": layer.name, "trainable": layer.trainable}


def _super_compute_output_shape(interp, layer, args, kwargs, node):
    interp.refuse("`super().compute_output_shape(...)`", "the framework base's compute_output_shape is not "
                                                        "interpreted", node)


def _ignored(interp, layer, args, kwargs, node):
    return None  # losses and metrics a layer adds change nothing shapewise reports


_CUSTOM_METHODS = {"add_weight": _add_weight, "add_variable": _add_weight, "get_config": _get_config,
                   "add_loss": _ignored, "add_metric": _ignored}
_SUPER_METHODS = {"__init__": _super_init, "build": _super_build, "call": _super_call, "get_config": _get_config,
                  "compute_output_shape": _super_compute_output_shape}

