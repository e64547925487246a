"""Differential tests of Masking, Identity, Rescaling, Lambda and ReversibleEmbedding against real Keras."""

import pytest
from oracle import assert_same, run_shapewise_api

from shapewise.errors import ShapeError


def seq(shape, *layers):
    return f"model = keras.Sequential([keras.Input({shape}), {', '.join(layers)}])"


CASES = {
    "masking_lstm": seq("(4, 6)", "layers.Masking(mask_value=0.0)", "layers.LSTM(3)"),
    "masking_first": "model = keras.Sequential([layers.Masking(-1.0, input_shape=(None, 6)), layers.GRU(2)])",
    "identity": seq("(4, 6)", "layers.Identity()", "layers.Dense(2)"),
    "identity_functional": """
i = keras.Input((3,))
model = keras.Model(i, layers.Identity(name='same')(i))
""",
    "rescaling": seq("(8, 8, 3)", "layers.Rescaling(1 / 255.0)", "layers.Flatten()", "layers.Dense(2)"),
    "rescaling_offset": seq("(4, 6)", "layers.Rescaling(scale=1 / 127.5, offset=-1)"),
    "rescaling_per_channel": seq("(4, 4, 3)", "layers.Rescaling([0.1, 0.2, 0.3])"),
    "lambda_tuple": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=(6,))"),
    "lambda_tuple_trusted": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=(7,))", "layers.Dense(2)"),
    "lambda_tuple_none": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=(None,))"),
    "lambda_callable": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=lambda s: (s[0], s[2]))"),
    "lambda_multi_input": """
i = keras.Input((4, 6)); j = keras.Input((3,))
model = keras.Model([i, j], layers.Lambda(lambda x: x[1], output_shape=(3,))([i, j]))
""",
    "lambda_list_fails": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=[6])"),
    "lambda_int_fails": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=6)"),
    "lambda_two_outputs_list": """
i = keras.Input((4, 6))
a, b = layers.Lambda(lambda x: [x, x[:, 0]], output_shape=[(4, 6), (6,)])(i)
model = keras.Model(i, [a, b])
""",
    "lambda_two_outputs_tuple": """
i = keras.Input((4, 6))
a, b = layers.Lambda(lambda x: (x, x[:, 0]), output_shape=((4, 6), (6,)))(i)
model = keras.Model(i, [layers.Dense(2)(a), b])
""",
    "lambda_dict_outputs": """
i = keras.Input((4, 6))
d = layers.Lambda(lambda x: {'p': x, 'q': x[:, 0]}, output_shape={'p': (4, 6), 'q': (6,)})(i)
model = keras.Model(i, [d['p'], d['q']])
""",
    "lambda_callable_list": seq("(4, 6)", "layers.Lambda(lambda x: x[:, 0], output_shape=lambda s: [s[0], s[2]])"),
    "lambda_list_of_lists_fails": """
i = keras.Input((4, 6))
a, b = layers.Lambda(lambda x: [x, x[:, 0]], output_shape=[[4, 6], [6]])(i)
model = keras.Model(i, [a, b])
""",
    "lambda_not_callable_fails": seq("(4, 6)", "layers.Lambda(3, output_shape=(6,))"),
    "reversible": seq("(4,)", "layers.ReversibleEmbedding(10, 3)"),
    "reversible_untied": seq("(4,)", "layers.ReversibleEmbedding(10, 3, tie_weights=False)"),
    "reversible_rank3": seq("(4, 6)", "layers.ReversibleEmbedding(10, 3)"),
    "reversible_reverse": """
i = keras.Input((4, 6))
model = keras.Model(i, layers.ReversibleEmbedding(10, 6)(i, reverse=True))
""",
    "reversible_reverse_untied": """
i = keras.Input((4, 6))
model = keras.Model(i, layers.ReversibleEmbedding(10, 6, tie_weights=False)(i, reverse=True))
""",
    "reversible_bad_dim_fails": seq("(4,)", "layers.ReversibleEmbedding(0, 3)"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


# Real Keras infers a Lambda's output by tracing the function; shapewise never runs it and says so.
LAMBDA_NO_SHAPE = [
    "model = keras.Sequential([keras.Input((4, 6)), layers.Lambda(lambda x: x * 2)])",
    """
i = keras.Input((4, 6))
model = keras.Model(i, layers.Lambda(lambda x: x[:, 0])(i))
""",
]


@pytest.mark.parametrize("source", LAMBDA_NO_SHAPE)
def test_lambda_without_output_shape_is_a_clear_error(source):
    outcome = run_shapewise_api(source)
    err = outcome.error
    assert isinstance(err, ShapeError)
    assert "cannot infer the output shape of a Lambda without output_shape" in err.message
    assert "real Keras would infer" in err.message
    assert "pass output_shape=" in err.fix
    assert err.layer_type == "Lambda" and err.layer == "lambda"


# `training=` is accepted by every Keras layer call, even when the layer ignores it; `mask=` only by some.
CALL_KWARGS = {
    f"{layer}_training": f"""
i = keras.Input((4, 6))
model = keras.Model(i, layers.{layer}(i, training=True))
""" for layer in ("LayerNormalization()", "ReLU()", "PReLU()", "Softmax()", "GaussianNoise(0.1)",
                  "Masking()", "Identity()", "Rescaling(2.0)", "BatchNormalization()", "UnitNormalization()",
                  "GroupNormalization(2)", "RMSNormalization()", "Normalization()", "ActivityRegularization()",
                  "SpectralNormalization(layers.Dense(2))", "Lambda(lambda x: x, output_shape=(4, 6))")
}
CALL_KWARGS["softmax_mask_broadcast"] = """
i = keras.Input((5, 6)); m = keras.Input((5, 1))
model = keras.Model([i, m], layers.Softmax()(i, mask=m))
"""


@pytest.mark.keras
@pytest.mark.parametrize("source", CALL_KWARGS.values(), ids=CALL_KWARGS.keys())
def test_call_kwargs_match_keras(source):
    assert_same(source)
