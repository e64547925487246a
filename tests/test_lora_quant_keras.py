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
