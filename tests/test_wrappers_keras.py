"""Differential tests of the wrappers (Bidirectional, TimeDistributed, Wrapper) against real Keras."""

import pytest
from oracle import assert_same

SEQ = "model = keras.Sequential([keras.Input({shape}), {layer}])"


def seq(shape, layer):
    return SEQ.format(shape=shape, layer=layer)


CASES = {
    # --- Bidirectional: every merge mode, every recurrent layer ---------------------------------------------------
    "bidi_lstm_concat": seq("(10, 64)", "layers.Bidirectional(layers.LSTM(32))"),
    "bidi_lstm_sum": seq("(10, 64)", "layers.Bidirectional(layers.LSTM(32), merge_mode='sum')"),
    "bidi_lstm_mul": seq("(10, 64)", "layers.Bidirectional(layers.LSTM(32), merge_mode='mul')"),
    "bidi_lstm_ave": seq("(10, 64)", "layers.Bidirectional(layers.LSTM(32), merge_mode='ave')"),
    "bidi_lstm_none": seq("(10, 64)", "layers.Bidirectional(layers.LSTM(32), merge_mode=None)"),
    "bidi_gru_seq_concat": seq("(None, 8)", "layers.Bidirectional(layers.GRU(6, return_sequences=True))"),
    "bidi_gru_reset_before": seq("(5, 3)", "layers.Bidirectional(layers.GRU(4, reset_after=False))"),
    "bidi_simple_rnn_seq_none": seq("(5, 3)", "layers.Bidirectional(layers.SimpleRNN(4, return_sequences=True), "
                                              "merge_mode=None)"),
    "bidi_no_bias": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4, use_bias=False))"),
    "bidi_generic_rnn": seq("(5, 3)", "layers.Bidirectional(layers.RNN(layers.LSTMCell(4)))"),
    "bidi_stacked_cells": seq("(5, 3)", "layers.Bidirectional(layers.RNN([layers.LSTMCell(4), "
                                        "layers.SimpleRNNCell(2)], return_sequences=True))"),
    "bidi_stacked_then_dense": """
model = keras.Sequential([keras.Input((20, 16)),
                          layers.Bidirectional(layers.LSTM(32, return_sequences=True)),
                          layers.Bidirectional(layers.LSTM(16)),
                          layers.Dense(1)])
""",
    "bidi_names_consume_uid": """
a = layers.LSTM(4)
b = layers.Bidirectional(a)
c = layers.LSTM(3, return_sequences=True)
model = keras.Sequential([keras.Input((5, 3)), layers.Bidirectional(c), b, layers.LSTM(2) if False else layers.Dense(1)])
""",
    "bidi_named_layer": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4, name='forward_x'), name='bi')"),
    "bidi_return_state": """
i = keras.Input((5, 3))
o = layers.Bidirectional(layers.LSTM(4, return_state=True))(i)
model = keras.Model(i, o)
""",
    "bidi_return_state_none_seq": """
i = keras.Input((5, 3))
o = layers.Bidirectional(layers.LSTM(4, return_state=True, return_sequences=True), merge_mode=None)(i)
model = keras.Model(i, o)
""",
    "bidi_gru_return_state_sum": """
i = keras.Input((5, 3))
o = layers.Bidirectional(layers.GRU(4, return_state=True), merge_mode='sum')(i)
model = keras.Model(i, o)
""",
    "bidi_backward_layer": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4), "
                                         "backward_layer=layers.GRU(3, go_backwards=True))"),
    "bidi_backward_layer_sum": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4), merge_mode='sum', "
                                             "backward_layer=layers.LSTM(4, go_backwards=True, name='bw'))"),
    "bidi_inner_frozen": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4, trainable=False))"),
    "bidi_frozen_after": """
model = keras.Sequential([keras.Input((5, 3)), layers.Bidirectional(layers.LSTM(4)), layers.Dense(2)])
model.layers[0].trainable = False
""",
    "bidi_initial_state": """
i = keras.Input((5, 3))
s = [keras.Input((4,)) for _ in range(4)]
o = layers.Bidirectional(layers.LSTM(4))(i, initial_state=s)
model = keras.Model([i] + s, o)
""",
    "bidi_stateful": """
model = keras.Sequential([keras.Input((5, 3), batch_size=2), layers.Bidirectional(layers.LSTM(4, stateful=True))])
""",
    "bidi_embedding_mask": """
model = keras.Sequential([keras.Input((12,)), layers.Embedding(100, 8, mask_zero=True),
                          layers.Bidirectional(layers.GRU(5)), layers.Dense(1)])
""",
    "bidi_input_shape_kwarg": """
model = keras.Sequential([layers.Bidirectional(layers.LSTM(4, return_sequences=True), input_shape=(5, 3)),
                          layers.Bidirectional(layers.GRU(2))])
""",
    "bidi_shared_source_layer": """
l = layers.LSTM(3)
a = keras.Input((5, 4))
bi = layers.Bidirectional(l)
model = keras.Model(a, [bi(a), l(a)])
""",
    "bidi_backward_generic_rnn": seq("(5, 3)", "layers.Bidirectional(layers.RNN(layers.GRUCell(3)), "
                                               "backward_layer=layers.RNN(layers.SimpleRNNCell(3), go_backwards=True),"
                                               " merge_mode='ave')"),
    "bidi_stateful_return_state_keras_bug_fails": """
i = keras.Input((5, 3), batch_size=4)
o = layers.Bidirectional(layers.GRU(4, stateful=True, return_state=True, return_sequences=True))(i)
model = keras.Model(i, o)
""",
    # --- Bidirectional failures ------------------------------------------------------------------------------------
    "bidi_dense_fails": seq("(5, 3)", "layers.Bidirectional(layers.Dense(4))"),
    "bidi_dense_backward_fails": seq("(5, 3)", "layers.Bidirectional(layers.Dense(4), "
                                               "backward_layer=layers.Dense(4))"),
    "bidi_merge_max_fails": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4), merge_mode='max')"),
    "bidi_not_layer_fails": seq("(5, 3)", "layers.Bidirectional(4)"),
    "bidi_backward_not_backwards_fails": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4), "
                                                       "backward_layer=layers.LSTM(4))"),
    "bidi_backward_mismatch_seq_fails": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4), "
                                                      "backward_layer=layers.LSTM(4, go_backwards=True, "
                                                      "return_sequences=True))"),
    "bidi_2d_fails": seq("(5,)", "layers.Bidirectional(layers.LSTM(4))"),
    "bidi_4d_fails": seq("(5, 6, 3)", "layers.Bidirectional(layers.LSTM(4))"),
    "bidi_stateful_no_batch_fails": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4, stateful=True))"),
    # --- TimeDistributed ---------------------------------------------------------------------------------------------
    "td_dense": seq("(10, 8)", "layers.TimeDistributed(layers.Dense(4))"),
    "td_dense_rank4": seq("(10, 6, 8)", "layers.TimeDistributed(layers.Dense(4, use_bias=False))"),
    "td_dense_none_steps": seq("(None, 8)", "layers.TimeDistributed(layers.Dense(4))"),
    "td_flatten_dropout_lstm": """
model = keras.Sequential([keras.Input((5, 6, 7, 3)), layers.TimeDistributed(layers.Flatten()),
                          layers.TimeDistributed(layers.Dropout(0.2)), layers.LSTM(3)])
""",
    "td_lstm": seq("(None, 6, 3)", "layers.TimeDistributed(layers.LSTM(4, return_sequences=True))"),
    "td_bidi": seq("(5, 6, 3)", "layers.TimeDistributed(layers.Bidirectional(layers.GRU(4)))"),
    "td_names": """
d = layers.Dense(3)
model = keras.Sequential([keras.Input((5, 2)), layers.TimeDistributed(d), layers.Dense(2),
                          layers.TimeDistributed(layers.Dense(1), name='per_step')])
""",
    "td_frozen_inner": seq("(5, 3)", "layers.TimeDistributed(layers.Dense(4, trainable=False))"),
    "td_functional_after_lstm": """
i = keras.Input((7, 5))
h = layers.LSTM(6, return_sequences=True)(i)
o = layers.TimeDistributed(layers.Dense(2, activation='softmax'))(h)
model = keras.Model(i, o)
""",
    "td_shared_inner_dense": """
d = layers.Dense(3)
a = keras.Input((5, 4)); b = keras.Input((4,))
model = keras.Model([a, b], [layers.TimeDistributed(d)(a), d(b)])
""",
    "td_shared_wrapper": """
td = layers.TimeDistributed(layers.Dense(2))
a = keras.Input((5, 4)); b = keras.Input((7, 4))
model = keras.Model([a, b], [td(a), td(b)])
""",
    "td_gru_rank4": seq("(3, 5, 4)", "layers.TimeDistributed(layers.GRU(2, reset_after=False))"),
    "td_input_shape_kwarg": "model = keras.Sequential([layers.TimeDistributed(layers.Dense(2), input_shape=(5, 4))])",
    # --- TimeDistributed failures -------------------------------------------------------------------------------------
    "td_rank2_fails": seq("(5,)", "layers.TimeDistributed(layers.Dense(4))"),
    "td_not_layer_fails": seq("(5, 3)", "layers.TimeDistributed(3)"),
    "td_lstm_rank3_fails": seq("(5, 3)", "layers.TimeDistributed(layers.LSTM(4))"),
    "td_unknown_features_fails": seq("(5, None)", "layers.TimeDistributed(layers.Dense(4))"),
    "wrapper_not_layer_fails": seq("(5, 3)", "layers.Wrapper('dense')"),
    # trainable=False given to a wrapper's constructor sets only the wrapper's flag: the wrapped layer and its
    # weights stay trainable, so the wrapper's row shows 0 trainable while the model counts them as trainable
    "bidi_frozen_at_construction": seq("(5, 3)", "layers.Bidirectional(layers.LSTM(4), trainable=False)"),
    "td_frozen_at_construction": seq("(5, 3)", "layers.TimeDistributed(layers.Dense(4), trainable=False)"),
    "spectral_frozen_at_construction": seq("(5, 3)", "layers.SpectralNormalization(layers.Dense(4), trainable=False)"),
    "td_frozen_then_unfrozen": """
td = layers.TimeDistributed(layers.Dense(4), trainable=False)
model = keras.Sequential([keras.Input((5, 3)), td])
td.trainable = True
""",
}

try:  # TimeDistributed(Conv2D) once the conv rules exist
    from shapewise.engine import REGISTRY
    import shapewise.keras.layers  # noqa: F401

    HAVE_CONV = "Conv2D" in REGISTRY
except Exception:  # pragma: no cover
    HAVE_CONV = False

if HAVE_CONV:
    CASES.update({
        "td_conv2d": seq("(5, 6, 7, 3)", "layers.TimeDistributed(layers.Conv2D(4, 3))"),
        "td_conv2d_then_lstm": """
model = keras.Sequential([keras.Input((8, 32, 32, 3)), layers.TimeDistributed(layers.Conv2D(16, 3, padding='same')),
                          layers.TimeDistributed(layers.Flatten()), layers.LSTM(10)])
""",
        "td_conv2d_rank4_fails": seq("(5, 6, 3)", "layers.TimeDistributed(layers.Conv2D(4, 3))"),
    })


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)
