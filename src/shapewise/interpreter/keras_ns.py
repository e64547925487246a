"""The namespaces imports of ``keras``/``tensorflow`` resolve to, and the attributes of models, layers,
symbolic tensors and weights a snippet may read."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re

from .. import engine
from ..errors import ArgumentError
from ..report import model_report
from .functions import FrameworkBase
from .values import Builtin, Factory, Inert, KerasOp, Missing, Namespace, Opaque, _deep_values, _Lazy, _method, _value

# --------------------------------------------------------------------------------------------------------------
# Namespaces: keras, tensorflow and their submodules


KERAS_LAYER_BASE = FrameworkBase("keras.layers.Layer", "layer")


def _registry():
    # Lazy mappings: a look-up imports only the family registering the name; iterating them imports every family.
    return engine.REGISTRY, engine.FUNCTIONS


_LEGACY_LAYER_MODULES = {
    "core", "convolutional", "recurrent", "pooling", "normalization", "embeddings", "merge", "noise",
    "advanced_activations", "experimental", "preprocessing", "wrappers", "local", "convolutional_recurrent", "rnn",
    "activation", "activations_layers", "attention", "regularization", "reshaping", "dense_attention",
    "image_preprocessing", "batch_normalization", "layer_normalization",
}


def _layers_ns():
    from ..graph import Input, InputLayer

    def fallback(name):
        registry, functions = _registry()
        if name in registry:
            return Factory(f"keras.layers.{name}", registry[name])
        if name in functions:
            return Factory(f"keras.layers.{name}", functions[name])
        if name == "Input":
            return Factory("keras.Input", Input)
        if name == "InputLayer":
            return Factory("keras.layers.InputLayer", InputLayer)
        if name == "Layer":
            return KERAS_LAYER_BASE
        if name in _LEGACY_LAYER_MODULES:
            return ns
        return Missing(f"keras.layers.{name}", "shapewise does not know this Keras layer (yet)")

    def star():
        registry, functions = _registry()
        out = {name: Factory(f"keras.layers.{name}", cls) for name, cls in registry.items()}
        out.update({name: Factory(f"keras.layers.{name}", fn) for name, fn in functions.items()})
        out["Input"] = Factory("keras.Input", Input)
        out["InputLayer"] = Factory("keras.layers.InputLayer", InputLayer)
        out["Layer"] = KERAS_LAYER_BASE
        return out

    ns = Namespace("keras.layers", fallback=fallback, star=star)
    return ns


def _opaque_module(path):
    return Opaque(path, {path: "is not part of the model"}, path=path)


def _missing_or_opaque(prefix):
    def fallback(name):
        if name[:1].isupper():
            return Missing(f"{prefix}.{name}")
        return _opaque_module(f"{prefix}.{name}")

    return fallback


def _models_ns():
    from ..graph import Functional, Sequential, clone_model, make_model

    members = {
        "Sequential": Factory("keras.Sequential", Sequential),
        "Model": Factory("keras.Model", make_model),
        "Functional": Factory("keras.Model", Functional),
        "clone_model": Factory("keras.models.clone_model", clone_model),
    }
    return Namespace("keras.models", members, fallback=_missing_or_opaque("keras.models"),
                     star=lambda: dict(members))


def _applications_ns():
    try:
        spec = importlib.util.find_spec("shapewise.keras.applications")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return Missing("keras.applications", "keras.applications is not available in this shapewise")
    module = importlib.import_module("shapewise.keras.applications")
    return _module_ns("keras.applications", module, module)


def _module_ns(path, module, root):
    """A namespace over one of shapewise's application modules: builders (capitalized) and family modules."""
    import types

    def fallback(name):
        value = vars(module).get(name)
        if isinstance(value, types.ModuleType) and value.__name__.startswith("shapewise.keras.applications"):
            return _module_ns(f"{path}.{name}", value, root)
        if value is not None and name[:1].isupper() and callable(value) and \
                getattr(value, "__module__", "").startswith("shapewise."):
            return Factory(f"{path}.{name}", value)
        if name[:1].isupper():
            return Missing(f"{path}.{name}", "shapewise does not know this application (yet)")
        if module is root and re.fullmatch(r"[a-z][a-z0-9_]*", name) and name not in (
                "preprocess_input", "decode_predictions"):
            return _module_ns(f"{path}.{name}", root, root)  # an alias of the family module Keras has
        return _opaque_module(f"{path}.{name}")

    return Namespace(path, fallback=fallback)


def _backend_ns():
    def image_data_format(interp, args, kwargs):
        return "channels_last"

    def set_image_data_format(interp, args, kwargs):
        value = (list(args) + list(kwargs.values()) + [None])[0]
        if value != "channels_last":
            interp.refuse("keras.backend.set_image_data_format", "shapewise models channels_last only")
        return None

    def clear_session(interp, args, kwargs):
        engine.clear_session()
        return None

    members = {
        "image_data_format": Builtin("image_data_format", image_data_format),
        "set_image_data_format": Builtin("set_image_data_format", set_image_data_format),
        "clear_session": Builtin("clear_session", clear_session),
        "floatx": Builtin("floatx", lambda interp, a, k: "float32"),
        "epsilon": Builtin("epsilon", lambda interp, a, k: 1e-07),
        "backend": Builtin("backend", lambda interp, a, k: "tensorflow"),
    }
    return Namespace("keras.backend", members, fallback=_missing_or_opaque("keras.backend"))


_OPS_SUBMODULES = {"nn", "numpy", "image", "linalg", "core", "math", "random"}


def _ops_ns(path="keras.ops", prefix=""):
    """``keras.ops`` and its submodules: each name with a shape rule in the ops vocabulary is a KerasOp."""
    from .tensor_ops import keras_table

    def fallback(name):
        table = keras_table() or {}
        key = prefix + name
        if key in table:
            return KerasOp(key, table[key])
        if not prefix and name in table:
            return KerasOp(name, table[name])
        if prefix and name in table and prefix in ("nn.", "numpy.", "core.", "math."):
            return KerasOp(name, table[name])  # keras.ops.nn.relu is keras.ops.relu
        if not prefix and name in _OPS_SUBMODULES:
            return _ops_ns(f"{path}.{name}", f"{name}.")
        return Missing(f"{path}.{name}", "shapewise has no shape rule for this op (yet)")

    return Namespace(path, fallback=fallback)


def _random_ns():
    """``keras.random``: sampled tensors of a given shape (``SeedGenerator`` is an inert value)."""
    from ..ops.keras_random import KERAS_RANDOM

    def fallback(name):
        if name in KERAS_RANDOM:
            return KerasOp(f"random.{name}", KERAS_RANDOM[name])
        if name == "SeedGenerator":
            return Builtin("SeedGenerator", lambda interp, a, k: Inert("keras.random.SeedGenerator"))
        return Missing(f"keras.random.{name}", "shapewise has no shape rule for it (yet)")

    return Namespace("keras.random", fallback=fallback)


def _datasets_ns():
    from .arrays import datasets_ns

    return datasets_ns()


def _utils_ns():
    from .arrays import utils_extra

    return Namespace("keras.utils", utils_extra(), fallback=_missing_or_opaque("keras.utils"))


def _quantizers_ns():
    from ..keras import quantizers

    members = {name: Factory(f"keras.quantizers.{name}", getattr(quantizers, name)) for name in (
        "AbsMaxQuantizer", "QuantizationConfig", "Int8QuantizationConfig", "Int4QuantizationConfig",
        "Float8QuantizationConfig", "GPTQConfig", "AWQConfig")}
    return Namespace("keras.quantizers", members, fallback=_missing_or_opaque("keras.quantizers"))


def _dtype_policy_ns(name):
    """keras.config's and keras.mixed_precision's global dtype policy: the policy of every layer created after it
    without a dtype (set_global_policy("mixed_float16") before building the model, as the mixed precision guide
    does); a global quantized policy is refused."""
    from ..rules.quantization import DTypePolicyView

    def policy_name(interp, value, what):
        if isinstance(value, DTypePolicyView):
            return value.name
        if not isinstance(value, str):
            raise ArgumentError(f"Invalid `policy` argument. Expected the string name of a policy (such as "
                                f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={value!r}",
                                expected="a policy name such as 'mixed_float16'", fix=f"{what}('mixed_float16')")
        engine._check_dtype_policy("DTypePolicy", value)
        if value.startswith(engine._QUANTIZATION_MODES):
            interp.refuse(f"{what}({value!r})", "shapewise quantizes layer by layer: give the quantizable layers "
                                                "dtype=... or call model.quantize(mode) after building")
        return engine._dtype_name(value)

    def set_policy(interp, args, kwargs):
        value = (list(args) + list(kwargs.values()) + [None])[0]
        engine.session().dtype_policy = policy_name(interp, value, f"keras.{name}.set_global_policy"
                                                    if name == "mixed_precision" else "keras.config.set_dtype_policy")
        return None

    def get_policy(interp, args, kwargs):
        return DTypePolicyView(engine.session().dtype_policy, None)

    def make_policy(interp, args, kwargs):
        value = (list(args) + list(kwargs.values()) + [None])[0]
        return DTypePolicyView(policy_name(interp, value, "keras.DTypePolicy"), None)

    members = {"set_dtype_policy": Builtin("set_dtype_policy", set_policy),
               "dtype_policy": Builtin("dtype_policy", get_policy)}
    if name == "mixed_precision":
        members.update({"set_global_policy": Builtin("set_global_policy", set_policy),
                        "global_policy": Builtin("global_policy", get_policy),
                        "Policy": Builtin("Policy", make_policy), "DTypePolicy": Builtin("DTypePolicy", make_policy)})
    else:
        members["floatx"] = Builtin("floatx", lambda interp, a, k: "float32")
    return Namespace(f"keras.{name}", members, fallback=_missing_or_opaque(f"keras.{name}"))


def _keras_ns():
    from ..graph import Input, InputLayer, Sequential, make_model

    layers = _layers_ns()
    models = _models_ns()
    members = {
        "layers": layers, "models": models, "backend": _backend_ns(),
        "applications": _Lazy(_applications_ns),
        "Sequential": Factory("keras.Sequential", Sequential),
        "Model": Factory("keras.Model", make_model),
        "Input": Factory("keras.Input", Input),
        "InputLayer": Factory("keras.layers.InputLayer", InputLayer),
        "Layer": KERAS_LAYER_BASE,
        "ops": _Lazy(_ops_ns),
        "random": _Lazy(_random_ns),
        "datasets": _Lazy(_datasets_ns),
        "utils": _Lazy(_utils_ns),
        "quantizers": _Lazy(_quantizers_ns),
        "mixed_precision": _Lazy(lambda: _dtype_policy_ns("mixed_precision")),
        "config": _Lazy(lambda: _dtype_policy_ns("config")),
    }
    ns = Namespace("keras", members, fallback=_missing_or_opaque("keras"),
                   star=lambda: {k: v for k, v in members.items() if k[:1].isupper()})
    ns.members["api"] = ns  # keras.api.layers in some tutorials
    return ns


def _tensorflow_ns(keras_ns):
    def fallback(name):
        return _opaque_module(f"tensorflow.{name}")

    compat = Namespace("tensorflow.compat", {"v1": Namespace("tensorflow.compat.v1", {"keras": keras_ns},
                                                              fallback=_missing_or_opaque("tf.compat.v1"))},
                       fallback=_missing_or_opaque("tensorflow.compat"))
    python = Namespace("tensorflow.python", {"keras": keras_ns}, fallback=_missing_or_opaque("tensorflow.python"))
    return Namespace("tensorflow", {"keras": keras_ns, "compat": compat, "python": python}, fallback=fallback)


_DATA_MODULES = {
    "numpy", "pandas", "matplotlib", "sklearn", "scipy", "seaborn", "os", "sys", "cv2", "PIL", "torch",
    "torchvision", "random", "math", "json", "pickle", "h5py", "tqdm", "IPython", "google", "glob", "shutil",
    "pathlib", "time", "datetime", "collections", "itertools", "functools", "re", "csv", "warnings",
    "subprocess", "requests", "urllib", "io", "tensorflow_datasets", "tensorflow_hub", "plotly", "skimage",
    "imageio", "nltk", "gensim", "transformers", "datasets",
}


# Model and layer attributes a snippet may read (everything else is refused).
_IGNORED_MODEL_METHODS = {
    "fit": "trains the model", "fit_generator": "trains the model", "predict": "runs the model on data",
    "predict_generator": "runs the model on data", "evaluate": "runs the model on data",
    "evaluate_generator": "runs the model on data", "train_on_batch": "trains the model",
    "test_on_batch": "runs the model on data", "predict_on_batch": "runs the model on data",
    "save": "writes a file", "save_weights": "writes a file", "load_weights": "reads a file",
    "get_weights": "reads weight values", "set_weights": "sets weight values", "to_json": "serializes the model",
    "get_config": "serializes the model", "export": "writes a file", "reset_states": "resets RNN states",
    "adapt": "computes statistics from data (the layer's weights keep their shapes)",
}


# --------------------------------------------------------------------------------------------------------------
# Whitelisted attributes per type. ("value", fn(obj)) reads an attribute; ("method", fn(interp, obj, a, k, node)).


def _m_add(interp, model, args, kwargs, node):
    from ..graph import Sequential

    if not isinstance(model, Sequential):
        interp.refuse(f"`{interp._text(node)}`", "only a Sequential model has add()", node)
    if args:
        interp._no_opaque_layers(args[0], node)
    interp._api_call(f"{model.name}.add", model.add, args, kwargs, node)
    return None


def _m_summary(interp, model, args, kwargs, node):
    interp.summaries += 1
    interp.events.append(("model", model_report(model)))
    return None


def _m_compile(interp, model, args, kwargs, node):
    for v in _deep_values(args, kwargs):
        if isinstance(v, Opaque):
            v.mark_used()  # optimizers and losses passed to compile are not "skipped lines"
    return None


def _ignored_method(interp, model, args, kwargs, node):
    name = node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else "this call"
    why = _IGNORED_MODEL_METHODS.get(name, "does not change the model")
    return Opaque(interp._text(node), {f"{name}()": why})


def _m_count_params(interp, layer, args, kwargs, node):
    return layer.count_params()


def _m_get_layer(interp, model, args, kwargs, node):
    return interp._api_call(f"{model.name}.get_layer", model.get_layer, args, kwargs, node)


def _m_build(interp, model, args, kwargs, node):
    from ..graph import Model, Sequential
    from .custom import CustomLayer

    if isinstance(model, Sequential):
        interp._api_call(f"{model.name}.build", model.build, args, kwargs, node)
    elif isinstance(model, CustomLayer):
        # Keras's default build() of a subclassed layer or model marks it built and creates nothing: its sublayers
        # stay unbuilt until a call runs them (Keras warns that it "looks like it has unbuilt state")
        model._custom_built = True
    elif not isinstance(model, Model) and not model.built:
        _build_layer(interp, model, args, kwargs, node)
    return None


def _build_layer(interp, layer, args, kwargs, node):
    """``layer.build(input_shape)``: the layer's rule run on that shape to create its weights, as Keras's build()."""
    from ..dims import Unknown, as_dim
    from ..engine import Context, Spec

    shape = args[0] if args else kwargs.get("input_shape")
    if not isinstance(shape, (tuple, list)) or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool)) or hasattr(d, "value") for d in shape):
        interp.refuse(f"`{interp._text(node)}`", "build() takes one input shape, a tuple of ints or None", node)
    spec = Spec([Unknown() if d is None else as_dim(d) for d in shape], layer.compute_dtype)
    ctx = Context(layer, [spec], building=True, called=False)
    out = layer.infer(ctx, spec)
    layer._record_weights(ctx)
    # Keras's summary shows a layer built this way (never called) with compute_output_shape of its build shape
    layer._built_output = out


def _m_enable_lora(interp, layer, args, kwargs, node):
    if not hasattr(layer, "enable_lora"):
        interp.refuse(f"`{interp._text(node)}`", f"a {type(layer).keras_name} layer has no enable_lora() in Keras "
                      "(only Dense, EinsumDense and Embedding have)", node)
    interp._api_call(f"{layer.name}.enable_lora", layer.enable_lora, args, kwargs, node)
    return None


def _m_quantize(interp, obj, args, kwargs, node):
    if not hasattr(obj, "quantize"):
        interp.refuse(f"`{interp._text(node)}`", f"a {type(obj).keras_name} layer has no quantize() in Keras", node)
    interp._api_call(f"{obj.name}.quantize", obj.quantize, args, kwargs, node)
    return None


def _m_pop(interp, model, args, kwargs, node):
    from ..graph import Sequential

    if not isinstance(model, Sequential):
        interp.refuse(f"`{interp._text(node)}`", "only a Sequential model has pop()", node)
    return interp._api_call(f"{model.name}.pop", model.pop, args, kwargs, node)


def _m_compute_mask(interp, layer, args, kwargs, node):
    """``layer.compute_mask(inputs, mask=None)``: the mask the layer gives its outputs (Embedding's
    ``not_equal(inputs, 0)``), its ops recorded as Keras records them."""
    given = dict(zip(("inputs", "previous_mask"), args))
    for key, value in kwargs.items():
        given["previous_mask" if key in ("mask", "previous_mask") else key] = value
    if set(given) - {"inputs", "previous_mask"} or "inputs" not in given or len(args) > 2:
        interp.refuse(f"`{interp._text(node)}`", "compute_mask takes (inputs, mask=None)", node)
    (inputs, previous), _ = interp._arrays_as_tensors([given["inputs"], given.get("previous_mask")], {}, node)
    return layer.compute_mask(inputs, previous)


def _dtype_policy(layer):
    from ..rules.quantization import DTypePolicyView

    if hasattr(type(layer), "dtype_policy"):
        return layer.dtype_policy
    return DTypePolicyView(layer.dtype, None)


_LAYER_ATTRS = {
    "supports_masking": _value(lambda o: o.supports_masking),
    "compute_mask": _method(_m_compute_mask),
    "trainable": _value(lambda o: o.trainable),
    "name": _value(lambda o: o.name),
    "output": _value(lambda o: o.output),
    "input": _value(lambda o: o.input),
    "output_shape": _value(lambda o: o.output_shape),
    "input_shape": _value(lambda o: o.input_shape),
    "weights": _value(lambda o: o.weights),
    "trainable_weights": _value(lambda o: o.trainable_weights),
    "non_trainable_weights": _value(lambda o: o.non_trainable_weights),
    "variables": _value(lambda o: o.weights),
    "trainable_variables": _value(lambda o: o.trainable_weights),
    "non_trainable_variables": _value(lambda o: o.non_trainable_weights),
    "built": _value(lambda o: o.built),
    "dtype": _value(lambda o: o.variable_dtype),
    "compute_dtype": _value(lambda o: o.compute_dtype),
    "variable_dtype": _value(lambda o: o.variable_dtype),
    "dtype_policy": _value(lambda o: _dtype_policy(o)),
    "count_params": _method(_m_count_params),
    "build": _method(_m_build),
    "enable_lora": _method(_m_enable_lora),
    "quantize": _method(_m_quantize),
}

_MODEL_ATTRS = dict(_LAYER_ATTRS)
_MODEL_ATTRS.update({
    "add": _method(_m_add),
    "summary": _method(_m_summary),
    "compile": _method(_m_compile),
    "layers": _value(lambda o: o.layers),
    "inputs": _value(lambda o: list(o.inputs)),
    "outputs": _value(lambda o: list(o.outputs)),
    "get_layer": _method(_m_get_layer),
    "build": _method(_m_build),
    "pop": _method(_m_pop),
})

_TENSOR_ATTRS = {
    "shape": _value(lambda t: t.shape),
    "dtype": _value(lambda t: t.dtype),
    "ndim": _value(lambda t: t.ndim),
    "name": _value(lambda t: t.name),
}

def _w_assign(interp, weight, args, kwargs, node):
    return None  # a new value for a weight: its shape and the model do not change


_WEIGHT_ATTRS = {
    "assign": _method(_w_assign),
    "assign_add": _method(_w_assign),
    "assign_sub": _method(_w_assign),
    "value": _value(lambda w: w),
    "dtype": _value(lambda w: w.dtype or (w.owner.dtype if w.owner is not None else "float32")),
    "ndim": _value(lambda w: len(w.shape)),
    "name": _value(lambda w: w.name),
    "shape": _value(lambda w: w.shape),
    "trainable": _value(lambda w: w.trainable),
    "path": _value(lambda w: f"{w.owner.name}/{w.name}"),
}


def _module_why(root):
    if root in _DATA_MODULES:
        return "is not part of the model"
    return "is not a Keras module"
