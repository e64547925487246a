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
    assert_same(source)


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
    assert_same(source)
