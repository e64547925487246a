"""Differential tests of the convolution layers against real Keras, plus checks of their explanations."""

import pytest
from oracle import assert_same


def seq(input_shape, *layer_srcs):
    return f"model = keras.Sequential([keras.Input({input_shape!r}), " + ", ".join(layer_srcs) + "])"


CASES = {
    # --- Conv2D ---------------------------------------------------------------------------------------------
    "conv2d_basic": seq((28, 28, 3), "layers.Conv2D(32, 3)"),
    "conv2d_input_shape_kw": "model = keras.Sequential([layers.Conv2D(32, (3, 3), input_shape=(28, 28, 1))])",
    "conv2d_same": seq((28, 28, 3), "layers.Conv2D(16, 3, padding='same')"),
    "conv2d_same_upper": seq((28, 28, 3), "layers.Conv2D(16, 3, padding='SAME')"),
    "conv2d_stride2_valid_odd": seq((29, 31, 3), "layers.Conv2D(8, 3, strides=2)"),
    "conv2d_stride_not_dividing": seq((10, 10, 3), "layers.Conv2D(8, 4, strides=3)"),
    "conv2d_stride2_same_odd": seq((29, 31, 3), "layers.Conv2D(8, 3, strides=2, padding='same')"),
    "conv2d_rect_kernel_strides": seq((32, 20, 4), "layers.Conv2D(6, (5, 3), strides=(2, 1))"),
    "conv2d_dilation": seq((32, 32, 3), "layers.Conv2D(4, 3, dilation_rate=2)"),
    "conv2d_dilation_rect": seq((32, 32, 3), "layers.Conv2D(4, (3, 2), dilation_rate=(2, 3))"),
    "conv2d_dilation_same": seq((15, 15, 3), "layers.Conv2D(4, 3, dilation_rate=3, padding='same')"),
    "conv2d_groups": seq((16, 16, 8), "layers.Conv2D(12, 3, groups=4)"),
    "conv2d_groups_nobias": seq((16, 16, 8), "layers.Conv2D(4, 3, groups=2, use_bias=False)"),
    "conv2d_no_bias": seq((28, 28, 3), "layers.Conv2D(32, 3, use_bias=False, activation='relu')"),
    "conv2d_channels_first": seq((3, 28, 30), "layers.Conv2D(8, 3, data_format='channels_first')"),
    "conv2d_channels_first_same_s2": seq((3, 27, 30), "layers.Conv2D(8, 5, strides=2, padding='same', "
                                                      "data_format='channels_first')"),
    "conv2d_none_spatial": seq((None, None, 3), "layers.Conv2D(8, 3, strides=2)"),
    "conv2d_none_height": seq((None, 20, 3), "layers.Conv2D(8, 3, padding='same', strides=2)"),
    "conv2d_kernel_equals_input": seq((5, 5, 2), "layers.Conv2D(3, 5)"),
    "conv2d_stack_flatten_dense": seq((320, 320, 3), "layers.Conv2D(32, 3)", "layers.Flatten()",
                                      "layers.Dense(136)"),
    "convolution2d_alias": seq((28, 28, 3), "layers.Convolution2D(4, 3)"),
    "conv2d_named": seq((8, 8, 3), "layers.Conv2D(4, 3, name='my_conv')", "layers.Conv2D(4, 3)"),
    "conv2d_frozen": """
c = layers.Conv2D(4, 3)
c.trainable = False
model = keras.Sequential([keras.Input((8, 8, 3)), c, layers.Conv2D(2, 3)])
""",
    "conv2d_functional_shared": """
c = layers.Conv2D(4, 3)
a = keras.Input((8, 8, 3)); b = keras.Input((10, 10, 3))
model = keras.Model([a, b], [c(a), c(b)])
""",
    # --- Conv1D ---------------------------------------------------------------------------------------------
    "conv1d_basic": seq((100, 16), "layers.Conv1D(32, 5)"),
    "conv1d_causal": seq((100, 16), "layers.Conv1D(32, 5, padding='causal')"),
    "conv1d_causal_dilated": seq((100, 16), "layers.Conv1D(8, 3, padding='causal', dilation_rate=4)"),
    "conv1d_causal_stride": seq((101, 16), "layers.Conv1D(8, 3, padding='causal', strides=2)"),
    "conv1d_strides_same": seq((101, 16), "layers.Conv1D(8, 4, strides=3, padding='same')"),
    "conv1d_channels_first": seq((16, 100), "layers.Conv1D(8, 7, data_format='channels_first')"),
    "conv1d_groups": seq((50, 6), "layers.Conv1D(9, 3, groups=3)"),
    "conv1d_none_steps": seq((None, 16), "layers.Conv1D(8, 3)", "layers.GlobalMaxPooling1D()"),
    "conv1d_dilation_tuple": seq((40, 4), "layers.Conv1D(8, (3,), dilation_rate=(2,))"),
    "convolution1d_alias": seq((40, 4), "layers.Convolution1D(8, 3)"),
    # --- Conv3D ---------------------------------------------------------------------------------------------
    "conv3d_basic": seq((16, 32, 32, 3), "layers.Conv3D(8, 3)"),
    "conv3d_strides_same": seq((15, 33, 31, 2), "layers.Conv3D(4, (3, 5, 3), strides=(1, 2, 3), padding='same')"),
    "conv3d_channels_first": seq((2, 9, 10, 11), "layers.Conv3D(4, 2, strides=2, data_format='channels_first')"),
    "conv3d_groups_dilation": seq((12, 12, 12, 4), "layers.Conv3D(8, 3, groups=2, dilation_rate=2)"),
    "convolution3d_alias": seq((6, 6, 6, 1), "layers.Convolution3D(2, 3)"),
    # --- transposed -----------------------------------------------------------------------------------------
    "conv2dT_basic": seq((7, 7, 16), "layers.Conv2DTranspose(8, 3)"),
    "conv2dT_stride2_valid": seq((7, 7, 16), "layers.Conv2DTranspose(8, 3, strides=2)"),
    "conv2dT_stride_gt_kernel": seq((7, 7, 16), "layers.Conv2DTranspose(8, 2, strides=3)"),
    "conv2dT_stride2_same": seq((7, 9, 16), "layers.Conv2DTranspose(8, 3, strides=2, padding='same')"),
    "conv2dT_output_padding_valid": seq((7, 7, 16), "layers.Conv2DTranspose(8, 3, strides=2, output_padding=1)"),
    "conv2dT_output_padding_same": seq((7, 7, 16), "layers.Conv2DTranspose(8, 4, strides=2, padding='same', "
                                                   "output_padding=1)"),
    "conv2dT_output_padding_zero_same": seq((7, 7, 16), "layers.Conv2DTranspose(8, 3, strides=2, padding='same', "
                                                        "output_padding=0)"),
    "conv2dT_output_padding_tuple": seq((5, 6, 3), "layers.Conv2DTranspose(2, (3, 4), strides=(2, 3), "
                                                   "output_padding=(1, 2))"),
    "conv2dT_dilation": seq((7, 7, 4), "layers.Conv2DTranspose(2, 3, dilation_rate=2)"),
    "conv2dT_dilation_same": seq((7, 7, 4), "layers.Conv2DTranspose(2, 3, dilation_rate=2, padding='same')"),
    "conv2dT_channels_first": seq((16, 7, 5), "layers.Conv2DTranspose(8, 3, strides=2, "
                                              "data_format='channels_first')"),
    "conv2dT_none": seq((None, None, 4), "layers.Conv2DTranspose(8, 3, strides=2)"),
    "conv2dT_no_bias": seq((7, 7, 4), "layers.Conv2DTranspose(8, 3, use_bias=False)"),
    "conv2dT_alias": seq((7, 7, 4), "layers.Convolution2DTranspose(8, 3)"),
    "conv1dT": seq((10, 4), "layers.Conv1DTranspose(6, 3, strides=2)"),
    "conv1dT_same_op": seq((10, 4), "layers.Conv1DTranspose(6, 5, strides=3, padding='same', output_padding=2)"),
    "conv1dT_alias": seq((10, 4), "layers.Convolution1DTranspose(6, 3)"),
    "conv3dT": seq((4, 5, 6, 2), "layers.Conv3DTranspose(3, 3, strides=2)"),
    "conv3dT_positional_data_format": seq((2, 4, 5, 6), "layers.Conv3DTranspose(3, 2, 2, 'same', "
                                                        "'channels_first')"),
    "conv3dT_alias": seq((4, 5, 6, 2), "layers.Convolution3DTranspose(3, 3)"),
    # --- separable / depthwise ------------------------------------------------------------------------------
    "sepconv2d": seq((28, 28, 3), "layers.SeparableConv2D(16, 3)"),
    "sepconv2d_dm": seq((28, 28, 3), "layers.SeparableConv2D(16, 3, depth_multiplier=4, padding='same', "
                                     "strides=2)"),
    "sepconv2d_no_bias_cf": seq((3, 28, 28), "layers.SeparableConv2D(16, (3, 5), use_bias=False, "
                                             "data_format='channels_first')"),
    "sepconv2d_dilation": seq((20, 20, 3), "layers.SeparableConv2D(4, 3, dilation_rate=2)"),
    "sepconv2d_alias": seq((28, 28, 3), "layers.SeparableConvolution2D(16, 3)"),
    "sepconv1d": seq((50, 8), "layers.SeparableConv1D(16, 5, depth_multiplier=2)"),
    "sepconv1d_alias": seq((50, 8), "layers.SeparableConvolution1D(16, 5)"),
    "depthwise2d": seq((28, 28, 3), "layers.DepthwiseConv2D(3)"),
    "depthwise2d_dm": seq((28, 28, 3), "layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding='same')"),
    "depthwise2d_no_bias_cf": seq((3, 28, 28), "layers.DepthwiseConv2D((3, 5), use_bias=False, "
                                               "data_format='channels_first')"),
    "depthwise2d_dilation": seq((20, 20, 3), "layers.DepthwiseConv2D(3, dilation_rate=(2, 3))"),
    "depthwise1d": seq((50, 8), "layers.DepthwiseConv1D(5, depth_multiplier=3)"),
    "depthwise1d_none": seq((None, 8), "layers.DepthwiseConv1D(5, strides=2)"),
    # --- ConvLSTM -------------------------------------------------------------------------------------------
    "convlstm2d": seq((10, 16, 16, 3), "layers.ConvLSTM2D(8, 3)"),
    "convlstm2d_seq_same": seq((None, 16, 16, 3), "layers.ConvLSTM2D(8, 3, padding='same', return_sequences=True)"),
    "convlstm2d_strides": seq((5, 17, 16, 3), "layers.ConvLSTM2D(4, (3, 2), strides=2)"),
    "convlstm2d_no_bias_cf": seq((5, 3, 16, 16), "layers.ConvLSTM2D(4, 3, use_bias=False, "
                                                 "data_format='channels_first', return_sequences=True)"),
    "convlstm2d_dilation": seq((5, 16, 16, 3), "layers.ConvLSTM2D(4, 3, dilation_rate=2)"),
    "convlstm2d_state": """
i = keras.Input((5, 8, 8, 3))
o, h, c = layers.ConvLSTM2D(4, 3, return_state=True)(i)
model = keras.Model(i, [o, h, c])
""",
    "convlstm2d_seq_state": """
i = keras.Input((5, 8, 8, 3))
o, h, c = layers.ConvLSTM2D(4, 3, padding='same', return_sequences=True, return_state=True)(i)
model = keras.Model(i, [o, h, c])
""",
    "convlstm1d": seq((10, 20, 4), "layers.ConvLSTM1D(6, 3, return_sequences=True)"),
    "convlstm3d": seq((4, 6, 6, 6, 2), "layers.ConvLSTM3D(3, 3, padding='same')"),
    # --- Keras raises: shapewise must fail too --------------------------------------------------------------
    "conv2d_rank3_fails": "model = keras.Sequential([layers.Conv2D(32, 3, input_shape=(28, 28))])",
    "conv2d_rank2_fails": seq((784,), "layers.Conv2D(32, 3)"),
    "conv2d_rank5_fails": seq((4, 8, 8, 3), "layers.Conv2D(32, 3)"),
    "conv1d_rank4_fails": seq((8, 8, 3), "layers.Conv1D(32, 3)"),
    "conv2d_kernel_too_big_fails": seq((4, 4, 3), "layers.Conv2D(8, 5)"),
    "conv2d_shrinks_to_zero_fails": seq((8, 8, 3), "layers.Conv2D(8, 3)", "layers.Conv2D(8, 3)",
                                        "layers.Conv2D(8, 3)", "layers.Conv2D(8, 3)"),
    "conv2d_dilation_too_big_fails": seq((8, 8, 3), "layers.Conv2D(8, 3, dilation_rate=4)"),
    "conv2d_too_small_one_axis_fails": seq((4, 40, 3), "layers.Conv2D(8, (5, 3))"),
    "conv2d_groups_channels_fails": seq((16, 16, 6), "layers.Conv2D(8, 3, groups=4)"),
    "conv2d_groups_filters_fails": seq((16, 16, 8), "layers.Conv2D(6, 3, groups=4)"),
    "conv2d_groups_zero_fails": seq((16, 16, 8), "layers.Conv2D(6, 3, groups=0)"),
    "conv2d_strides_and_dilation_fails": seq((16, 16, 3), "layers.Conv2D(6, 3, strides=2, dilation_rate=2)"),
    "conv2d_filters_zero_fails": seq((16, 16, 3), "layers.Conv2D(0, 3)"),
    "conv2d_kernel_zero_fails": seq((16, 16, 3), "layers.Conv2D(4, 0)"),
    "conv2d_kernel_tuple_len_fails": seq((16, 16, 3), "layers.Conv2D(4, (3, 3, 3))"),
    "conv2d_bad_padding_fails": seq((16, 16, 3), "layers.Conv2D(4, 3, padding='full')"),
    "conv2d_causal_fails": seq((16, 16, 3), "layers.Conv2D(4, 3, padding='causal')"),
    "conv2d_bad_data_format_fails": seq((16, 16, 3), "layers.Conv2D(4, 3, data_format='nhwc')"),
    "conv2d_none_channels_fails": seq((16, 16, None), "layers.Conv2D(4, 3)"),
    "conv2d_unknown_kwarg_fails": seq((16, 16, 3), "layers.Conv2D(4, 3, border_mode='same')"),
    "sepconv1d_causal_fails": seq((16, 3), "layers.SeparableConv1D(4, 3, padding='causal')"),
    "sepconv2d_too_small_fails": seq((2, 2, 3), "layers.SeparableConv2D(4, 3)"),
    "depthwise_dm_zero_fails": seq((16, 16, 3), "layers.DepthwiseConv2D(3, depth_multiplier=0)"),
    "depthwise_too_small_fails": seq((2, 16, 3), "layers.DepthwiseConv2D(3)"),
    "conv2dT_output_padding_ge_stride_fails": seq((7, 7, 4), "layers.Conv2DTranspose(8, 3, strides=2, "
                                                             "output_padding=2)"),
    "conv2dT_output_padding_stride1_fails": seq((7, 7, 4), "layers.Conv2DTranspose(8, 3, output_padding=1)"),
    "conv2dT_rank3_fails": seq((7, 7), "layers.Conv2DTranspose(8, 3)"),
    "conv2dT_causal_fails": seq((7, 7, 3), "layers.Conv2DTranspose(8, 3, padding='causal')"),
    "convlstm2d_rank4_fails": seq((16, 16, 3), "layers.ConvLSTM2D(4, 3)"),
    "convlstm2d_none_spatial_fails": seq((5, None, 16, 3), "layers.ConvLSTM2D(4, 3)"),
    "convlstm2d_too_small_fails": seq((5, 2, 2, 3), "layers.ConvLSTM2D(4, 3)"),
    # LoRA on the convolutions (conv_test.test_lora_rank_argument; BaseConv.enable_lora)
    "conv2d_lora": seq((5, 5, 4), "layers.Conv2D(5, 3, activation='sigmoid', kernel_regularizer='l2', lora_rank=2)"),
    "conv1d_lora_alpha_no_bias": seq((5, 4), "layers.Conv1D(5, 3, lora_rank=3, lora_alpha=1, use_bias=False)"),
    "conv3d_lora_groups": seq((5, 5, 5, 2), "layers.Conv3D(4, 2, groups=2, lora_rank=1)"),
    "conv2d_enable_lora": "model = keras.Sequential([keras.Input((5, 5, 4)), layers.Conv2D(5, 3)])\n"
                          "model.layers[0].enable_lora(2)",
    "conv2d_lora_constraint_fails": seq((5, 5, 4), "layers.Conv2D(5, 3, lora_rank=2, kernel_constraint='non_neg')"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


# --------------------------------------------------------------------------------------------------------------
# The explanation: derived formulas evaluate to the numbers, and the failure explains itself


def _explain(build):
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    return model_report(build(sk)).to_json()["layers"]


def _eval_numbers(text):
    """Evaluate a formula rendered with numbers: ⌊a / b⌋, ⌈a / b⌉, ·, −."""
    import math
    import re

    expr = text.replace("·", "*").replace("−", "-").replace("×", "*")
    expr = re.sub(r"⌊([^⌊⌋]*)⌋", r"math.floor(\1)", expr)
    expr = re.sub(r"⌈([^⌈⌉]*)⌉", r"math.ceil(\1)", expr)
    return eval(expr, {"math": math})  # our own rendered arithmetic, no user input


def test_conv2d_derived_formulas_evaluate():
    layers = _explain(lambda k: k.Sequential([k.Input((29, 31, 3)), k.layers.Conv2D(8, 3, strides=2)]))
    ex = layers[0]["explanation"]
    assert layers[0]["output_shape"] == [None, 14, 15, 8]
    assert ex["derived"][0].startswith("out_height = ⌊(height − kh) / stride⌋ + 1 = ⌊(29 − 3) / 2⌋ + 1")
    for line in ex["derived"]:
        name, names, numbers, value = line.split(" = ")
        assert _eval_numbers(numbers) == int(value)
    assert ex["formula"] == "(kh·kw·channels + 1)·filters"
    assert _eval_numbers(ex["params"].split(" = ")[-1]) == layers[0]["params"] == 224
    assert ex["free_dims"] == ["height", "width"]
    assert "never the parameter count" in ex["free"]
    assert "3×3 window across all 3 input channels (27 weights + 1 bias)" in ex["units"]


def test_same_padding_and_dilation_formulas():
    layers = _explain(lambda k: k.Sequential([
        k.Input((15, 16, 3)),
        k.layers.Conv2D(4, 3, strides=2, padding="same"),
        k.layers.Conv2D(4, 3, dilation_rate=2),
        k.layers.Conv2DTranspose(2, 3, strides=2),
    ]))
    for layer in layers:
        for line in layer["explanation"]["derived"]:
            name, names, numbers, value = line.split(" = ")
            assert _eval_numbers(numbers) == int(value), line
    assert layers[0]["explanation"]["derived"][0] == "out_height = ⌈height / stride⌉ = ⌈15 / 2⌉ = 8"
    assert layers[1]["explanation"]["derived"][:2] == [
        "dilated_kh = dilation·(kh − 1) + 1 = 2·(3 − 1) + 1 = 5",
        "out_height = height − dilated_kh + 1 = 8 − 5 + 1 = 4",
    ]
    assert layers[2]["explanation"]["derived"][0] == "out_height = (height − 1)·stride + kh = (4 − 1)·2 + 3 = 9"


def test_transpose_default_output_padding_is_named():
    layers = _explain(lambda k: k.Sequential([k.Input((7, 7, 3)), k.layers.Conv2DTranspose(4, 2, strides=3)]))
    assert layers[0]["output_shape"] == [None, 21, 21, 4]
    assert layers[0]["explanation"]["derived"][0] == (
        "out_height = (height − 1)·stride + kh + (stride − kh) = (7 − 1)·3 + 2 + 1 = 21")


def test_causal_and_1d_wording():
    layers = _explain(lambda k: k.Sequential([k.Input((100, 8)), k.layers.Conv1D(4, 3, padding="causal")]))
    ex = layers[0]["explanation"]
    assert layers[0]["output_shape"] == [None, 100, 4]
    assert "causal" in ex["shape"] and "3-step window across all 8 input channels (24 weights + 1 bias)" in ex["units"]
    assert ex["free_dims"] == ["steps"]


def test_groups_formula():
    layers = _explain(lambda k: k.Sequential([k.Input((16, 16, 8)), k.layers.Conv2D(12, 3, groups=4)]))
    ex = layers[0]["explanation"]
    assert "groups" in ex["formula"]
    assert _eval_numbers(ex["params"].split(" = ")[-1]) == layers[0]["params"] == (3 * 3 * 2 + 1) * 12


def test_rank3_input_fix():
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    sk.clear_session()
    with pytest.raises(ShapewiseError) as info:
        sk.Sequential([sk.layers.Conv2D(32, 3, input_shape=(28, 28))])
    assert "add a channel axis: Reshape((28, 28, 1)) or input_shape=(28, 28, 1)" in str(info.value.fix)


def test_too_small_fix():
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    sk.clear_session()
    with pytest.raises(ShapewiseError) as info:
        sk.Sequential([sk.Input((4, 4, 3)), sk.layers.Conv2D(8, 5)])
    assert "padding='same'" in info.value.fix
    assert "zero or negative" in str(info.value)
