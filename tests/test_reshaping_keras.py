"""Differential tests of UpSampling, ZeroPadding and Cropping against real Keras."""

import pytest
from oracle import assert_same


def seq(input_shape, *layer_srcs):
    return f"model = keras.Sequential([keras.Input({input_shape!r}), " + ", ".join(layer_srcs) + "])"


CASES = {
    # --- UpSampling ----------------------------------------------------------------------------------------
    "upsampling2d_default": seq((7, 9, 3), "layers.UpSampling2D()"),
    "upsampling2d_int": seq((7, 9, 3), "layers.UpSampling2D(3)"),
    "upsampling2d_tuple": seq((7, 9, 3), "layers.UpSampling2D((2, 1))"),
    "upsampling2d_bilinear": seq((7, 9, 3), "layers.UpSampling2D(2, interpolation='bilinear')"),
    "upsampling2d_cf": seq((3, 7, 9), "layers.UpSampling2D((3, 2), data_format='channels_first')"),
    "upsampling2d_none": seq((None, 9, 3), "layers.UpSampling2D()"),
    "upsampling1d": seq((10, 4), "layers.UpSampling1D()"),
    "upsampling1d_size3": seq((None, 4), "layers.UpSampling1D(3)"),
    "upsampling3d": seq((2, 3, 4, 5), "layers.UpSampling3D()"),
    "upsampling3d_cf": seq((5, 2, 3, 4), "layers.UpSampling3D((1, 2, 3), data_format='channels_first')"),
    "unet_up": seq((16, 16, 8), "layers.Conv2D(16, 3, padding='same')", "layers.MaxPooling2D()",
                   "layers.UpSampling2D()", "layers.Conv2D(8, 3, padding='same')"),
    # --- ZeroPadding ---------------------------------------------------------------------------------------
    "zeropad2d_default": seq((28, 28, 3), "layers.ZeroPadding2D()"),
    "zeropad2d_int": seq((28, 28, 3), "layers.ZeroPadding2D(3)"),
    "zeropad2d_tuple": seq((28, 28, 3), "layers.ZeroPadding2D((1, 2))"),
    "zeropad2d_tuple_of_tuples": seq((28, 28, 3), "layers.ZeroPadding2D(((1, 2), (3, 0)))"),
    "zeropad2d_zero": seq((28, 28, 3), "layers.ZeroPadding2D(0)"),
    "zeropad2d_cf": seq((3, 28, 20), "layers.ZeroPadding2D(((0, 1), (2, 3)), data_format='channels_first')"),
    "zeropad2d_none": seq((None, 20, 3), "layers.ZeroPadding2D(2)"),
    "zeropad2d_resnet_stem": seq((224, 224, 3), "layers.ZeroPadding2D(3)", "layers.Conv2D(64, 7, strides=2)",
                                 "layers.ZeroPadding2D(1)", "layers.MaxPooling2D(3, strides=2)"),
    "zeropad1d": seq((10, 4), "layers.ZeroPadding1D()"),
    "zeropad1d_tuple": seq((10, 4), "layers.ZeroPadding1D((2, 5))"),
    "zeropad1d_cf": seq((4, 10), "layers.ZeroPadding1D(3, data_format='channels_first')"),
    "zeropad3d_default": seq((4, 5, 6, 2), "layers.ZeroPadding3D()"),
    "zeropad3d_int": seq((4, 5, 6, 2), "layers.ZeroPadding3D(2)"),
    "zeropad3d_tuple": seq((4, 5, 6, 2), "layers.ZeroPadding3D((1, 2, 3))"),
    "zeropad3d_cf": seq((2, 4, 5, 6), "layers.ZeroPadding3D(((1, 0), (0, 2), (3, 3)), "
                                      "data_format='channels_first')"),
    # --- Cropping ------------------------------------------------------------------------------------------
    "crop1d_default": seq((10, 4), "layers.Cropping1D()"),
    "crop1d_tuple": seq((10, 4), "layers.Cropping1D((2, 5))"),
    "crop1d_int": seq((10, 4), "layers.Cropping1D(3)"),
    "crop1d_none": seq((None, 4), "layers.Cropping1D(3)"),
    "crop2d_default": seq((28, 28, 3), "layers.Cropping2D()"),
    "crop2d_int": seq((28, 28, 3), "layers.Cropping2D(2)"),
    "crop2d_tuple": seq((28, 28, 3), "layers.Cropping2D((1, 3))"),
    "crop2d_tuples": seq((28, 28, 3), "layers.Cropping2D(((1, 2), (0, 5)))"),
    "crop2d_cf": seq((3, 28, 20), "layers.Cropping2D(((1, 2), (3, 4)), data_format='channels_first')"),
    "crop2d_none": seq((None, 20, 3), "layers.Cropping2D(2)"),
    "crop3d_default": seq((4, 5, 6, 2), "layers.Cropping3D()"),
    "crop3d_int": seq((6, 7, 8, 2), "layers.Cropping3D(2)"),
    "crop3d_tuples_cf": seq((2, 6, 7, 8), "layers.Cropping3D(((1, 0), (0, 2), (3, 3)), "
                                          "data_format='channels_first')"),
    "crop_then_pad": seq((28, 28, 3), "layers.Cropping2D(((2, 2), (4, 4)))", "layers.ZeroPadding2D(((0, 0), (4, 4)))"),
    # --- Keras raises: shapewise must fail too --------------------------------------------------------------
    "upsampling2d_rank3_fails": seq((7, 9), "layers.UpSampling2D()"),
    "upsampling1d_rank4_fails": seq((7, 9, 3), "layers.UpSampling1D()"),
    "upsampling1d_zero_fails": seq((7, 3), "layers.UpSampling1D(0)"),
    "upsampling2d_zero_fails": seq((7, 9, 3), "layers.UpSampling2D(0)"),
    "upsampling2d_bad_tuple_fails": seq((7, 9, 3), "layers.UpSampling2D((2, 2, 2))"),
    "zeropad2d_rank3_fails": seq((28, 28), "layers.ZeroPadding2D()"),
    "zeropad2d_three_fails": seq((28, 28, 3), "layers.ZeroPadding2D((1, 2, 3))"),
    "zeropad2d_negative_pair_fails": seq((28, 28, 3), "layers.ZeroPadding2D(((1, -1), (0, 0)))"),
    "zeropad1d_negative_fails": seq((28, 3), "layers.ZeroPadding1D(-1)"),
    "zeropad3d_rank4_fails": seq((28, 28, 3), "layers.ZeroPadding3D()"),
    "crop1d_too_much_fails": seq((4, 3), "layers.Cropping1D(2)"),
    "crop2d_too_much_fails": seq((28, 4, 3), "layers.Cropping2D(((0, 0), (2, 2)))"),
    "crop2d_too_much_cf_fails": seq((3, 4, 28), "layers.Cropping2D(2, data_format='channels_first')"),
    "crop2d_negative_fails": seq((28, 28, 3), "layers.Cropping2D(-1)"),
    "crop2d_three_fails": seq((28, 28, 3), "layers.Cropping2D((1, 2, 3))"),
    "crop3d_too_much_fails": seq((2, 8, 8, 3), "layers.Cropping3D()"),
    "crop3d_rank4_fails": seq((8, 8, 3), "layers.Cropping3D()"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def _layers(build):
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    return model_report(build(sk)).to_json()["layers"]


def test_padding_and_cropping_formulas():
    layers = _layers(lambda k: k.Sequential([
        k.Input((28, 20, 3)), k.layers.ZeroPadding2D(((1, 2), 3)), k.layers.Cropping2D(((1, 2), (0, 0))),
        k.layers.UpSampling2D((2, 3)),
    ]))
    assert layers[0]["explanation"]["derived"] == [
        "out_height = height + before + after = 28 + 1 + 2 = 31",
        "out_width = width + 2·padding = 20 + 2·3 = 26",
    ]
    assert layers[1]["explanation"]["derived"] == ["out_height = height − (before + after) = 31 − (1 + 2) = 28"]
    assert layers[2]["explanation"]["derived"] == [
        "out_height = size_h·height = 2·28 = 56", "out_width = size_w·width = 3·26 = 78"]
    assert [l["output_shape"] for l in layers] == [[None, 31, 26, 3], [None, 28, 26, 3], [None, 56, 78, 3]]
