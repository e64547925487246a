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
