"""Call keywords, as Keras's Layer.__call__ takes them: the input by the name of call()'s first argument
(``layer(inputs=x)``, ``lstm(sequences=x)``, ``mha(query=q, value=v)``), ``training=`` on every layer (passed on only
where call() takes it), ``mask=`` only where call() takes one; anything else fails as in Keras."""

import pytest
from oracle import assert_same




CASES = {
    "dense_inputs_keyword": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dense(2)(inputs=x))",
    "dense_training_true": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dense(2)(x, training=True))",
    "dense_training_false": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dense(2)(x, training=False))",
    "conv_training": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Conv1D(2, 3)(inputs=x, training=True))",
    "dropout_training": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dropout(0.5)(x, training=True))",
    "batchnorm_training": """
x = keras.Input((5, 3))
model = keras.Model(x, layers.BatchNormalization()(inputs=x, training=False))
""",
    "lstm_mask_training": """
x = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
model = keras.Model([x, m], layers.LSTM(4)(x, mask=m, training=True))
""",
    "lstm_sequences_keyword": """
x = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
model = keras.Model([x, m], layers.LSTM(4, return_sequences=True)(sequences=x, mask=m))
""",
    "gru_inputs_keyword_fails": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.GRU(4)(inputs=x))",
    "mha_query_value": """
x = keras.Input((5, 3))
model = keras.Model(x, layers.MultiHeadAttention(2, 4)(query=x, value=x, training=True))
""",
    "mha_inputs_fails": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.MultiHeadAttention(2, 4)(inputs=x, value=x))",
    "add_inputs_keyword": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Add()(inputs=[x, x]))",
    "concatenate_training": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Concatenate()([x, x], training=True))",
    "embedding_training": "x = keras.Input((5,))\nmodel = keras.Model(x, layers.Embedding(10, 2)(x, training=True))",
    "random_flip_inputs": "x = keras.Input((8, 8, 3))\nmodel = keras.Model(x, layers.RandomFlip()(inputs=x, training=False))",
    "random_flip_data_fails": "x = keras.Input((8, 8, 3))\nmodel = keras.Model(x, layers.RandomFlip()(data=x))",
    "sequential_inputs_keyword": """
inner = keras.Sequential([keras.Input((3,)), layers.Dense(4)])
x = keras.Input((3,))
model = keras.Model(x, layers.Dense(1)(inner(x, training=False)))
""",
    "dense_mask_fails": """
x = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
model = keras.Model([x, m], layers.Dense(2)(x, mask=m))
""",
    "dense_unknown_keyword_fails": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dense(2)(x, foo=1))",
    "dense_wrong_input_name_fails": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dense(2)(x=x))",
    "dense_two_positional_fails": "x = keras.Input((5, 3))\nmodel = keras.Model(x, layers.Dense(2)(x, x))",
    "global_max_pooling_mask_fails": """
x = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
model = keras.Model([x, m], layers.GlobalMaxPooling1D()(x, mask=m))
""",
    "global_average_pooling_2d_mask_fails": """
x = keras.Input((4, 4, 3)); m = keras.Input((4, 4), dtype="bool")
model = keras.Model([x, m], layers.GlobalAveragePooling2D()(x, mask=m))
""",
    "global_average_pooling_1d_mask": """
x = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
model = keras.Model([x, m], layers.GlobalAveragePooling1D()(x, mask=m))
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def test_common_call_is_not_slower_path():
    """layer(x) takes the fast path: no keyword handling runs (a regression guard on Layer.__call__)."""
    import shapewise.engine as engine
    import shapewise.keras as sk

    calls = []
    original = engine._call_arguments
    engine._call_arguments = lambda *a: calls.append(a) or original(*a)
    try:
        x = sk.Input((4,))
        sk.layers.Dense(2)(x)
        assert calls == []
        sk.layers.Dense(2)(x, training=True)
        assert len(calls) == 1
    finally:
        engine._call_arguments = original


def _keras_call_names(keras_cls):
    import inspect

    names = [p for p in inspect.signature(keras_cls.call).parameters if p not in ("self", "args", "kwargs")]
    if names[:1] == ["data"]:  # the image/data layers' __call__ takes the input as `inputs` (DataLayer.__call__)
        names[0] = "inputs"
    return names


@pytest.mark.keras
def test_every_rule_takes_the_keywords_of_keras_call():
    """A rule's call arguments are Keras's: the input (which the rule names x) under Keras's name, and no keyword
    Keras's call() lacks; an unexpected keyword's error then lists Keras's names."""
    from oracle import real_keras

    import shapewise.engine as engine
    import shapewise.rules  # noqa: F401  (registers every layer)

    keras = real_keras()
    wrong = []
    for name, cls in sorted(engine.REGISTRY.items()):
        keras_cls = getattr(keras.layers, name, None)
        code = cls.infer.__code__
        if keras_cls is None or code.co_flags & 0x08:
            continue
        ours = engine._keras_call_signature(cls.__new__(cls), code.co_varnames[2:code.co_argcount +
                                                                                code.co_kwonlyargcount])
        theirs = _keras_call_names(keras_cls)
        if not theirs:  # a call(*args, **kwargs): nothing to compare
            continue
        if ours[0] != theirs[0] or set(ours[1:]) - set(theirs) - {"training"}:
            wrong.append((name, ours, theirs))
    assert not wrong, wrong


@pytest.mark.keras
@pytest.mark.parametrize("layer, shape", [
    ("Dense(2)", (5, 3)), ("LSTM(2)", (5, 3)), ("Dropout(0.5)", (5, 3)), ("RandomFlip()", (8, 8, 3)),
    ("Embedding(10, 2)", (5,)), ("BatchNormalization()", (5, 3)), ("Conv1D(2, 3)", (5, 3)),
])
def test_unexpected_keyword_names_keras_call_signature(layer, shape):
    from oracle import real_keras

    import shapewise.keras as sk
    from shapewise.errors import ArgumentError

    keras = real_keras()
    keras.backend.clear_session()
    x = keras.Input(shape)
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        eval(f"layers.{layer}", {"layers": keras.layers})(x, foo=1)  # our own test source
    sk.clear_session()
    with pytest.raises(ArgumentError) as e:
        eval(f"layers.{layer}", {"layers": sk.layers})(sk.Input(shape), foo=1)
    assert "unexpected keyword argument 'foo'" in e.value.message
    keras_cls = getattr(keras.layers, layer.split("(")[0])
    names = _keras_call_names(keras_cls)
    if "training" not in names:
        names.append("training")  # Keras's __call__ takes it for every layer
    assert f".call({', '.join(names)})" in e.value.expected, (e.value.expected, names)
    assert " x," not in e.value.expected and "(x" not in e.value.expected
    assert e.value.fix
