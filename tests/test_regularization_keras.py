"""Differential tests of the regularization layers against real Keras."""

import pytest
from oracle import assert_same


def seq(shape, layer):
    return f"model = keras.Sequential([keras.Input({shape}), {layer}])"


CASES = {
    "sd1": seq("(4, 6)", "layers.SpatialDropout1D(0.2)"),
    "sd1_seed_name": seq("(None, 6)", "layers.SpatialDropout1D(0.2, seed=1, name='sd')"),
    "sd2": seq("(8, 8, 3)", "layers.SpatialDropout2D(0.5)"),
    "sd2_channels_first": seq("(4, 6, 2)", "layers.SpatialDropout2D(0.2, data_format='channels_first')"),
    "sd2_upper_format": seq("(4, 6, 2)", "layers.SpatialDropout2D(0.2, data_format='Channels_Last')"),
    "sd3": seq("(4, 6, 2, 2)", "layers.SpatialDropout3D(0.2)"),
    "sd_in_cnn": """
model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.SpatialDropout2D(0.1),
                          layers.Flatten(), layers.Dense(2)])
""",
    "sd1_rank4_fails": seq("(4, 6, 3)", "layers.SpatialDropout1D(0.2)"),
    "sd2_rank3_fails": seq("(4, 6)", "layers.SpatialDropout2D(0.2)"),
    "sd3_rank4_fails": seq("(4, 6, 2)", "layers.SpatialDropout3D(0.2)"),
    "sd1_input_shape_fails": "model = keras.Sequential([layers.SpatialDropout1D(0.2, input_shape=(4, 6))])",
    "sd2_trainable_fails": seq("(4, 6, 2)", "layers.SpatialDropout2D(0.2, trainable=False)"),
    "sd1_data_format_fails": seq("(4, 6)", "layers.SpatialDropout1D(0.2, data_format='channels_last')"),
    "sd1_rate_fails": seq("(4, 6)", "layers.SpatialDropout1D(1.5)"),
    "sd2_bad_format_fails": seq("(4, 6, 2)", "layers.SpatialDropout2D(0.2, data_format='nchw')"),
    "gaussian_noise": seq("(4, 6)", "layers.GaussianNoise(0.1)"),
    "gaussian_noise_seed": seq("(6,)", "layers.GaussianNoise(0.1, seed=3)"),
    "gaussian_noise_first": "model = keras.Sequential([layers.GaussianNoise(0.2, input_shape=(5,)), layers.Dense(2)])",
    "gaussian_noise_fails": seq("(4, 6)", "layers.GaussianNoise(1.5)"),
    "gaussian_noise_str_fails": seq("(4, 6)", "layers.GaussianNoise('a')"),
    "gaussian_dropout": seq("(4, 6)", "layers.GaussianDropout(0.3)"),
    "gaussian_dropout_one": seq("(4, 6)", "layers.GaussianDropout(1)"),
    "gaussian_dropout_fails": seq("(4, 6)", "layers.GaussianDropout(-0.1)"),
    "alpha_dropout": seq("(4, 6)", "layers.AlphaDropout(0.1)"),
    "alpha_dropout_noise_shape": seq("(4, 6)", "layers.AlphaDropout(0.1, noise_shape=(None, 1, 6))"),
    "alpha_dropout_fails": seq("(4, 6)", "layers.AlphaDropout(2)"),
    "activity_reg": seq("(4, 6)", "layers.ActivityRegularization(l1=0.1)"),
    "activity_reg_both": seq("(6,)", "layers.ActivityRegularization(l1=0.01, l2=0.02)"),
    "activity_reg_none": seq("(6,)", "layers.ActivityRegularization(l1=None)"),
    "activity_reg_negative_fails": seq("(4, 6)", "layers.ActivityRegularization(l1=-0.1)"),
    "activity_reg_str_fails": seq("(4, 6)", "layers.ActivityRegularization(l2='a')"),
    "dropout_noise_shape": seq("(4, 6)", "layers.Dropout(0.1, noise_shape=(None, 1, 6))"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)
