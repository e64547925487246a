"""keras.models.clone_model and Sequential.build(shape), differential against real Keras (cloning_test's cases:
Sequential with and without an Input, functional with branches and shared layers, nested models, input_tensors)."""

import pytest
from oracle import assert_same

CASES = {
    "clone_sequential": """
original = keras.Sequential([keras.Input((4,)), layers.Dense(2), layers.Dense(3, lora_rank=1)], name="orig")
original.layers[0].trainable = False
model = keras.models.clone_model(original)
""",
    "clone_sequential_input_tensors": """
original = keras.Sequential([keras.Input((4,)), layers.Dense(2), layers.Dense(3)])
model = keras.models.clone_model(original, input_tensors=keras.Input((6,)))
""",
    "clone_sequential_input_tensors_list": """
original = keras.Sequential([keras.Input((4, 3)), layers.LSTM(2)])
model = keras.models.clone_model(original, input_tensors=[keras.Input((7, 3))])
""",
    "clone_sequential_unbuilt": """
original = keras.Sequential([layers.Dense(2)])
model = keras.models.clone_model(original)
model.build((None, 5))
""",
    "clone_functional": """
i = keras.Input((5,))
x = layers.Dense(3)(i)
a = layers.Dense(2)(x)
b = layers.Dense(2)(x)
original = keras.Model(i, layers.Concatenate()([a, b]))
model = keras.models.clone_model(original)
models = [original, model]
""",
    "clone_functional_shared_and_nested": """
shared = layers.Dense(3)
inner = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.BatchNormalization()])
i1 = keras.Input((3,)); i2 = keras.Input((3,))
original = keras.Model([i1, i2], inner(layers.Add()([shared(i1), shared(i2)])))
model = keras.models.clone_model(original)
""",
    "clone_functional_input_tensors": """
i = keras.Input((8, 8, 3))
original = keras.Model(i, layers.GlobalAveragePooling2D()(layers.Conv2D(4, 3)(i)))
model = keras.models.clone_model(original, input_tensors=keras.Input((16, 16, 3), name="big"))
""",
    "clone_keeps_call_keywords": """
i = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
original = keras.Model([i, m], layers.LSTM(4)(i, mask=m, training=False))
model = keras.models.clone_model(original)
""",
    "clone_not_a_model_fails": "model = keras.models.clone_model(layers.Dense(2))",
    "sequential_build": """
model = keras.Sequential([layers.Dense(4), layers.Dense(1)])
model.build((None, 7))
""",
    "sequential_build_twice_other_shape_fails": """
model = keras.Sequential([keras.Input((3,)), layers.Dense(4)])
model.build((None, 7))
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def test_clone_model_in_a_snippet_reports_both_models():
    from shapewise.interpreter import interpret

    result = interpret("import keras\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
                       "model2 = keras.models.clone_model(model)\n")
    assert result.error is None and [m.name for m in result.models] == ["sequential", "sequential"]
    assert result.notes == []


@pytest.mark.parametrize("line", [
    'other = keras.models.load_model("model.keras")',
    "other = keras.models.model_from_json(text)",
    "other = tfmot.quantization.keras.quantize_model(model)",
])
def test_a_model_shapewise_does_not_build_is_never_silently_missing(line):
    from shapewise.interpreter import interpret
    from shapewise.render import render

    source = (f"import keras\nimport tensorflow_model_optimization as tfmot\n"
              f"model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n{line}\n")
    result = interpret(source)
    assert result.error is None and [m.name for m in result.models] == ["sequential"]
    (note,) = result.notes
    assert note[0] == 4 and "not all the snippet's models" in note[1]
    for fmt in ("text", "markdown", "html"):
        assert "not all the snippet" in render(result, fmt), fmt
    assert result.to_json()["notes"] == [{"line": 4, "text": note[1]}]
    # drawing or saving the model makes no other model: no note
    quiet = interpret(source.replace(line, 'keras.utils.plot_model(model, "m.png")'))
    assert quiet.notes == []
