"""The layer configurations Keras's own layer tests build, read from the installed package's test files.

Every ``self.run_layer_test(layers.X, init_kwargs=..., input_shape=..., ...)`` call in
``keras/src/layers/**/*_test.py`` (Keras 3.15.1), once per case of the test's ``@parameterized`` decorators, with
the test's parameters, its local literal assignments and the module's literal constants put in. The files are
parsed with ``ast`` and nothing in them is run: an argument that is not a literal once those names are put in
(an array of data, an object the test makes, a backend call) leaves the configuration unresolved, with why.

A resolved configuration is Python source in the oracle's convention (``keras``, ``layers``; it leaves ``model``):
an ``Input`` of the test's shape (batch included, as run_layer_test gives it), the layer called on it with the
test's call keywords, and the model of the two. ``python tests/keras_layer_tests.py`` prints the audit: how many
configurations there are, how many resolve, and why the others do not.
"""

from __future__ import annotations

import ast
import itertools
import os
from dataclasses import dataclass, field

#: names a configuration may use besides literals: they exist in both real Keras and shapewise.keras
_ALLOWED_ROOTS = {"layers", "keras", "initializers", "regularizers", "constraints", "activations"}


@dataclass
class Config:
    file: str  # relative to keras/src/layers
    test: str  # the test method, with the parameterized case's index
    layer: str  # the layer class's name
    source: str | None = None  # the oracle case, or None
    why: str | None = None  # why it is not resolved
    kwargs: dict = field(default_factory=dict)


class _Unresolved(Exception):
    pass


def keras_layers_dir():
    import importlib.util

    spec = importlib.util.find_spec("keras")
    return os.path.join(os.path.dirname(spec.origin), "src", "layers")


def _literal(node, env):
    """A literal value of ``node`` with the names of ``env`` put in."""
    return ast.literal_eval(_substitute(node, env))


class _Substitute(ast.NodeTransformer):
    def __init__(self, env):
        self.env = env

    def visit_Name(self, node):
        if node.id in self.env:
            return ast.parse(repr(self.env[node.id]), mode="eval").body
        if node.id in _ALLOWED_ROOTS or node.id in ("True", "False", "None"):
            return node
        raise _Unresolved(f"uses `{node.id}`, made by the test")

    def visit_Call(self, node):
        self.generic_visit(node)
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in _ALLOWED_ROOTS:
            return node  # a layer or initializer Keras and shapewise both make
        if isinstance(root, ast.Name) and root.id in ("dict", "tuple", "list"):
            return node
        raise _Unresolved(f"calls `{ast.unparse(node.func)}`")

    def visit_Attribute(self, node):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in _ALLOWED_ROOTS:
            return node
        if isinstance(root, ast.Name) and root.id == "self":
            raise _Unresolved(f"uses `{ast.unparse(node)}`, made by the test")
        raise _Unresolved(f"uses `{ast.unparse(node)}`")


def _substitute(node, env):
    import copy

    return _Substitute(env).visit(copy.deepcopy(node))


def _source_of(node, env):
    """Python source of ``node`` with ``env``'s names put in; only literals and the allowed Keras names left."""
    node = _substitute(node, env)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id not in _ALLOWED_ROOTS | {"True", "False", "None", "dict", "tuple",
                                                                         "list"}:
            raise _Unresolved(f"uses `{sub.id}`")
    return ast.unparse(node)


def _module_constants(tree):
    env = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                env[stmt.targets[0].id] = _literal(stmt.value, env)
            except Exception:  # noqa: BLE001 - not a literal: not a constant the configurations can use
                pass
    return env


def _param_names(function):
    return [a.arg for a in function.args.args[1:]]


def _cases(function, constants):
    """One environment per parameterized case of the test (one empty environment when it has none)."""
    envs = [{}]
    names = _param_names(function)
    for deco in function.decorator_list:
        if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Attribute):
            continue
        kind = deco.func.attr
        if kind not in ("parameters", "named_parameters", "product"):
            continue
        try:
            if kind == "product":
                if deco.args:
                    raise _Unresolved("a product of named dictionaries")
                axes = {k.arg: _literal(k.value, constants) for k in deco.keywords}
                cases = [dict(zip(axes, values)) for values in itertools.product(*axes.values())]
            else:
                items = []
                for arg in deco.args:
                    if isinstance(arg, ast.Starred):
                        items += list(_literal(arg.value, constants))
                    else:
                        items.append(_literal(arg, constants))
                if len(items) == 1 and isinstance(items[0], list):
                    items = items[0]
                cases = []
                for item in items:
                    if isinstance(item, dict):
                        case = {k: v for k, v in item.items() if k != "testcase_name"}
                    else:
                        values = item if isinstance(item, (tuple, list)) else (item,)
                        if kind == "named_parameters":
                            values = values[1:]
                        case = dict(zip(names, values))
                    cases.append(case)
        except _Unresolved:
            raise
        except Exception as e:  # noqa: BLE001 - a decorator that is not a literal
            raise _Unresolved(f"its parameters are not literals ({type(e).__name__})") from None
        envs = [{**env, **case} for env in envs for case in cases]
    return envs


def _local_literals(function, call, env):
    """The test's literal assignments before the call, in order (`input_shape = (2, 3)`)."""
    env = dict(env)
    for stmt in ast.walk(function):
        if isinstance(stmt, ast.Assign) and stmt.lineno < call.lineno and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            try:
                env[stmt.targets[0].id] = _literal(stmt.value, env)
            except Exception:  # noqa: BLE001 - not a literal
                env.pop(stmt.targets[0].id, None)
    return env


def _keras_layer_names():
    import keras

    return set(dir(keras.layers))


def _input_source(shape, dtype):
    dtype_src = f", dtype={dtype!r}" if dtype is not None else ""
    if isinstance(shape, dict):
        items = ", ".join(f"{k!r}: keras.Input(batch_shape={tuple(v)!r}{dtype_src})" for k, v in shape.items())
        return "{" + items + "}"
    if isinstance(shape, (tuple, list)) and shape and all(isinstance(s, (tuple, list)) for s in shape):
        return "[" + ", ".join(f"keras.Input(batch_shape={tuple(s)!r}{dtype_src})" for s in shape) + "]"
    if isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, int) for d in shape):
        return f"keras.Input(batch_shape={tuple(shape)!r}{dtype_src})"
    raise _Unresolved(f"an input shape shapewise cannot read: {shape!r}")


def _config(path, function, call, env):
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    layer_node = call.args[0] if call.args else keywords.pop("layer_cls", None)
    if len(call.args) > 1:
        keywords["init_kwargs"] = call.args[1]
    layer = ast.unparse(layer_node) if layer_node is not None else "?"
    layer_name = layer.split(".")[-1]
    config = Config(path, function.name, layer_name)
    try:
        if not (isinstance(layer_node, ast.Attribute) and isinstance(layer_node.value, ast.Name)):
            raise _Unresolved(f"the layer class is `{layer}`, made by the test")
        if layer_node.value.id != "layers":  # `relu.ReLU`: the layer's own module, imported by the test
            if layer_name not in _keras_layer_names():
                raise _Unresolved(f"the layer class is `{layer}`, made by the test")
            layer = f"layers.{layer_name}"
        env = _local_literals(function, call, env)
        for flag in ("input_sparse", "input_ragged"):
            if flag in keywords and _literal(keywords[flag], env):
                raise _Unresolved(f"{flag}=True: a sparse or ragged input (not on the torch backend)")
        if "input_data" in keywords or "input_shape" not in keywords:
            raise _Unresolved("input_data: the test gives arrays of data, not a shape")
        init = _source_of(keywords["init_kwargs"], env) if "init_kwargs" in keywords else "{}"
        shape = _literal(keywords["input_shape"], env)
        dtype = _literal(keywords["input_dtype"], env) if "input_dtype" in keywords else None
        if isinstance(dtype, dict) or isinstance(dtype, (list, tuple)):
            raise _Unresolved("an input dtype per input")
        call_kwargs = _source_of(keywords["call_kwargs"], env) if "call_kwargs" in keywords else "{}"
        if "call_kwargs" in keywords and "keras.Input" not in call_kwargs and \
                any(isinstance(v, (list, tuple)) for v in (_literal(keywords["call_kwargs"], env).values())):
            raise _Unresolved("call_kwargs hold data (masks or initial states)")
    except _Unresolved as e:
        config.why = str(e)
        return config
    except Exception as e:  # noqa: BLE001 - an argument that is not a literal
        config.why = f"an argument is not a literal ({type(e).__name__}: {e})"[:160]
        return config
    config.source = (f"x = {_input_source(shape, dtype)}\n"
                     f"model = keras.Model(x, {layer}(**{init})(x, **{call_kwargs}))\n")
    return config


def extract(root=None):
    """Every run_layer_test configuration of Keras's layer tests, in file order."""
    root = root or keras_layers_dir()
    out = []
    for directory, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if not name.endswith("_test.py"):
                continue
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            constants = _module_constants(tree)
            for cls in tree.body:
                if not isinstance(cls, ast.ClassDef):
                    continue
                for function in cls.body:
                    if not isinstance(function, ast.FunctionDef):
                        continue
                    calls = [n for n in ast.walk(function) if isinstance(n, ast.Call) and
                             isinstance(n.func, ast.Attribute) and n.func.attr == "run_layer_test"]
                    if not calls:
                        continue
                    try:
                        envs = _cases(function, constants)
                    except _Unresolved as e:
                        for call in calls:
                            c = Config(rel, function.name, ast.unparse(call.args[0]).split(".")[-1]
                                       if call.args else "?")
                            c.why = str(e)
                            out.append(c)
                        continue
                    for i, env in enumerate(envs):
                        for j, call in enumerate(calls):
                            c = _config(rel, function, call, {**constants, **env})
                            c.test = f"{function.name}[{i}]" + (f"#{j}" if len(calls) > 1 else "")
                            out.append(c)
    return out


if __name__ == "__main__":
    import collections

    configs = extract()
    resolved = [c for c in configs if c.source]
    print(f"{len(configs)} run_layer_test configurations in Keras's layer tests; {len(resolved)} resolve to a "
          f"shape and literal arguments")
    why = collections.Counter(c.why.split(":")[0] if c.why.startswith("uses") is False else c.why for c in configs
                              if c.why)
    for reason, n in why.most_common():
        print(f"  {n:4d}  {reason}")
