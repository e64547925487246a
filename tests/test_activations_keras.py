"""Differential tests of the activation layers against real Keras."""

import pytest
from oracle import assert_same


def seq(shape, layer):
    return f"model = keras.Sequential([keras.Input({shape}), {layer}])"


CASES = {
    "relu": seq("(4, 6)", "layers.ReLU()"),
    "relu6": seq("(4, 6)", "layers.ReLU(max_value=6.0)"),
    "relu_all_args": seq("(8,)", "layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)"),
    "relu_negative_max_fails": seq("(4, 6)", "layers.ReLU(max_value=-1)"),
    "relu_slope_none_fails": seq("(4, 6)", "layers.ReLU(negative_slope=None)"),
    "relu_negative_slope_fails": seq("(4, 6)", "layers.ReLU(negative_slope=-0.1)"),
    "relu_threshold_fails": seq("(4, 6)", "layers.ReLU(threshold=-1.0)"),
    "relu_max_str_fails": seq("(4, 6)", "layers.ReLU(max_value='a')"),
    "leaky": seq("(4, 6)", "layers.LeakyReLU()"),
    "leaky_slope": seq("(4, 6)", "layers.LeakyReLU(negative_slope=0.2)"),
    "leaky_alpha_keras2": seq("(4, 6)", "layers.LeakyReLU(alpha=0.1)"),
    "leaky_negative_fails": seq("(4, 6)", "layers.LeakyReLU(alpha=-0.1)"),
    "leaky_none_fails": seq("(4, 6)", "layers.LeakyReLU(negative_slope=None)"),
    "elu": seq("(4, 6)", "layers.ELU()"),
    "elu_alpha": seq("(4, 6)", "layers.ELU(alpha=0.5)"),
    "softmax": seq("(4, 6)", "layers.Softmax()"),
    "softmax_axis": seq("(4, 6)", "layers.Softmax(axis=1)"),
    "softmax_axes": seq("(5, 5, 6)", "layers.Softmax(axis=[1, 2])"),
    "softmax_mask": """
i = keras.Input((5, 6)); m = keras.Input((5, 6))
model = keras.Model([i, m], layers.Softmax()(i, mask=m))
""",
    "prelu": seq("(4, 6)", "layers.PReLU()"),
    "prelu_dense": seq("(10,)", "layers.PReLU()"),
    "prelu_scalar_input": seq("()", "layers.PReLU()"),
    "prelu_shared_int": seq("(None, 6)", "layers.PReLU(shared_axes=1)"),
    "prelu_shared_image": seq("(5, 5, 6)", "layers.PReLU(shared_axes=[1, 2])"),
    "prelu_shared_channels": seq("(5, 5, 6)", "layers.PReLU(shared_axes=[3])"),
    "prelu_shared_tuple": seq("(5, 5, 6)", "layers.PReLU(shared_axes=(1, 2, 3))"),
    "prelu_shared_negative_wraps": seq("(5, 5, 6)", "layers.PReLU(shared_axes=[-1])"),
    "prelu_shared_zero_wraps": seq("(5, 5, 6)", "layers.PReLU(shared_axes=[0])"),
    "prelu_in_cnn": """
model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.PReLU(shared_axes=[1, 2]),
                          layers.Flatten(), layers.Dense(2)])
""",
    "prelu_frozen": seq("(4, 6)", "layers.PReLU(trainable=False)"),
    "prelu_unknown_fails": seq("(None, 6)", "layers.PReLU()"),
    "prelu_shared_out_of_range_fails": seq("(5, 5, 6)", "layers.PReLU(shared_axes=[4])"),
    "chain": """
model = keras.Sequential([keras.Input((3, 4)), layers.Dense(5), layers.LeakyReLU(), layers.ELU(),
                          layers.ReLU(), layers.Softmax(), layers.PReLU()])
""",
    "bad_kwarg_fails": seq("(4,)", "layers.ReLU(alpha=0.1)"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)
