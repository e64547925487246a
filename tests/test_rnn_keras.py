"""Differential tests of the recurrent layers and cells against real Keras."""

import pytest
from oracle import assert_same

SEQ = "model = keras.Sequential([keras.Input({shape}), {layer}])"


def seq(shape, layer, **input_kw):
    return SEQ.format(shape=shape + "".join(f", {k}={v}" for k, v in input_kw.items()), layer=layer)


def functional(shape, layer):
    return f"""
i = keras.Input({shape})
o = {layer}(i)
model = keras.Model(i, o)
"""


CASES = {}
for kind in ("SimpleRNN", "GRU", "LSTM"):
    k = kind.lower()
    CASES.update({
        f"{k}_last": seq("(10, 64)", f"layers.{kind}(32)"),
        f"{k}_seq": seq("(10, 64)", f"layers.{kind}(32, return_sequences=True)"),
        f"{k}_none_steps": seq("(None, 7)", f"layers.{kind}(5, return_sequences=True)"),
        f"{k}_go_backwards": seq("(6, 3)", f"layers.{kind}(4, go_backwards=True)"),
        f"{k}_unroll": seq("(6, 3)", f"layers.{kind}(4, unroll=True, return_sequences=True)"),
        f"{k}_unroll_none_steps": seq("(None, 3)", f"layers.{kind}(4, unroll=True)"),
        f"{k}_no_bias": seq("(6, 3)", f"layers.{kind}(4, use_bias=False)"),
        f"{k}_dropout": seq("(6, 3)", f"layers.{kind}(4, dropout=0.2, recurrent_dropout=0.3)"),
        f"{k}_dropout_out_of_range": seq("(6, 3)", f"layers.{kind}(4, dropout=1.5, recurrent_dropout=-1)"),
        f"{k}_stateful": seq("(6, 3)", f"layers.{kind}(4, stateful=True)", batch_size=8),
        f"{k}_return_state": functional("(6, 3)", f"layers.{kind}(4, return_state=True)"),
        f"{k}_return_state_seq": functional("(6, 3)", f"layers.{kind}(4, return_state=True, "
                                                     f"return_sequences=True)"),
        f"{k}_frozen": seq("(6, 3)", f"layers.{kind}(4, trainable=False)"),
        f"{k}_named": seq("(6, 3)", f"layers.{kind}(4, name='enc', activation='relu')"),
        # Keras raises: these must fail too
        f"{k}_stateful_no_batch_fails": seq("(6, 3)", f"layers.{kind}(4, stateful=True)"),
        f"{k}_2d_fails": seq("(6,)", f"layers.{kind}(4)"),
        f"{k}_4d_fails": seq("(6, 5, 3)", f"layers.{kind}(4)"),
        f"{k}_unknown_features_fails": seq("(6, None)", f"layers.{kind}(4)"),
        f"{k}_zero_units_fails": seq("(6, 3)", f"layers.{kind}(0)"),
        f"{k}_float_units_fails": seq("(6, 3)", f"layers.{kind}(4.0)"),
        f"{k}_bad_kwarg_fails": seq("(6, 3)", f"layers.{kind}(4, input_length=6)"),
        f"{k}_bad_activation_fails": seq("(6, 3)", f"layers.{kind}(4, activation='nope')"),
    })

CASES.update({
    "seed_lstm": """
model = keras.Sequential()
model.add(layers.LSTM(32, input_shape=(10, 64)))
model.add(layers.Dense(2))
""",
    "gru_reset_before": seq("(5, 3)", "layers.GRU(4, reset_after=False)"),
    "gru_reset_before_no_bias": seq("(5, 3)", "layers.GRU(4, reset_after=False, use_bias=False)"),
    "gru_reset_before_state": functional("(5, 3)", "layers.GRU(4, reset_after=False, return_state=True)"),
    "lstm_no_forget_bias": seq("(5, 3)", "layers.LSTM(4, unit_forget_bias=False, recurrent_activation='relu')"),
    "lstm_use_cudnn": seq("(5, 3)", "layers.LSTM(4, use_cudnn=False)"),
    "lstm_use_cudnn_bad_fails": seq("(5, 3)", "layers.LSTM(4, use_cudnn='yes')"),
    "gru_unit_forget_bias_fails": seq("(5, 3)", "layers.GRU(4, unit_forget_bias=True)"),
    "simple_rnn_reset_after_fails": seq("(5, 3)", "layers.SimpleRNN(4, reset_after=True)"),
    "stacked_lstms": """
model = keras.Sequential([keras.Input((20, 8)), layers.LSTM(16, return_sequences=True),
                          layers.LSTM(16, return_sequences=True), layers.GRU(8), layers.Dense(1)])
""",
    "stacked_without_return_sequences_fails": """
model = keras.Sequential([keras.Input((20, 8)), layers.LSTM(16), layers.LSTM(8)])
""",
    "lstm_initial_state": """
i = keras.Input((5, 3)); h = keras.Input((4,)); c = keras.Input((4,))
o = layers.LSTM(4)(i, initial_state=[h, c])
model = keras.Model([i, h, c], o)
""",
    "encoder_decoder_states": """
enc_in = keras.Input((None, 10))
_, h, c = layers.LSTM(16, return_state=True)(enc_in)
dec_in = keras.Input((None, 12))
dec = layers.LSTM(16, return_sequences=True)(dec_in, initial_state=[h, c])
model = keras.Model([enc_in, dec_in], layers.Dense(12, activation='softmax')(dec))
""",
    "gru_initial_state": """
i = keras.Input((5, 3)); h = keras.Input((4,))
o = layers.GRU(4, return_sequences=True)(i, initial_state=h)
model = keras.Model([i, h], o)
""",
    "explicit_mask": """
i = keras.Input((5, 3)); m = keras.Input((5,), dtype="bool")
o = layers.GRU(4)(i, mask=m)
model = keras.Model([i, m], o)
""",
    "embedding_mask_zero": """
model = keras.Sequential([keras.Input((12,)), layers.Embedding(1000, 16, mask_zero=True),
                          layers.LSTM(8, return_sequences=True), layers.SimpleRNN(4)])
""",
    "bigger_batch_stateful": """
model = keras.Sequential([keras.Input(batch_shape=(4, 10, 3)), layers.LSTM(8, stateful=True, return_sequences=True),
                          layers.GRU(2, stateful=True)])
""",
    # --- cells and the generic RNN ---------------------------------------------------------------------------------
    "rnn_simple_cell": seq("(5, 3)", "layers.RNN(layers.SimpleRNNCell(4))"),
    "rnn_gru_cell": seq("(5, 3)", "layers.RNN(layers.GRUCell(4), return_sequences=True)"),
    "rnn_gru_cell_reset_before": seq("(5, 3)", "layers.RNN(layers.GRUCell(4, reset_after=False))"),
    "rnn_lstm_cell": seq("(None, 3)", "layers.RNN(layers.LSTMCell(4, use_bias=False), go_backwards=True)"),
    "rnn_lstm_cell_state": functional("(5, 3)", "layers.RNN(layers.LSTMCell(4), return_state=True)"),
    "rnn_stacked_list": functional("(5, 3)", "layers.RNN([layers.LSTMCell(2), layers.GRUCell(3)], "
                                             "return_state=True)"),
    "rnn_stacked_cells_layer": seq("(5, 3)", "layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(5), "
                                             "layers.LSTMCell(6)]), return_sequences=True)"),
    "rnn_stacked_three": functional("(5, 3)", "layers.RNN([layers.SimpleRNNCell(2), layers.LSTMCell(3), "
                                              "layers.GRUCell(4, reset_after=False)], return_state=True, "
                                              "return_sequences=True)"),
    "rnn_rank4_input": seq("(5, 6, 3)", "layers.RNN(layers.SimpleRNNCell(4))"),
    "rnn_stateful": seq("(5, 3)", "layers.RNN(layers.LSTMCell(4), stateful=True)", batch_size=3),
    "rnn_unroll": seq("(5, 3)", "layers.RNN(layers.GRUCell(4), unroll=True)"),
    "cell_auto_names": """
c1 = layers.LSTMCell(3)
lstm = layers.LSTM(4, return_sequences=True)     # its cell is named 'lstm_cell' explicitly: no uid used
c2 = layers.LSTMCell(3)
model = keras.Sequential([keras.Input((5, 3)), layers.RNN(c1, return_sequences=True), lstm,
                          layers.RNN(c2, return_sequences=True), layers.RNN([layers.GRUCell(2), layers.GRUCell(2)]),
                          layers.Dense(1)])
names = [c1.name, c2.name, lstm.cell.name]
assert names == ['lstm_cell', 'lstm_cell_1', 'lstm_cell'], names
""",
    "rnn_frozen_cell": seq("(5, 3)", "layers.RNN(layers.LSTMCell(4, trainable=False))"),
    "rnn_frozen_after": """
model = keras.Sequential([keras.Input((5, 3)), layers.RNN([layers.LSTMCell(4), layers.GRUCell(2)]), layers.Dense(1)])
model.layers[0].trainable = False
""",
    # failures
    "rnn_dense_cell_fails": seq("(5, 3)", "layers.RNN(layers.Dense(4))"),
    "rnn_not_layer_fails": seq("(5, 3)", "layers.RNN(4)"),
    "rnn_rank2_fails": seq("(5,)", "layers.RNN(layers.SimpleRNNCell(4))"),
    "rnn_stateful_no_batch_fails": seq("(5, 3)", "layers.RNN(layers.SimpleRNNCell(4), stateful=True)"),
    "stacked_bad_cell_fails": seq("(5, 3)", "layers.RNN([layers.LSTMCell(2), layers.Dense(3)])"),
    "cell_zero_units_fails": seq("(5, 3)", "layers.RNN(layers.GRUCell(0))"),
    # trainable=False given to the constructor sets only the layer's flag: the cell and its weights stay trainable,
    # so the layer's row shows 0 trainable (Keras's trainable_weights) while the model counts them as trainable
    "rnn_frozen_layer_at_construction": seq("(5, 3)", "layers.RNN(layers.LSTMCell(4), trainable=False)"),
})


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)
