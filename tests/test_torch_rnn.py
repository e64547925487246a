"""RNN, LSTM, GRU, their cells, MultiheadAttention and the Transformer modules against real torch (meta)."""

import pytest

from torch_cases import module_case, table
from torch_oracle import assert_same_torch

R = "torch.randn"

RNNS = [
    ("rnn-docs", "nn.RNN(10, 20, 2)", f"{R}(5, 3, 10)", f"{R}(2, 3, 20)"),
    ("rnn-relu", "nn.RNN(10, 20, nonlinearity='relu', bias=False)", f"{R}(5, 3, 10)"),
    ("rnn-unbatched", "nn.RNN(10, 20, 2)", f"{R}(5, 10)"),
    ("lstm-docs", "nn.LSTM(10, 20, 2)", f"{R}(5, 3, 10)", f"({R}(2, 3, 20), {R}(2, 3, 20))"),
    ("lstm-bidirectional", "nn.LSTM(10, 20, 3, bidirectional=True)", f"{R}(5, 3, 10)"),
    ("lstm-batch-first", "nn.LSTM(10, 20, batch_first=True, dropout=0.0)", f"{R}(3, 5, 10)"),
    ("lstm-proj", "nn.LSTM(10, 20, 2, proj_size=5, bidirectional=True)", f"{R}(5, 3, 10)"),
    ("lstm-proj-hx", "nn.LSTM(10, 20, 1, proj_size=5)", f"{R}(5, 3, 10)", f"({R}(1, 3, 5), {R}(1, 3, 20))"),
    ("lstm-unbatched", "nn.LSTM(10, 20, 2, bidirectional=True)", f"{R}(5, 10)"),
    ("lstm-nobias", "nn.LSTM(10, 20, bias=False)", f"{R}(5, 3, 10)"),
    ("gru-docs", "nn.GRU(10, 20, 2)", f"{R}(5, 3, 10)", f"{R}(2, 3, 20)"),
    ("gru-bidirectional-bf", "nn.GRU(10, 20, 2, batch_first=True, bidirectional=True)", f"{R}(3, 5, 10)"),
    ("rnncell", "nn.RNNCell(10, 20)", f"{R}(3, 10)", f"{R}(3, 20)"),
    ("rnncell-unbatched", "nn.RNNCell(10, 20, nonlinearity='relu')", f"{R}(10)"),
    ("lstmcell", "nn.LSTMCell(10, 20)", f"{R}(3, 10)", f"({R}(3, 20), {R}(3, 20))"),
    ("grucell", "nn.GRUCell(10, 20, bias=False)", f"{R}(3, 10)"),
    ("mha-docs", "nn.MultiheadAttention(16, 4)", f"{R}(5, 2, 16)", f"{R}(6, 2, 16)", f"{R}(6, 2, 16)"),
    ("mha-batch-first", "nn.MultiheadAttention(16, 4, batch_first=True)", f"{R}(2, 5, 16)", f"{R}(2, 6, 16)",
     f"{R}(2, 6, 16)"),
    ("mha-kdim-vdim", "nn.MultiheadAttention(16, 4, kdim=8, vdim=6)", f"{R}(5, 2, 16)", f"{R}(6, 2, 8)",
     f"{R}(6, 2, 6)"),
    ("mha-bias-kv", "nn.MultiheadAttention(16, 2, add_bias_kv=True, add_zero_attn=True)", f"{R}(5, 2, 16)",
     f"{R}(6, 2, 16)", f"{R}(6, 2, 16)"),
    ("mha-nobias", "nn.MultiheadAttention(16, 2, bias=False)", f"{R}(5, 2, 16)", f"{R}(6, 2, 16)",
     f"{R}(6, 2, 16)"),
    ("mha-unbatched", "nn.MultiheadAttention(16, 2)", f"{R}(5, 16)", f"{R}(6, 16)", f"{R}(6, 16)"),
    ("transformer-encoder-layer", "nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32)",
     f"{R}(10, 3, 16)"),
    ("transformer-encoder-layer-gelu", "nn.TransformerEncoderLayer(16, 4, 32, activation='gelu', batch_first=True, "
     "norm_first=True)", f"{R}(3, 10, 16)"),
    ("transformer-encoder-layer-module-act", "nn.TransformerEncoderLayer(16, 4, 32, activation=nn.GELU(), "
     "bias=False)", f"{R}(10, 3, 16)"),
    ("transformer-decoder-layer", "nn.TransformerDecoderLayer(16, 4, 32)", f"{R}(10, 3, 16)", f"{R}(7, 3, 16)"),
    ("transformer-decoder-layer-pre", "nn.TransformerDecoderLayer(16, 4, 32, norm_first=True, batch_first=True)",
     f"{R}(3, 10, 16)", f"{R}(3, 7, 16)"),
    ("transformer-encoder", "nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32), num_layers=3, "
     "norm=nn.LayerNorm(16))", f"{R}(10, 3, 16)"),
    ("transformer-decoder", "nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 4, 32), num_layers=2)",
     f"{R}(10, 3, 16)", f"{R}(7, 3, 16)"),
    ("transformer", "nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2, num_decoder_layers=1, "
     "dim_feedforward=32)", f"{R}(10, 3, 16)", f"{R}(7, 3, 16)"),
    ("transformer-default-size", "nn.Transformer(nhead=8, num_encoder_layers=1, num_decoder_layers=1)",
     f"{R}(4, 2, 512)", f"{R}(3, 2, 512)"),
]

ERRORS = [
    ("lstm-input-size", "nn.LSTM(10, 20)", f"{R}(5, 3, 11)"),
    ("lstm-rank4", "nn.LSTM(10, 20)", f"{R}(5, 3, 10, 2)"),
    ("rnn-rank4", "nn.RNN(10, 20)", f"{R}(5, 3, 10, 2)"),
    ("lstm-h0", "nn.LSTM(10, 20, 2)", f"{R}(5, 3, 10)", f"({R}(1, 3, 20), {R}(2, 3, 20))"),
    ("lstm-c0", "nn.LSTM(10, 20, 2)", f"{R}(5, 3, 10)", f"({R}(2, 3, 20), {R}(2, 3, 21))"),
    ("lstm-hx-tensor", "nn.LSTM(10, 20)", f"{R}(5, 3, 10)", f"{R}(1, 3, 20)"),
    ("lstm-unbatched-hx3d", "nn.LSTM(10, 20)", f"{R}(5, 10)", f"({R}(1, 1, 20), {R}(1, 1, 20))"),
    ("gru-h0-batch", "nn.GRU(10, 20)", f"{R}(5, 3, 10)", f"{R}(1, 4, 20)"),
    ("gru-h0-rank", "nn.GRU(10, 20)", f"{R}(5, 3, 10)", f"{R}(3, 20)"),
    ("lstm-ids", "nn.LSTM(10, 20)", "torch.randint(0, 3, (5, 3, 10))"),
    ("lstm-proj-too-big", "nn.LSTM(10, 20, proj_size=20)", f"{R}(5, 3, 10)"),
    ("gru-proj", "nn.GRU(10, 20, proj_size=5)", f"{R}(5, 3, 10)"),
    ("rnn-nonlinearity", "nn.RNN(10, 20, nonlinearity='sigmoid')", f"{R}(5, 3, 10)"),
    ("lstm-dropout", "nn.LSTM(10, 20, dropout=2)", f"{R}(5, 3, 10)"),
    ("lstmcell-input", "nn.LSTMCell(10, 20)", f"{R}(3, 11)"),
    ("lstmcell-batch", "nn.LSTMCell(10, 20)", f"{R}(3, 10)", f"({R}(4, 20), {R}(4, 20))"),
    ("grucell-hidden", "nn.GRUCell(10, 20)", f"{R}(3, 10)", f"{R}(3, 19)"),
    ("rnncell-rank", "nn.RNNCell(10, 20)", f"{R}(2, 3, 10)"),
    ("mha-embed", "nn.MultiheadAttention(16, 4)", f"{R}(5, 2, 15)", f"{R}(5, 2, 15)", f"{R}(5, 2, 15)"),
    ("mha-kv-shapes", "nn.MultiheadAttention(16, 4)", f"{R}(5, 2, 16)", f"{R}(6, 2, 16)", f"{R}(7, 2, 16)"),
    ("mha-batch", "nn.MultiheadAttention(16, 4)", f"{R}(5, 2, 16)", f"{R}(6, 3, 16)", f"{R}(6, 3, 16)"),
    ("mha-rank", "nn.MultiheadAttention(16, 4)", f"{R}(5, 2, 16)", f"{R}(6, 16)", f"{R}(6, 16)"),
    ("mha-kdim", "nn.MultiheadAttention(16, 4, kdim=8, vdim=4)", f"{R}(5, 2, 16)", f"{R}(6, 2, 7)",
     f"{R}(6, 2, 4)"),
    ("mha-kdim-seq", "nn.MultiheadAttention(16, 4, kdim=8, vdim=4)", f"{R}(5, 2, 16)", f"{R}(6, 2, 8)",
     f"{R}(7, 2, 4)"),
    ("mha-heads", "nn.MultiheadAttention(16, 5)", f"{R}(5, 2, 16)", f"{R}(5, 2, 16)", f"{R}(5, 2, 16)"),
    ("transformer-batch", "nn.Transformer(16, 4, 1, 1, 32)", f"{R}(5, 2, 16)", f"{R}(6, 3, 16)"),
    ("transformer-features", "nn.Transformer(16, 4, 1, 1, 32)", f"{R}(5, 2, 16)", f"{R}(6, 2, 15)"),
    ("encoder-layer-dmodel", "nn.TransformerEncoderLayer(16, 4, 32)", f"{R}(5, 2, 12)"),
    ("encoder-layer-activation", "nn.TransformerEncoderLayer(16, 4, 32, activation='tanh')", f"{R}(5, 2, 16)"),
]


@pytest.mark.parametrize("source", table(RNNS))
def test_matches_torch(source):
    assert_same_torch(source)


@pytest.mark.parametrize("source", table(ERRORS))
def test_errors_match_torch(source):
    real, _ = assert_same_torch(source)
    assert real is not None, "torch accepted this case: move it to the other table"


def test_mha_weights_variants():
    for kw in ("need_weights=False", "average_attn_weights=False"):
        assert_same_torch(module_case("nn.MultiheadAttention(16, 4)", call=(
            f"q = torch.randn(5, 2, 16)\nout = model(q, torch.randn(6, 2, 16), torch.randn(6, 2, 16), {kw})\n")))


def test_lstm_explains_both_bias_conventions():
    from shapewise import torch
    from shapewise.torch import nn

    r = torch.summary(nn.Sequential(nn.LSTM(64, 32)), input_size=(10, 4, 64))
    ex = r.layers[0].explanation
    text = " ".join(ex.notes)
    assert "4·h·(i + h + 2) = 12,544" in text and "4·h·(i + h + 1) = 12,416" in text
    assert r.total_params == 4 * 32 * (64 + 32 + 2)
    assert "seq_len" in ex.free_dims() and "input_size" not in ex.free_dims()


MASKS = [("(2, 6)", "False"), ("(6, 2)", "False"), ("(2, 7)", "False"), ("(2, 6, 1)", "False"), ("(6,)", "False"),
         ("(2, 6)", "True"), ("(6, 2)", "True")]


@pytest.mark.parametrize("mask,batch_first", MASKS, ids=[f"{m}-bf{b}" for m, b in MASKS])
def test_mha_key_padding_mask_against_torch(mask, batch_first):
    """key_padding_mask is (batch, source length), whatever batch_first says; a transposed mask is the classic bug."""
    q, kv = ("(2, 5, 16)", "(2, 6, 16)") if batch_first == "True" else ("(5, 2, 16)", "(6, 2, 16)")
    assert_same_torch(module_case(f"nn.MultiheadAttention(16, 4, batch_first={batch_first})", call=(
        f"q = torch.randn{q}\nkv = torch.randn{kv}\nmask = torch.zeros({mask}, dtype=torch.bool)\n"
        "out = model(q, kv, kv, key_padding_mask=mask)\n")))


def test_mha_key_padding_mask_with_bias_kv_counts_the_extra_position():
    for cols in (6, 7):
        assert_same_torch(module_case("nn.MultiheadAttention(16, 2, add_bias_kv=True)", call=(
            f"q = torch.randn(5, 2, 16)\nkv = torch.randn(6, 2, 16)\nmask = torch.zeros(2, {cols}, dtype=torch.bool)\n"
            "out = model(q, kv, kv, key_padding_mask=mask)\n")))
