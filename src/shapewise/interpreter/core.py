from __future__ import annotations

import ast
import math
import re
import time
import warnings

from .. import engine
from ..dims import Dim, Unknown
from ..engine import KerasTensor, Layer, Spec, Weight
from ..errors import ArgumentError, InternalError, RefusedError, ShapeError, ShapewiseError, UsageError
from ..keras.datasets import Array
from ..report import RunResult, model_report
from . import budgets
from .budgets import (
    MAX_DEPTH,
    MAX_FORMAT_WIDTH,
    MAX_INT,
    MAX_ITERATIONS,
    MAX_SEQUENCE,
    MAX_SOURCE_CHARS,
    _step,
    _Steps,
)
from .builtins import _INERT_BUILTINS, _PYTHON_BUILTINS, BuiltinsMixin, set_items
from .custom import CustomFunctional, CustomLayer
from .functions import _ALLOWED_DUNDERS, FrameworkBase, FunctionsMixin, SnippetCallable, _Frame, untracked_tensors
from .keras_ns import (
    _IGNORED_MODEL_METHODS,
    _LAYER_ATTRS,
    _MODEL_ATTRS,
    _TENSOR_ATTRS,
    _WEIGHT_ATTRS,
    _ignored_method,
    _keras_ns,
    _module_why,
    _opaque_module,
    _registry,
    _tensorflow_ns,
)
from .pytypes import _DICT_ATTRS, _LIST_ATTRS, _STR_ATTRS, _TUPLE_ATTRS
from .values import (
    BoundMethod,
    Builtin,
    Class,
    Factory,
    Function,
    Inert,
    Instance,
    KerasOp,
    Method,
    Missing,
    Namespace,
    Opaque,
    Super,
    _bound_by,
    _Break,
    _Continue,
    _deep_values,
    _format,
    _hashable,
    _is_number,
    _is_plain,
    _kind,
    _plain_dim,
    _same,
)


class _Submodule:
    """An interpreter module imported on its first use (the numpy subset, number functions, tensor ops, torch's
    namespaces): a snippet that never needs one does not pay for importing it."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        import importlib

        module = importlib.import_module(f"{__package__}.{self._name}")
        globals()[self._name] = module  # later uses go to the module itself
        return getattr(module, attr)


arrays = _Submodule("arrays")
numbers = _Submodule("numbers")
tensor_ops = _Submodule("tensor_ops")
torch_ns = _Submodule("torch_ns")


class Interpreter(FunctionsMixin, BuiltinsMixin):
    def __init__(self, source, filename):
        self.source = source
        self.filename = filename
        self.lines = source.splitlines()
        self.env = {}  # the current frame's local names: the module's globals at top level
        self.globals = self.env
        self.frame = _Frame(self.env, ())
        self.call_depth = 0
        self.tracing = 0  # > 0 while a custom layer's call() is traced
        self.events = []
        self.skipped = []
        self.pending = []  # (line, statement text, Opaque): skipped unless the opaque value reaches the model
        self.created = []  # models in creation order
        self.data_dims = []  # names of the unknown sizes taken from data the snippet does not have
        self.model_gaps = []  # (line, why): lines that make a model shapewise does not build
        self._created_ids = set()
        self.summaries = 0
        self.iterations = 0
        self.depth = 0
        self.line = None
        self.deadline = time.process_time() + budgets.TIME_BUDGET  # CPU time: a busy machine is no reason to refuse
        self.keras = _keras_ns()
        self.tensorflow = _tensorflow_ns(self.keras)
        self.builtins = {name: Builtin(name, _BUILTIN_IMPLS[name]) for name in _INERT_BUILTINS}
        self.framework = None  # "torch" when the snippet imports torch (or --framework torch)
        self.torch = self._torch_state = self.torch_inputs = None  # torch_objects, once torch is imported

    # --- errors ----------------------------------------------------------------------------------------------
    def refuse(self, construct, why, node=None):
        line = getattr(node, "lineno", None) or self.line
        raise RefusedError(f"{construct} is refused: {why}", line=line)

    def _text(self, node):
        seg = ast.get_source_segment(self.source, node) if hasattr(node, "lineno") else None
        if seg is None:
            try:
                seg = ast.unparse(node)
            except Exception:  # noqa: BLE001 - only for a message
                seg = type(node).__name__
        seg = " ".join(seg.split())
        return seg if len(seg) <= 120 else seg[:117] + "..."

    def _stmt_text(self, stmt):
        text = self.lines[stmt.lineno - 1].strip() if 0 < stmt.lineno <= len(self.lines) else ""
        return text if len(text) <= 100 else text[:97] + "..."

    def _tick(self):
        if time.process_time() > self.deadline:
            self.refuse("this snippet", f"it takes longer than the {budgets.TIME_BUDGET:g} s time budget")

    # --- running ---------------------------------------------------------------------------------------------
    def run(self, tree):
        try:
            self._exec_block(tree.body)
        except ShapewiseError as e:
            if e.line is None:
                e.line = self.line
            self._blame_data(e)
            return self._finish(e)
        except RecursionError:
            return self._finish(RefusedError("the snippet is nested too deeply to interpret", line=self.line))
        except Exception as e:  # noqa: BLE001 - the last net: a bug of shapewise's is an error, never a traceback
            return self._finish(InternalError.of(e, self.line))
        return self._finish(None)

    def _blame_data(self, error):
        """A shape error on an unknown size: say which data the unknown sizes came from."""

        got = error.got if isinstance(error.got, list) else [error.got]
        unknown = any(isinstance(shape, tuple) and None in shape[1:] for shape in got)
        if isinstance(error, ShapeError) and self.data_dims and unknown:
            names = ", ".join(self.data_dims[:3]) + (", ..." if len(self.data_dims) > 3 else "")
            hint = f"sizes unknown here may come from data the snippet does not have ({names}): write them as numbers"
            error.fix = f"{error.fix}; {hint}" if error.fix else hint

    def _finish(self, error):
        for line, text, opaque in self.pending:
            if not opaque.used:
                why = opaque.why()
                reason = f"uses {why}" if why else "not part of the model"
                self.skipped.append((line, f"{reason}: {text}"))
        seen = set()
        skipped = []
        for item in sorted(self.skipped, key=lambda s: s[0]):
            if item[0] not in seen:
                seen.add(item[0])
                skipped.append(item)
        events = list(self.events)
        if error is None and self.summaries == 0:
            bound = {id(v) for v in self.globals.values()}
            for model in self.created:
                if id(model) in bound:
                    events.append(("model", model_report(model)))
        if self.torch is not None:
            error = self.torch.report(self, events, error)
        result = RunResult(events, error, skipped, self.model_gaps)
        if error is None and not result.models and not result.printed:
            listed = "".join(f"\n  line {line}: {reason}" for line, reason in skipped)
            result.error = UsageError(
                "no model found" + (f"; skipped lines:{listed}" if listed else ""),
                fix="build a model with keras.Sequential(...) or keras.Model(inputs, outputs)")
        return result

    def _exec_block(self, body):
        for stmt in body:
            self._exec(stmt)

    def _exec(self, stmt):
        self._tick()
        self.line = stmt.lineno
        handler = _STATEMENTS.get(type(stmt))
        if handler is None:
            what = _REFUSED_STATEMENTS.get(type(stmt))
            if what is None:
                what = (f"`{type(stmt).__name__}` statement", "it is outside the subset of Python shapewise "
                                                                "interprets")
            self.refuse(what[0], what[1], stmt)
        handler(self, stmt)
        self.line = stmt.lineno

    def _skip(self, stmt, reason):
        self.skipped.append((stmt.lineno, f"{reason}: {self._stmt_text(stmt)}"))

    def _pend(self, stmt, opaque):
        self.pending.append((stmt.lineno, self._stmt_text(stmt), opaque))

    # --- statements ------------------------------------------------------------------------------------------
    def _s_expr(self, stmt):
        node = stmt.value
        if isinstance(node, ast.Constant) and (isinstance(node.value, str) or node.value is Ellipsis):
            return  # a docstring or a `...` placeholder
        value = self.eval(node)
        if isinstance(value, Opaque):
            self._pend(stmt, value)

    def _s_assign(self, stmt):
        if all(isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets):
            return self._skip(stmt, "__all__ only lists a module's exports")  # never bound, never read
        value = self.eval(stmt.value)
        for target in stmt.targets:
            self._assign(target, value, stmt)
        if isinstance(value, Opaque):
            self._pend(stmt, value)

    def _s_annassign(self, stmt):
        if stmt.value is None:
            return
        value = self.eval(stmt.value)
        self._assign(stmt.target, value, stmt)
        if isinstance(value, Opaque):
            self._pend(stmt, value)

    def _s_augassign(self, stmt):
        target = stmt.target
        if isinstance(target, ast.Name):
            current = self._name(target.id, target)
        elif isinstance(target, ast.Subscript):
            current = self._subscript(self.eval(target.value), self._index(target.slice), target)
        elif isinstance(target, ast.Attribute):
            current = self._attribute(self.eval(target.value), target.attr, target)
        else:
            self.refuse("this augmented assignment", "its target is not a name or an item", stmt)
        value = self._binop(stmt.op, current, self.eval(stmt.value), stmt)
        self._assign(target, value, stmt)
        if isinstance(value, Opaque):
            self._pend(stmt, value)

    def _assign(self, target, value, stmt):
        if isinstance(target, ast.Name):
            self._check_name(target.id, target)
            self._bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target, value, stmt)
        elif isinstance(target, ast.Starred):
            self.refuse("a starred assignment target", "use it inside a tuple", target)
        elif isinstance(target, ast.Attribute):
            self._set_attribute(self.eval(target.value), target.attr, value, target)
        elif isinstance(target, ast.Subscript):
            obj = self.eval(target.value)
            index = self._index(target.slice)
            if isinstance(obj, Opaque):
                return
            if isinstance(obj, Array):
                return  # new values in a NumPy array (a mask being filled): its shape does not change
            if self.torch is not None and self.torch.owns(obj):
                return self.torch.setitem(self, obj, index, value, target)
            if isinstance(obj, list) and isinstance(index, int) and not isinstance(index, bool):
                obj[index] = value
            elif isinstance(obj, dict) and _hashable(index):
                if len(obj) >= MAX_SEQUENCE:
                    self.refuse("this dict", f"it grows beyond {MAX_SEQUENCE:,} items", target)
                obj[index] = value
            else:
                self.refuse(f"assigning to `{self._text(target)}`", f"items of a {_kind(obj)} cannot be set here",
                            target)
        else:
            self.refuse(f"assigning to `{self._text(target)}`", "only names, tuples, items and `.trainable` can be "
                                                               "assigned", target)

    def _unpack(self, target, value, stmt):
        elts = target.elts
        if isinstance(value, Opaque):
            for i, elt in enumerate(elts):
                node = elt.value if isinstance(elt, ast.Starred) else elt
                self._assign(node, Opaque(f"{value.desc}[{i}]", parents=(value,)), stmt)
            return
        if isinstance(value, dict):
            value = list(value)
        if not isinstance(value, (tuple, list, str)):
            self.refuse(f"unpacking `{self._text(target)}`", f"a {_kind(value)} cannot be unpacked", target)
        values = list(value)
        starred = [i for i, e in enumerate(elts) if isinstance(e, ast.Starred)]
        if starred:
            i = starred[0]
            after = len(elts) - i - 1
            if len(values) < len(elts) - 1:
                raise UsageError(f"not enough values to unpack (expected at least {len(elts) - 1}, got "
                                 f"{len(values)})", line=stmt.lineno)
            groups = values[:i] + [values[i:len(values) - after]] + values[len(values) - after:]
            for elt, v in zip(elts, groups):
                self._assign(elt.value if isinstance(elt, ast.Starred) else elt, v, stmt)
            return
        if len(values) != len(elts):
            raise UsageError(f"cannot unpack {len(values)} values into {len(elts)} names", line=stmt.lineno)
        for elt, v in zip(elts, values):
            self._assign(elt, v, stmt)

    def _s_delete(self, stmt):
        for target in stmt.targets:
            if isinstance(target, ast.Name) and target.id in self.env:
                del self.env[target.id]
            elif isinstance(target, ast.Name):
                continue
            else:
                self.refuse(f"`del {self._text(target)}`", "only names can be deleted", target)

    def _s_pass(self, stmt):
        return None

    def _s_break(self, stmt):
        raise _Break()

    def _s_continue(self, stmt):
        raise _Continue()

    def _s_assert(self, stmt):
        self._skip(stmt, "assert is not checked")

    def _s_if(self, stmt):
        cond = self.eval(stmt.test)
        truth = self._truth(cond)
        if truth is None:
            self._undecidable(stmt, "`if` condition", cond)
            return
        self._exec_block(stmt.body if truth else stmt.orelse)

    def _undecidable(self, stmt, what, value):
        """A condition or loop over data the snippet lacks: skipped unless its body could touch the model."""
        touched = self._touches_model(stmt)
        if touched:
            self.refuse(f"this {what} (`{self._text(getattr(stmt, 'test', None) or stmt.iter)}`)",
                        f"it depends on data the snippet does not have, and its body uses `{touched}`", stmt)
        self.skipped.append((stmt.lineno, f"{what} depends on data the snippet does not have; its block is "
                                          f"skipped: {self._stmt_text(stmt)}"))

    def _touches_model(self, stmt):
        keras_names = {"keras", "tf", "tensorflow", "layers", "models", "Sequential", "Model", "Input"}
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                value = self.env.get(node.id)
                if isinstance(value, (Layer, KerasTensor, Namespace, Factory)) or (
                        value is None and node.id in keras_names) or (
                        self.torch is not None and self.torch.owns(value)):
                    return node.id
        return None

    def _s_for(self, stmt):
        iterable = self.eval(stmt.iter)
        if isinstance(iterable, Opaque):
            self._undecidable(stmt, "`for` loop", iterable)
            return
        items = self._iterate(iterable, stmt.iter)
        completed = True
        for item in items:
            self._count_iteration(stmt)
            self._assign(stmt.target, item, stmt)
            try:
                self._exec_block(stmt.body)
            except _Break:
                completed = False
                break
            except _Continue:
                continue
        if completed:
            self._exec_block(stmt.orelse)

    def _count_iteration(self, node):
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            self.refuse("this loop", f"the snippet runs more than {MAX_ITERATIONS:,} loop iterations", node)
        self._tick()

    def _iterate(self, value, node):
        if self.torch is not None and self.torch.owns(value):
            return self.torch.iterate(self, value, node)
        if isinstance(value, range):
            if len(value) > MAX_ITERATIONS:
                self.refuse(f"iterating over `{self._text(node)}`",
                            f"it has more than {MAX_ITERATIONS:,} items", node)
            return value
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, set):
            return set_items(value)
        if isinstance(value, Array):
            n = value.shape[0] if value.shape else None
            if n is None or n > MAX_ITERATIONS:
                self.refuse(f"iterating over `{self._text(node)}`", "it runs over the values of a dataset array, "
                            "which shapewise does not have (it knows the array's shape only)", node)
            text = self._text(node)
            if value.ndim == 1:  # its items are numbers of the data: opaque values, as data is
                return [Opaque(f"{text}[{i}]", {text: "its values are data shapewise does not have"})
                        for i in range(n)]
            return [value[i] for i in range(n)]
        self.refuse(f"iterating over `{self._text(node)}`", f"a {_kind(value)} cannot be iterated here", node)

    def _s_import(self, stmt):
        for alias in stmt.names:
            parts = alias.name.split(".")
            self._check_module_parts(parts, stmt)
            root = self._module_root(parts[0])
            if root is None:
                bind = alias.asname or parts[0]
                path = alias.name if alias.asname else parts[0]
                value = _opaque_module(path)
                value.roots = {path: _module_why(parts[0])}
                self._check_name(bind, stmt)
                self.env[bind] = value
                self._pend(stmt, value)
                continue
            value = self._resolve_module(root, parts, stmt)
            if alias.asname:
                self._check_name(alias.asname, stmt)
                self.env[alias.asname] = value
                if isinstance(value, Opaque):
                    self._pend(stmt, value)
            else:
                self.env[parts[0]] = root

    def _s_importfrom(self, stmt):
        if stmt.level or not stmt.module:
            for alias in stmt.names:
                if alias.name != "*":
                    self._check_name(alias.asname or alias.name, stmt)
                    self.env[alias.asname or alias.name] = Opaque(
                        alias.asname or alias.name, {alias.name: "comes from a local module"})
            self._skip(stmt, "a relative import is not part of the model")
            return
        parts = stmt.module.split(".")
        self._check_module_parts(parts, stmt)
        root = self._module_root(parts[0])
        for alias in stmt.names:
            if alias.name.startswith("__"):
                self.refuse(f"importing `{alias.name}`", "dunder names are never imported", stmt)
        if root is None:
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                bind = alias.asname or alias.name
                self._check_name(bind, stmt)
                value = Opaque(bind, {f"{stmt.module}.{alias.name}": _module_why(parts[0])},
                               path=f"{stmt.module}.{alias.name}")
                self.env[bind] = value
                self._pend(stmt, value)
            if any(a.name == "*" for a in stmt.names):
                self._skip(stmt, f"{stmt.module} {_module_why(parts[0])}")
            return
        module = self._resolve_module(root, parts, stmt)
        for alias in stmt.names:
            if alias.name == "*":
                if isinstance(module, Namespace) and module.star is not None:
                    self.env.update(module.star())
                else:
                    self._skip(stmt, f"`from {stmt.module} import *` is not part of the model")
                continue
            value = self._member(module, alias.name, stmt)
            bind = alias.asname or alias.name
            self._check_name(bind, stmt)
            self.env[bind] = value
            if isinstance(value, Opaque):
                self._pend(stmt, value)

    def _check_module_parts(self, parts, stmt):
        for part in parts:
            if part.startswith("_"):
                self.refuse(f"importing `{'.'.join(parts)}`", "private and dunder modules are never imported", stmt)

    def _module_root(self, name):
        if self.framework == "torch" and name in torch_ns.ROOTS:
            return torch_ns.root(self, name)
        if name in ("keras", "tf_keras"):
            return self.keras
        if name == "tensorflow":
            return self.tensorflow
        return None

    def _resolve_module(self, root, parts, stmt):
        value = root
        for part in parts[1:]:
            value = self._member(value, part, stmt)
        return value

    def _member(self, module, name, node):
        if name.startswith("_"):
            self.refuse(f"`{name}`", "names starting with `_` are never looked up", node)
        if isinstance(module, Namespace):
            return module.lookup(name)
        if isinstance(module, Opaque):
            return Opaque(f"{module.desc}.{name}", parents=(module,),
                          path=f"{module.path}.{name}" if module.path else None)
        if isinstance(module, Missing):
            return Missing(f"{module.path}.{name}", module.why)
        self.refuse(f"`{name}`", f"a {_kind(module)} has no importable names", node)

    # --- names -----------------------------------------------------------------------------------------------
    def _check_name(self, name, node):
        if name.startswith("__"):
            self.refuse(f"the name `{name}`", "dunder names are never bound or looked up", node)

    def _bind(self, name, value):
        frame = self.frame
        if name in frame.global_names:
            self.globals[name] = value
        elif name in frame.nonlocal_names:
            for scope in frame.enclosing:
                if name in scope:
                    scope[name] = value
                    return
            self.env[name] = value
        else:
            self.env[name] = value

    def _name(self, name, node):
        env = self.env
        if name in env:
            return env[name]
        frame = self.frame
        if frame.enclosing or env is not self.globals:
            if name in frame.global_names:
                env = None
            else:
                for scope in frame.enclosing:
                    if name in scope:
                        return scope[name]
            if name in self.globals:
                return self.globals[name]
        if name == "__name__":
            return "__main__"
        self._check_name(name, node)
        if name in self.builtins:
            return self.builtins[name]
        if name in _PYTHON_BUILTINS:
            self.refuse(f"`{name}`", f"only {', '.join(sorted(_INERT_BUILTINS))} are available; shapewise never "
                                     "runs other Python builtins", node)
        implicit = self._implicit(name)
        if implicit is not None:
            return implicit
        if re.fullmatch(r"[A-Z][a-z]+[A-Za-z0-9]*", name):
            self.refuse(f"`{name}`", "it is not defined in the snippet and is not a Keras name shapewise knows",
                        node)
        return Opaque(name, {name: "is not defined in the snippet"})

    def _implicit(self, name):
        """Keras names a pasted snippet often uses without importing them (``Sequential``, ``Dense``)."""
        if name in ("keras",):
            return self.keras
        if name == "tf":
            return self.tensorflow
        if name in ("layers", "models"):
            return self.keras.lookup(name)
        if name in ("Sequential", "Model", "Input", "InputLayer"):
            return self.keras.lookup(name)
        registry, _ = _registry()
        if name in registry:
            return Factory(f"keras.layers.{name}", registry[name])
        return None

    # --- expressions -----------------------------------------------------------------------------------------
    def eval(self, node):
        handler = _EXPRESSIONS.get(type(node))
        if handler is None and self.framework == "torch" and type(node) is ast.GeneratorExp:
            handler = Interpreter._e_listcomp  # sum(p.numel() for p in model.parameters()): consumed as a list
        if handler is None:
            what = _REFUSED_EXPRESSIONS.get(type(node))
            if what is None:
                what = (f"`{type(node).__name__}` expression", "it is outside the subset of Python shapewise "
                                                               "interprets")
            self.refuse(what[0], what[1], node)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self.refuse("this expression", f"it is nested more than {MAX_DEPTH} levels deep", node)
            return handler(self, node)
        finally:
            self.depth -= 1

    def _e_constant(self, node):
        value = node.value
        if isinstance(value, complex) or isinstance(value, bytes):
            self.refuse(f"the literal `{self._text(node)}`", "complex numbers and bytes are not supported", node)
        return self._checked(value, node)

    def _checked(self, value, node):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            self.refuse(f"the number in `{self._text(node)}`", "integers beyond 10**12 are not interpreted", node)
        if isinstance(value, float) and not math.isfinite(value) and not math.isnan(value):
            return value
        if isinstance(value, (str, tuple, list)) and len(value) > MAX_SEQUENCE:
            self.refuse(f"`{self._text(node)}`", f"sequences longer than {MAX_SEQUENCE:,} are not interpreted", node)
        return value

    def _e_name(self, node):
        return self._name(node.id, node)

    def _e_tuple(self, node):
        return tuple(self._elements(node.elts))

    def _e_list(self, node):
        return self._elements(node.elts)

    def _e_set(self, node):
        items = self._elements(node.elts)
        if not all(_hashable(i) for i in items):
            self.refuse(f"the set `{self._text(node)}`", "only numbers and strings can go in a set", node)
        return set(items)

    def _elements(self, elts):
        out = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                value = self.eval(elt.value)
                if isinstance(value, Opaque):
                    out.append(value)
                else:
                    out.extend(self._iterate(value, elt))
            else:
                out.append(self.eval(elt))
            if len(out) > MAX_SEQUENCE:
                self.refuse("this literal", f"it has more than {MAX_SEQUENCE:,} items", elt)
        return out

    def _e_dict(self, node):
        out = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                extra = self.eval(value)
                if not isinstance(extra, dict):
                    self.refuse(f"`**{self._text(value)}`", f"a {_kind(extra)} is not a dict", value)
                out.update(extra)
                continue
            k = self.eval(key)
            if not _hashable(k):
                self.refuse(f"the key `{self._text(key)}`", "dict keys must be numbers, strings or None", key)
            out[k] = self.eval(value)
        return out

    def _e_joinedstr(self, node):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
                continue
            v = self.eval(value.value)
            if isinstance(v, Opaque):
                return Opaque(self._text(node), parents=(v,))
            spec = ""
            if value.format_spec is not None:
                spec = self.eval(value.format_spec)
                if isinstance(spec, Opaque):
                    return spec
            if value.conversion == ord("r"):
                text = _format(v, True)
            else:
                text = _format(v, False)
            if spec:
                if isinstance(v, (int, float, str)) and value.conversion == -1:
                    if len(spec) > 20 or not re.fullmatch(r"[<>^=+\- #0-9,_.a-zA-Z%]*", spec) or \
                            any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", spec)):
                        self.refuse(f"the format spec `{spec}`", "it is not a simple number/text format", node)
                    try:
                        text = format(v, spec)
                    except (ValueError, TypeError) as e:
                        raise UsageError(f"invalid format spec: {e}", line=self.line) from None
                else:
                    text = format(text, spec) if re.fullmatch(r"[<>^]?[0-9]{0,3}", spec) else text
                if len(text) > MAX_SEQUENCE:
                    self.refuse("this f-string", f"it is longer than {MAX_SEQUENCE:,} characters", node)
            parts.append(text)
        return self._checked("".join(parts), node)

    def _e_attribute(self, node):
        return self._attribute(self.eval(node.value), node.attr, node)

    def _e_subscript(self, node):
        return self._subscript(self.eval(node.value), self._index(node.slice), node)

    def _index(self, node):
        if isinstance(node, ast.Tuple):
            return tuple(self._index(elt) for elt in node.elts)
        if isinstance(node, ast.Slice):
            parts = [None if p is None else _plain_dim(self.eval(p)) for p in (node.lower, node.upper, node.step)]
            for p in parts:
                if isinstance(p, Opaque):
                    return p
                if p is not None and (isinstance(p, bool) or not isinstance(p, (int, Dim))):
                    self.refuse(f"the slice `{self._text(node)}`", "slice bounds must be integers", node)
            return slice(*parts)
        return self.eval(node)

    def _subscript(self, obj, index, node):
        if isinstance(obj, Opaque):
            return Opaque(self._text(node), parents=(obj,) + ((index,) if isinstance(index, Opaque) else ()))
        if self.torch is not None and self.torch.owns(obj):
            result = self.torch.subscript(self, obj, index, node)
            if result is not NotImplemented:
                return result
        if isinstance(index, Opaque):
            self.refuse(f"`{self._text(node)}`", "its index comes from data the snippet does not have", node)
        if isinstance(obj, Array):
            return arrays.subscript(self, obj, index, node)
        if isinstance(obj, (tuple, list, str)):
            if isinstance(index, slice) and any(isinstance(p, Dim) for p in (index.start, index.stop, index.step)):
                self.refuse(f"`{self._text(node)}`", "its slice bounds are sizes that are not known here", node)
            if isinstance(index, slice) or (isinstance(index, int) and not isinstance(index, bool)):
                try:
                    return obj[index]
                except IndexError:
                    raise UsageError(f"index {index} is out of range for `{self._text(node.value)}` "
                                     f"(length {len(obj)})", line=self.line) from None
            self.refuse(f"`{self._text(node)}`", "a sequence index must be an integer or a slice", node)
        if isinstance(obj, dict):
            if not _hashable(index):
                self.refuse(f"`{self._text(node)}`", "dict keys must be numbers, strings or None", node)
            try:
                return obj[index]
            except KeyError:
                raise UsageError(f"key {index!r} is not in `{self._text(node.value)}`", line=self.line) from None
        if isinstance(obj, (KerasTensor, Weight)):
            return self._tensor_operator("get_item", [obj, index], node)
        self.refuse(f"`{self._text(node)}`", f"a {_kind(obj)} cannot be indexed", node)

    def _e_binop(self, node):
        return self._binop(node.op, self.eval(node.left), self.eval(node.right), node)

    def _binop(self, op, a, b, node):
        op_type = type(op)
        if self.torch is not None and (result := self.torch.binop(self, op_type, a, b, node)) is not NotImplemented:
            return result
        if isinstance(a, Opaque) or isinstance(b, Opaque):
            return Opaque(self._text(node), parents=tuple(x for x in (a, b) if isinstance(x, Opaque)))
        if isinstance(a, Array) or isinstance(b, Array):
            if isinstance(a, (KerasTensor, Weight)) or isinstance(b, (KerasTensor, Weight)):
                # a NumPy array of known shape meets a tensor (a mask times a kernel): a constant operand
                a, b = (self._array_constant(x, node) for x in (a, b))
                return self._tensor_operator(tensor_ops.OPERATOR_OPS.get(op_type), [a, b], node)
            return arrays.binop(self, op_type, a, b, node)
        if isinstance(a, (KerasTensor, Weight)) or isinstance(b, (KerasTensor, Weight)):
            return self._tensor_operator(tensor_ops.OPERATOR_OPS.get(op_type), [a, b], node)
        if _is_number(a) and _is_number(b):
            return self._checked(self._arith(op_type, a, b, node), node)
        if isinstance(a, Dim) or isinstance(b, Dim):
            if (_is_number(a) or isinstance(a, Dim)) and (_is_number(b) or isinstance(b, Dim)):
                return self._dim_arith(op_type, a, b, node)
        if op_type is ast.Add and type(a) is type(b) and isinstance(a, (tuple, list, str)):
            self._check_length(len(a) + len(b), node)
            return a + b
        if op_type is ast.Mult:
            seq, n = (a, b) if isinstance(a, (tuple, list, str)) else (b, a)
            if isinstance(seq, (tuple, list, str)) and isinstance(n, int) and not isinstance(n, bool):
                self._check_length(len(seq) * max(n, 0), node)
                return seq * n
        if op_type is ast.Mod and isinstance(a, str):
            values = b if isinstance(b, tuple) else (b,)
            if "*" in a or any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"%[-+ #0]*(\d*)\.?(\d*)", a)
                                for n in n if n):
                self.refuse(f"`{self._text(node)}`", f"`*` widths and widths beyond {MAX_FORMAT_WIDTH} are not interpreted",
                            node)
            if all(isinstance(v, (int, float, str, bool, type(None))) for v in values):
                try:
                    return self._checked(a % b, node)
                except (TypeError, ValueError, OverflowError) as e:  # ('%d' % float('inf'): Python's own error)
                    raise UsageError(f"string formatting failed: {e}", line=self.line) from None
            self.refuse(f"`{self._text(node)}`", "%-formatting is interpreted for numbers and strings only", node)
        self.refuse(f"`{self._text(node)}`", f"the operator {_OP_TEXT.get(op_type, op_type.__name__)} is not "
                                             f"interpreted for a {_kind(a)} and a {_kind(b)}", node)

    def _tensor_operator(self, op, args, node):
        """A Python operator (``+``, ``x[:, 0]``, ``-x``, ``a < b``) with a symbolic tensor among its operands."""
        table = tensor_ops.keras_table() or {}
        fn = table.get(op) if op else None
        if fn is None:
            self.refuse(f"`{self._text(node)}`", "this operator on a symbolic tensor has no shape rule in shapewise "
                                                 "(yet)", node)
        return tensor_ops.apply(self, op, fn, args, {}, node)

    def _check_length(self, n, node):
        if n > MAX_SEQUENCE:
            self.refuse(f"`{self._text(node)}`", f"it would build a sequence longer than {MAX_SEQUENCE:,}", node)

    def _arith(self, op_type, a, b, node):
        try:
            if op_type is ast.Add:
                return a + b
            if op_type is ast.Sub:
                return a - b
            if op_type is ast.Mult:
                return a * b
            if op_type is ast.Div:
                return a / b
            if op_type is ast.FloorDiv:
                return a // b
            if op_type is ast.Mod:
                return a % b
            if op_type in (ast.LShift, ast.RShift) and isinstance(a, int) and isinstance(b, int) and 0 <= b < 40:
                return a << b if op_type is ast.LShift else a >> b  # channels << 1 (torchvision's ShuffleNet)
            if op_type is ast.Pow:
                if abs(a) > 1 and b > 0 and b * math.log2(abs(a)) > 64:
                    self.refuse(f"`{self._text(node)}`", "integers beyond 10**12 are not interpreted", node)
                if isinstance(a, int) and isinstance(b, int) and b < 0 and a == 0:
                    raise ZeroDivisionError("0 cannot be raised to a negative power")
                result = a ** b
                if isinstance(result, complex):
                    self.refuse(f"`{self._text(node)}`", "complex numbers are not supported", node)
                return result
        except ZeroDivisionError as e:
            raise UsageError(f"{e} in `{self._text(node)}`", line=self.line) from None
        except OverflowError:
            self.refuse(f"`{self._text(node)}`", "the number is too large", node)
        self.refuse(f"`{self._text(node)}`", f"the operator {_OP_TEXT.get(op_type, op_type.__name__)} is not "
                                             "interpreted", node)

    def _dim_arith(self, op_type, a, b, node):
        if isinstance(a, float) or isinstance(b, float):
            return Unknown(self._text(node))
        try:
            if op_type is ast.Add:
                return a + b
            if op_type is ast.Sub:
                return a - b
            if op_type is ast.Mult:
                return a * b
            if op_type is ast.FloorDiv:
                return a // b
        except ZeroDivisionError as e:
            raise UsageError(f"{e} in `{self._text(node)}`", line=self.line) from None
        # / % ** on an unknown size: an unknown size named by its expression
        return Unknown(self._text(node))

    def _e_unaryop(self, node):
        value = self.eval(node.operand)
        op_type = type(node.op)
        if self.torch is not None and (result := self.torch.unaryop(self, op_type, value, node)) is not NotImplemented:
            return result
        if isinstance(value, Opaque):
            return Opaque(self._text(node), parents=(value,))
        if isinstance(value, (KerasTensor, Weight)) and op_type in tensor_ops.UNARY_OPS:
            op = tensor_ops.UNARY_OPS[op_type]
            return value if op is None else self._tensor_operator(op, [value], node)
        if op_type is ast.Not:
            truth = self._truth(value)
            if truth is None:
                return Opaque(self._text(node))
            return not truth
        if _is_number(value):
            if op_type is ast.USub:
                return -value
            if op_type is ast.UAdd:
                return +value
            if op_type is ast.Invert and isinstance(value, int):
                return ~value
        if isinstance(value, Dim) and op_type is ast.USub:
            return 0 - value
        self.refuse(f"`{self._text(node)}`", f"this operator is not interpreted for a {_kind(value)}", node)

    def _e_boolop(self, node):
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = self.eval(operand)
            truth = self._truth(value)
            if truth is None:
                return Opaque(self._text(node))
            if truth != is_and:
                return value
        return value

    def _e_compare(self, node):
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            result = self._compare(op, left, right, node)
            if isinstance(result, (Opaque, KerasTensor, Array)) or (self.torch is not None and
                                                                     self.torch.owns(result)):
                return result  # data, or a comparison of tensors or arrays (a boolean tensor or array)
            if not result:
                return False
            left = right
        return True

    def _compare(self, op, a, b, node):
        if self.torch is not None and (result := self.torch.compare(self, op, a, b, node)) is not NotImplemented:
            return result
        if isinstance(a, Opaque) or isinstance(b, Opaque):
            return Opaque(self._text(node), parents=tuple(x for x in (a, b) if isinstance(x, Opaque)))
        if type(op) in tensor_ops.COMPARE_OPS and (isinstance(a, (KerasTensor, Weight)) or
                                                   isinstance(b, (KerasTensor, Weight))):
            return self._tensor_operator(tensor_ops.COMPARE_OPS[type(op)], [a, b], node)
        if type(op) in tensor_ops.COMPARE_OPS or type(op) is ast.Eq:
            if isinstance(a, Array) or isinstance(b, Array):  # NumPy: elementwise, a bool array
                return arrays.compare(self, a, b, node)
        a, b = _plain_dim(a), _plain_dim(b)
        if isinstance(a, Dim) or isinstance(b, Dim):
            return Opaque(self._text(node), {self._text(node): "compares a size that is not known"})
        op_type = type(op)
        if op_type is ast.Is:
            return a is b if not _is_plain(a) or not _is_plain(b) else (a is None and b is None) or a == b and (
                type(a) is type(b))
        if op_type is ast.IsNot:
            return not self._compare(ast.Is(), a, b, node)
        if op_type in (ast.In, ast.NotIn):
            if not isinstance(b, (tuple, list, dict, str, set)):
                self.refuse(f"`{self._text(node)}`", f"`in` is not interpreted for a {_kind(b)}", node)
            if isinstance(b, str) and not isinstance(a, str):
                self.refuse(f"`{self._text(node)}`", "`in` a string needs a string", node)
            found = any(_same(a, item) for item in b)
            return found if op_type is ast.In else not found
        if op_type in (ast.Eq, ast.NotEq):
            equal = _same(a, b)
            return equal if op_type is ast.Eq else not equal
        ok = (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str)) or (
            isinstance(a, tuple) and isinstance(b, tuple) and all(_is_plain(x) for x in a + b))
        if not ok:
            self.refuse(f"`{self._text(node)}`", f"ordering is not interpreted for a {_kind(a)} and a {_kind(b)}",
                        node)
        try:
            if op_type is ast.Lt:
                return a < b
            if op_type is ast.LtE:
                return a <= b
            if op_type is ast.Gt:
                return a > b
            return a >= b
        except TypeError as e:
            raise UsageError(f"cannot compare: {e}", line=self.line) from None

    def _e_ifexp(self, node):
        truth = self._truth(self.eval(node.test))
        if truth is None:
            return Opaque(self._text(node), {self._text(node.test): "cannot be decided without the data"})
        return self.eval(node.body if truth else node.orelse)

    def _truth(self, value):
        """Python truthiness for plain values and shapewise objects; None when it depends on data."""
        if isinstance(value, Opaque):
            return None
        if self.torch is not None and self.torch.owns(value):
            return self.torch.truth(self, value)
        value = _plain_dim(value)
        if isinstance(value, Dim):
            return None
        if isinstance(value, (bool, int, float, str, tuple, list, dict, set, range, type(None))):
            return bool(value)
        return True

    def _e_listcomp(self, node):
        for gen in node.generators:
            if gen.is_async:
                self.refuse("an async comprehension", "it is outside the interpreted subset", node)
        first = self.eval(node.generators[0].iter)
        if isinstance(first, Opaque):
            return Opaque(self._text(node), parents=(first,))
        saved = dict(self.env)
        out = []
        try:
            self._comprehend(node, 0, first, out)
        finally:
            # the comprehension's variables do not leak, as in Python 3 (the scope's dict is kept: functions
            # defined in this scope hold it)
            env = self.env
            for gen in node.generators:
                for k in [k for k in env if k not in saved and _bound_by(gen.target, k)]:
                    del env[k]
                for k in saved:
                    if _bound_by(gen.target, k):
                        env[k] = saved[k]
        if isinstance(node, ast.DictComp):
            return dict(out)
        if isinstance(node, ast.SetComp):
            if not all(_hashable(v) for v in out):
                self.refuse("this set comprehension", "only numbers and strings can go in a set", node)
            return set(out)
        return out

    def _comprehend(self, node, k, iterable, out):
        """The ``k``-th ``for`` of a comprehension over ``iterable``, the later ones nested inside it (as Python
        runs them: each later iterable is evaluated once per item of the earlier ones)."""
        gen = node.generators[k]
        for item in self._iterate(iterable, gen.iter):
            self._count_iteration(node)
            self._assign(gen.target, item, node)
            keep = True
            for cond in gen.ifs:
                truth = self._truth(self.eval(cond))
                if truth is None:
                    self.refuse(f"the condition `{self._text(cond)}`", "it depends on data the snippet does "
                                                                      "not have", cond)
                if not truth:
                    keep = False
                    break
            if not keep:
                continue
            if k + 1 < len(node.generators):
                inner = self.eval(node.generators[k + 1].iter)
                if isinstance(inner, Opaque):
                    self.refuse(f"iterating over `{self._text(node.generators[k + 1].iter)}`",
                                "it depends on data the snippet does not have", node)
                self._comprehend(node, k + 1, inner, out)
            elif isinstance(node, ast.DictComp):
                key = self.eval(node.key)
                if not _hashable(key):
                    self.refuse(f"the key `{self._text(node.key)}`", "dict keys must be numbers, strings or "
                                                                      "None", node)
                out.append((key, self.eval(node.value)))
            else:
                out.append(self.eval(node.elt))

    # --- attributes ------------------------------------------------------------------------------------------
    def _attribute(self, obj, name, node):
        if self.torch is not None and self.torch.owns(obj):
            return self.torch.attribute(self, obj, name, node)
        if name in _READ_DUNDERS and isinstance(obj, _READ_DUNDERS[name]):
            return self._read_dunder(obj, name)
        if name.startswith("_"):
            # The snippet's own objects keep their attributes in dicts of the interpreter's: a `_private` name is
            # only a key there. Dunders never are, but for the few special methods a class may define.
            own = isinstance(obj, (Instance, CustomLayer, Class, Super))
            if not own or (name.startswith("__") and name not in _ALLOWED_DUNDERS):
                self.refuse(f"the attribute `{name}`", "attributes starting with `_` are never read", node)
        if isinstance(obj, Namespace):
            return obj.lookup(name)
        if isinstance(obj, Opaque):
            if obj.path in ("math", "numpy") and name in numbers.MATH_CONSTANTS:
                return numbers.MATH_CONSTANTS[name]
            if obj.path == "numpy" and name == "newaxis":
                return None
            return Opaque(self._text(node), parents=(obj,), path=f"{obj.path}.{name}" if obj.path else None)
        if isinstance(obj, (Instance, CustomLayer, Class, Super, CustomFunctional)):
            value = self._object_attribute(obj, name, node)
            if value is not NotImplemented:
                return value
            if name.startswith("_"):
                self.refuse(f"the attribute `{name}`", "it was never set on this object", node)
        if isinstance(obj, Missing):
            return Missing(f"{obj.path}.{name}", obj.why)
        if isinstance(obj, Array):
            return arrays.attribute(self, obj, name, node)
        from ..graph import Model

        if isinstance(obj, Model):
            table = _MODEL_ATTRS
        elif isinstance(obj, Layer):
            table = _LAYER_ATTRS
        elif isinstance(obj, KerasTensor):
            table = _TENSOR_ATTRS
        elif isinstance(obj, Weight):
            table = _WEIGHT_ATTRS
        elif isinstance(obj, list):
            table = _LIST_ATTRS
        elif isinstance(obj, dict):
            table = _DICT_ATTRS
        elif isinstance(obj, str):
            table = _STR_ATTRS
        elif isinstance(obj, tuple):
            table = _TUPLE_ATTRS
        else:
            table = {}
        entry = table.get(name)
        if entry is None:
            if isinstance(obj, Layer) and name in _IGNORED_MODEL_METHODS:
                return Method(obj, name, _ignored_method)
            if isinstance(obj, Layer) and not isinstance(obj, Model):
                for weight in obj._weights or ():  # Keras keeps a layer's weights as attributes (layer.kernel)
                    if weight.name == name and weight.owner is obj:
                        return weight
            self.refuse(f"the attribute `.{name}` of a {_kind(obj)}",
                        f"only these are interpreted: {', '.join(sorted(table))}" if table else
                        f"a {_kind(obj)} has no attributes shapewise interprets", node)
        kind, fn = entry
        if kind == "method":
            return Method(obj, name, fn)
        try:
            return fn(obj)
        except ShapewiseError:
            raise
        except (TypeError, ValueError, AttributeError, IndexError, KeyError) as e:
            raise ArgumentError(f"`{self._text(node)}`: {e}") from None

    def _read_dunder(self, obj, name):
        """The few dunder reads that are plain data of the interpreter's own objects, never a real attribute:
        ``obj.__class__`` (its snippet Class), ``cls.__name__`` (the class's name) and ``obj.__dict__`` (the
        instance's attribute dict, which the interpreter keeps as a plain dict of names to interpreter values:
        ``self.__dict__.update(kwargs)`` sets attributes as Python does)."""
        if name == "__class__":
            return obj.cls
        if name == "__dict__":
            return obj.attrs
        return obj.name

    def _set_attribute(self, obj, name, value, node):
        if self.torch is not None and self.torch.owns(obj):
            return self.torch.set_attribute(self, obj, name, value, node)
        if name == "__annotations__" and isinstance(obj, (Opaque, Class)):
            return  # type hints (a namedtuple's field types): nothing the interpreter computes reads them
        if name.startswith("_") and (name.startswith("__") or not isinstance(obj, (Instance, CustomLayer))):
            self.refuse(f"setting `.{name}`", "attributes starting with `_` are never touched", node)
        if isinstance(obj, Opaque):
            return
        if self._set_object_attribute(obj, name, value, node):
            return
        if isinstance(obj, Layer) and name == "trainable":
            if not isinstance(value, bool):
                self.refuse(f"`.trainable = {_format(value, True)}`", "trainable must be True or False", node)
            obj.trainable = value
            return
        if isinstance(obj, Layer) and name == "dtype_policy" and hasattr(type(obj), "dtype_policy"):
            obj.dtype_policy = value  # a quantizable layer: a quantized policy quantizes it (rules/quantization.py)
            return
        self.refuse(f"setting `.{name}` on a {_kind(obj)}", "only `layer.trainable` / `model.trainable` (and a "
                    "Dense's, EinsumDense's or Embedding's `dtype_policy`) can be set", node)

    # --- calls -----------------------------------------------------------------------------------------------
    def _e_call(self, node):
        func = self.eval(node.func)
        args = []
        for arg in node.args:
            if isinstance(arg, ast.GeneratorExp) and len(node.args) == 1 and not node.keywords and (
                    (isinstance(func, Builtin) and func.name in _CONSUMERS) or
                    (isinstance(func, Method) and func.name == "join")):
                # f(x for x in items) for a builtin that consumes it at once: the same items as a list
                # comprehension's, in the same order (the iteration budget applies)
                args.append(self._e_listcomp(arg))
            elif isinstance(arg, ast.Starred):
                value = self.eval(arg.value)
                if isinstance(value, Opaque):
                    args.append(value)
                else:
                    args.extend(self._iterate(value, arg))
            else:
                args.append(self.eval(arg))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self.eval(kw.value)
                if isinstance(extra, Opaque):
                    args.append(extra)
                    continue
                if not isinstance(extra, dict) or not all(isinstance(k, str) for k in extra):
                    self.refuse(f"`**{self._text(kw.value)}`", "only a dict with string keys can be unpacked", kw)
                kwargs.update(extra)
            else:
                kwargs[kw.arg] = self.eval(kw.value)
        return self._call(func, args, kwargs, node)

    def _call(self, func, args, kwargs, node):
        from ..graph import Sequential

        if isinstance(func, Builtin):
            self.call_node = node
            return func.fn(self, args, kwargs)
        if self.torch is not None and self.torch.owns(func):
            return self.torch.call(self, func, args, kwargs, node)
        if isinstance(func, KerasOp):
            values = list(_deep_values(args, kwargs))
            if any(isinstance(v, Opaque) for v in values) and not any(isinstance(v, (KerasTensor, Weight))
                                                                      for v in values):
                return Opaque(self._text(node), parents=tuple(v for v in values if isinstance(v, Opaque)))
            if any(isinstance(v, Array) for v in values):
                # keras.ops on NumPy arrays of known shapes (Keras computes them eagerly): tensors of those shapes,
                # outside any graph, as for a layer called on arrays
                args, kwargs = self._arrays_as_tensors(args, kwargs, node)
            return tensor_ops.apply(self, func.name, func.fn, args, kwargs, node)
        if isinstance(func, Function):
            return self._call_function(func, args, kwargs, node)
        if isinstance(func, BoundMethod):
            return self._call_function(func.function, [func.obj, *args], kwargs, node)
        if isinstance(func, Class):
            return self._instantiate(func, args, kwargs, node)
        if isinstance(func, Instance):
            call, _ = func.cls.lookup("__call__")
            if isinstance(call, Function):
                return self._call_function(call, [func, *args], kwargs, node)
            self.refuse(f"`{self._text(node)}`", f"a {func.cls.name} object is not callable", node)
        if isinstance(func, FrameworkBase):
            self.refuse(f"`{self._text(node)}`", f"`{func.path}` is a base class for the snippet's own layers", node)
        if isinstance(func, Method):
            return func.fn(self, func.obj, args, kwargs, node)
        if isinstance(func, Opaque):
            if func.path in ("keras.activations.get", "tensorflow.keras.activations.get") and len(args) == 1 and \
                    not kwargs and isinstance(args[0], str) and args[0].isidentifier():
                # keras.activations.get("relu"): the activation function of that name
                return Opaque(self._text(node), parents=(func,), path=f"keras.activations.{args[0]}")
            if func.path:
                result = numbers.call(func.path, args, kwargs)
                if result is not NotImplemented:
                    return result
            result = arrays.numpy_call(self, func, args, kwargs, node)
            if result is not NotImplemented:
                return result
            self._note_model_gap(func, args, kwargs, node)
            tensors = [v for v in _deep_values(args, kwargs) if isinstance(v, (KerasTensor, Weight))]
            if tensors:
                return self._opaque_on_tensor(func, args, kwargs, node)
            parents = (func,) + tuple(v for v in _deep_values(args, kwargs) if isinstance(v, Opaque))
            return Opaque(self._text(node), parents=parents)
        if isinstance(func, Missing):
            raise RefusedError(f"`{func.path}` is not supported: {func.why}", line=self.line)
        if isinstance(func, Factory):
            if func.target is Sequential and args:
                self._no_opaque_layers(args[0], node)
            if func.path == "keras.Model":
                for value in _deep_values(args, kwargs):
                    if isinstance(value, Opaque):
                        self.refuse(f"`{value.desc}` as a model input or output",
                                    f"it is not a symbolic tensor ({value.why()})", node)
            if func.path.endswith(".Normalization"):
                # mean= and variance= given as NumPy arrays of known shapes: Normalization reads only their shapes
                kwargs = {k: _ArrayArgument(v) if k in ("mean", "variance") and isinstance(v, Array) and
                          None not in v.shape else v for k, v in kwargs.items()}
            result = self._api_call(func.path, func.target, args, kwargs, node)
            self._note_model(result)
            return result
        if isinstance(func, Layer):
            if any(isinstance(v, Array) for v in _deep_values(args, kwargs)):
                args, kwargs = self._arrays_as_tensors(args, kwargs, node)
            values = list(_deep_values(args, kwargs))
            opaque = [v for v in values if isinstance(v, Opaque)]
            if opaque and not any(isinstance(v, KerasTensor) for v in values):
                return Opaque(self._text(node), parents=tuple(opaque))  # an eager call on data: not the model
            if any(isinstance(v, Array) for v in values) and not any(isinstance(v, KerasTensor) for v in values):
                return Opaque(self._text(node), {self._text(node): "runs a layer on data (values shapewise does "
                                                                   "not have)"})
            for value in _deep_values(args, {}):
                if isinstance(value, Opaque):
                    self.refuse(f"`{value.desc}` as an input of {func.name}",
                                f"it is not a symbolic tensor ({value.why()})", node)
            result = self._api_call(func.name, func, args, kwargs, node)
            tensors = [v for v in values if isinstance(v, KerasTensor)]
            if self.tracing:
                nodes = func._inbound_nodes
                self.note_cost(("layer", func, [t.spec for t in tensors],
                                [t.spec for t in engine.flatten([result]) if isinstance(t, KerasTensor)],
                                nodes[-1].ctx if nodes else None))
            if not self.tracing and tensors and all(t._keras_history[0] is None for t in tensors):
                # a call on constants (ops.arange(...), arrays): Keras runs it eagerly, so its output is data, not
                # a node of any model (the layer is built, but no functional model will list it)
                result = engine.map_structure(_detached, result)
            self._note_model(result)
            return result
        if isinstance(func, Namespace):
            self.refuse(f"`{self._text(node)}`", f"`{func.path}` is a module, not something to call", node)
        self.refuse(f"`{self._text(node)}`", f"a {_kind(func)} is not callable", node)

    def _torch_instantiate(self, cls, args, kwargs, node):
        if self.torch is None:
            self.refuse(f"`{cls.name}(...)`", "torch.nn.Module needs `import torch`", node)
        return self.torch.instantiate(self, cls, args, kwargs, node)

    def _s_with(self, stmt):
        if self.torch is None:
            self.refuse("`with`", "context managers run code on entry and exit", stmt)
        self.torch.with_items(self, stmt)

    def _note_model_gap(self, func, args, kwargs, node):
        """A call outside what shapewise interprets that makes a model (``keras.models.load_model``,
        ``model_from_json``) or takes one (``tfmot.quantization.keras.quantize_model(model)``): the report says
        the models it lists are not all the snippet's."""
        from ..graph import Model

        name = (func.path or func.desc or "").rsplit(".", 1)[-1]
        takes = next((v for v in _deep_values(args, kwargs) if isinstance(v, Model)), None)
        if re.fullmatch(r"plot_model|model_to_dot|print_summary|save_model|save|log_model|export|summary", name):
            return  # draws, prints or writes the model: returns no model
        if takes is not None:
            why = (f"`{self._text(node)}` passes the model {takes.name} to a function shapewise does not "
                   f"interpret; what it returns is not shown")
        elif re.fullmatch(r"load_model|model_from_\w+|load|from_config|deserialize|KerasLayer|TFSMLayer", name):
            why = f"`{self._text(node)}` makes a model from a file or a config, which shapewise does not read"
        else:
            return
        why += ", so the models reported are not all the snippet's models"
        if (self.line, why) not in self.model_gaps:
            self.model_gaps.append((self.line, why))

    def _array_constant(self, value, node):
        """A NumPy array of known shape as a constant tensor operand; other values unchanged."""
        if not isinstance(value, Array):
            return value
        spec = numbers.array_tensor_spec(value)
        if spec is None:
            self.refuse(f"`{self._text(node)}`", f"it mixes data of unknown shape ({value.desc}) with a tensor", node)
        return spec

    def _arrays_as_tensors(self, args, kwargs, node):
        """A layer or model called on NumPy arrays of known shapes (``model(np.ones((8, 62)))``): Keras converts
        them to tensors and builds the model on them; here, symbolic tensors of those exact shapes, outside any
        graph (the call's outputs are data, as in Keras's eager call)."""
        def convert(value):
            if isinstance(value, Array):
                spec = numbers.array_tensor_spec(value)
                if spec is None:
                    self.refuse(f"`{self._text(node)}`", f"it calls a layer on data of unknown shape ({value.desc})",
                                node)
                return untracked_tensors(spec)
            return value
        return engine.map_structure(convert, list(args)), {k: engine.map_structure(convert, v)
                                                            for k, v in kwargs.items()}

    def _opaque_on_tensor(self, func, args, kwargs, node):
        """A function from outside Keras 3's API called on a symbolic tensor: ``keras.activations.relu(x)`` is the
        op of that name; a TensorFlow function fails in real Keras 3 too (a KerasTensor is not a tf.Tensor)."""
        path = func.path or ""
        name = path.rsplit(".", 1)[-1]
        table = tensor_ops.keras_table() or {}
        m = re.fullmatch(r"(?:tensorflow|keras)(?:\.keras)?\.(?:activations|nn|math)\.(\w+)", path)
        if m and path.startswith("keras") and name in table:
            return tensor_ops.apply(self, name, table[name], args, kwargs, node)
        desc = func.desc or ""
        if desc.startswith(("keras.losses.", "keras.metrics.", "losses.", "metrics.")):
            # a loss or metric object of Keras called on tensors (a layer's add_loss): a scalar
            return KerasTensor(Spec((), "float32"))
        if path.startswith("tensorflow") or path.startswith("tf"):
            hint = f"keras.ops.{name}" if name in table else "the keras.ops function that does the same"
            raise RefusedError(
                f"`{self._text(node)}` is refused: it passes a Keras 3 symbolic tensor to a TensorFlow function, "
                f"which real Keras 3 refuses too (a KerasTensor is not a tf.Tensor)", line=self.line,
                fix=f"use {hint} instead")
        self.refuse(f"`{self._text(node)}`", f"`{func.desc}` is not a Keras layer or op; shapewise cannot tell the "
                                             "shape it gives a symbolic tensor", node)

    def _no_opaque_layers(self, layers, node):
        for item in (layers if isinstance(layers, (list, tuple)) else [layers]):
            if isinstance(item, Opaque):
                self.refuse(f"`{item.desc}`", f"it is not a layer shapewise can build ({item.why()})", node)

    def _api_call(self, path, target, args, kwargs, node):
        """Call one of shapewise's own callables with interpreter values turned into API values."""
        args = [self._to_api(a) for a in args]
        kwargs = {k: self._to_api(v) for k, v in kwargs.items()}
        try:
            return target(*args, **kwargs)
        except ShapewiseError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as e:
            message = str(e)
            message = re.sub(r"\b\w+\.__init__\(\)", f"{path}()", message)
            raise ArgumentError(f"`{self._text(node)}`: {message}", line=self.line) from None

    def _to_api(self, value):
        _step()
        if isinstance(value, _ArrayArgument):
            return value
        if isinstance(value, Array):
            raise RefusedError(f"a dataset array (shape {value.shape}) cannot be passed to a layer or model: "
                               f"shapewise builds models from shapes, not from data", line=self.line,
                               fix="pass its shape instead, e.g. keras.Input(shape=x_train.shape[1:])")
        if isinstance(value, Opaque):
            m = re.fullmatch(r"(?:tensorflow|keras)(?:\.keras)?\.(?:nn|activations)\.(\w+)", value.path or "")
            value.mark_used()
            if m:
                return m.group(1)
            if value.desc not in self.data_dims:
                self.data_dims.append(value.desc)
            return Unknown(value.desc)
        if isinstance(value, (list, tuple)):
            converted = [self._to_api(v) for v in value]
            return converted if isinstance(value, list) else tuple(converted)
        if isinstance(value, dict):
            return {k: self._to_api(v) for k, v in value.items()}
        if isinstance(value, (Function, KerasOp)):
            return SnippetCallable(self, value)  # interpreted when shapewise's API calls it (Lambda)
        if isinstance(value, Dim) and value.value is not None and not isinstance(value, Unknown):
            return value.value  # a known size (input_shape[-1] in build()) is a plain number to a constructor
        if isinstance(value, (Instance, Inert)):
            return value  # a regularizer or initializer object of the snippet's: inert, never called
        if isinstance(value, (Namespace, Builtin, Method, Missing, BoundMethod, Class, Super)):
            raise RefusedError(f"`{_format(value, True)}` cannot be passed to a layer or model", line=self.line)
        if isinstance(value, Factory):
            # e.g. activation=keras.activations.relu resolved to a layer class by mistake
            raise RefusedError(f"`{value.path}` (a class) cannot be passed as an argument here", line=self.line)
        return value

    def _note_model(self, result):
        from ..graph import Model

        for value in _deep_values([result], {}):
            if isinstance(value, Model) and id(value) not in self._created_ids:
                self._created_ids.add(id(value))
                self.created.append(value)


def _detached(value):
    if isinstance(value, KerasTensor):
        value._keras_history = (None, 0, 0)
    return value


_BUILTIN_IMPLS = {name: getattr(Interpreter, f"_b_{name}") for name in _INERT_BUILTINS}

#: dunder attributes read as plain data of the interpreter's own objects (see _read_dunder)
_READ_DUNDERS = {"__class__": Instance, "__dict__": Instance, "__name__": Class, "__qualname__": Class}

_OP_TEXT = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
            ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
            ast.MatMult: "@"}

_STATEMENTS = {
    ast.Expr: Interpreter._s_expr,
    ast.Assign: Interpreter._s_assign,
    ast.AnnAssign: Interpreter._s_annassign,
    ast.AugAssign: Interpreter._s_augassign,
    ast.Delete: Interpreter._s_delete,
    ast.Pass: Interpreter._s_pass,
    ast.Break: Interpreter._s_break,
    ast.Continue: Interpreter._s_continue,
    ast.Assert: Interpreter._s_assert,
    ast.If: Interpreter._s_if,
    ast.For: Interpreter._s_for,
    ast.Import: Interpreter._s_import,
    ast.ImportFrom: Interpreter._s_importfrom,
    ast.FunctionDef: Interpreter._s_functiondef,
    ast.ClassDef: Interpreter._s_classdef,
    ast.Return: Interpreter._s_return,
    ast.Global: Interpreter._s_global,
    ast.Nonlocal: Interpreter._s_nonlocal,
    ast.While: Interpreter._s_while,
    ast.With: Interpreter._s_with,
}

_NO_CODE = "asynchronous code is outside the interpreted subset"
_REFUSED_STATEMENTS = {
    ast.AsyncFunctionDef: ("`async def`", _NO_CODE),
    ast.AsyncWith: ("`async with`", "context managers run code on entry and exit"),
    ast.Try: ("`try`", "exception handling is outside the interpreted subset"),
    ast.AsyncFor: ("`async for`", "only plain `for` loops are interpreted"),
    ast.Raise: ("`raise`", "exceptions are outside the interpreted subset"),
    ast.Match: ("`match`", "pattern matching is outside the interpreted subset"),
}
if hasattr(ast, "TryStar"):
    _REFUSED_STATEMENTS[ast.TryStar] = ("`try`", "exception handling is outside the interpreted subset")

_EXPRESSIONS = {
    ast.Constant: Interpreter._e_constant,
    ast.Name: Interpreter._e_name,
    ast.Tuple: Interpreter._e_tuple,
    ast.List: Interpreter._e_list,
    ast.Set: Interpreter._e_set,
    ast.Dict: Interpreter._e_dict,
    ast.JoinedStr: Interpreter._e_joinedstr,
    ast.Attribute: Interpreter._e_attribute,
    ast.Subscript: Interpreter._e_subscript,
    ast.BinOp: Interpreter._e_binop,
    ast.UnaryOp: Interpreter._e_unaryop,
    ast.BoolOp: Interpreter._e_boolop,
    ast.Compare: Interpreter._e_compare,
    ast.IfExp: Interpreter._e_ifexp,
    ast.Call: Interpreter._e_call,
    ast.ListComp: Interpreter._e_listcomp,
    ast.DictComp: Interpreter._e_listcomp,
    ast.SetComp: Interpreter._e_listcomp,
    ast.Lambda: Interpreter._e_lambda,
}

#: the builtins that consume a generator expression passed to them at once (dict((c, i) for ...))
_CONSUMERS = frozenset({"dict", "list", "tuple", "set", "sum", "max", "min", "sorted", "enumerate", "zip"})

_REFUSED_EXPRESSIONS = {
    ast.GeneratorExp: ("a generator expression", "use a list comprehension over range(...), or pass it straight to "
                                                 "list(), dict(), sum(), ... (those are interpreted)"),
    ast.NamedExpr: ("`:=`", "assignment expressions are outside the interpreted subset"),
    ast.Yield: ("`yield`", "there are no generators in a snippet"),
    ast.YieldFrom: ("`yield from`", "there are no generators in a snippet"),
    ast.Await: ("`await`", "there is no async code in a snippet"),
    ast.Starred: ("`*` here", "unpacking is interpreted in calls and literals only"),
    ast.Slice: ("a slice here", "slices are interpreted in subscripts only"),
}


# --------------------------------------------------------------------------------------------------------------


_TORCH_IMPORTS = ("torch", "torchinfo", "torchsummary")


def detect_framework(tree):
    """"torch" when the snippet imports torch (``import torch``, ``import torch.nn as nn``, ``from torch import
    nn``, ``torchinfo``), else None. (Here, not in torch_ns: a Keras snippet never imports torch's namespaces.)"""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] in _TORCH_IMPORTS for a in node.names):
                return "torch"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] in _TORCH_IMPORTS:
                return "torch"
    return None


def interpret(source: str, filename: str = "<snippet>", framework=None, torch_inputs=None) -> RunResult:
    """Interpret a Keras or PyTorch snippet; return what it printed and the models it reported, or the error.

    ``framework`` ("keras" or "torch") overrides the detection by imports; ``torch_inputs`` (``--input`` values)
    calls the PyTorch model(s) on example tensors of those sizes."""
    engine.clear_session()
    _Steps.count = 0
    if len(source) > MAX_SOURCE_CHARS:
        return RunResult(error=RefusedError(
            f"the snippet is refused: it is larger than {MAX_SOURCE_CHARS:,} characters", line=1))
    try:
        with warnings.catch_warnings():  # Python's own warnings on odd literals are not the user's output
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=filename)
    except SyntaxError as e:
        return RunResult(error=UsageError(f"this is not valid Python: {e.msg}", line=e.lineno,
                                          fix="paste the code only, without the printed output"))
    except (RecursionError, MemoryError, ValueError) as e:
        message = "the snippet is nested too deeply to parse" if not isinstance(e, ValueError) else str(e)
        return RunResult(error=RefusedError(f"the snippet is refused: {message}", line=1))
    interp = Interpreter(source, filename)
    interp.framework = framework or detect_framework(tree)
    interp.torch_inputs = torch_inputs
    if interp.framework == "torch":
        torch_ns.implicit(interp)
    return interp.run(tree)


class _ArrayArgument:
    """A NumPy array of known shape given to a layer that reads only its shape (Normalization's mean=)."""

    __slots__ = ("shape",)

    def __init__(self, array):
        self.shape = tuple(array.shape)

    def __repr__(self):
        return f"<array shape={self.shape}>"
