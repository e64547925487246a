"""Differential tests of the pooling layers against real Keras."""

import pytest
from oracle import assert_same


def seq(input_shape, *layer_srcs):
    return f"model = keras.Sequential([keras.Input({input_shape!r}), " + ", ".join(layer_srcs) + "])"


CASES = {
    # --- MaxPooling / AveragePooling 2D ---------------------------------------------------------------------
    "maxpool2d_default": seq((28, 28, 3), "layers.MaxPooling2D()"),
    "maxpool2d_odd": seq((27, 29, 3), "layers.MaxPooling2D()"),
    "maxpool2d_same_odd": seq((27, 29, 3), "layers.MaxPooling2D(padding='same')"),
    "maxpool2d_int_pool": seq((28, 28, 3), "layers.MaxPooling2D(3)"),
    "maxpool2d_strides": seq((28, 28, 3), "layers.MaxPooling2D(3, strides=2)"),
    "maxpool2d_strides_not_dividing": seq((10, 11, 3), "layers.MaxPooling2D((3, 2), strides=(3, 4))"),
    "maxpool2d_overlap_same": seq((13, 13, 3), "layers.MaxPooling2D(3, strides=2, padding='same')"),
    "maxpool2d_stride1": seq((13, 13, 3), "layers.MaxPooling2D(2, strides=1)"),
    "maxpool2d_channels_first": seq((3, 28, 27), "layers.MaxPooling2D(data_format='channels_first')"),
    "maxpool2d_none": seq((None, None, 3), "layers.MaxPooling2D()"),
    "maxpool2d_none_channels": seq((8, 8, None), "layers.MaxPooling2D()"),
    "maxpool2d_alias": seq((28, 28, 3), "layers.MaxPool2D()"),
    "maxpool2d_pool_equals_input": seq((4, 4, 3), "layers.MaxPooling2D(4)"),
    "avgpool2d": seq((28, 28, 3), "layers.AveragePooling2D(2)"),
    "avgpool2d_same_strides": seq((28, 27, 3), "layers.AveragePooling2D((3, 3), strides=(2, 2), padding='same')"),
    "avgpool2d_alias": seq((28, 28, 3), "layers.AvgPool2D(2)"),
    "avgpool2d_cf": seq((3, 28, 28), "layers.AveragePooling2D(3, data_format='channels_first')"),
    "lenet": seq((32, 32, 1), "layers.Conv2D(6, 5, activation='tanh')", "layers.AveragePooling2D(2)",
                 "layers.Conv2D(16, 5, activation='tanh')", "layers.AveragePooling2D(2)", "layers.Flatten()",
                 "layers.Dense(120)", "layers.Dense(84)", "layers.Dense(10)"),
    "vgg_block": seq((224, 224, 3), "layers.Conv2D(64, 3, padding='same')", "layers.Conv2D(64, 3, padding='same')",
                     "layers.MaxPooling2D(2, strides=2)", "layers.Conv2D(128, 3, padding='same')",
                     "layers.MaxPooling2D()"),
    # --- 1D ------------------------------------------------------------------------------------------------
    "maxpool1d_default": seq((100, 8), "layers.MaxPooling1D()"),
    "maxpool1d_odd_same": seq((101, 8), "layers.MaxPooling1D(3, padding='same')"),
    "maxpool1d_strides": seq((101, 8), "layers.MaxPooling1D(4, strides=3)"),
    "maxpool1d_cf": seq((8, 101), "layers.MaxPooling1D(2, data_format='channels_first')"),
    "maxpool1d_alias": seq((100, 8), "layers.MaxPool1D(5)"),
    "avgpool1d": seq((100, 8), "layers.AveragePooling1D(4, strides=2)"),
    "avgpool1d_alias": seq((100, 8), "layers.AvgPool1D(4)"),
    "avgpool1d_none": seq((None, 8), "layers.AveragePooling1D(4)"),
    # --- 3D ------------------------------------------------------------------------------------------------
    "maxpool3d_default": seq((16, 17, 18, 2), "layers.MaxPooling3D()"),
    "maxpool3d_same": seq((15, 17, 19, 2), "layers.MaxPooling3D((2, 3, 4), padding='same')"),
    "maxpool3d_cf": seq((2, 16, 17, 18), "layers.MaxPooling3D(data_format='channels_first')"),
    "maxpool3d_alias": seq((8, 8, 8, 2), "layers.MaxPool3D()"),
    "avgpool3d": seq((16, 16, 16, 2), "layers.AveragePooling3D(2, strides=(1, 2, 3))"),
    "avgpool3d_alias": seq((8, 8, 8, 2), "layers.AvgPool3D(2)"),
    # --- global --------------------------------------------------------------------------------------------
    "gap2d": seq((7, 7, 512), "layers.GlobalAveragePooling2D()", "layers.Dense(10)"),
    "gap2d_keepdims": seq((7, 7, 512), "layers.GlobalAveragePooling2D(keepdims=True)"),
    "gap2d_cf": seq((512, 7, 7), "layers.GlobalAveragePooling2D(data_format='channels_first')"),
    "gap2d_cf_keepdims": seq((512, 7, 7), "layers.GlobalAveragePooling2D(data_format='channels_first', "
                                         "keepdims=True)"),
    "gap2d_none": seq((None, None, 3), "layers.Conv2D(8, 3)", "layers.GlobalAveragePooling2D()",
                      "layers.Dense(2)"),
    "gap2d_alias": seq((7, 7, 5), "layers.GlobalAvgPool2D()"),
    "gmp2d": seq((7, 7, 5), "layers.GlobalMaxPooling2D()"),
    "gmp2d_alias_keepdims": seq((7, 7, 5), "layers.GlobalMaxPool2D(keepdims=True)"),
    "gap1d": seq((20, 5), "layers.GlobalAveragePooling1D()"),
    "gap1d_cf_keepdims": seq((5, 20), "layers.GlobalAveragePooling1D(data_format='channels_first', "
                                      "keepdims=True)"),
    "gap1d_alias": seq((20, 5), "layers.GlobalAvgPool1D()"),
    "gmp1d": seq((None, 5), "layers.GlobalMaxPooling1D()"),
    "gmp1d_alias": seq((20, 5), "layers.GlobalMaxPool1D(keepdims=True)"),
    "gap3d": seq((4, 5, 6, 3), "layers.GlobalAveragePooling3D()"),
    "gap3d_keepdims_cf": seq((3, 4, 5, 6), "layers.GlobalAveragePooling3D(keepdims=True, "
                                           "data_format='channels_first')"),
    "gap3d_alias": seq((4, 5, 6, 3), "layers.GlobalAvgPool3D()"),
    "gmp3d": seq((4, 5, 6, 3), "layers.GlobalMaxPooling3D()"),
    "gmp3d_alias": seq((4, 5, 6, 3), "layers.GlobalMaxPool3D()"),
    "embedding_gap1d": "model = keras.Sequential([keras.Input((12,)), layers.Embedding(100, 8), "
                       "layers.GlobalAveragePooling1D(), layers.Dense(1)])",
    # --- adaptive pooling ----------------------------------------------------------------------------------
    "adaptive_avg2d": seq((32, 30, 3), "layers.AdaptiveAveragePooling2D(7)"),
    "adaptive_avg2d_tuple_cf": seq((3, 32, 30), "layers.AdaptiveAveragePooling2D((4, 5), "
                                                "data_format='channels_first')"),
    "adaptive_avg2d_none": seq((None, None, 3), "layers.AdaptiveAveragePooling2D((2, 2))", "layers.Flatten()",
                               "layers.Dense(4)"),
    "adaptive_max2d": seq((32, 30, 3), "layers.AdaptiveMaxPooling2D([3, 1])"),
    "adaptive_avg1d": seq((50, 4), "layers.AdaptiveAveragePooling1D(10)"),
    "adaptive_max1d_tuple": seq((50, 4), "layers.AdaptiveMaxPooling1D((10,))"),
    "adaptive_avg3d": seq((8, 8, 8, 2), "layers.AdaptiveAveragePooling3D(2)"),
    "adaptive_max3d_cf": seq((2, 8, 8, 8), "layers.AdaptiveMaxPooling3D((1, 2, 4), data_format='channels_first')"),
    "adaptive_avg2d_rank3_no_check": seq((20, 5), "layers.AdaptiveAveragePooling2D(3)"),
    "adaptive_1d_bad_tuple_fails": seq((50, 4), "layers.AdaptiveMaxPooling1D((10, 2))"),
    "adaptive_2d_bad_tuple_fails": seq((50, 50, 4), "layers.AdaptiveMaxPooling2D((10, 2, 1))"),
    "adaptive_bad_data_format_fails": seq((50, 50, 4), "layers.AdaptiveMaxPooling2D(2, data_format='NHWC')"),
    # --- Keras raises: shapewise must fail too --------------------------------------------------------------
    "maxpool2d_too_small_fails": seq((1, 8, 3), "layers.MaxPooling2D()"),
    "maxpool2d_repeated_fails": seq((8, 8, 3), "layers.MaxPooling2D()", "layers.MaxPooling2D()",
                                    "layers.MaxPooling2D()", "layers.MaxPooling2D()"),
    "maxpool2d_rank3_fails": seq((28, 28), "layers.MaxPooling2D()"),
    "maxpool2d_rank5_fails": seq((4, 28, 28, 1), "layers.MaxPooling2D()"),
    "maxpool1d_rank4_fails": seq((28, 28, 1), "layers.MaxPooling1D()"),
    "maxpool2d_bad_padding_fails": seq((8, 8, 3), "layers.MaxPooling2D(padding='full')"),
    "maxpool2d_upper_padding_fails": seq((8, 8, 3), "layers.MaxPooling2D(padding='SAME')"),
    "maxpool2d_pool_zero_fails": seq((8, 8, 3), "layers.MaxPooling2D(0)"),
    "maxpool2d_pool_len_fails": seq((8, 8, 3), "layers.MaxPooling2D((2, 2, 2))"),
    "maxpool2d_data_format_fails": seq((8, 8, 3), "layers.MaxPooling2D(data_format='NHWC')"),
    "avgpool3d_too_small_fails": seq((1, 8, 8, 3), "layers.AveragePooling3D(2)"),
    "gap2d_rank3_fails": seq((20, 5), "layers.GlobalAveragePooling2D()"),
    "gap1d_rank4_fails": seq((7, 7, 5), "layers.GlobalAveragePooling1D()"),
    "gmp2d_rank2_fails": seq((5,), "layers.GlobalMaxPooling2D()"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def test_pooling_explanation():
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    m = sk.Sequential([sk.Input((27, 29, 3)), sk.layers.MaxPooling2D()])
    layer = model_report(m).to_json()["layers"][0]
    assert layer["output_shape"] == [None, 13, 14, 3]
    assert layer["params"] == 0
    derived = layer["explanation"]["derived"]
    assert derived[0] == "out_height = ⌊(height − pool_h) / stride⌋ + 1 = ⌊(27 − 2) / 2⌋ + 1 = 13"


def test_pooling_too_small_fix():
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    sk.clear_session()
    with pytest.raises(ShapewiseError) as info:
        sk.Sequential([sk.Input((1, 8, 3)), sk.layers.MaxPooling2D()])
    assert "padding='same'" in info.value.fix
