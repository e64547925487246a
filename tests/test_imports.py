"""What importing shapewise and running ``shapewise explain`` import: nothing heavy, and only what the run uses.

A test of what is imported (``sys.modules`` in a fresh interpreter), not a timing test: start-up time is made of
the modules a run imports (bench/core.py has the figures). Also the indexes the lazy imports rely on: the rule
registry's (rules/_index.py) and torch.nn's families.
"""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("numpy", "torch", "keras", "tensorflow", "jax", "rich", "pandas", "scipy", "matplotlib")

KERAS_CUSTOM = """import keras
from keras import layers, ops
class Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    def call(self, x):
        return x * self.w
def build_model(units=32):
    inp = keras.Input((10, 64))
    x = layers.LSTM(units)(inp)
    return keras.Model(inp, layers.Dense(2)(Scale()(x)))
model = build_model()
model.summary()
"""
TORCH_NET = """import torch
import torch.nn as nn
import torch.nn.functional as F
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(6 * 14 * 14, 10)
    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        return self.fc1(torch.flatten(x, 1))
model = Net()
out = model(torch.randn(4, 3, 32, 32))
"""

# Runs the CLI in process, as `shapewise explain ...` does, and reports the modules imported by then.
_RUN = """
import contextlib, io, json, sys
import shapewise.cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = shapewise.cli.main(sys.argv[1:]) if len(sys.argv) > 1 else None
print(json.dumps({"code": code, "modules": sorted(sys.modules), "out": len(out.getvalue())}))
"""


def imported(*argv, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", _RUN, *argv], capture_output=True, text=True, env=env,
                          input=stdin, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    return result["code"], set(result["modules"])


def heavy(modules):
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_importing_shapewise_imports_nothing_heavy():
    env = dict(os.environ, PYTHONPATH=str(SRC))
    code = "import sys, shapewise, shapewise.keras; print('\\n'.join(sorted(sys.modules)))"
    modules = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                 check=True, timeout=120).stdout.split())
    assert heavy(modules) == []
    assert "shapewise.interpreter" not in modules  # the interpreter loads on the first explain
    assert not any(m.startswith("shapewise.torch") for m in modules)


@pytest.mark.parametrize("argv", [["explain"], ["explain", "--format", "json"], ["explain", "--no-explain"]],
                         ids=" ".join)
def test_the_built_in_example_imports_only_what_it_uses(argv):
    code, modules = imported(*argv)
    assert code == 0
    assert heavy(modules) == []
    # the layers of the example are LSTM and Dense: their rule families, and no other
    assert {"shapewise.rules.rnn", "shapewise.rules.core"} <= modules
    unused = {f"shapewise.rules.{f}" for f in ("attention", "conv", "merge", "pooling", "preprocessing",
                                                "normalization", "reshaping", "wrappers", "activations")}
    assert not unused & modules
    # a Keras run never imports torch's vocabulary, the ops tables it does not use, or the CLI's fallbacks
    assert not any(m.startswith(("shapewise.torch", "shapewise.ops")) for m in modules)
    assert not {"argparse", "tokenize", "shapewise.interpreter.torch_ns", "shapewise.web"} & modules


def test_a_keras_snippet_with_a_custom_layer_imports_nothing_heavy(tmp_path):
    path = tmp_path / "custom.py"
    path.write_text(KERAS_CUSTOM)
    code, modules = imported("explain", str(path))
    assert code == 0
    assert heavy(modules) == []
    assert "shapewise.ops.keras_ops" in modules  # x * self.w
    assert not any(m.startswith("shapewise.torch") for m in modules) and "shapewise.ops.torch_ops" not in modules
    assert "shapewise.rules.conv" not in modules


def test_a_torch_snippet_imports_only_the_module_families_it_uses(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(TORCH_NET)
    code, modules = imported("explain", str(path), "--format", "json")
    assert code == 0
    assert heavy(modules) == []  # shapewise's own torch, never the real one
    assert {"shapewise.torch.nn.conv", "shapewise.torch.nn.pooling", "shapewise.torch.nn.linear"} <= modules
    unused = {f"shapewise.torch.nn.{f}" for f in ("rnn", "transformer", "norm", "sparse", "shape", "activation",
                                                  "utils")}
    assert not unused & modules
    assert not any(m.startswith("shapewise.rules") for m in modules)  # no Keras layer is looked up


# --- the indexes the lazy imports rely on ----------------------------------------------------------------------


def test_the_rule_index_is_current():
    """rules/_index.py lists exactly what the families register (regenerate: python -m shapewise.rules)."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-m", "shapewise.rules", "--check"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_each_indexed_module_registers_its_names_when_imported_alone():
    """A look-up imports only the module the index names: importing it alone must register every name listed
    for it (a name registered by another module, as an alias of this one's class, would be missed)."""
    from shapewise.rules import _index

    check = """
import importlib, json, sys
from shapewise import engine
kind, module, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
importlib.import_module(module)
registry = engine.REGISTRY if kind == "layers" else engine.FUNCTIONS
print(json.dumps(sorted(set(names) - set(registry.loaded()))))
"""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    for kind, index in (("layers", _index.LAYERS), ("functions", _index.FUNCTIONS)):
        for module, names in index.items():
            proc = subprocess.run([sys.executable, "-c", check, kind, module, json.dumps(names)],
                                  capture_output=True, text=True, env=env, timeout=120)
            assert proc.returncode == 0, proc.stderr
            assert json.loads(proc.stdout) == [], f"{module} does not register these by itself"


def test_the_lazy_registry_behaves_as_a_mapping():
    from shapewise import engine
    from shapewise.rules import _index

    lstm = engine.REGISTRY["LSTM"]
    assert lstm.__name__ == "LSTM" and "LSTM" in engine.REGISTRY and engine.REGISTRY.get("LSTM") is lstm
    assert "NoSuchLayer" not in engine.REGISTRY and engine.REGISTRY.get("NoSuchLayer") is None
    assert 3 not in engine.REGISTRY  # not a name: no look-up
    with pytest.raises(KeyError):
        engine.REGISTRY["NoSuchLayer"]
    every = {n for names in _index.LAYERS.values() for n in names}
    assert set(engine.REGISTRY) == set(engine.REGISTRY.keys()) == every and len(engine.REGISTRY) == len(every)
    assert dict(engine.REGISTRY.items())["Dense"] is engine.REGISTRY["Dense"]
    assert set(engine.FUNCTIONS) == {n for names in _index.FUNCTIONS.values() for n in names}


def test_keras_layers_namespace_resolves_lazily_and_star_imports_everything():
    from shapewise.engine import FUNCTIONS, REGISTRY
    from shapewise.keras import layers

    assert layers.Conv2D is REGISTRY["Conv2D"] and layers.concatenate is FUNCTIONS["concatenate"]
    assert layers.Input.__name__ == "Input" and layers.InputLayer is REGISTRY["InputLayer"]
    with pytest.raises(AttributeError):
        layers.NoSuchLayer  # noqa: B018
    namespace = {}
    exec("from shapewise.keras.layers import *", namespace)  # noqa: S102 - the test's own code
    assert set(REGISTRY) | set(FUNCTIONS) | {"Input", "InputLayer", "Layer"} <= set(namespace)
    assert set(dir(layers)) >= set(REGISTRY)


_NOT_FAMILIES = {"module", "parameter", "functional", "init", "utils", "_util"}


def test_torch_nn_families_list_every_module_class():
    """torch.nn imports a family on the first use of one of its names: every public module class defined in a
    family module must be listed in FAMILIES (or the snippet namespace would not know it)."""
    from shapewise.torch import nn
    from shapewise.torch.nn.module import Module

    found = {info.name for info in pkgutil.iter_modules(nn.__path__)} - _NOT_FAMILIES
    assert found == set(nn.FAMILIES), "a new family module goes in shapewise.torch.nn.FAMILIES"
    for family, names in nn.FAMILIES.items():
        module = importlib.import_module(f"shapewise.torch.nn.{family}")
        classes = {n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, Module)
                   and v.__module__ == module.__name__ and not n.startswith("_")}
        assert classes <= set(names), f"{family}: {sorted(classes - set(names))} not in nn.FAMILIES"
        for name in names:
            assert getattr(nn, name) is getattr(module, name)
    assert nn.MODULES["Linear"] is nn.Linear and nn.MODULES.get("Module") is Module
    assert nn.MODULES.get("NoSuchModule") is None and "Parameter" not in nn.MODULES
    assert list(nn.MODULES)[:2] == ["CELU", "ELU"] and len(nn.MODULES) == len(dict(nn.MODULES.items()))
