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
import operator as _op
import os
from dataclasses import dataclass, field

#: names a configuration may use besides literals: they exist in both real Keras and shapewise.keras
_ALLOWED_ROOTS = {"layers", "keras", "initializers", "regularizers", "constraints", "activations", "ops", "np"}


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


class _Ref:
    """A name from Keras or NumPy in a test's parameters (``layers.Add``, ``np.add``): kept as its source."""

    def __init__(self, source):
        self.source = source

    def __repr__(self):
        return self.source


class _Array:
    """What a test's NumPy array is to a layer's build: its shape and dtype (np.random.random((2, 3)) and kin)."""

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = dtype


_NP_FLOAT = {"random", "rand", "randn", "uniform", "normal", "standard_normal"}


def _array(node, env):
    """The _Array a NumPy call of literal arguments makes (or a structure of them), else _Unresolved."""
    if isinstance(node, ast.Name) and isinstance(env.get(node.id), _Array):
        return env[node.id]
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts and all(
            isinstance(e, ast.Name) and isinstance(env.get(e.id), _Array) or isinstance(e, ast.Call) for e in node.elts):
        return [_array(e, env) for e in node.elts]
    if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
        return {_literal(k, env): _array(v, env) for k, v in zip(node.keys, node.values)}
    if not isinstance(node, ast.Call):
        raise _Unresolved("input_data: the test gives arrays of data, not a shape")
    func = ast.unparse(node.func)
    kwargs = {k.arg: k.value for k in node.keywords if k.arg}
    if isinstance(node.func, ast.Attribute) and node.func.attr == "astype" and node.args:
        return _Array(_array(node.func.value, env).shape, _literal(node.args[0], env))
    if isinstance(node.func, ast.Attribute) and node.func.attr == "reshape" and not func.startswith("np."):
        base = _array(node.func.value, env)
        shape = _literal(node.args[0], env) if len(node.args) == 1 else tuple(_literal(a, env) for a in node.args)
        return _Array(_reshaped(base.shape, shape), base.dtype)
    dtype = _literal(kwargs["dtype"], env) if "dtype" in kwargs else None
    name = func.rsplit(".", 1)[-1]
    if func.startswith("np.random.") and name in _NP_FLOAT | {"randint"}:
        if "size" in kwargs:
            shape = _literal(kwargs["size"], env)
        elif name in ("rand", "randn"):
            shape = tuple(_literal(a, env) for a in node.args) if not (
                node.args and isinstance(node.args[0], ast.Starred)) else tuple(_literal(node.args[0].value, env))
        elif name == "random" and node.args:
            shape = _literal(node.args[0], env)
        else:
            raise _Unresolved(f"input_data: `{func}` without a size")
        shape = (shape,) if isinstance(shape, int) else shape
        return _Array(shape, "int64" if name == "randint" else "float64")
    if func in ("np.ones", "np.zeros", "np.empty") and node.args:
        shape = _literal(node.args[0], env)
        return _Array((shape,) if isinstance(shape, int) else shape, dtype or "float64")
    if func == "np.arange" and node.args and all(isinstance(a, ast.Constant) for a in node.args):
        args = [a.value for a in node.args]
        n = len(range(*args)) if all(isinstance(a, int) for a in args) else None
        if n is None:
            raise _Unresolved("input_data: np.arange of floats")
        return _Array((n,), dtype or "int64")
    if func == "np.reshape" and len(node.args) == 2:
        base = _array(node.args[0], env)
        return _Array(_reshaped(base.shape, _literal(node.args[1], env)), base.dtype)
    if func in ("np.array", "np.asarray") and node.args:
        value = _literal(node.args[0], env)
        shape, leaves = _nested_shape(value)
        if dtype is None:
            if all(isinstance(v, bool) for v in leaves) or not leaves:
                raise _Unresolved("input_data: an array of booleans or no values")
            if any(isinstance(v, str) for v in leaves):
                dtype = "string"
            else:
                dtype = "int64" if all(isinstance(v, int) for v in leaves) else "float64"
        return _Array(shape, dtype)
    raise _Unresolved(f"input_data: `{func}`")


def _reshaped(shape, new):
    new = (new,) if isinstance(new, int) else tuple(new)
    if -1 in new:
        size = 1
        for d in shape:
            size *= d
        known = 1
        for d in new:
            if d != -1:
                known *= d
        new = tuple(size // known if d == -1 else d for d in new)
    return new


def _nested_shape(value):
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,), []
        inner = [_nested_shape(v) for v in value]
        if len({i[0] for i in inner}) != 1:
            raise _Unresolved("input_data: a ragged nested list")
        return (len(value), *inner[0][0]), [leaf for i in inner for leaf in i[1]]
    return (), [value]


def keras_layers_dir():
    import importlib.util

    spec = importlib.util.find_spec("keras")
    return os.path.join(os.path.dirname(spec.origin), "src", "layers")


def _literal(node, env):
    """The value of ``node``, an expression of literals and ``env``'s names (arithmetic, comparisons, ``a if c
    else b``, tuple/list/len/dict, and the backend queries a test makes: the torch backend, channels_last), read
    from the tree: nothing is run."""
    return _evaluate(node, env)


_BINARY = {ast.Add: _op.add, ast.Sub: _op.sub, ast.Mult: _op.mul, ast.FloorDiv: _op.floordiv, ast.Div: _op.truediv,
           ast.Mod: _op.mod}
_COMPARE = {ast.Eq: _op.eq, ast.NotEq: _op.ne, ast.Lt: _op.lt, ast.LtE: _op.le, ast.Gt: _op.gt, ast.GtE: _op.ge,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b, ast.Is: _op.is_, ast.IsNot: _op.is_not}
#: the backend queries of Keras's tests, as the oracle runs them
_QUERIES = {"backend.backend": "torch", "backend.config.backend": "torch", "backend.image_data_format": "channels_last",
            "backend.config.image_data_format": "channels_last", "config.image_data_format": "channels_last"}


def _evaluate(node, env):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            value = env[node.id]
            if isinstance(value, _Array):
                raise _Unresolved(f"uses the array `{node.id}`")
            return value
        raise _Unresolved(f"uses `{node.id}`, made by the test")
    if isinstance(node, ast.Tuple):
        return tuple(_evaluate(e, env) for e in node.elts)
    if isinstance(node, ast.List):
        return [_evaluate(e, env) for e in node.elts]
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                out.update(_evaluate(v, env))
            else:
                out[_evaluate(k, env)] = _evaluate(v, env)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not, ast.UAdd)):
        value = _evaluate(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else (not value) if isinstance(node.op, ast.Not) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.Compare) and all(type(o) in _COMPARE for o in node.ops):
        left = _evaluate(node.left, env)
        for o, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, env)
            if not _COMPARE[type(o)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = [_evaluate(v, env) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.IfExp):
        return _evaluate(node.body if _evaluate(node.test, env) else node.orelse, env)
    if isinstance(node, ast.Attribute) and node.attr == "shape" and isinstance(node.value, ast.Name) and \
            isinstance(env.get(node.value.id), _Array):
        return env[node.value.id].shape
    if isinstance(node, ast.Attribute):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in _ALLOWED_ROOTS:
            return _Ref(ast.unparse(node))
    if isinstance(node, ast.Call):
        func = ast.unparse(node.func)
        if func in _QUERIES and not node.args:
            return _QUERIES[func]
        args = [_evaluate(a, env) for a in node.args if not isinstance(a, ast.Starred)]
        if func in ("tuple", "list", "len") and len(args) == 1 and len(node.args) == 1:
            return {"tuple": tuple, "list": list, "len": len}[func](args[0])
        if func == "dict" and not node.args:
            return {k.arg: _evaluate(k.value, env) for k in node.keywords}
    raise _Unresolved(f"an argument is not a literal: `{ast.unparse(node)[:60]}`")


#: the layers and cells the test file being read defines at its top level (name -> source), and those used
_FILE_CLASSES = {}
_USED_CLASSES = []


class _Substitute(ast.NodeTransformer):
    def __init__(self, env):
        self.env = env

    def visit_Name(self, node):
        if isinstance(self.env.get(node.id), _Array):
            raise _Unresolved(f"uses the array `{node.id}`")
        if node.id in self.env:
            return ast.parse(repr(self.env[node.id]), mode="eval").body
        if node.id in _FILE_CLASSES:
            _USED_CLASSES.append(node.id)
            return node
        if node.id in _ALLOWED_ROOTS or node.id in ("True", "False", "None"):
            return node
        raise _Unresolved(f"uses `{node.id}`, made by the test")

    def visit_Call(self, node):
        self.generic_visit(node)
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and (root.id in _ALLOWED_ROOTS or root.id in _FILE_CLASSES):
            return node  # a layer or initializer Keras and shapewise both make, or one the test file defines
        if isinstance(root, ast.Name) and root.id in ("dict", "tuple", "list"):
            return node
        raise _Unresolved(f"calls `{ast.unparse(node.func)}`")

    def visit_Attribute(self, node):
        if node.attr == "shape" and isinstance(node.value, ast.Name) and isinstance(self.env.get(node.value.id),
                                                                                   _Array):
            return ast.parse(repr(self.env[node.value.id].shape), mode="eval").body
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
        if isinstance(sub, ast.Name) and sub.id not in _ALLOWED_ROOTS | set(_FILE_CLASSES) | {
                "True", "False", "None", "dict", "tuple", "list"}:
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
    names = _param_names(function)
    defaults = {}
    for arg, default in zip(function.args.args[len(function.args.args) - len(function.args.defaults):],
                            function.args.defaults):
        try:
            defaults[arg.arg] = _literal(default, constants)
        except Exception:  # noqa: BLE001 - not a literal default
            pass
    envs = [defaults]
    for deco in function.decorator_list:
        if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Attribute):
            continue
        kind = deco.func.attr
        if kind not in ("parameters", "named_parameters", "product"):
            continue
        try:
            if kind == "named_parameters" and len(deco.args) == 1 and isinstance(deco.args[0], ast.Call) and \
                    ast.unparse(deco.args[0].func).endswith("named_product"):
                deco = deco.args[0]
                kind = "product"
            if kind == "product" and deco.args:  # tuples of dicts: every combination, merged
                groups = [_literal(a, constants) for a in deco.args]
                cases = []
                for combination in itertools.product(*groups):
                    merged = {}
                    for d in combination:
                        merged.update(d)
                    cases.append(merged)
            elif kind == "product":
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
    """The test's literal assignments before the call, in source order (`input_shape = (2, 3)`); an ``if`` whose
    test reads as a value (``if backend.backend() == "torch":``) takes its branch, one that does not takes
    neither (a name it assigns is then unknown)."""
    env = dict(env)

    def assign(stmt):
        targets = stmt.targets[0] if len(stmt.targets) == 1 else None
        if isinstance(targets, ast.Tuple) and all(isinstance(t, ast.Name) for t in targets.elts):
            try:
                env.update(zip((t.id for t in targets.elts), _literal(stmt.value, env)))
            except Exception:  # noqa: BLE001 - not a literal: the names are unknown
                for t in targets.elts:
                    env.pop(t.id, None)
        elif isinstance(targets, ast.Name):
            try:
                env[targets.id] = _literal(stmt.value, env)
            except Exception:  # noqa: BLE001 - not a literal: an array of literal size, or unknown
                try:
                    env[targets.id] = _array(stmt.value, env)
                except Exception:  # noqa: BLE001
                    env.pop(targets.id, None)

    def forget(statements):
        for node in statements:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    env.pop(sub.id, None)

    def run(statements):
        for stmt in statements:
            if stmt.lineno >= call.lineno:
                return
            if isinstance(stmt, ast.Assign):
                assign(stmt)
            elif isinstance(stmt, ast.If):
                try:
                    taken = stmt.body if _literal(stmt.test, env) else stmt.orelse
                except Exception:  # noqa: BLE001 - a test that is not a value: neither branch is known
                    forget(stmt.body + stmt.orelse)
                    continue
                run(taken)
            elif isinstance(stmt, (ast.With, ast.Try)):
                run(stmt.body)
            elif isinstance(stmt, (ast.For, ast.While)):
                forget(stmt.body)

    run(function.body)
    return env


def _public_name(name):
    """keras.src.layers.GroupedQueryAttention is exported as keras.layers.GroupQueryAttention."""
    import keras
    from keras.src import layers as src_layers

    cls = getattr(src_layers, name, None)
    return next((n for n in dir(keras.layers) if getattr(keras.layers, n) is cls), name) if cls else name


def _keras_layer_names():
    import keras

    return set(dir(keras.layers))


def _one_input(shape, dtype):
    if not isinstance(shape, (tuple, list)) or not all(d is None or isinstance(d, int) for d in shape):
        raise _Unresolved(f"an input shape that is not a shape: {shape!r}")
    return f"keras.Input(batch_shape={tuple(shape)!r}" + (f", dtype={dtype!r})" if dtype is not None else ")")


def _input_source(shape, dtype):
    """The Input(s) run_layer_test makes (create_keras_tensors): a dict's keys lose their '_shape' suffix and are
    the call's keywords; a list or tuple of shapes is a list of inputs; dtypes follow the same structure."""
    if isinstance(shape, dict):
        items = ", ".join(f"{k.removesuffix('_shape')!r}: "
                          f"{_one_input(v, dtype.get(k) if isinstance(dtype, dict) else dtype)}"
                          for k, v in shape.items())
        return "{" + items + "}"
    if isinstance(shape, (tuple, list)) and shape and all(isinstance(s, (tuple, list)) for s in shape):
        dtypes = dtype if isinstance(dtype, (tuple, list)) else [dtype] * len(shape)
        return "[" + ", ".join(_one_input(s, d) for s, d in zip(shape, dtypes)) + "]"
    return _one_input(shape, dtype)


def _config(path, function, call, env):
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    layer_node = call.args[0] if call.args else keywords.pop("layer_cls", None)
    if len(call.args) > 1:
        keywords["init_kwargs"] = call.args[1]
    layer = ast.unparse(layer_node) if layer_node is not None else "?"
    layer_name = layer.split(".")[-1]
    if isinstance(layer_node, ast.Name) and isinstance(env.get(layer_node.id), _Ref):
        layer_node = ast.parse(env[layer_node.id].source, mode="eval").body
        layer = ast.unparse(layer_node)
        layer_name = layer.split(".")[-1]
    config = Config(path, function.name, layer_name)
    _USED_CLASSES.clear()
    if isinstance(layer_node, ast.Name) and layer_node.id in _FILE_CLASSES:  # a layer the test file defines
        _USED_CLASSES.append(layer_node.id)
        layer_node = ast.Attribute(ast.Name("layers"), layer_node.id)  # (only to pass the check below)
        own_layer = layer_name
    else:
        own_layer = None
    try:
        if not (isinstance(layer_node, ast.Attribute) and isinstance(layer_node.value, ast.Name)):
            raise _Unresolved(f"the layer class is `{layer}`, made by the test")
        if own_layer is None and layer_name not in _keras_layer_names():  # keras.src.layers's name of a class
            layer_name = _public_name(layer_name)  # exported under another
        if own_layer is not None:
            layer = own_layer
        elif layer_node.value.id != "layers" or layer != f"layers.{layer_name}":  # `relu.ReLU`: its own module
            if layer_name not in _keras_layer_names():
                raise _Unresolved(f"the layer class is `{layer}`, made by the test")
            layer = f"layers.{layer_name}"
        env = _local_literals(function, call, env)
        for flag in ("input_sparse", "input_ragged"):
            if flag in keywords and _literal(keywords[flag], env):
                raise _Unresolved(f"{flag}=True: a sparse or ragged input (not on the torch backend)")
        init = _source_of(keywords["init_kwargs"], env) if "init_kwargs" in keywords else "{}"
        if "input_data" in keywords:  # the build and symbolic call use the data's shape and dtype
            data = _array(keywords["input_data"], env)
            shape = {k: v.shape for k, v in data.items()} if isinstance(data, dict) else \
                [a.shape for a in data] if isinstance(data, list) else data.shape
            dtype = {k: v.dtype for k, v in data.items()} if isinstance(data, dict) else \
                [a.dtype for a in data] if isinstance(data, list) else data.dtype
        elif "input_shape" in keywords:
            shape = _literal(keywords["input_shape"], env)
            dtype = _literal(keywords["input_dtype"], env) if "input_dtype" in keywords else None
        else:
            raise _Unresolved("no input_shape or input_data")
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
    call = "**x" if isinstance(shape, dict) else "x"
    # the test file's own layers and cells, when the configuration uses them (their code, read from the file)
    classes = "".join(_FILE_CLASSES[n] + "\n\n" for n in _FILE_CLASSES if n in _USED_CLASSES)
    config.source = (f"{classes}x = {_input_source(shape, dtype)}\n"
                     f"model = keras.Model(x, {layer}(**{init})({call}, **{call_kwargs}))\n")
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
                text = f.read()
            tree = ast.parse(text)
            constants = _module_constants(tree)
            _FILE_CLASSES.clear()
            _FILE_CLASSES.update({c.name: ast.get_source_segment(text, c) for c in tree.body
                                  if isinstance(c, ast.ClassDef) and not any("TestCase" in ast.unparse(b)
                                                                             for b in c.bases)})
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
