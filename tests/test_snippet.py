"""The snippet interpreter: what pasted Keras code means, what is skipped, what is refused, and parity with the
Python API (the same source through ``shapewise.keras`` and through the interpreter gives the same models)."""

import re

import pytest
from oracle import describe_report, run_shapewise_api
from test_core_keras import CASES

from shapewise.errors import ArgumentError, RefusedError, ShapeError, UsageError
from shapewise.frontends.snippet import interpret


def run(source):
    return interpret(source, "<test>")


def ok(source):
    result = run(source)
    assert result.error is None, str(result.error)
    return result


def models(result):
    return [describe_report(m.to_json()) for m in result.models]


def only_model(source):
    result = ok(source)
    assert len(result.models) == 1
    return result.models[0].to_json()


def shapes(model_json):
    return [layer["output_shape"] for layer in model_json["layers"]]


# --------------------------------------------------------------------------------------------------------------
# Parity: the core differential cases through the interpreter give what the Python API gives


def _with_summaries(source):
    if re.search(r"^models\s*=", source, re.M):
        return source + "\nfor m in models:\n    m.summary()\n"
    return source + "\nmodel.summary()\n"


@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_parity_with_python_api(source):
    api = run_shapewise_api(source)
    result = run(_with_summaries(source))
    if api.error is not None:
        assert result.error is not None, "the API raised, the interpreter did not"
        assert type(result.error) is type(api.error)
        assert result.error.line is not None
        return
    assert result.error is None, str(result.error)
    assert models(result) == api.models


def _all_cases():
    """Every differential case of every layer family (tests/test_*_keras.py), as they grow."""
    import importlib
    from pathlib import Path

    cases = {}
    for path in sorted(Path(__file__).parent.glob("test_*_keras.py")):
        try:
            module = importlib.import_module(path.stem)
        except Exception:  # noqa: BLE001 - a broken module fails its own tests
            continue
        table = getattr(module, "CASES", None)
        if not isinstance(table, dict):  # (test_ops_keras.py's CASES are op calls, not layer sources)
            continue
        for name, source in table.items():
            if isinstance(source, str):
                cases[f"{path.stem[5:-6]}-{name}"] = source
    return cases


ALL_CASES = _all_cases()
# Constructs the interpreter refuses by design: object(), attributes outside the whitelist.
_REFUSED_BY_DESIGN = ("object()", ".cell")


@pytest.mark.parametrize("source", ALL_CASES.values(), ids=ALL_CASES.keys())
def test_parity_every_layer_family(source):
    result = run(_with_summaries(source))
    if any(marker in source for marker in _REFUSED_BY_DESIGN) and isinstance(result.error, RefusedError):
        assert result.error.line is not None
        return
    api = run_shapewise_api(source)
    if api.error is not None:
        assert result.error is not None, "the API raised, the interpreter did not"
        assert type(result.error) is type(api.error)
        return
    assert result.error is None, str(result.error)
    assert models(result) == api.models


# --------------------------------------------------------------------------------------------------------------
# Imports: every common spelling resolves to shapewise

IMPORTS = {
    "from_keras_layers": "from keras.layers import LSTM\nfrom keras.models import Sequential\nm = Sequential([LSTM(4, input_shape=(3, 2))])",
    "import_layers_as": "import keras\nimport keras.layers as L\nm = keras.Sequential([L.LSTM(4, input_shape=(3, 2))])",
    "tf_keras_layers_module": "from tensorflow.keras import layers, models\nm = models.Sequential([layers.LSTM(4, input_shape=(3, 2))])",
    "tf_keras_layers_names": "from tensorflow.keras.layers import LSTM\nfrom tensorflow.keras.models import Sequential\nm = Sequential([LSTM(4, input_shape=(3, 2))])",
    "from_tensorflow_import_keras": "from tensorflow import keras\nm = keras.Sequential([keras.layers.LSTM(4, input_shape=(3, 2))])",
    "import_tf": "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.LSTM(4, input_shape=(3, 2))])",
    "tf_keras_models": "import tensorflow as tf\nm = tf.keras.models.Sequential()\nm.add(tf.keras.layers.LSTM(4, input_shape=(3, 2)))",
    "star_import": "from keras.layers import *\nfrom keras.models import *\nm = Sequential([LSTM(4, input_shape=(3, 2))])",
    "legacy_module_path": "from keras.layers.recurrent import LSTM\nfrom keras.models import Sequential\nm = Sequential([LSTM(4, input_shape=(3, 2))])",
    "import_keras_layers_dotted": "import keras.layers\nm = keras.Sequential([keras.layers.LSTM(4, input_shape=(3, 2))])",
    "functional_names": "from keras import Input, Model\nfrom keras.layers import LSTM\ni = Input((3, 2))\nm = Model(i, LSTM(4)(i))",
    "no_imports": "m = Sequential([LSTM(4, input_shape=(3, 2))])",
}


@pytest.mark.parametrize("source", IMPORTS.values(), ids=IMPORTS.keys())
def test_import_spellings(source):
    model = only_model(source)
    lstm = [layer for layer in model["layers"] if layer["type"] == "LSTM"][0]
    assert lstm["output_shape"] == [None, 4]
    assert lstm["params"] == 4 * (2 + 4 + 1) * 4


def test_unrelated_imports_are_skipped_and_listed():
    result = ok("import numpy as np\nimport matplotlib.pyplot as plt\nimport pandas as pd\nfrom sklearn.model_selection "
                "import train_test_split\nfrom keras.layers import Dense\nimport keras\n"
                "m = keras.Sequential([Dense(2, input_shape=(3,))])\n")
    assert [line for line, _ in result.skipped] == [1, 2, 3, 4]
    assert "numpy" in result.skipped[0][1]


# --------------------------------------------------------------------------------------------------------------
# Data the snippet does not have: skipped, or an unknown dimension that flows into the model

MNIST = """\
import numpy as np
import matplotlib.pyplot as plt
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense, LSTM
(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train = X_train / 255.0
plt.imshow(X_train[0])
plt.show()
model = Sequential()
model.add(LSTM(16, input_shape=(X_train.shape[1], 28)))
model.add(Dense(10, activation='softmax'))
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(X_train, y_train, epochs=5, validation_data=(X_test, y_test))
plt.plot(history.history['loss'])
print(model.evaluate(X_test, y_test))
model.summary()
"""


def test_data_lines_are_skipped_and_unknown_dims_flow():
    result = ok(MNIST)
    model = result.models[0].to_json()
    assert shapes(model) == [[None, 16], [None, 10]]
    assert model["layers"][0]["input_shape"] == [None, 28, 28]  # X_train.shape[1]: mnist's documented 28
    assert model["total_params"] == 4 * (28 + 16 + 1) * 16 + 17 * 10
    skipped = [line for line, _ in result.skipped]
    # the lines X_train.shape[1] came from (3, 6, 7) reached the model: they are not "skipped"
    assert skipped == [1, 2, 8, 9, 14, 15, 16]
    assert result.printed == []


def test_unknown_dim_where_a_number_is_needed_names_the_line_and_the_expression():
    result = run("from keras import Sequential, Input\nfrom keras.layers import Dense\n"
                 "num_pixels = X_train.shape[1] * X_train.shape[2]\n"
                 "model = Sequential([Input((num_pixels,)), Dense(10)])\n")
    assert isinstance(result.error, ShapeError)
    assert result.error.line == 4
    assert result.error.layer == "dense"
    assert "X_train.shape[1] * X_train.shape[2]" in str(result.error)


def test_np_prod_of_a_data_shape_is_an_unknown_dim():
    result = run("import numpy as np\nnum_pixels = np.prod(X_train.shape[1:])\n"
                 "model = Sequential([Dense(512, input_shape=(num_pixels,))])\n")
    assert isinstance(result.error, ShapeError) and result.error.line == 3


def test_units_from_data_is_an_error_naming_the_expression():
    result = run("n = len(vocab)\nmodel = Sequential([Input((3,)), Dense(n)])\n")
    assert isinstance(result.error, ShapeError)
    assert result.error.line == 2
    assert "len(vocab)" in result.error.message


def test_loop_over_data_is_skipped_when_it_does_not_touch_the_model():
    result = ok("model = Sequential([Dense(2, input_shape=(3,))])\nfor x, y in dataset:\n    plt.plot(x)\n")
    assert [line for line, _ in result.skipped] == [2]


def test_loop_over_data_that_touches_the_model_is_refused():
    result = run("model = Sequential()\nfor units in config['units']:\n    model.add(Dense(units))\n")
    assert isinstance(result.error, RefusedError) and result.error.line == 2


def test_if_on_data_that_touches_the_model_is_refused():
    result = run("model = Sequential()\nif X.shape[1] > 3:\n    model.add(Dense(3))\n")
    assert isinstance(result.error, RefusedError) and result.error.line == 2


# --------------------------------------------------------------------------------------------------------------
# Statements and values


def test_loops_comprehensions_unpacking_augassign():
    model = only_model("""
from keras import layers, Sequential, Input
sizes = [64, 32]
units, rate = (16, 0.5)
units *= 2
model = Sequential([Input((8,))])
for n in sizes + [units]:
    model.add(layers.Dense(n, activation='relu'))
    model.add(layers.Dropout(rate))
extra = [layers.Dense(4 * (i + 1)) for i in range(2) if i >= 0]
for layer in extra:
    model.add(layer)
""")
    assert shapes(model) == [[None, 64], [None, 64], [None, 32], [None, 32], [None, 32], [None, 32], [None, 4],
                             [None, 8]]


def test_if_with_constant_condition_and_backend_image_data_format():
    model = only_model("""
from keras import backend as K
from keras.models import Sequential
from keras.layers import Conv2D
img_rows, img_cols = 28, 28
if K.image_data_format() == 'channels_first':
    input_shape = (1, img_rows, img_cols)
else:
    input_shape = (img_rows, img_cols, 1)
model = Sequential([Conv2D(8, (3, 3), input_shape=input_shape)])
""")
    assert shapes(model) == [[None, 26, 26, 8]]


def test_trainable_flags():
    result = ok("""
model = Sequential([Input((4,)), Dense(3), Dense(2)])
model.layers[0].trainable = False
model.summary()
for layer in model.layers:
    layer.trainable = False
model.summary()
""")
    first, second = [m.to_json() for m in result.models]
    assert (first["trainable_params"], first["non_trainable_params"]) == (8, 15)
    assert (second["trainable_params"], second["non_trainable_params"]) == (0, 23)
    # Each report keeps the flags of its own summary() call, in its table and in its explanation, though the
    # explanation is derived only when read (here, after the second call has frozen every layer).
    for report, expected in zip(result.models, ([False, True], [False, False])):
        for layer, trainable in zip(report.layers, expected):
            assert {w.trainable for w in layer.weights} == {trainable}
            assert {w.trainable for w in layer.explanation.weights} == {trainable}


def test_functional_dict_inputs_nested_model_and_calling_models():
    result = ok("""
import keras
from keras import layers
a = keras.Input((4,), name="a")
b = keras.Input((6,), name="b")
merged = layers.concatenate([layers.Dense(3)(a), layers.Dense(3)(b)])
inner = keras.Sequential([keras.Input((6,)), layers.Dense(2)], name="head")
model = keras.Model(inputs={"a": a, "b": b}, outputs=inner(merged))
model.summary()
""")
    model = result.models[0].to_json()
    assert model["total_params"] == 15 + 21 + 14
    assert [layer["type"] for layer in model["layers"]][-1] == "Sequential"


def test_print_formats_like_python_and_keras():
    result = ok("""
from keras import layers
import keras
x = keras.Input((2, 3))
y = layers.Dense(4)(x)
print(y)
print(y.shape, y.shape[-1], len(y.shape), y.dtype)
model = keras.Model(x, y)
print("params:", model.count_params(), sep=" ")
print(f"{model.name} has {len(model.layers)} layers; out={model.output_shape!r}; {0.5:.2f}")
print(model.layers[1])
print(model.summary())
print([1, 'a', None], {'k': (1,)})
""")
    assert result.printed == [
        "<KerasTensor shape=(None, 2, 4), dtype=float32, sparse=False, ragged=False, name=keras_tensor_1>",
        "(None, 2, 4) 4 3 float32",
        "params: 16",
        "functional has 2 layers; out=(None, 2, 4); 0.50",
        "<Dense name=dense, built=True>",
        "None",
        "[1, 'a', None] {'k': (1,)}",
    ]
    assert [kind for kind, _ in result.events] == ["print"] * 5 + ["model", "print", "print"]


def test_which_models_are_reported_without_summary():
    result = ok("""
a = Sequential([Dense(2, input_shape=(3,))], name="first")
b = Sequential([Dense(2, input_shape=(3,))], name="second")
c = Sequential([Dense(2, input_shape=(3,))], name="dropped")
c = None
""")
    assert [m.name for m in result.models] == ["first", "second"]


def test_summary_calls_decide_the_reports_in_call_order():
    result = ok("""
a = Sequential([Dense(2, input_shape=(3,))], name="first")
b = Sequential([Dense(2, input_shape=(3,))], name="second")
b.summary()
a.summary()
b.summary()
""")
    assert [m.name for m in result.models] == ["second", "first", "second"]


def test_auto_naming_resets_between_runs():
    source = "m = Sequential([Dense(2, input_shape=(3,))])"
    assert ok(source).models[0].layers[0].name == "dense"
    assert ok(source).models[0].layers[0].name == "dense"


def test_model_methods_and_attributes():
    result = ok("""
model = Sequential([Input((5,)), Dense(3, name="hidden"), Dense(1)])
print(model.get_layer("hidden").output_shape, model.input_shape, model.output_shape)
print([w.shape for w in model.weights], len(model.trainable_weights), len(model.non_trainable_weights))
print(model.layers[-1].count_params(), model.inputs[0].shape)
model.pop()
print(len(model.layers))
m2 = Sequential([Dense(4)])
m2.build((None, 7))
print(m2.count_params())
""")
    assert result.printed == ["(None, 3) (None, 5) (None, 1)", "[(5, 3), (3,), (3, 1), (1,)] 4 0",
                              "4 (None, 5)", "1", "32"]


# --------------------------------------------------------------------------------------------------------------
# Errors


def test_shape_error_carries_the_line():
    result = run("model = Sequential()\nmodel.add(Input((10,)))\nmodel.add(LSTM(4))\n")
    assert isinstance(result.error, ShapeError)
    assert result.error.exit_code == 1
    assert result.error.line == 3
    assert result.error.layer == "lstm"


def test_error_in_a_loop_names_the_inner_line():
    result = run("model = Sequential([Input((4,))])\nfor u in [3, 0]:\n    model.add(Dense(u))\n")
    assert isinstance(result.error, ArgumentError) and result.error.line == 3


def test_missing_arguments_are_argument_errors():
    result = run("model = Sequential([Input((4,)), Dense()])")
    assert isinstance(result.error, ArgumentError) and result.error.line == 1
    assert "units" in result.error.message


def test_no_model_found_lists_skipped_lines():
    result = run("import numpy as np\nx = np.load('data.npy')\n")
    assert isinstance(result.error, UsageError)
    assert result.error.exit_code == 2
    assert "no model found" in result.error.message and "line 2" in result.error.message


def test_printing_only_is_not_an_error():
    result = run("x = 3 * 4\nprint(x)\n")
    assert result.error is None and result.printed == ["12"]


def test_unknown_camelcase_name_is_refused():
    result = run("model = Sequential([Dens(10, input_shape=(3,))])")
    assert isinstance(result.error, RefusedError) and result.error.line == 1
    assert "Dens" in result.error.message


def test_unknown_keras_layer_is_refused_when_used():
    result = run("from keras.layers import NoSuchLayer, Dense\nm = Sequential([Dense(2, input_shape=(3,))])\n"
                 "m.add(NoSuchLayer(3))\n")
    assert isinstance(result.error, RefusedError) and result.error.line == 3
    assert "keras.layers.NoSuchLayer" in result.error.message


def test_opaque_value_added_to_a_model_is_refused():
    result = run("from mylib import make_block\nmodel = Sequential([Input((3,))])\nmodel.add(make_block(3))\n")
    assert isinstance(result.error, RefusedError) and result.error.line == 3


def test_syntax_error_is_a_usage_error_with_its_line():
    result = run("model = Sequential()\nmodel.add(Dense(2)\n")
    assert isinstance(result.error, UsageError) and result.error.line is not None


# --------------------------------------------------------------------------------------------------------------
# The fragments of the seed questions that real Keras cannot run (see test_seed_keras.py)

FRAGMENTS = {
    # units comes from data: a concrete number is needed there
    "mnist_num_pixels_fragment": (ShapeError, 2, "X_train.shape[1] * X_train.shape[2]"),
    # activation='...' is a placeholder in the question; Keras rejects it too
    "mnist_np_prod_fragment": (ArgumentError, 2, "activation"),
    "mnist_input_dim_fragment": (ArgumentError, 1, "activation"),
    # unbalanced brackets: not Python
    "mnist_sequential_list_fragment": (UsageError, 1, "not valid Python"),
}


@pytest.mark.parametrize("name", FRAGMENTS, ids=FRAGMENTS)
def test_seed_fragments(name):
    from pathlib import Path

    error_type, line, text = FRAGMENTS[name]
    path = Path(__file__).parent / "seed" / f"{name}.py"
    result = interpret(path.read_text(), str(path))
    assert isinstance(result.error, error_type), repr(result.error)
    assert result.error.line == line
    assert text in str(result.error)


def test_model_on_data_tensors_is_refused():
    result = run("import keras\nx = keras.Input((3,))\ny = keras.layers.Dense(2)(X_train)\nm = keras.Model(x, y)\n")
    assert isinstance(result.error, RefusedError) and result.error.line == 4


def test_keras_configuration_objects_are_accepted_not_skipped():
    result = ok("""
import tensorflow as tf
from keras import regularizers, optimizers
from keras.callbacks import EarlyStopping
model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation=tf.nn.relu, input_shape=(3,),
                                                   kernel_regularizer=regularizers.l2(0.01)),
                             tf.keras.layers.Dense(1, activation=tf.keras.activations.sigmoid)])
model.compile(optimizer=optimizers.Adam(1e-3), loss="mse")
model.fit(X, y, callbacks=[EarlyStopping(patience=3)])
""")
    assert [line for line, _ in result.skipped] == [4, 9]
    assert "fit()" in result.skipped[1][1]
    assert "relu" in result.models[0].layers[0].explanation.units


def test_fuzz_findings_axis_of_an_unknown_value_and_formatting_infinity():
    """Two inputs the long fuzz run found: an error that printed an object's address (so two runs differed),
    and Python's own OverflowError of '%d' % float('inf') reported as a bug in shapewise."""
    from shapewise.frontends.snippet import interpret
    from shapewise.errors import InternalError

    head = "import numpy as np\nimport keras\ndata = np.random.rand(20, 7).astype('float32')\n"
    first = interpret(head + "s = data.std(axis=x)\n", "axis.py")
    second = interpret(head + "s = data.std(axis=x)\n", "axis.py")
    assert first.error is not None and "object at 0x" not in first.error.message, first.error
    assert first.error.message == second.error.message and first.error.line == 4
    result = interpret("print('%d words' % float('inf'))\n", "fmt.py")
    assert result.error is not None and not isinstance(result.error, InternalError), result.error
    assert "cannot convert float infinity to integer" in result.error.message
    # (seeds 1 and 4) a function where a size was needed: named as Python prints it, not by its address
    result = interpret("import keras\nfrom keras import ops\nx = keras.Input((4, 4))\n"
                       "y = ops.reshape(x, (-1, lambda: 2))\n", "fn.py")
    assert result.error is not None and "<function <lambda>>" in result.error.message, result.error
    # (seed 3) a dtype NumPy does not know, added to an array: it stays a value from outside, no internal error
    result = interpret("import numpy as np\nx = np.ones(3) + np.eye(3, dtype='float1e308')\n", "dtype.py")
    assert not isinstance(result.error, InternalError), result.error
    result = interpret("import numpy as np\nprint(np.eye(3, dtype='int').dtype)\n", "int.py")
    assert result.printed == ["int64"], result.printed
