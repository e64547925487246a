"""Every layer configuration Keras's own layer tests build (``run_layer_test`` in keras/src/layers/**/*_test.py of
the installed Keras 3.15.1, read by tests/keras_layer_tests.py) built with real Keras and with shapewise: the same
layers, shapes, weights, counts and output dtypes, or both refusing.

The configurations that do not resolve to a shape and literal arguments (data arrays, sparse inputs, objects the
test makes) are listed by ``python tests/keras_layer_tests.py``; the ones shapewise does not model yet are in
``NOT_MODELLED`` below with the reason, and the test checks each still differs, so the list stays true.
"""

import pytest
from keras_layer_tests import extract
from oracle import real_keras

#: (file, test) -> why shapewise does not build this configuration as Keras does
#: (file, test function) -> why: every configuration of that test (the test file's own layers and cells, built
#: through the interpreter)
NOT_MODELLED_TESTS = {
    ("rnn/dropout_rnn_cell_test.py", "test_basics"): "not rebuilt: the test's cell derives from DropoutRNNCell, "
                                                     "which the test imports from keras.src (not in keras.layers)",
    ("preprocessing/data_layer_test.py", "test_layer"): "not rebuilt: the test's layer derives from DataLayer, which "
                                                         "the test imports from keras.src (not in keras.layers)",
    ("preprocessing/image_preprocessing/random_flip_test.py", "test_random_flip_horizontal"):
        "a RandomFlip subclass whose call reads its transformation's values: not interpreted on symbolic tensors",
    ("preprocessing/image_preprocessing/random_flip_test.py", "test_random_flip_vertical"):
        "a RandomFlip subclass whose call reads its transformation's values: not interpreted on symbolic tensors",
}
NOT_MODELLED = {}


def _configs():
    real_keras()
    return [c for c in extract() if c.source]


CONFIGS = _configs()


#: modules shapewise.keras's Python API does not have: a configuration using them goes through the interpreter, as
#: the same lines pasted by a user would
_INTERPRETED = ("initializers", "regularizers", "constraints", "activations", "ops")


def check(source):
    if any(f"{name}." in source for name in (*_INTERPRETED, "np")) or source.startswith("class "):
        from oracle import assert_same_source

        assert_same_source(f"import numpy as np\nimport keras\nfrom keras import layers, {', '.join(_INTERPRETED)}\n"
                           f"{source}")
        return
    from test_preprocessing_keras import check as check_built  # the same shapes, weights and output dtypes

    check_built(source)


@pytest.mark.keras
@pytest.mark.parametrize("config", CONFIGS, ids=[f"{c.file}::{c.test}" for c in CONFIGS])
def test_keras_layer_test_configuration(config):
    key = (config.file, config.test)
    if key in NOT_MODELLED or (config.file, config.test.split("[")[0]) in NOT_MODELLED_TESTS:
        with pytest.raises((AssertionError, AttributeError)):  # still differs: the list stays true
            check(config.source)
        return
    check(config.source)


# A layer's mixed precision policy (dtype="mixed_bfloat16"): it computes in the 16-bit dtype, keeps float32
# variables (the summary's bytes), and a float32 layer after it computes in float32 again.
MIXED_POLICY = {
    f"{name}-{policy}": f"""
x = keras.Input(batch_shape={shape}{", dtype='int32'" if "Embedding" in layer else ""})
y = layers.{layer.replace("DT", repr(policy))}(x)
model = keras.Model(x, layers.Activation("softmax", dtype="float32")(y))
""" for policy in ("mixed_bfloat16", "mixed_float16", "bfloat16")
    for name, shape, layer in [
        ("dense", (2, 5), "Dense(4, dtype=DT)"),
        ("conv2d", (2, 6, 6, 3), "Conv2D(4, 3, dtype=DT)"),
        ("embedding", (2, 7), "Embedding(10, 4, dtype=DT)"),
        ("reversible_embedding", (2, 7), "ReversibleEmbedding(10, 4, tie_weights=False, dtype=DT)"),
        ("lstm", (2, 3, 5), "LSTM(4, dtype=DT)"),
        ("layer_norm", (2, 5), "LayerNormalization(dtype=DT)")]
    if (name, policy) != ("lstm", "bfloat16")}  # (torch's CPU QR, for the orthogonal initializer, has no bfloat16)


@pytest.mark.keras
@pytest.mark.parametrize("case", MIXED_POLICY)
def test_mixed_precision_policy_matches_keras(case):
    check(MIXED_POLICY[case])


# The mixed precision guide's pasted code: a global policy set before the model is built, a float32 output layer.
GLOBAL_POLICY = {
    "set_global_policy": ("keras.mixed_precision.set_global_policy('mixed_float16')", "mixed"),
    "config_set_dtype_policy": ("keras.config.set_dtype_policy('mixed_bfloat16')", "mixed"),
    "policy_object": ("keras.mixed_precision.set_global_policy(keras.mixed_precision.Policy('bfloat16'))",
                      "bfloat16"),
    "reset_by_clear_session": ("keras.mixed_precision.set_global_policy('mixed_float16')\n"
                               "keras.backend.clear_session()", "float32"),
}


@pytest.mark.keras
@pytest.mark.parametrize("case", GLOBAL_POLICY)
def test_global_dtype_policy_matches_keras(case):
    import contextlib
    import io

    from oracle import assert_same_source

    from shapewise.cli import _policy_dtype
    from shapewise.frontends.snippet import interpret

    setup, memory_dtype = GLOBAL_POLICY[case]
    source = f"""import keras
from keras import layers
{setup}
inputs = keras.Input(shape=(784,))
x = layers.Dense(64, activation="relu")(inputs)
x = layers.Dense(10)(x)
outputs = layers.Activation("softmax", dtype="float32")(x)
model = keras.Model(inputs, outputs)
model.summary()
"""
    assert_same_source(source, f"<{case}>", compare_printed=True)
    keras = real_keras()
    namespace = {"__name__": "__case__"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, case, "exec"), namespace)  # our own test source
        expected = [str(layer.output.dtype) for layer in namespace["model"].layers]
    finally:
        keras.config.set_dtype_policy("float32")
    result = interpret(source, case)
    assert result.error is None, result.error
    model = result.models[-1]
    ours = [str(next(iter(row._weights)).owner.compute_dtype) if row._weights else None for row in model.layers]
    assert [d for d, o in zip(expected, ours) if o is not None] == [o for o in ours if o is not None], (expected, ours)
    assert _policy_dtype(result.models) == memory_dtype
