"""Differential tests of the attention layers (EinsumDense, MultiHeadAttention, GroupedQueryAttention, Attention,
AdditiveAttention) against real Keras."""

import pytest
from oracle import assert_same


def _mha(q="(10, 64)", v="(12, 64)", k=None, call="", out="o", **kw):
    args = ", ".join(f"{a}={b}" for a, b in kw.items())
    key = ", key=k" if k else ""
    ins = "[q, v, k]" if k else "[q, v]"
    return f"""
q = keras.Input({q}); v = keras.Input({v}); k = keras.Input({k or (1,)})
mha = layers.MultiHeadAttention({args})
o = mha(q, v{key}{call})
model = keras.Model({ins}, {out})
"""


def _gqa(q="(10, 8)", v="(12, 8)", k=None, call="", out="o", **kw):
    args = ", ".join(f"{a}={b}" for a, b in kw.items())
    key = ", key=k" if k else ""
    ins = "[q, v, k]" if k else "[q, v]"
    return f"""
q = keras.Input({q}); v = keras.Input({v}); k = keras.Input({k or (1,)})
o = layers.GroupQueryAttention({args})(q, v{key}{call})
model = keras.Model({ins}, {out})
"""


def _att(layer, shapes=("(10, 8)", "(12, 8)"), call="", out="o"):
    ins = "; ".join(f"i{n} = keras.Input({s})" for n, s in enumerate(shapes))
    lst = ", ".join(f"i{n}" for n in range(len(shapes)))
    return f"""
{ins}
o = {layer}([{lst}]{call})
model = keras.Model([{lst}], {out})
"""


def _einsum(shape, equation, output_shape, **kw):
    args = "".join(f", {a}={b!r}" for a, b in kw.items())
    return (f"model = keras.Sequential([keras.Input({shape}), "
            f"layers.EinsumDense({equation!r}, output_shape={output_shape}{args})])")


# Known divergences, deliberately not in the table:
# - keras.layers exports GroupQueryAttention only; shapewise also accepts the class name GroupedQueryAttention
#   (the name a saved config uses).
# - `mha.trainable = False` *before* the first call: Keras then reports the layer's weights as non-trainable but
#   the model's totals as trainable (the projections are created later, trainable); shapewise treats them all as
#   non-trainable. Setting it after the call (mha_frozen_after) matches.
CASES = {
    # MultiHeadAttention
    "mha_basic": _mha(num_heads=8, key_dim=16),
    "mha_self": """
x = keras.Input((10, 64))
model = keras.Model(x, layers.MultiHeadAttention(num_heads=2, key_dim=64)(x, x))
""",
    "mha_key_value_dim_no_bias": _mha("(10, 64)", "(12, 32)", "(12, 48)", num_heads=2, key_dim=4, value_dim=5,
                                      use_bias=False),
    "mha_output_shape_int": _mha("(10, 64)", "(12, 32)", "(12, 48)", num_heads=2, key_dim=4, output_shape=7),
    "mha_output_shape_tuple": _mha("(10, 64)", "(12, 32)", num_heads=2, key_dim=4, output_shape=(3, 7)),
    "mha_output_shape_empty": _mha("(10, 8)", "(12, 8)", num_heads=2, key_dim=4, output_shape=[]),
    "mha_rank4": _mha("(5, 6, 64)", "(5, 6, 32)", num_heads=2, key_dim=4),
    "mha_attention_axes": _mha("(5, 6, 64)", "(5, 6, 32)", num_heads=2, key_dim=4, attention_axes=(1, 2)),
    "mha_attention_axes_int": _mha("(5, 6, 64)", "(5, 6, 32)", num_heads=2, key_dim=4, attention_axes=2),
    "mha_attention_axes_neg": _mha("(5, 6, 64)", "(5, 6, 32)", num_heads=2, key_dim=4, attention_axes=-2),
    "mha_rank2": _mha("(64,)", "(32,)", num_heads=2, key_dim=4),
    "mha_rank5_query": _mha("(2, 3, 4, 8)", "(5, 8)", num_heads=2, key_dim=4),
    "mha_unknown_lengths": _mha("(None, 64)", "(None, 32)", num_heads=2, key_dim=4),
    "mha_gate": _mha("(10, 64)", "(12, 32)", "(12, 48)", num_heads=2, key_dim=4, use_gate=True),
    "mha_dropout": _mha(num_heads=2, key_dim=4, dropout=0.1),
    "mha_scores": _mha("(10, 8)", "(12, 8)", call=", return_attention_scores=True", out="list(o)",
                       num_heads=2, key_dim=4),
    "mha_scores_rank4": _mha("(3, 10, 8)", "(3, 12, 8)", call=", return_attention_scores=True", out="list(o)",
                             num_heads=2, key_dim=4),
    "mha_scores_batch": """
q = keras.Input((10, 8), batch_size=2); v = keras.Input((12, 8))
o, s = layers.MultiHeadAttention(2, 4)(q, v, return_attention_scores=True)
model = keras.Model([q, v], [o, s])
""",
    "mha_causal_kwargs": """
q = keras.Input((10, 8)); v = keras.Input((12, 8))
o = layers.MultiHeadAttention(2, 4)(query=q, value=v, use_causal_mask=True, training=False)
model = keras.Model([q, v], o)
""",
    "mha_attention_mask": """
q = keras.Input((10, 8)); v = keras.Input((12, 8)); m = keras.Input((10, 12))
o = layers.MultiHeadAttention(2, 4)(q, v, key=v, attention_mask=m)
model = keras.Model([q, v, m], o)
""",
    "mha_key_positional": """
q = keras.Input((10, 8)); v = keras.Input((12, 8)); k = keras.Input((12, 3))
model = keras.Model([q, v, k], layers.MultiHeadAttention(2, 4)(q, v, k))
""",
    "mha_shared": """
x = keras.Input((10, 8)); y = keras.Input((10, 8))
mha = layers.MultiHeadAttention(2, 4)
model = keras.Model([x, y], [mha(x, x), mha(y, y)])
""",
    "mha_frozen_after": """
x = keras.Input((10, 8))
mha = layers.MultiHeadAttention(2, 4)
o = mha(x, x)
mha.trainable = False
model = keras.Model(x, o)
""",
    # Building MHA/GQA takes the auto-names softmax and dropout (Keras creates them inside)
    "mha_internal_names": """
x = keras.Input((10, 16))
a = layers.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
a = layers.Dropout(0.1)(a)
h = layers.Add()([x, a])
b = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="second")(h, h)
model = keras.Model(x, layers.Dropout(0.2)(b))
""",
    "transformer_block": """
inputs = keras.Input(shape=(200,))
x = layers.Embedding(20000, 32)(inputs)
att = layers.MultiHeadAttention(num_heads=2, key_dim=32)(x, x)
att = layers.Dropout(0.1)(att)
x = layers.add([x, att])
ffn = layers.Dense(32, activation="relu")(x)
ffn = layers.Dense(32)(ffn)
x = layers.Dropout(0.1)(layers.Add()([x, ffn]))
x = layers.Flatten()(x)
model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
""",
    # MultiHeadAttention failures
    "mha_key_value_mismatch_fails": _mha("(10, 64)", "(12, 32)", "(13, 48)", num_heads=2, key_dim=4),
    "mha_key_value_unknown_fails": _mha("(10, 8)", "(None, 8)", "(12, 3)", num_heads=2, key_dim=4),
    "mha_unknown_features_fails": _mha("(10, None)", "(12, 32)", num_heads=2, key_dim=4),
    "mha_num_heads_zero_fails": _mha(num_heads=0, key_dim=4),
    "mha_num_heads_float_fails": _mha(num_heads=2.0, key_dim=4),
    "mha_key_dim_zero_fails": _mha(num_heads=2, key_dim=0),
    "mha_value_dim_zero_fails": _mha(num_heads=2, key_dim=4, value_dim=0),
    "mha_output_shape_bad_fails": _mha(num_heads=2, key_dim=4, output_shape="object()"),
    "mha_attention_axes_str_fails": _mha(num_heads=2, key_dim=4, attention_axes="'x'"),
    "mha_attention_axes_out_of_range_fails": _mha(num_heads=2, key_dim=4, attention_axes=5),
    "mha_dropout_bad_fails": _mha(num_heads=2, key_dim=4, dropout=1.5),
    "mha_no_value_fails": """
q = keras.Input((10, 8))
model = keras.Model(q, layers.MultiHeadAttention(2, 4)(q))
""",
    "mha_list_fails": """
q = keras.Input((10, 8))
model = keras.Model(q, layers.MultiHeadAttention(2, 4)([q, q]))
""",
    # GroupedQueryAttention
    "gqa_basic": _gqa(head_dim=4, num_query_heads=4, num_key_value_heads=2),
    "gqa_key": _gqa(k="(12, 6)", head_dim=4, num_query_heads=4, num_key_value_heads=2),
    "gqa_scores": _gqa(k="(12, 6)", call=", return_attention_scores=True", out="list(o)", head_dim=4,
                       num_query_heads=4, num_key_value_heads=2),
    "gqa_no_bias_gate": _gqa(head_dim=4, num_query_heads=6, num_key_value_heads=3, use_bias=False, use_gate=True),
    "gqa_gate": _gqa(head_dim=4, num_query_heads=4, num_key_value_heads=4, use_gate=True),
    "gqa_rank4": _gqa("(5, 10, 8)", "(5, 12, 8)", head_dim=4, num_query_heads=4, num_key_value_heads=2),
    "gqa_unknown_len": _gqa("(None, 8)", "(None, 8)", head_dim=4, num_query_heads=4, num_key_value_heads=2),
    "gqa_internal_names": """
q = keras.Input((10, 8))
o = layers.GroupQueryAttention(4, 4, 2)(q, q)
model = keras.Model(q, layers.Dropout(0.5)(o))
""",
    "gqa_features_mismatch_fails": _gqa("(10, 8)", "(12, 6)", head_dim=4, num_query_heads=4,
                                        num_key_value_heads=2),
    "gqa_key_value_mismatch_fails": _gqa(k="(13, 6)", head_dim=4, num_query_heads=4, num_key_value_heads=2),
    "gqa_not_divisible_fails": _gqa(head_dim=4, num_query_heads=4, num_key_value_heads=3),
    "gqa_zero_kv_heads_fails": _gqa(head_dim=4, num_query_heads=4, num_key_value_heads=0),
    "gqa_zero_head_dim_fails": _gqa(head_dim=0, num_query_heads=4, num_key_value_heads=2),
    "gqa_rank2_fails": _gqa("(8,)", "(8,)", head_dim=4, num_query_heads=4, num_key_value_heads=2),
    # Attention / AdditiveAttention
    "attention": _att("layers.Attention()"),
    "attention_key": _att("layers.Attention()", ("(10, 8)", "(12, 8)", "(12, 5)")),
    "attention_value_features": _att("layers.Attention()", ("(10, 8)", "(12, 3)")),
    "attention_scale": _att("layers.Attention(use_scale=True)"),
    "attention_concat": _att("layers.Attention(use_scale=True, score_mode='concat')"),
    "attention_concat_only": _att("layers.Attention(score_mode='concat', dropout=0.1)"),
    "attention_scores": _att("layers.Attention()", ("(10, 8)", "(12, 8)", "(12, 5)"),
                             call=", return_attention_scores=True", out="list(o)"),
    "attention_rank4": _att("layers.Attention()", ("(3, 10, 8)", "(3, 12, 8)")),
    "attention_causal": _att("layers.Attention()", call=", use_causal_mask=True"),
    "additive": _att("layers.AdditiveAttention()"),
    "additive_no_scale": _att("layers.AdditiveAttention(use_scale=False)"),
    "additive_key": _att("layers.AdditiveAttention()", ("(10, 8)", "(12, 8)", "(12, 8)")),
    "additive_concat": _att("layers.AdditiveAttention(score_mode='concat')"),
    "attention_names": """
a = keras.Input((4, 3)); b = keras.Input((5, 3))
x = layers.Attention()([a, b]); y = layers.Attention()([a, b]); z = layers.AdditiveAttention()([a, b])
model = keras.Model([a, b], [x, y, z, layers.Dropout(0.1)(z)])
""",
    "attention_tuple_fails": _att("layers.Attention()").replace("([i0, i1]", "((i0, i1)"),
    "attention_single_fails": """
q = keras.Input((10, 8))
model = keras.Model(q, layers.Attention()(q))
""",
    "attention_one_fails": _att("layers.Attention()", ("(10, 8)",)),
    "attention_four_fails": _att("layers.Attention()", ("(10, 8)", "(12, 8)", "(12, 8)", "(12, 8)")),
    "attention_score_mode_fails": _att("layers.Attention(score_mode='x')"),
    "additive_unknown_features_fails": _att("layers.AdditiveAttention()", ("(10, None)", "(12, 8)")),
    # EinsumDense
    "einsum_dense": _einsum("(10, 8)", "abc,cd->abd", "(None, 64)", bias_axes="d"),
    "einsum_left_ellipsis": _einsum("(10, 8)", "...b,bc->...c", "64", bias_axes="c"),
    "einsum_left_ellipsis_rank4": _einsum("(3, 4, 8)", "...c,cd->...d", "(64,)", bias_axes="d"),
    "einsum_right_ellipsis": _einsum("(8, 3, 4)", "bc...,cd->bd...", "(64,)", bias_axes="d"),
    "einsum_heads": _einsum("(10, 8)", "abc,cde->abde", "(10, 4, 64)", bias_axes="be"),
    "einsum_known_out": _einsum("(10, 8)", "abc,cd->abd", "(10, 64)", activation="relu"),
    "einsum_no_bias": _einsum("(10, 8)", "abc,cd->abd", "(None, 5)"),
    "einsum_2d": _einsum("(8,)", "ab,bc->ac", "4", bias_axes="c"),
    "einsum_weird": _einsum("(10, 8)", "ab,bc->ac", "4"),
    "einsum_int_output": _einsum("(10, 8)", "abc,cd->abd", "(None, 64)", bias_axes="d").replace(
        "Sequential([", "Sequential([layers.Dense(8), ").replace("keras.Input((10, 8)), ", "").replace(
        "layers.Dense(8), ", "keras.Input((10, 8)), layers.Dense(8), "),
    "einsum_shared_dim_mismatch_fails": _einsum("(10, 8)", "abc,cde->abde", "(11, 4, 64)", bias_axes="be"),
    "einsum_bad_bias_fails": _einsum("(10, 8)", "abc,cd->abd", "(None, 64)", bias_axes="x"),
    "einsum_output_letter_fails": _einsum("(10, 8)", "abc,cd->abe", "(None, 64)"),
    "einsum_weight_letter_fails": _einsum("(10, 8)", "abc,cde->abd", "(None, 64)"),
    "einsum_bad_equation_fails": _einsum("(10, 8)", "abc,cd", "(None, 64)"),
    "einsum_bias_unknown_fails": _einsum("(10, 8)", "abc,cd->abd", "(None, 64)", bias_axes="bd"),
    "einsum_rank_fails": _einsum("(10, 8)", "abcd,cde->abe", "(None, 64)", bias_axes="e"),
    "einsum_out_rank_fails": _einsum("(10, 8)", "abc,cd->abd", "(64,)"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def _report(source):
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    ns = {"keras": sk, "layers": sk.layers}
    exec(source, ns)  # our own test source
    return model_report(ns["model"]).to_json()


def test_mha_explains_heads_and_free_lengths():
    layer = _report(_mha(num_heads=8, key_dim=16))["layers"][-1]
    ex = layer["explanation"]
    assert layer["params"] == 4 * 8 * 16 * 64 + 3 * 8 * 16 + 64
    assert "8 heads" in ex["units"] and "key_dim=16" in ex["units"]
    assert "query_len" in ex["free_dims"] and "value_len" in ex["free_dims"]
    assert "query_features" not in ex["free_dims"]
    assert "num_heads" in ex["formula"]
