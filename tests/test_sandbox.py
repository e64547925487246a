"""A named catalogue of sandbox-escape attempts. Each must be refused (RefusedError, exit status 2, with the
line) or skipped as unrelated to the model — and nothing in it may run: while the interpreter works, exec, eval,
open, compile-to-code, os.system and subprocess are booby-trapped, and no file the snippet names appears."""

import ast
import builtins
import os
import subprocess
import types

import pytest

from shapewise.errors import RefusedError
from shapewise.frontends import snippet
from shapewise.frontends.snippet import interpret
from shapewise.interpreter import budgets

MODEL = "from keras import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(2, input_shape=(3,))])\n"
PWNED = "/tmp/shapewise_sandbox_pwned"

# name: (source appended after MODEL, "refused" | "skipped", line relative to the appended source)
CATALOGUE = {
    "dunder_import": ("__import__('os').system('touch /tmp/shapewise_sandbox_pwned')", "refused", 1),
    "class_bases_walk": ("().__class__.__bases__[0].__subclasses__()", "refused", 1),
    "getattr_builtin": ("getattr(model, '_layers')", "refused", 1),
    "getattr_alias": ("g = getattr\ng(model, 'layers')", "refused", 1),
    "setattr_builtin": ("setattr(model, 'trainable', False)", "refused", 1),
    "open_passwd": ("print(open('/etc/passwd').read())", "refused", 1),
    "exec_call": ("exec('import os')", "refused", 1),
    "eval_call": ("x = eval('1+1')", "refused", 1),
    "compile_call": ("c = compile('1', 'x', 'eval')", "refused", 1),
    "globals_call": ("g = globals()", "refused", 1),
    "vars_model": ("v = vars(model)", "refused", 1),
    "dir_model": ("d = dir(model)", "refused", 1),
    "type_model": ("t = type(model)", "refused", 1),
    "breakpoint": ("breakpoint()", "refused", 1),
    "input_call": ("x = input()", "refused", 1),
    # functions and classes are interpreted: what their bodies do goes through the same checks
    "lambda_called": ("f = lambda: __import__('os').system('touch PWNED')\nf()".replace("PWNED", PWNED),
                      "refused", 1),
    "def_body_import": ("def build():\n    return __import__('os')\nbuild()", "refused", 2),
    "def_globals": ("def f():\n    pass\ng = f.__globals__", "refused", 3),
    "def_code": ("def f():\n    pass\nc = f.__code__", "refused", 3),
    "def_closure_cells": ("def f():\n    x = 1\n    def g():\n        return x\n    return g\nc = f().__closure__",
                          "refused", 6),
    "generator_function": ("def g():\n    yield 1", "refused", 2),
    "generator_frame": ("def g():\n    yield 1\nf = g().gi_frame", "refused", 2),
    "recursion_depth": ("def f(n):\n    return f(n + 1)\nf(0)", "refused", 2),
    "global_dunder": ("def f():\n    global __builtins__\n    __builtins__ = 1\nf()", "refused", 3),
    "unknown_decorator": ("@trace\ndef f():\n    pass", "refused", 1),
    "lambda_default_escape": ("f = lambda x=().__class__: x", "refused", 1),
    "metaclass_keyword": ("class A(metaclass=M):\n    pass", "refused", 1),
    "metaclass_from_type": ("class M(type):\n    pass", "refused", 1),
    "type_three_args": ("T = type('T', (), {})", "refused", 1),
    "class_getattr": ("class A:\n    def __getattr__(self, name):\n        return 1", "refused", 2),
    "class_getattribute": ("class A:\n    def __getattribute__(self, name):\n        return 1", "refused", 2),
    "class_init_subclass": ("class A:\n    def __init_subclass__(cls):\n        pass", "refused", 2),
    "class_new": ("class A:\n    def __new__(cls):\n        return 1", "refused", 2),
    "descriptor_get": ("class D:\n    def __get__(self, obj, owner):\n        return 1", "refused", 2),
    "descriptor_set_name": ("class D:\n    def __set_name__(self, owner, name):\n        pass", "refused", 2),
    "class_slots": ("class A:\n    __slots__ = ()", "refused", 2),
    # a.__dict__ is the instance's attribute dict (the interpreter's own) and A().__class__ the snippet's Class:
    # nothing of Python's object model is behind them
    "dict_of_instance_class": ("class A:\n    pass\na = A()\nd = a.__dict__.__class__", "refused", 4),
    "dict_of_instance_methods": ("class A:\n    pass\na = A()\nd = a.__dict__.__getitem__", "refused", 4),
    "class_of_instance_bases": ("class A:\n    pass\nc = A().__class__.__bases__", "refused", 3),
    "class_of_instance_subclasses": ("class A:\n    pass\nc = A().__class__.__subclasses__()", "refused", 3),
    "class_of_class": ("class A:\n    pass\nc = A.__class__", "refused", 3),
    "class_name_of_layer": ("n = model.__class__.__name__", "refused", 1),
    "dict_of_model": ("d = model.__dict__", "refused", 1),
    "super_class_attr": ("class A:\n    def f(self):\n        return super().__class__\nA().f()", "refused", 3),
    "method_func_attr": ("class A:\n    def f(self):\n        pass\ng = A().f.__func__", "refused", 4),
    "layer_subclass_getattr": ("class L(layers.Layer):\n    def __getattr__(self, n):\n        return 1",
                               "refused", 2),
    "subclass_sequential": ("class S(Sequential):\n    pass", "refused", 1),
    "with_open": ("with open(PATH) as f:\n    pass".replace("PATH", repr(PWNED)), "refused", 1),
    "try_except": ("try:\n    x = 1\nexcept Exception:\n    pass", "refused", 1),
    "while_true": ("while True:\n    pass", "refused", 1),
    "walrus": ("y = (n := 3)", "refused", 1),
    # a generator object (its gi_frame, gi_code) is never made: a generator expression is refused unless it is
    # passed straight to a builtin that consumes it (evaluated then as a list comprehension, under the budgets)
    "generator_expression": ("g = (i for i in range(3))", "refused", 1),
    "generator_expression_to_method": ("s = model.get_layer(x for x in range(3))", "refused", 1),
    "model_dict": ("d = model.__dict__", "refused", 1),
    "model_private_layers": ("l = model._layers", "refused", 1),
    "layer_class_attr": ("c = model.layers[0].__class__", "refused", 1),
    "method_globals": ("g = model.summary.__globals__", "refused", 1),
    "unlisted_method": ("model.layers[0].call(None)", "refused", 1),
    "factory_attribute": ("from keras.layers import LSTM\nLSTM.__init__.__globals__", "refused", 2),
    "fstring_attribute": ("print(f'{model.__class__}')", "refused", 1),
    "str_format_attribute": ("print('{0.__class__.__init__.__globals__}'.format(model))", "refused", 1),
    "dunder_name_binding": ("__builtins__ = None", "refused", 1),
    "dunder_import_from": ("from os import __builtins__", "refused", 1),
    "private_module": ("import keras._private", "refused", 1),
    "keras_dunder": ("import keras\nv = keras.__version__", "refused", 2),
    "huge_loop": ("for i in range(10**6):\n    pass", "refused", 1),
    "loop_budget": ("for i in range(200):\n    for j in range(200):\n        pass", "refused", 2),
    "huge_power": ("x = 10**100", "refused", 1),
    "power_tower": ("x = 2**2**2**2**2", "refused", 1),
    "huge_literal": ("x = 12345678901234567890", "refused", 1),
    "string_bomb": ("s = 'a' * 10**9", "refused", 1),
    "list_bomb": ("l = [0] * 10**8", "refused", 1),
    "print_nested_bomb": ("a = [0] * 100000\nb = [a] * 100000\nprint(b)", "refused", 3),
    "compare_nested_bomb": ("a = [0] * 100000\nb = [a] * 100000\nc = b == b", "refused", 3),
    "fstring_width_bomb": ("s = f'{1:999999999}'", "refused", 1),
    "percent_width_bomb": ("s = '%999999999d' % 1", "refused", 1),
    "percent_star_width": ("s = '%*d' % (10**9, 1)", "refused", 1),
    "str_center_bomb": ("s = 'x'.center(10**9)", "refused", 1),
    "str_replace_bomb": ("s = 'a' * 100000\nt = s.replace('a', s)", "refused", 2),
    "sum_huge_range": ("s = sum(range(10**12))", "refused", 1),
    "deep_nesting": ("x = " + "-" * 200 + "1", "refused", 1),
    "deep_list_nesting": ("x = " + "[" * 150 + "]" * 150, "refused", 1),
    "tf_op_on_tensor": ("import keras, tensorflow as tf\nx = keras.Input((3,))\ny = tf.reduce_sum(x)", "refused", 3),
    "set_data_format": ("from keras import backend as K\nK.set_image_data_format('channels_first')", "refused", 2),
    # unrelated to the model: skipped and listed, never run
    "os_system": ("import os\nos.system('touch /tmp/shapewise_sandbox_pwned')", "skipped", 2),
    "from_os_system": ("from os import system\nsystem('touch /tmp/shapewise_sandbox_pwned')", "skipped", 2),
    "subprocess_run": ("import subprocess\nsubprocess.run(['touch', '/tmp/shapewise_sandbox_pwned'])", "skipped", 2),
    "builtins_module_exec": ("import builtins\nbuiltins.exec('open(1)')", "skipped", 2),
    "keras_utils_get_file": ("import keras\np = keras.utils.get_file('x', 'http://example.invalid/x')", "skipped", 2),
    "model_save": ("model.save('/tmp/shapewise_sandbox_pwned')", "skipped", 1),
    "model_load_weights": ("model.load_weights('/etc/passwd')", "skipped", 1),
    "pickle_load": ("import pickle\nm = pickle.load(f)", "skipped", 2),
}


@pytest.fixture
def booby_traps(monkeypatch):
    # Import everything shapewise may import lazily first: Python's import system itself calls exec and compile.
    interpret(MODEL + "import keras\nkeras.applications.DenseNet121\nmodel.summary()\n", "<warm-up>")
    interpret(TORCH_MODEL + "y = model(x) + x\n", "<warm-up>")  # the torch ops vocabulary (its namedtuples)
    package_dir = os.path.dirname(snippet.__file__.rsplit(os.sep + "frontends", 1)[0] + os.sep)
    real_exec, real_compile = builtins.exec, builtins.compile

    def trap(name):
        def fail(*args, **kwargs):
            raise AssertionError(f"the snippet interpreter called {name}")

        return fail

    def module_exec(code, *args, **kwargs):
        if isinstance(code, types.CodeType) and code.co_filename.startswith(package_dir):
            return real_exec(code, *args, **kwargs)  # importing one of shapewise's own modules
        raise AssertionError("the snippet interpreter called exec")

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        # parsing to an AST is fine, and so is Python importing shapewise's own modules
        if not flags & ast.PyCF_ONLY_AST and not str(filename).startswith(package_dir):
            raise AssertionError("the snippet interpreter compiled code to run")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    for name in ("eval", "open", "breakpoint", "input"):
        monkeypatch.setattr(builtins, name, trap(name))
    monkeypatch.setattr(builtins, "exec", module_exec)
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    monkeypatch.setattr(os, "system", trap("os.system"))
    monkeypatch.setattr(subprocess, "run", trap("subprocess.run"))
    monkeypatch.setattr(subprocess, "Popen", trap("subprocess.Popen"))
    if os.path.exists(PWNED):
        os.remove(PWNED)
    yield
    assert not os.path.exists(PWNED)


LAMBDA_BODIES = {
    "os_system": "lambda x: __import__('os').system('touch PWNED')",
    "open_write": "lambda x: open('PWNED', 'w').write('x')",
    "exec": "lambda x: exec('open(\\'PWNED\\', \\'w\\')')",
}


@pytest.mark.parametrize("body", LAMBDA_BODIES.values(), ids=LAMBDA_BODIES.keys())
def test_lambda_layer_function_never_runs(body, booby_traps):
    """A Lambda layer builds from its declared output_shape; without one its function is traced by the interpreter,
    which refuses what the body tries; Python never runs it."""
    body = body.replace("PWNED", PWNED)
    declared = interpret(f"import keras\nfrom keras import layers\ni = keras.Input((4,))\n"
                         f"m = keras.Model(i, layers.Lambda({body}, output_shape=(2,))(i))\n", "<lambda>")
    assert declared.error is None, str(declared.error)
    assert declared.models[0].layers[-1].output_shape == [None, 2]
    undeclared = interpret(f"import keras\nfrom keras import layers\ni = keras.Input((4,))\n"
                           f"m = keras.Model(i, layers.Lambda({body})(i))\n", "<lambda>")
    # without output_shape the function is traced, as Keras traces it: interpreted, so its body is refused
    assert isinstance(undeclared.error, RefusedError) and undeclared.error.line == 4
    assert "refused" in undeclared.error.message
    shape_fn = interpret(f"import keras\nfrom keras import layers\ni = keras.Input((4,))\n"
                         f"m = keras.Model(i, layers.Lambda(lambda x: x, output_shape={body})(i))\n", "<lambda>")
    assert isinstance(shape_fn.error, RefusedError) and "refused" in shape_fn.error.message


@pytest.mark.parametrize("name", CATALOGUE, ids=CATALOGUE)
def test_escape_attempt(name, booby_traps):
    attempt, outcome, line = CATALOGUE[name]
    offset = MODEL.count("\n")
    result = interpret(MODEL + attempt + "\n", f"<{name}>")
    if outcome == "refused":
        assert isinstance(result.error, RefusedError), f"not refused: {result.error!r}"
        assert result.error.exit_code == 2
        assert result.error.line == offset + line
        assert "refused" in result.error.message or "not supported" in result.error.message
    else:
        assert result.error is None, str(result.error)
        assert offset + line in [skipped_line for skipped_line, _ in result.skipped]
        assert len(result.models) == 1


def test_refusal_names_the_construct_and_why():
    result = interpret("x = 1\ny = model.__dict__\n", "<t>")
    assert result.error.line == 2
    assert "__dict__" in result.error.message and "never read" in result.error.message


def test_source_size_limit():
    result = interpret("x = 1\n" * 200_000, "<big>")
    assert isinstance(result.error, RefusedError) and result.error.line == 1


def test_time_budget(monkeypatch):
    monkeypatch.setattr(budgets, "TIME_BUDGET", -1.0)
    result = interpret(MODEL, "<slow>")
    assert isinstance(result.error, RefusedError)
    assert "time budget" in result.error.message


def test_self_containing_list_prints_like_python():
    result = interpret("a = [1]\na.append(a)\nprint(a)\n", "<t>")
    assert result.printed == ["[1, [...]]"]


# --------------------------------------------------------------------------------------------------------------
# Escape attempts through torch objects: a PyTorch snippet's objects are shapewise.torch's, reached through the
# same fixed tables; nothing of torch's internals or Python's object model is reachable.

TORCH_MODEL = ("import torch\nimport torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
               "        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n"
               "        return self.fc(x)\n\nmodel = Net()\nx = torch.randn(3, 4)\n")

# name: (source appended after TORCH_MODEL, "refused" | "skipped", line relative to the appended source)
TORCH_CATALOGUE = {
    "module_dict": ("d = model.__dict__", "refused", 1),
    "module_private_tables": ("m = model._modules", "refused", 1),
    "module_private_params": ("p = model.fc._parameters", "refused", 1),
    "module_set_private": ("model._modules = {}", "refused", 1),
    # type(m) / m.__class__ give the snippet's own Class or an inert holder of a class name: nothing beyond
    # __name__ / __qualname__ and == / is with torch's classes can be read from them
    "type_of_module_bases": ("t = type(model).__bases__", "refused", 1),
    "type_of_module_dict": ("t = type(model).__dict__", "refused", 1),
    "type_of_builtin_module_subclasses": ("s = type(model.fc).__subclasses__()", "refused", 1),
    "builtin_module_class_mro": ("m = model.fc.__class__.__mro__", "refused", 1),
    "builtin_module_class_call": ("m = model.fc.__class__(4, 2)", "refused", 1),
    "tensor_class_init": ("c = x.__class__.__init__", "refused", 1),
    "type_of_plain_value": ("t = type(1)", "refused", 1),
    "type_three_args_torch": ("T = type('T', (nn.Module,), {})", "refused", 1),
    "class_ordering": ("b = type(model.fc) < nn.Linear", "refused", 1),
    "module_annotations_set": ("model.__annotations__ = {}", "refused", 1),
    "instance_dict_class": ("class C:\n    pass\nd = C().__dict__.__class__", "refused", 3),
    "instance_dict_update_call": ("class C:\n    pass\nc = C()\nc.__dict__.update({'__call__': print})\nc()",
                                  "refused", 5),
    "instance_dict_update_bad_key": ("class C:\n    pass\nC().__dict__.update([([1], 2)])", "refused", 3),
    "class_dict": ("class C:\n    pass\nd = C.__dict__", "refused", 3),
    "sum_of_modules": ("s = sum([model, model])", "refused", 1),
    "jit_trace": ("t = torch.jit.trace(model, x)", "refused", 1),
    "legacy_tensor_from_object": ("t = torch.Tensor(model)", "refused", 1),
    "itertools_repeat_huge": ("from itertools import repeat\nr = repeat(1, 10**9)", "refused", 2),
    "itertools_repeat_forever": ("from itertools import repeat\nr = repeat(1)", "refused", 2),
    "itertools_other": ("import itertools\nc = itertools.chain([1], [2])", "refused", 2),
    "copy_module": ("import copy\nm = copy.copy(model)", "refused", 2),
    "copy_deepcopy": ("import copy\nm = copy.deepcopy(model)", "refused", 2),
    "partial_runs_interpreted": ("from functools import partial\ndef f(a):\n    return __import__('os')\n"
                                 + "g = partial(f, 1)\ng()", "refused", 3),
    "argparse_namespace_positional": ("import argparse\nn = argparse.Namespace(print)", "refused", 2),
    "types_function_type": ("import types\nf = types.FunctionType(None, {})", "refused", 2),
    "simple_namespace_positional": ("import types\nn = types.SimpleNamespace(print)", "refused", 2),
    "dict_update_unhashable": ("d = {}\nd.update([([1], 2)])", "refused", 2),
    "tensor_class_bases": ("c = x.__class__.__bases__[0].__subclasses__()", "refused", 1),
    "getattr_private": ("m = getattr(model, '_modules')", "refused", 1),
    "getattr_dunder": ("m = getattr(model, '__dict__')", "refused", 1),
    "torch_load": ("w = torch.load('weights.pt')", "refused", 1),
    "torch_hub_load": ("m = torch.hub.load('pytorch/vision', 'resnet18')", "refused", 1),
    "torch_compile": ("m = torch.compile(model)", "refused", 1),
    "jit_script_call": ("f = torch.jit.script(lambda v: v)", "refused", 1),
    "torch_function_override": ("class T:\n    def __torch_function__(self, func, types, args=(), kwargs=None):"
                                "\n        return 1", "refused", 2),
    "torch_function_classmethod": ("class T(torch.Tensor):\n    @classmethod\n    def __torch_function__(cls, f, "
                                   "t, a=(), k=None):\n        return 1", "refused", 1),
    "forward_hook": ("model.register_forward_hook(lambda m, i, o: open('PWNED', 'w'))", "refused", 1),
    "module_base_subclasses": ("s = nn.Module.__subclasses__()", "refused", 1),
    "torch_private": ("f = torch._C", "refused", 1),
    "forward_reads_dict": ("class N(nn.Module):\n    def forward(self, x):\n        return self.__dict__\n"
                           "N()(x)", "refused", 3),
    "apply_runs_interpreted": ("model.apply(lambda m: open('PWNED', 'w'))", "refused", 1),
}


@pytest.mark.parametrize("name", TORCH_CATALOGUE, ids=TORCH_CATALOGUE)
def test_torch_escape_attempt(name, booby_traps):
    attempt, outcome, line = TORCH_CATALOGUE[name]
    attempt = attempt.replace("PWNED", PWNED)
    offset = TORCH_MODEL.count("\n")
    result = interpret(TORCH_MODEL + attempt + "\n", f"<{name}>")
    if outcome == "refused":
        assert isinstance(result.error, RefusedError), f"not refused: {result.error!r}"
        assert result.error.exit_code == 2
        assert result.error.line == offset + line, (result.error.line, str(result.error))
        assert "refused" in result.error.message or "not supported" in result.error.message
    else:
        assert result.error is None, str(result.error)
        assert offset + line in [skipped_line for skipped_line, _ in result.skipped]


def test_generator_expression_consumed_by_a_builtin_is_a_list_comprehension():
    result = interpret("d = dict((c, i) for i, c in enumerate('ab'))\nprint(sum(i * i for i in range(4)), d, "
                       "'-'.join(str(i) for i in range(3)), sorted(set(c for c in 'cab')))\n", "<gen>")
    assert result.error is None
    assert result.printed == ["14 {'a': 0, 'b': 1} 0-1-2 ['a', 'b', 'c']"]
