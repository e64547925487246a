"""The differential-testing harness: build the same model code with real Keras 3 and with shapewise, compare.

A case is Python source that uses the names ``keras`` and ``layers`` (and may ``import keras`` / ``from keras
import ...`` when run through the snippet interpreter). It must leave the model(s) to compare in a variable named
``model`` (or a list ``models``). Real Keras runs the source with ``exec`` — this is our own test code, never a
user's — and shapewise runs it against ``shapewise.keras`` with the same names.

``describe_keras`` and ``describe_shapewise`` return the same plain structure, so a failure diff is readable:
{"name", "type", "layers": [{"name", "type", "output_shape", "params", "trainable", "non_trainable",
"weights": [(name, shape, trainable), ...]}], "total_params", "trainable_params", "non_trainable_params"}.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

_keras = None


def real_keras():
    """Import real Keras once (torch backend)."""
    global _keras
    if _keras is None:
        import keras  # noqa: F401  (the oracle; installed by .ci/run)

        if keras.backend.backend() != "torch":
            raise RuntimeError("the oracle must run with KERAS_BACKEND=torch")
        _keras = keras
    return _keras


# --------------------------------------------------------------------------------------------------------------
# Describe a model, Keras side


def _shape_of(structure, flatten):
    tensors = flatten(structure)
    if len(tensors) == 1:
        return list(tensors[0].shape)
    return [list(t.shape) for t in tensors]


def describe_keras(model):
    keras = real_keras()
    from keras.src import tree

    layers = []
    for layer in model.layers:
        if layer._inbound_nodes:
            out = _shape_of(layer._inbound_nodes[-1].output_tensors, tree.flatten)
        else:
            out = None
        built = getattr(layer, "built", True)
        weights = [(w.name, list(w.shape), bool(w.trainable)) for w in layer.weights] if built else []
        params = layer.count_params() if built else 0
        trainable = sum(_prod(w.shape) for w in layer.trainable_weights) if built else 0
        layers.append({
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": out,
            "params": params,
            "trainable": trainable,
            "non_trainable": params - trainable,
            "weights": weights,
        })
    trainable = sum(_prod(w.shape) for w in model.trainable_weights)
    non_trainable = sum(_prod(w.shape) for w in model.non_trainable_weights)
    return {
        "name": model.name,
        "type": type(model).__name__,
        "layers": layers,
        "total_params": trainable + non_trainable,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
    }


def _prod(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


# --------------------------------------------------------------------------------------------------------------
# Describe a model, shapewise side (from its report, i.e. what the JSON says)


def describe_report(report_json):
    layers = []
    for layer in report_json["layers"]:
        layers.append({
            "name": layer["name"],
            "type": layer["type"],
            "output_shape": layer["output_shape"],
            "params": layer["params"],
            "trainable": layer["trainable"],
            "non_trainable": layer["non_trainable"],
            "weights": [(w["name"], list(w["shape"]), w["trainable"]) for w in layer["weights"]],
        })
    return {
        "name": report_json["name"],
        "type": report_json["type"],
        "layers": layers,
        "total_params": report_json["total_params"],
        "trainable_params": report_json["trainable_params"],
        "non_trainable_params": report_json["non_trainable_params"],
    }


def describe_shapewise(model):
    from shapewise.report import model_report

    return describe_report(model_report(model).to_json())


# --------------------------------------------------------------------------------------------------------------
# Run one case both ways


class Outcome:
    """Either a list of described models, or the exception raised while building."""

    def __init__(self, models=None, error=None):
        self.models = models
        self.error = error

    def __repr__(self):
        return f"Outcome(error={self.error!r})" if self.error else f"Outcome({len(self.models)} models)"


def _collect(namespace):
    if "models" in namespace:
        return list(namespace["models"])
    return [namespace["model"]]


def run_keras(source):
    keras = real_keras()
    keras.backend.clear_session()
    namespace = {"keras": keras, "layers": keras.layers, "__name__": "__case__"}
    try:
        exec(compile(source, "<case>", "exec"), namespace)  # our own test source, not user input
        return Outcome([describe_keras(m) for m in _collect(namespace)])
    except Exception as e:  # noqa: BLE001 - any Keras failure is an outcome to compare
        return Outcome(error=e)


def run_shapewise_api(source):
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    sk.clear_session()
    namespace = {"keras": sk, "layers": sk.layers, "__name__": "__case__"}
    try:
        exec(compile(source, "<case>", "exec"), namespace)  # our own test source, not user input
        return Outcome([describe_shapewise(m) for m in _collect(namespace)])
    except (ShapewiseError, AttributeError) as e:  # AttributeError: a name keras.layers does not have either
        return Outcome(error=e)


def assert_same(source, keras_outcome=None, shapewise_outcome=None):
    """Build ``source`` both ways; the same success with equal descriptions, or both fail."""
    k = keras_outcome or run_keras(source)
    s = shapewise_outcome or run_shapewise_api(source)
    if k.error is not None or s.error is not None:
        assert k.error is not None and s.error is not None, (
            f"one side failed, the other did not\n  keras:     {k.error!r}\n  shapewise: {s.error!r}\n"
            f"source:\n{source}")
        return k, s
    assert len(k.models) == len(s.models)
    for km, sm in zip(k.models, s.models):
        for field in ("name", "type", "total_params", "trainable_params", "non_trainable_params"):
            assert km[field] == sm[field], f"{field}: keras {km[field]!r} != shapewise {sm[field]!r}\n{source}"
        assert [l["name"] for l in km["layers"]] == [l["name"] for l in sm["layers"]], source
        for kl, sl in zip(km["layers"], sm["layers"]):
            assert kl == sl, f"layer {kl['name']} differs\n  keras:     {kl}\n  shapewise: {sl}\nsource:\n{source}"
    return k, s
