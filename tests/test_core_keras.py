"""Differential tests of the core layers and models against real Keras."""

import pytest
from oracle import assert_same

CASES = {
    "seed_lstm": """
model = keras.Sequential()
model.add(layers.LSTM(32, input_shape=(10, 64)))
model.add(layers.Dense(2))
""",
    "dense_rank3": "model = keras.Sequential([layers.Dense(10, input_shape=(20, 5))])",
    "dense_no_bias": "model = keras.Sequential([keras.Input((7,)), layers.Dense(3, use_bias=False)])",
    "functional_bn": """
i = keras.Input((2, 3))
o = layers.Dense(4)(i)
model = keras.Model(i, layers.BatchNormalization()(o))
""",
    "reshape_minus_one": """
model = keras.Sequential([keras.Input((4, 6)), layers.Reshape((-1, 3)), layers.Flatten(), layers.RepeatVector(2),
                          layers.Permute((2, 1)), layers.Activation("relu"), layers.Dropout(0.5)])
""",
    "embedding": "model = keras.Sequential([keras.Input((12,)), layers.Embedding(1000, 16), layers.GRU(8)])",
    "gru_reset_before": "model = keras.Sequential([keras.Input((5, 3)), layers.GRU(4, reset_after=False)])",
    "simple_rnn_seq": "model = keras.Sequential([keras.Input((None, 3)), layers.SimpleRNN(6, return_sequences=True)])",
    "lstm_state": """
i = keras.Input((5, 3))
o, h, c = layers.LSTM(4, return_state=True)(i)
model = keras.Model(i, [o, h, c])
""",
    "frozen_nested": """
inner = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
inner.trainable = False
i = keras.Input((4,))
model = keras.Model(i, layers.Dense(2)(inner(i)))
""",
    # trainable=False given to a model's constructor sets only the model's flag (as Layer.__init__ does in Keras):
    # its layers stay trainable, the model lists none of their weights as trainable, an outer model counts them
    "functional_frozen_at_construction": """
i = keras.Input((5, 3))
model = keras.Model(i, layers.Dense(2)(i), trainable=False)
""",
    "sequential_frozen_at_construction": """
model = keras.Sequential([keras.Input((5, 3)), layers.Dense(2)], trainable=False)
""",
    "nested_frozen_at_construction": """
i0 = keras.Input((5, 3))
inner = keras.Model(i0, layers.Dense(4)(i0), trainable=False)
i = keras.Input((5, 3))
model = keras.Model(i, layers.Dense(2)(inner(i)))
""",
    "shared_layer": """
d = layers.Dense(3)
a = keras.Input((4,)); b = keras.Input((4,))
model = keras.Model([a, b], [d(a), d(b)])
""",
    # Keras raises: these must fail in shapewise too
    "lstm_2d_fails": "model = keras.Sequential([keras.Input((10,)), layers.LSTM(4)])",
    "reshape_mismatch_fails": "model = keras.Sequential([keras.Input((4, 6)), layers.Reshape((5, 5))])",
    "batch_input_shape_fails": "model = keras.Sequential([layers.Dense(2, batch_input_shape=(4, 3))])",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)
