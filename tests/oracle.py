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
        elif getattr(layer, "_build_shapes_dict", None):
            # a layer run inside a subclassed model's call has no node: Keras's summary computes its shape from the
            # shapes it was built with (keras/src/utils/summary_utils.py, format_layer_shape)
            try:
                shape = layer.compute_output_shape(**layer._build_shapes_dict)
            except NotImplementedError:
                out = None
            else:
                if all(d is None or isinstance(d, int) for d in shape):
                    out = _untrace(list(shape))
                else:
                    out = [_untrace(list(s)) for s in shape]
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
    out = {
        "name": model.name,
        "type": type(model).__name__,
        "layers": layers,
        "total_params": trainable + non_trainable,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
    }
    operations = getattr(model, "_operations", None) if isinstance(model, keras.src.models.Functional) else None
    if operations is not None and len(operations) != len(model.layers):
        # ops applied to the model's tensors outside any layer: rows of Keras's summary (it lists
        # model._operations, keras/src/utils/summary_utils.py), not in model.layers
        from keras.src.layers import Layer

        out["operations"] = [_describe_operation(op, tree.flatten) for op in operations if not isinstance(op, Layer)]
        out["summary"] = [op.name for op in operations]
    return out


def _describe_operation(op, flatten):
    nodes = op._inbound_nodes
    return {"name": op.name, "type": type(op).__name__,
            "output_shape": _shape_of(nodes[-1].output_tensors, flatten) if nodes else None,
            "input_shape": _shape_of(nodes[-1].input_tensors, flatten) if nodes else None,
            # an Operation has no ``built``: Keras's summary shows 0 params (not "0 (unbuilt)")
            "params": 0}


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
    out = {
        "name": report_json["name"],
        "type": report_json["type"],
        "layers": layers,
        "total_params": report_json["total_params"],
        "trainable_params": report_json["trainable_params"],
        "non_trainable_params": report_json["non_trainable_params"],
    }
    if "operations" in report_json:
        out["operations"] = [{"name": op["name"], "type": op["type"], "output_shape": op["output_shape"],
                              "input_shape": op["input_shape"], "params": op["params"]}
                             for op in report_json["operations"]]
        out["summary"] = report_json["summary"]
    return out


def describe_shapewise(model):
    from shapewise.report import model_report

    return describe_report(model_report(model).to_json())


def keras_bytes(model):
    """The bytes Keras's summary shows beside the counts, trainable and not (each weight at its own dtype: int8
    for a quantized kernel)."""
    from keras.src.utils.summary_utils import weight_memory_size

    return [weight_memory_size(model.trainable_weights), weight_memory_size(model.non_trainable_weights)]


def shapewise_bytes(model):
    from shapewise.report import model_report

    report = model_report(model)
    return [report.trainable_bytes, report.non_trainable_bytes]


# --------------------------------------------------------------------------------------------------------------
# Run one case both ways


class Outcome:
    """Either a list of described models, or the exception raised while building."""

    def __init__(self, models=None, error=None, sizes=None):
        self.models = models
        self.error = error
        self.sizes = sizes  # [trainable, non-trainable] bytes per model, where the run computed them

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
        models = _collect(namespace)
        return Outcome([describe_keras(m) for m in models], sizes=[keras_bytes(m) for m in models])
    except Exception as e:  # noqa: BLE001 - any Keras failure is an outcome to compare
        return Outcome(error=e)


def run_shapewise_api(source):
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    sk.clear_session()
    namespace = {"keras": sk, "layers": sk.layers, "__name__": "__case__"}
    try:
        exec(compile(source, "<case>", "exec"), namespace)  # our own test source, not user input
        models = _collect(namespace)
        return Outcome([describe_shapewise(m) for m in models], sizes=[shapewise_bytes(m) for m in models])
    except (ShapewiseError, AttributeError) as e:  # AttributeError: a name keras.layers does not have either
        return Outcome(error=e)


def assert_same(source, keras_outcome=None, shapewise_outcome=None, compare_bytes=False):
    """Build ``source`` both ways; the same success with equal descriptions, or both fail. ``compare_bytes``: the
    summary's byte sizes too (trainable and non-trainable, each weight at its dtype)."""
    k = keras_outcome or run_keras(source)
    s = shapewise_outcome or run_shapewise_api(source)
    if k.error is not None or s.error is not None:
        assert k.error is not None and s.error is not None, (
            f"one side failed, the other did not\n  keras:     {k.error!r}\n  shapewise: {s.error!r}\n"
            f"source:\n{source}")
        return k, s
    assert len(k.models) == len(s.models)
    if compare_bytes:
        assert k.sizes == s.sizes, f"bytes (trainable, non-trainable): keras {k.sizes} != shapewise {s.sizes}\n{source}"
    for km, sm in zip(k.models, s.models):
        for field in ("name", "type", "total_params", "trainable_params", "non_trainable_params"):
            assert km[field] == sm[field], f"{field}: keras {km[field]!r} != shapewise {sm[field]!r}\n{source}"
        assert [l["name"] for l in km["layers"]] == [l["name"] for l in sm["layers"]], source
        for kl, sl in zip(km["layers"], sm["layers"]):
            assert kl == sl, f"layer {kl['name']} differs\n  keras:     {kl}\n  shapewise: {sl}\nsource:\n{source}"
        _assert_same_operations(km, sm, source)
    return k, s


# --------------------------------------------------------------------------------------------------------------
# Pasted code: the same file through the snippet interpreter and through real Keras


def implicit_names(keras):
    """What a snippet without imports assumes: ``from keras.layers import *`` and the model classes."""
    names = {name: getattr(keras.layers, name) for name in dir(keras.layers) if not name.startswith("_")}
    names.update(keras=keras, layers=keras.layers, models=keras.models, Sequential=keras.Sequential,
                 Model=keras.Model, Input=keras.Input)
    return names


#: The batch sizes Keras's torch backend traces a subclassed model with (keras/src/backend/torch/core.py,
#: compute_output_spec: a None dim is tried as 83 and 89); its summary then shows them for the unknown batch.
_TRACE_SIZES = (83, 89)


def _untrace(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], list):
        return [_untrace(s) for s in shape]
    if isinstance(shape, list) and shape and shape[0] in _TRACE_SIZES:
        return [None, *shape[1:]]
    return shape


def run_keras_source(source, filename="<case>"):
    """Run pasted code with real Keras (our own test files, never user input): the models its summary() calls
    show (else every model bound to a name at the end), and what it printed."""
    import contextlib
    import io

    keras = real_keras()
    keras.backend.clear_session()
    def describe(m):
        d = describe_keras(m)
        if type(m).__name__ not in ("Functional", "Sequential") and not isinstance(m, keras.Sequential) and \
                not getattr(m, "_is_graph_network", False):  # a subclassed model: traced, see _TRACE_SIZES
            d["subclassed"] = True
            for layer in d["layers"]:
                layer["output_shape"] = _untrace(layer["output_shape"])
        return d

    def run(device):
        import warnings

        keras.backend.clear_session()
        summarized = []  # each summary() call describes the model as it is at that call
        original = keras.Model.summary
        keras.Model.summary = lambda self, *a, **k: summarized.append(describe(self))
        namespace = dict(implicit_names(keras), __name__="__main__")
        printed = io.StringIO()
        try:
            with keras.device(device), contextlib.redirect_stdout(printed), \
                    warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                exec(compile(source, filename, "exec"), namespace)
        finally:
            keras.Model.summary = original
        if device == "meta" and any("meta tensor" in str(w.message) for w in caught):
            # model.quantize() reads the weights' values: on the meta device it fails for every layer, and it
            # catches the NotImplementedError, warns and leaves the layer float. Run it where it works.
            raise RuntimeError("a step needed the weights' values (model.quantize): run on the CPU")
        models = summarized
        if not models:
            seen = set()
            for value in namespace.values():
                if isinstance(value, keras.Model) and id(value) not in seen:
                    seen.add(id(value))
                    models.append(describe(value))
        return models, printed.getvalue().splitlines()

    # "meta" tensors have shapes but no storage: a 440-million-parameter Dense costs nothing. Code that reads
    # values (a weight's initial value, a numpy conversion) cannot run there: it runs on the CPU.
    try:
        return run("meta")
    except Exception:  # noqa: BLE001 - retried on the CPU; a real failure fails there too
        return run("cpu")


def run_shapewise_source(source, filename="<case>"):
    """The same code through shapewise's interpreter: (exit status, the JSON document)."""
    import json

    from shapewise.frontends.snippet import interpret
    from shapewise.render import render

    result = interpret(source, filename)
    data = json.loads(render(result, "json", explain=False))
    code = result.error.exit_code if result.error is not None else 0
    return code, data


def assert_same_source(source, filename="<case>", compare_printed=False):
    """Pasted code: real Keras and shapewise's interpreter report the same models, layer by layer."""
    code, data = run_shapewise_source(source, filename)
    assert data["error"] is None, f"{filename}: shapewise failed: {data['error']}"
    assert code == 0
    keras_models, keras_printed = run_keras_source(source, filename)
    ours = [describe_report(m) for m in data["models"]]
    assert [m["name"] for m in ours] == [m["name"] for m in keras_models], filename
    for km, sm in zip(keras_models, ours):
        for field in ("name", "type", "total_params", "trainable_params", "non_trainable_params"):
            assert sm[field] == km[field], f"{filename}: {field}: keras {km[field]!r} != shapewise {sm[field]!r}"
        assert [layer["name"] for layer in sm["layers"]] == [layer["name"] for layer in km["layers"]], filename
        for kl, sl in zip(km["layers"], sm["layers"]):
            if km.get("subclassed") and kl["output_shape"] is None:
                # Inside a subclassed model Keras's summary shows "?" for many layers (no graph node; a default
                # build() records no shapes): shapewise reports the shape the traced call() gave them
                kl = dict(kl, output_shape=sl["output_shape"])
            assert sl == kl, f"{filename}: layer {kl['name']}\n  keras:     {kl}\n  shapewise: {sl}"
        _assert_same_operations(km, sm, filename)
    if compare_printed:
        assert data["printed"] == keras_printed, filename
    return keras_models, data


def _assert_same_operations(km, sm, where):
    """The rows of the summary that are ops outside any layer: the same ops, in the same places of the table."""
    assert km.get("summary") == sm.get("summary"), f"{where}: summary rows differ"
    for ko, so in zip(km.get("operations", []), sm.get("operations", [])):
        assert ko == so, f"{where}: operation {ko['name']}\n  keras:     {ko}\n  shapewise: {so}"


def assert_both_fail(source, filename="<case>"):
    """Real Keras raises on this code and shapewise reports an error (exit 1 or 2), never a result."""
    code, data = run_shapewise_source(source, filename)
    try:
        run_keras_source(source, filename)
    except Exception as e:  # noqa: BLE001 - the failure we expect from real Keras
        keras_error = e
    else:
        keras_error = None
    assert keras_error is not None, f"{filename}: real Keras builds this"
    assert data["error"] is not None and code in (1, 2), f"{filename}: shapewise reported a result"
    return keras_error, data
