"""LoRA and quantization: the exact weights Keras 3.15.1 creates (names, shapes, trainable flags, order), differential.

LoRA's configurations are those of Keras's own tests (dense_test, einsum_dense_test, embedding_test: lora_rank=2
at construction, enable_lora on a built layer, both refused twice or before the layer is built).
"""

import pytest
from oracle import assert_same

CASES = {
    "dense_lora": "model = keras.Sequential([keras.Input((8,)), layers.Dense(4, lora_rank=2)])",
    "dense_lora_alpha_no_bias": """
model = keras.Sequential([keras.Input((2, 8)), layers.Dense(16, lora_rank=4, lora_alpha=8.0, use_bias=False)])
""",
    "dense_enable_lora": """
model = keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.Dense(4)])
model.layers[0].enable_lora(3)
""",
    "dense_enable_lora_functional": """
inputs = keras.Input((8,))
dense = layers.Dense(4)
model = keras.Model(inputs, layers.Dense(1)(dense(inputs)))
dense.enable_lora(2, lora_alpha=4)
""",
    "dense_enable_lora_unbuilt_fails": """
dense = layers.Dense(4)
dense.enable_lora(2)
model = keras.Sequential([keras.Input((8,)), dense])
""",
    "dense_enable_lora_twice_fails": """
model = keras.Sequential([keras.Input((8,)), layers.Dense(4, lora_rank=2)])
model.layers[0].enable_lora(3)
""",
    "dense_lora_constraint_fails": """
model = keras.Sequential([keras.Input((8,)), layers.Dense(4, lora_rank=2, kernel_constraint="max_norm")])
""",
    "dense_lora_frozen_layer": """
dense = layers.Dense(4, lora_rank=2)
model = keras.Sequential([keras.Input((8,)), dense])
dense.trainable = False
""",
    "einsum_dense_lora": """
model = keras.Sequential([keras.Input((3, 8)),
                          layers.EinsumDense("abc,cde->abde", output_shape=(3, 4, 5), bias_axes="de", lora_rank=2)])
""",
    "einsum_dense_enable_lora": """
model = keras.Sequential([keras.Input((8,)), layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c")])
model.layers[0].enable_lora(2)
""",
    "embedding_lora": "model = keras.Sequential([keras.Input((3,)), layers.Embedding(10, 4, lora_rank=2)])",
    "embedding_enable_lora": """
model = keras.Sequential([keras.Input((3,)), layers.Embedding(10, 16), layers.GlobalAveragePooling1D(),
                          layers.Dense(2)])
model.layers[0].enable_lora(4)
model.layers[2].enable_lora(4)
""",
    "nested_lora": """
inner = keras.Sequential([keras.Input((8,)), layers.Dense(4, lora_rank=2)])
inputs = keras.Input((8,))
model = keras.Model(inputs, layers.Dense(1)(inner(inputs)))
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source, compare_bytes=True)


def test_lora_explanation_says_why_the_trainable_count_drops():
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    model = sk.Sequential([sk.Input((8,)), sk.layers.Dense(4, lora_rank=2)])
    report = model_report(model).to_json()
    (dense,) = report["layers"]
    text = dense["explanation"]["shape"] if isinstance(dense["explanation"], dict) else str(dense["explanation"])
    assert "LoRA, rank 2" in str(dense["explanation"]), dense["explanation"]
    assert "lora_kernel_a (8 × 2)" in str(dense["explanation"])
    assert "24 numbers instead of 32" in str(dense["explanation"])
    assert text


# Quantization: dtype policies at construction and model.quantize(mode) (dense_test, embedding_test, model_test:
# int8, int4, float8, each with LoRA too). What Keras itself refuses (a bare "int8" policy, GPTQ/AWQ without a
# config, an unknown mode) must fail in shapewise too.
QUANT_CASES = {
    **{f"dense_{dt}": f"model = keras.Sequential([keras.Input((7,)), layers.Dense(4, dtype={dt!r})])"
       for dt in ["int8_from_float32", "int4_from_float32", "float8_from_float32", "int8_from_mixed_bfloat16",
                  "int8_from_bfloat16", "float8_from_mixed_float16"]},
    "dense_int8_no_bias": "model = keras.Sequential([keras.Input((7,)), layers.Dense(4, use_bias=False, "
                          "dtype='int8_from_float32')])",
    "dense_int8_rank3": "model = keras.Sequential([keras.Input((3, 7)), layers.Dense(5, dtype='int8_from_float32')])",
    "dense_int8_lora": "model = keras.Sequential([keras.Input((8,)), layers.Dense(4, dtype='int8_from_float32', "
                       "lora_rank=2)])",
    "dense_int4_lora": "model = keras.Sequential([keras.Input((7,)), layers.Dense(5, dtype='int4_from_float32', "
                       "lora_rank=2)])",
    **{f"embedding_{dt}": f"model = keras.Sequential([keras.Input((3,)), layers.Embedding(10, 5, dtype={dt!r})])"
       for dt in ["int8_from_float32", "int4_from_float32", "int8_from_mixed_bfloat16"]},
    "embedding_int8_lora": "model = keras.Sequential([keras.Input((3,)), layers.Embedding(10, 4, "
                           "dtype='int8_from_float32', lora_rank=2)])",
    **{f"quantize_{mode}": f"""
model = keras.Sequential([keras.Input((7,)), layers.Dense(16), layers.Dense(4, lora_rank=2)])
model.quantize({mode!r})
""" for mode in ["int8", "int4", "float8"]},
    **{f"quantize_embedding_{mode}": f"""
model = keras.Sequential([keras.Input((3,)), layers.Embedding(300, 4), layers.Flatten(), layers.Dense(200)])
model.quantize({mode!r})
""" for mode in ["int8", "int4", "float8"]},
    "quantize_int4_blocks": """
model = keras.Sequential([keras.Input((300,)), layers.Dense(5)])
model.quantize("int4")
""",
    "quantize_nested_functional": """
inner = keras.Sequential([keras.Input((6,)), layers.Dense(3)])
i = keras.Input((6,))
model = keras.Model(i, layers.Dense(2)(inner(i)))
model.quantize("int8")
""",
    "quantize_then_lora": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize("int8")
model.layers[0].enable_lora(2)
""",
    "layer_quantize": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4), layers.Dense(2)])
model.layers[1].quantize("int8")
""",
    "bare_int8_policy_fails": "model = keras.Sequential([keras.Input((7,)), layers.Dense(4, dtype='int8')])",
    "gptq_policy_fails": "model = keras.Sequential([keras.Input((7,)), layers.Dense(4, dtype='gptq')])",
    "quantize_gptq_without_config_fails": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize("gptq")
""",
    "quantize_awq_without_config_fails": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize("awq")
""",
    "quantize_unknown_mode_fails": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize("int2")
""",
    "quantize_twice_fails": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize("int8")
model.quantize("int8")
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", QUANT_CASES.values(), ids=QUANT_CASES.keys())
def test_quantization_matches_keras(source):
    assert_same(source, compare_bytes=True)


# EinsumDense (einsum_dense_test.py: test_quantize_int, test_quantize_with_specific_equations,
# test_quantize_lora_integration, test_int4_block_size_various_equations, test_int4_grouped_multi_reduced_axes):
# policies and quantize(), the kernel_scale laid out as the output's axes, int4's flattened kernel, Keras's
# failures (equations with '...', the int8 scale that does not fit 'ab,ab->a').
_EINSUM = {
    "ab_bcd": ("ab,bcd->acd", (8, 32), "d", (3,)),
    "reduce_transpose": ("abcde,afce->acdbf", (2, 4, 8, 16), "d", (8, 2, 4, 32)),
    "squeeze": ("ab,ab->a", (2,), None, (4,)),
    "btnh_nhd": ("btnh,nhd->btd", (None, 8), None, (2, 2, 4)),
    "btd_ndh": ("btd,ndh->btnh", (None, 2, 8), None, (2, 4)),
    "bnh_nhd": ("bnh,nhd->bd", (64,), None, (4, 32)),
    "dense_like_300": ("ab,bc->ac", (300,), "c", (300,)),
    "ellipsis": ("...b,bc->...c", (5,), None, (3, 7)),
    "ellipsis_right": ("bc...,cde->bde...", (3, 4), "de", (2, 5, 6)),
}


def _einsum_layer(eq, out, bias, extra=""):
    return f"layers.EinsumDense({eq!r}, output_shape={out!r}, bias_axes={bias!r}{extra})"


EINSUM_QUANT_CASES = {}
for _id, (_eq, _out, _bias, _shape) in _EINSUM.items():
    for _dt in ["int8_from_float32", "int4_from_float32", "float8_from_float32", "int4/64_from_float32",
                "gptq/4/128_from_float32", "awq/4/-1_from_float32"]:
        EINSUM_QUANT_CASES[f"{_id}-{_dt}"] = (
            f"model = keras.Sequential([keras.Input({_shape!r}), "
            f"{_einsum_layer(_eq, _out, _bias, f', dtype={_dt!r}')}])")
    for _mode in ["int8", "int4", "float8"]:
        EINSUM_QUANT_CASES[f"{_id}-quantize_{_mode}"] = (
            f"model = keras.Sequential([keras.Input({_shape!r}), {_einsum_layer(_eq, _out, _bias)}])\n"
            f"model.quantize({_mode!r})")
EINSUM_QUANT_CASES.update({
    **{f"int4_block_{bs}": f"""
model = keras.Sequential([keras.Input((4, 32)), layers.EinsumDense("bnh,nhd->bd", output_shape=(64,))])
model.quantize("int4", config=keras.quantizers.Int4QuantizationConfig(block_size={bs}))
""" for bs in [64, 32, None, -1]},
    "int4_block_layer_dense": """
model = keras.Sequential([keras.Input((300,)), layers.Dense(5)])
model.layers[0].quantize("int4", config=keras.quantizers.Int4QuantizationConfig(block_size=64))
""",
    "int4_block_0_fails": """
model = keras.Sequential([keras.Input((300,)), layers.Dense(5)])
model.quantize("int4", config=keras.quantizers.Int4QuantizationConfig(block_size=0))
""",
    "einsum_int8_lora": f"""
model = keras.Sequential([keras.Input((4, 32)),
                          layers.EinsumDense("btd,ndh->btnh", output_shape=(4, 8, 16), lora_rank=2)])
model.quantize("int8")
""",
    "einsum_int4_then_lora": """
model = keras.Sequential([keras.Input((64,)), layers.EinsumDense("ab,bcd->acd", output_shape=(8, 32))])
model.quantize("int4")
model.layers[0].enable_lora(2)
""",
    "einsum_policy_lora": """
model = keras.Sequential([keras.Input((64,)), layers.EinsumDense("ab,bcd->acd", output_shape=(8, 32),
                                                                  dtype="int4_from_float32", lora_rank=4)])
""",
    "mixed_einsum_dense_embedding": """
model = keras.Sequential([keras.Input((3,)), layers.Embedding(50, 8),
                          layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d"),
                          layers.Flatten(), layers.Dense(2)])
model.quantize("int8")
""",
    **{f"inside_{name}_{mode}": f"""
q = keras.Input((5, 16))
model = keras.Model(q, layers.Dense(3)({body}))
model.quantize({mode!r})
""" for mode in ["int8", "int4", "float8"] for name, body in [
        ("mha", "layers.MultiHeadAttention(num_heads=2, key_dim=4)(q, q)"),
        ("gqa", "layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)(q, q)"),
        ("time_distributed", "layers.TimeDistributed(layers.Dense(4))(q)")]},
    "int8_quantize_float16_fails": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4, dtype="float16")])
model.quantize("int8")
""",
    "contradictory_config_fails": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize("int8", config=keras.quantizers.Int4QuantizationConfig())
""",
    "config_only": """
model = keras.Sequential([keras.Input((7,)), layers.Dense(4)])
model.quantize(config=keras.quantizers.Int4QuantizationConfig(block_size=None))
""",
})


@pytest.mark.keras
@pytest.mark.parametrize("source", EINSUM_QUANT_CASES.values(), ids=EINSUM_QUANT_CASES.keys())
def test_einsum_quantization_matches_keras(source):
    assert_same(source, compare_bytes=True)


# GPTQ and AWQ (gptq_test.py, awq_test.py, dense_test/einsum_dense_test's policies): the weights a policy creates at
# build; quantize() with a config creates them beside the float kernel, then Keras needs a layer structure, a
# dataset and a tokenizer to calibrate (shapewise stops there, saying so: it runs no model on data).
CALIBRATED_CASES = {
    **{f"dense_{dt}": f"model = keras.Sequential([keras.Input((300,)), layers.Dense(5, dtype={dt!r})])"
       for dt in ["gptq/4/128_from_float32", "gptq/8/-1_from_float32", "gptq/3/2_from_float32",
                  "gptq/2/64_from_mixed_bfloat16", "awq/4/128_from_float32", "awq/4/-1_from_float32",
                  "gptq/5/128_from_float32", "gptq_from_float32", "awq/8/128_from_float32", "gptq/4/0_from_float32",
                  "int4/0_from_float32", "int4/x_from_float32"]},
    **{f"embedding_{dt}": f"model = keras.Sequential([keras.Input((3,)), layers.Embedding(300, 6, dtype={dt!r})])"
       for dt in ["int4/64_from_float32", "int4/-1_from_float32"]},
    "dense_awq_lora_fails": "model = keras.Sequential([keras.Input((300,)), layers.Dense(5, lora_rank=2, "
                            "dtype='awq/4/128_from_float32')])",
    "einsum_gptq_4d_fails": "model = keras.Sequential([keras.Input((8, 2, 4, 32)), layers.EinsumDense("
                            "'abcde,afce->acdbf', output_shape=(2, 4, 8, 16), dtype='gptq/4/128_from_float32')])",
    "dense_int4_config_at_construction": "model = keras.Sequential([keras.Input((300,)), layers.Dense(5, "
                                         "dtype='int4_from_float32', quantization_config="
                                         "keras.quantizers.Int4QuantizationConfig(block_size=64))])",
    **{f"quantize_{mode}_without_structure_fails": f"""
model = keras.Sequential([keras.Input((300,)), layers.Dense(5), layers.Embedding(10, 3)])
model.quantize({mode!r}, config=keras.quantizers.{cfg}(dataset=["a b"], tokenizer=None))
""" for mode, cfg in [("gptq", "GPTQConfig"), ("awq", "AWQConfig")]},
    **{f"quantize_{mode}_without_data_fails": f"""
model = keras.Sequential([keras.Input((300,)), layers.Dense(5)])
model.quantize({mode!r}, config=keras.quantizers.{cfg}(dataset=None, tokenizer=None,
               quantization_layer_structure={{"pre_block_layers": [], "sequential_blocks": [model.layers[0]]}}))
""" for mode, cfg in [("gptq", "GPTQConfig"), ("awq", "AWQConfig")]},
    **{f"layer_quantize_{mode}": f"""
model = keras.Sequential([keras.Input((300,)), layers.Dense(5), layers.EinsumDense("ab,bc->ac", (4,))])
for layer in model.layers:
    layer.quantize({mode!r}, config=keras.quantizers.{cfg}(dataset=None, tokenizer=None, group_size=64))
""" for mode, cfg in [("gptq", "GPTQConfig"), ("awq", "AWQConfig")]},
    "gptq_config_bad_bits_fails": """
model = keras.Sequential([keras.Input((300,)), layers.Dense(5)])
model.layers[0].quantize("gptq", config=keras.quantizers.GPTQConfig(None, None, weight_bits=5))
""",
    "layer_quantize_embedding_float8_fails": """
model = keras.Sequential([keras.Input((3,)), layers.Embedding(10, 4)])
model.layers[0].quantize("float8")
""",
    "model_quantize_embedding_gptq_skips": """
model = keras.Sequential([keras.Input((3,)), layers.Embedding(10, 4), layers.Dense(3)])
for layer in model.layers:
    try:
        layer.quantize("gptq", config=keras.quantizers.GPTQConfig(None, None))
    except Exception:
        pass
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CALIBRATED_CASES.values(), ids=CALIBRATED_CASES.keys())
def test_gptq_awq_match_keras(source):
    assert_same(source, compare_bytes=True)


# Where Keras's build raises NotImplementedError, a Sequential model catches it and leaves the layer unbuilt (0
# params, no output): shapewise stops with the reason instead of a model that would fail at its first use.
UNBUILT_CASES = {
    **{f"embedding_{dt}": (f"layers.Embedding(300, 6, dtype={dt!r})", (3,), "Expected one of ('int8', 'int4')")
       for dt in ["gptq/4/128_from_float32", "awq/4/128_from_float32", "float8_from_float32"]},
    **{f"reversible_embedding_{dt}_tie_{tie}": (f"layers.ReversibleEmbedding(300, 6, tie_weights={tie}, dtype={dt!r})",
                                                (3,), "Expected one of ('int8', 'int4')")
       for dt in ["gptq/4/128_from_float32", "awq/4/128_from_float32", "float8_from_float32"] for tie in (True, False)},
    "dense_gptq_lora": ("layers.Dense(5, lora_rank=2, dtype='gptq/4/128_from_float32')", (300,),
                        "lora is not currently supported with GPTQ"),
}


@pytest.mark.keras
@pytest.mark.parametrize("layer, shape, message", UNBUILT_CASES.values(), ids=UNBUILT_CASES.keys())
def test_what_keras_leaves_unbuilt_is_a_clear_error(layer, shape, message):
    from oracle import real_keras

    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    keras = real_keras()
    keras.backend.clear_session()
    built = eval(layer, {"layers": keras.layers})  # our own test source
    model = keras.Sequential([keras.Input(shape), built])
    assert not hasattr(model, "outputs") or not built.built or not built.lora_enabled
    sk.clear_session()
    with pytest.raises(ShapewiseError) as e:
        sk.Sequential([sk.Input(shape), eval(layer, {"layers": sk.layers})])
    assert message in str(e.value), str(e.value)


# ReversibleEmbedding (reversible_embedding_test.py: test_reversible_embedding_quantize, test_quantize_int,
# test_quantize_dtype_argument, test_reversible_embedding_int8_custom_quantizer, test_int4_quantization_block_size,
# test_int4_block_size_serialization, test_int4_grouped_vs_perchannel_scale_shapes, test_int4_subchannel_g_idx_*,
# test_int4_perchannel_no_g_idx, test_reversible_embedding_basics, test_masking): its table quantized as an
# Embedding's and, untied, its reverse table too; the layers Keras's tests build alone (``layer.build()``) are built
# here by a model's Input, which creates the same weights. float8 / GPTQ / AWQ: Keras has no form (layer.quantize
# raises, model.quantize skips the layer). The oracle runs these on the CPU: on the meta device Keras's quantize
# fails and model.quantize skips every layer.
def _rev(args, then="", shape=(3,)):
    return (f"model = keras.Sequential([keras.Input({shape!r}, dtype='int32'), layers.ReversibleEmbedding({args})])"
            + (f"\n{then}" if then else ""))


_Q = "keras.quantizers"
REVERSIBLE_CASES = {
    **{f"basics-tie_{tie}": _rev(f"100, 32, tie_weights={tie}, embeddings_initializer='HeNormal', "
                                 f"logit_soft_cap=50", shape=(10,)) for tie in (True, False)},
    "masking": _rev("3, 2, mask_zero=True"),
    "config-int8": _rev("10, 6", f"model.layers[0].quantize('int8', config={_Q}.Int8QuantizationConfig("
                                 f"weight_quantizer={_Q}.AbsMaxQuantizer(axis=-1), "
                                 f"activation_quantizer={_Q}.AbsMaxQuantizer(axis=-1)))"),
    "config-int4-custom": _rev("10, 6", f"model.layers[0].quantize('int4', config={_Q}.Int4QuantizationConfig("
                                        f"weight_quantizer={_Q}.AbsMaxQuantizer(axis=-1, value_range=(-8, 7), "
                                        f"output_dtype='int8'), activation_quantizer={_Q}.AbsMaxQuantizer(axis=-1), "
                                        f"block_size=None))"),
    "config-int8-weight-only": _rev("10, 6", f"model.layers[0].quantize('int8', config={_Q}.Int8QuantizationConfig("
                                             f"weight_quantizer={_Q}.AbsMaxQuantizer(axis=-1), "
                                             f"activation_quantizer=None))"),
    "config-int8-custom-range": _rev("100, 16", f"model.layers[0].quantize('int8', config={_Q}.Int8QuantizationConfig("
                                                f"weight_quantizer={_Q}.AbsMaxQuantizer(axis=-1, value_range=(-20, 20))))"),
    **{f"quantize_int-{mode}-tie_{tie}": _rev(f"10, 16, tie_weights={tie}", f"model.layers[0].quantize({mode!r})")
       for mode in ("int4", "int8") for tie in (False, True)},
    **{f"model_quantize-{mode}-tie_{tie}": _rev(f"100, 15, tie_weights={tie}", f"model.quantize({mode!r})")
       for mode in ("int4", "int8", "float8") for tie in (False, True)},
    **{f"dtype-{dt.split('_')[0].replace('/', '_')}-{dt.split('_from_')[1]}-tie_{tie}":
       _rev(f"100, 32, tie_weights={tie}, embeddings_initializer='HeNormal', dtype={dt!r}", shape=(10,))
       for dt in ("int8_from_mixed_bfloat16", "int4_from_mixed_bfloat16", "int8_from_float32", "int4/8_from_float32",
                  "int4/-1_from_float32") for tie in (True, False)},
    **{f"int4_block-{dims.replace(', ', 'x')}-{bs}-tie_{tie}": _rev(f"{dims}, tie_weights={tie}", f"model.layers[0].quantize('int4', "
                                          f"config={_Q}.Int4QuantizationConfig(block_size={bs}))", shape=(8,))
       for dims, sizes in (("100, 256", (64, 128, None, -1)), ("50, 128", (64,)), ("10, 16", (4, 8)))
       for bs in sizes for tie in (True, False)},
    "int4_policy_with_config": _rev("100, 15, tie_weights=False, dtype='int4_from_float32', quantization_config="
                                    f"{_Q}.Int4QuantizationConfig(block_size=4)"),
    "layer_quantize_float8_fails": _rev("10, 4", "model.layers[0].quantize('float8')"),
    "layer_quantize_gptq_fails": _rev("10, 4", f"model.layers[0].quantize('gptq', config={_Q}.GPTQConfig(None, None))"),
    "quantize_twice_fails": _rev("10, 4", "model.layers[0].quantize('int8')\nmodel.layers[0].quantize('int4')"),
    "quantize_float16_int8_fails": _rev("10, 4, dtype='float16'", "model.layers[0].quantize('int8')"),
    **{f"lora-{name}": src for name, src in {
        "tied_int8_policy": _rev("100, 16, lora_rank=2, dtype='int8_from_float32'"),
        "untied_int4_policy": _rev("100, 16, tie_weights=False, lora_rank=2, dtype='int4/8_from_float32'"),
        "untied_quantize_then_lora": _rev("100, 16, tie_weights=False", "model.quantize('int8')\n"
                                                                         "model.layers[0].enable_lora(2)"),
        "untied_lora_then_quantize": _rev("100, 16, tie_weights=False", "model.layers[0].enable_lora(2)\n"
                                                                         "model.quantize('int4')"),
        "tied_lora_then_quantize": _rev("100, 16", "model.layers[0].enable_lora(2)\nmodel.quantize('int8')"),
        "tied_float": _rev("100, 16, lora_rank=2"),
        "untied_enable_lora": _rev("100, 16, tie_weights=False", "model.layers[0].enable_lora(3)"),
        "untied_lora_rank_fails": _rev("100, 16, tie_weights=False, lora_rank=2"),
    }.items()},
    "reverse_call_model_quantize": """
i = keras.Input((8,), dtype="int32")
emb = layers.ReversibleEmbedding(100, 16, tie_weights=False, logit_soft_cap=30, reverse_dtype="float32")
h = layers.Dense(16)(emb(i))
model = keras.Model(i, emb(h, reverse=True))
model.quantize("int4")
""",
    "mixed_model_quantize_int8": """
i = keras.Input((8,), dtype="int32")
emb = layers.ReversibleEmbedding(64, 12)
h = layers.EinsumDense("abc,cd->abd", output_shape=(None, 12), bias_axes="d")(emb(i))
model = keras.Model(i, emb(h, reverse=True))
model.quantize("int8")
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("case", REVERSIBLE_CASES)
def test_reversible_embedding_quantization_matches_keras(case):
    keras_outcome, _ = assert_same(REVERSIBLE_CASES[case], compare_bytes=True)
    assert (keras_outcome.error is not None) == case.endswith("_fails"), keras_outcome.error


def test_quantized_reversible_embedding_explains_its_reverse_table():
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    model = sk.Sequential([sk.Input((3,), dtype="int32"),
                           sk.layers.ReversibleEmbedding(100, 15, tie_weights=False, dtype="int4/8_from_float32")])
    (layer,) = model_report(model).to_json()["layers"]
    text = str(layer["explanation"])
    assert "reverse_embeddings (output_dim × input_dim = 15 × 100)" in text, text
    assert "reverse_embeddings_zero (a float32 zero point" in text, text
    sk.clear_session()
    model = sk.Sequential([sk.Input((3,), dtype="int32"), sk.layers.ReversibleEmbedding(100, 15)])
    model.quantize("int8")
    (layer,) = model_report(model).to_json()["layers"]
    assert "reverse=True (tie_weights=True) projects with this quantized table transposed" in str(
        layer["explanation"]), layer["explanation"]


# Pasted code goes through the snippet interpreter and the oracle's run_keras_source, which builds on the meta device
# first: there model.quantize() silently leaves every layer float (it catches the meta tensor's NotImplementedError),
# so the oracle must notice and build on the CPU.
QUANT_SNIPPETS = {
    "lm_head_int8": """
import keras
from keras import layers

tokens = keras.Input((16,), dtype="int32")
embed = layers.ReversibleEmbedding(1000, 32, tie_weights=False)
x = embed(tokens)
x = layers.Dense(64, activation="relu")(x)
x = layers.Dense(32)(x)
logits = embed(x, reverse=True)
model = keras.Model(tokens, logits)
model.quantize("int8")
model.summary()
""",
    "sequential_int4_layer": """
import keras
model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(300), keras.layers.Dense(5)])
model.layers[0].quantize("int4")
model.summary()
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("name", QUANT_SNIPPETS)
def test_quantized_snippet_matches_keras_on_the_cpu(name):
    from oracle import assert_same_source

    keras_models, _ = assert_same_source(QUANT_SNIPPETS[name], f"<{name}>")
    names = [w[0] for layer in keras_models[0]["layers"] for w in layer["weights"]]
    assert any(n.endswith("_scale") for n in names), names  # Keras's side really is quantized


# model.quantize(mode, filters=...) (model_test.py's test_quantize_with_filters and keras/src/quantizers/utils.py's
# should_quantize_layer): a regex searched in each layer's name (not its path), a list or tuple of them, or a
# callable of the layer; only the leaves it selects are quantized, and a filter that selects none checks nothing.
_FILTER_MODEL = """
i = keras.Input((5, 16))
att = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="attention")(i, i)
inner = keras.Sequential([keras.Input((5, 16)), layers.Dense(8, name="inner_dense")], name="block")
x = layers.Dense(16, name="dense_out")(inner(att))
model = keras.Model(i, layers.Dense(3)(x))
"""
FILTER_CASES = {
    **{f"filters-{name}": _FILTER_MODEL + f"model.quantize({mode!r}, filters={filters})" for name, mode, filters in [
        ("dense_search", "int8", "'dense'"),
        ("anchored", "int8", "'^dense$'"),
        ("list", "int8", "['query', 'value']"),
        ("tuple_int4", "int4", "('key', 'dense_out')"),
        ("nested_model_name", "int8", "'block'"),
        ("nested_leaf", "float8", "'inner'"),
        ("none_match", "int8", "'nothing'"),
        ("none_match_bad_mode_fails", "int2", "'nothing'"),
        ("dot_star", "int4", "'.*'"),
        ("lambda_isinstance", "int8", "lambda layer: isinstance(layer, layers.EinsumDense)"),
        ("lambda_name", "int8", "lambda layer: layer.name.endswith('_out') or layer.name == 'output'"),
        ("lambda_false", "int4", "lambda layer: False"),
    ]},
    "filters-config": _FILTER_MODEL + ("model.quantize(config=keras.quantizers.Int4QuantizationConfig(block_size=4), "
                                       "filters='query|inner')"),
    # (utils_test.py's should_quantize_layer cases)
    "filters-lambda_in_name": _FILTER_MODEL + "model.quantize('int8', filters=lambda l: 'dense' in l.name)",
    "filters-list_conv_pool": _FILTER_MODEL + "model.quantize('int8', filters=['conv', 'pool'])",
    "filters-embedding": """
model = keras.Sequential([keras.Input((4,), dtype="int32"), layers.Embedding(20, 8),
                          layers.ReversibleEmbedding(30, 8, name="head"), layers.Flatten(), layers.Dense(2)])
model.quantize("int8", filters=["embedding", "head"])
""",
    "filters-bad_type_fails": _FILTER_MODEL + "model.quantize('int8', filters=3)",
    "filters-dict_fails": _FILTER_MODEL + "model.quantize('int8', filters={'dense': True})",
    "filters-non_string_in_list_fails": _FILTER_MODEL + "model.quantize('int8', filters=['dense', 3])",
    "filters-bad_regex_fails": _FILTER_MODEL + "model.quantize('int8', filters='dense(')",
    "filters-bad_mode_fails": _FILTER_MODEL + "model.quantize('int2', filters='dense')",
    "filters-lambda_attribute_fails": _FILTER_MODEL + "model.quantize('int8', filters=lambda layer: layer.units > 4)",
}


@pytest.mark.keras
@pytest.mark.parametrize("case", FILTER_CASES)
def test_quantize_filters_match_keras(case):
    keras_outcome, _ = assert_same(FILTER_CASES[case], compare_bytes=True)
    assert (keras_outcome.error is not None) == case.endswith("_fails"), keras_outcome.error


# The rest of Keras's own quantization tests (dense_test.py, einsum_dense_test.py, embedding_test.py): custom
# quantizers in a config (test_*_quantize_config, test_*_int8_custom_quantizer, test_dense_int4_custom_quantizer),
# quantize() on a subclass (type_check), twice or after a quantized policy, an invalid mode, the policy set on a
# built or unbuilt layer (test_quantize_by_setting_dtype_policy), int4 blocks with LoRA, and EinsumDense's specific
# equations (test_quantize_with_specific_equations, test_int4_block_size_various_equations, expand 'a,b->ab').
_LAYERS = {
    "dense": ("(8,)", "layers.Dense(32)"),
    "einsum": ("(3,)", "layers.EinsumDense('ab,bcd->acd', output_shape=(8, 32), bias_axes='d')"),
    "embedding": ("(4,)", "layers.Embedding(10, 6)"),
}
_W8 = f"{_Q}.AbsMaxQuantizer(axis=AXIS)"
_W4 = f"{_Q}.AbsMaxQuantizer(axis=AXIS, value_range=(-8, 7), output_dtype='int8')"
_A = f"{_Q}.AbsMaxQuantizer(axis=-1)"
_CONFIGS = {
    "int8": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_W8}, activation_quantizer={_A})"),
    "int4_custom": ("int4", f"{_Q}.Int4QuantizationConfig(weight_quantizer={_W4}, activation_quantizer={_A}, "
                            f"block_size=None)"),
    "int8_weight_only": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_W8}, activation_quantizer=None)"),
    "int8_range": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer(axis=AXIS, "
                           f"value_range=(-20, 20)))"),
    "int8_other_axis_fails": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer("
                                      f"axis=OTHER))"),
    "int4_other_axis_fails": ("int4", f"{_Q}.Int4QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer("
                                      f"axis=OTHER, value_range=(-8, 7)), block_size=None)"),
    "int4_sub_channel_custom_fails": ("int4", f"{_Q}.Int4QuantizationConfig(weight_quantizer={_W4}, block_size=64)"),
    "int4_bad_range_fails": ("int4", f"{_Q}.Int4QuantizationConfig(weight_quantizer={_W8}, block_size=None)"),
    # (quantization_config_test.py: value_range outside int8's, output_dtype, axis given as a tuple)
    "int8_wide_range_fails": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer(axis=AXIS, "
                                      f"value_range=(-256, 256)))"),
    "int8_float_output_fails": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer("
                                        f"axis=AXIS, output_dtype='float32'))"),
    "int8_tuple_axis": ("int8", f"{_Q}.Int8QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer(axis=(AXIS,)))"),
}


def _built(kind, then):
    shape, layer = _LAYERS[kind]
    dtype = ", dtype='int32'" if kind == "embedding" else ""
    return f"model = keras.Sequential([keras.Input({shape}{dtype}), {layer}])\nlayer = model.layers[0]\n{then}"


KERAS_TEST_CASES = {
    # (Keras's tests quantize a Dense and an EinsumDense with axis=0, an Embedding with axis=-1)
    **{f"{kind}-config-{name}": _built(kind, f"layer.quantize({mode!r}, config="
                                             f"{config.replace('AXIS', axes[0]).replace('OTHER', axes[1])})")
       for kind, axes in (("dense", ("0", "-1")), ("embedding", ("-1", "0")), ("einsum", ("0", "1")))
       for name, (mode, config) in _CONFIGS.items() if not (kind == "einsum" and name == "int4_other_axis_fails")},
    **{f"einsum-{eq}-config-axis_{axis}{'' if ok else '_fails'}": f"""
model = keras.Sequential([keras.Input({shape}), layers.EinsumDense({eq!r}, output_shape={out})])
model.layers[0].quantize("int8", config={_Q}.Int8QuantizationConfig(weight_quantizer={_Q}.AbsMaxQuantizer(axis={axis})))
""" for eq, out, shape, axis, ok in [("btnh,nhd->btd", "(None, 8)", "(2, 2, 4)", "(0, 1)", True),
                                     ("btnh,nhd->btd", "(None, 8)", "(2, 2, 4)", "(-3, -2)", True),
                                     ("btnh,nhd->btd", "(None, 8)", "(2, 2, 4)", "0", False),
                                     ("abc,cd->abd", "(None, 4)", "(5, 3)", "None", False)]},
    "einsum-int4-config-any_axis": _built("einsum", f"layer.quantize('int4', config={_Q}.Int4QuantizationConfig("
                                                    f"weight_quantizer={_Q}.AbsMaxQuantizer(axis=-1, "
                                                    f"value_range=(-8, 7)), block_size=None))"),
    **{f"reversible-tied-config-{name}": f"""
model = keras.Sequential([keras.Input((4,), dtype="int32"), layers.ReversibleEmbedding(10, 6)])
model.layers[0].quantize({mode!r}, config={config.replace('AXIS', '-1').replace('OTHER', '0')})
""" for name, (mode, config) in _CONFIGS.items() if name in ("int8", "int4_custom", "int8_weight_only", "int8_range",
                                                              "int8_other_axis_fails")},
    **{f"reversible-config-{name}-untied_fails": f"""
model = keras.Sequential([keras.Input((4,), dtype="int32"), layers.ReversibleEmbedding(10, 6, tie_weights=False)])
model.layers[0].quantize({mode!r}, config={config.replace('AXIS', '-1')})
""" for name, (mode, config) in _CONFIGS.items() if name in ("int8", "int4_custom")},
    **{f"{kind}-policy_{policy}": _built(kind, f"layer.dtype_policy = '{policy}_from_float32'")
       for kind in _LAYERS for policy in ("int8", "int4", "int4/32", "float8") if (kind, policy) != ("embedding", "float8")},
    "embedding-policy_float8_fails": _built("embedding", "layer.dtype_policy = 'float8_from_float32'"),
    **{f"{kind}-policy_gptq_fails": _built(kind, "layer.dtype_policy = 'gptq/4/128_from_float32'") for kind in _LAYERS},
    **{f"{kind}-policy_unbuilt_{policy}": f"""
shape, layer = {_LAYERS[kind][0]}, {_LAYERS[kind][1]}
layer.dtype_policy = "{policy}_from_float32"
model = keras.Sequential([keras.Input(shape{", dtype='int32'" if kind == "embedding" else ""}), layer])
""" for kind in _LAYERS for policy in ("int8", "int4/4")},
    **{f"{kind}-quantized_{first}_then_{then}_fails": _built(kind, f"layer.quantize({first!r})\n"
                                                                   f"layer.quantize({then!r})")
       for kind, first, then in (("dense", "int8", "int4"), ("dense", "int4", "float8"), ("dense", "float8", "int8"),
                                 ("einsum", "int4", "int8"), ("embedding", "int4", "int8"))},
    **{f"{kind}-invalid_mode_{mode}_fails": _built(kind, f"layer.quantize({mode!r})")
       for kind, mode in (("dense", "int7"), ("einsum", "float7"), ("embedding", "int7"))},
    **{f"dense-int4_block_{bs}_lora": """
model = keras.Sequential([keras.Input((128,)), layers.Dense(64)])
model.layers[0].quantize("int4", config=keras.quantizers.Int4QuantizationConfig(block_size=%s))
model.layers[0].enable_lora(rank=4)
""" % bs for bs in (64, None)},
    **{f"einsum-{eq}-{shape}-{name}": f"""
model = keras.Sequential([keras.Input({shape!r}), layers.EinsumDense({eq!r}, output_shape={out!r})])
model.quantize({mode!r}{cfg})
""" for eq, out, shape, blocks in [("btd,df->btf", (None, 4), (2, 4), ()),
                                   ("btd,df->btf", (8, 32), (8, 256), (64, None)),
                                   ("ab,bcd->acd", (8, 32), (64,), (32, None)),
                                   ("bnh,nhd->bd", (64,), (4, 32), (64, None))]
       for name, mode, cfg in [("int8", "int8", ""), ("int4", "int4", "")] + [
           (f"int4_block_{b}", "int4", f", config=keras.quantizers.Int4QuantizationConfig(block_size={b})")
           for b in blocks]},
    **{f"einsum-expand-{dt}": f"model = keras.Sequential([keras.Input((3,)), layers.EinsumDense('a,b->ab', "
                               f"output_shape=(4,), dtype={dt!r})])"
       for dt in ("int8_from_float32", "int4_from_float32", "float8_from_float32")},
}



SUBCLASS_CASES = {
    f"{kind}-{mode}-{how}": f"""
import keras
from keras import layers

class Sub({_LAYERS[kind][1].split('(')[0]}):
    pass

model = keras.Sequential([keras.Input({_LAYERS[kind][0]}{", dtype='int32'" if kind == "embedding" else ""}),
                          Sub({_LAYERS[kind][1].split('(', 1)[1]}])
{"model.layers[0].quantize(%r)" % mode if how == "type_check_fails" else
 "model.layers[0].quantize(%r, type_check=False)" % mode if how == "no_type_check" else
 "model.quantize(%r, type_check=False)" % mode if how == "model_no_type_check" else
 "model.quantize(%r)" % mode}
""" for kind in _LAYERS for mode in ("int8", "int4")
    for how in ("type_check_fails", "model_skips", "no_type_check", "model_no_type_check")}


@pytest.mark.keras
@pytest.mark.parametrize("case", KERAS_TEST_CASES)
def test_keras_quantization_tests_match(case):
    keras_outcome, _ = assert_same(KERAS_TEST_CASES[case], compare_bytes=True)
    assert (keras_outcome.error is not None) == case.endswith("_fails"), keras_outcome.error


@pytest.mark.keras
@pytest.mark.parametrize("case", SUBCLASS_CASES)
def test_quantize_on_a_subclass_matches_keras(case):
    """Through the snippet interpreter (a subclass in pasted code is a custom layer of its own class)."""
    from oracle import assert_both_fail, assert_same_source

    if case.endswith("_fails"):
        keras_error, data = assert_both_fail(SUBCLASS_CASES[case], f"<{case}>")
        assert isinstance(keras_error, NotImplementedError) and "quantize" in data["error"]["message"], data["error"]
    else:
        assert_same_source(SUBCLASS_CASES[case], f"<{case}>")
