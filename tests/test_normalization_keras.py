"""Differential tests of the normalization layers against real Keras."""

import pytest
from oracle import assert_same

SEQ = "model = keras.Sequential([keras.Input({shape}), {layer}])"


def seq(shape, layer):
    return SEQ.format(shape=shape, layer=layer)


CASES = {
    # BatchNormalization
    "bn_dense": seq("(8,)", "layers.BatchNormalization()"),
    "bn_image": seq("(32, 32, 64)", "layers.BatchNormalization()"),
    "bn_axis1": seq("(16, 8, 8)", "layers.BatchNormalization(axis=1)"),
    "bn_axis_neg2": seq("(4, 5, 6)", "layers.BatchNormalization(axis=-2)"),
    "bn_no_center": seq("(4, 6)", "layers.BatchNormalization(center=False)"),
    "bn_no_scale": seq("(4, 6)", "layers.BatchNormalization(scale=False, momentum=0.9, epsilon=1e-5)"),
    "bn_neither": seq("(4, 6)", "layers.BatchNormalization(center=False, scale=False)"),
    "bn_renorm": seq("(4, 6)", "layers.BatchNormalization(renorm=True, renorm_clipping={'rmax': 3.0})"),
    "bn_frozen": seq("(8,)", "layers.BatchNormalization(trainable=False)"),
    "bn_frozen_attr": """
bn = layers.BatchNormalization()
bn.trainable = False
model = keras.Sequential([keras.Input((5, 3)), layers.Dense(4), bn])
""",
    "bn_in_cnn": """
model = keras.Sequential([keras.Input((10, 7)), layers.Dense(16), layers.BatchNormalization(),
                          layers.Activation('relu'), layers.Dense(2)])
""",
    "bn_functional_named": """
i = keras.Input((3, 3, 5))
model = keras.Model(i, layers.BatchNormalization(name='bn1')(i))
""",
    "bn_input_shape_kw": "model = keras.Sequential([layers.BatchNormalization(input_shape=(6,))])",
    "bn_axis_list_fails": seq("(4, 5)", "layers.BatchNormalization(axis=[1])"),
    "bn_axis_out_of_range_fails": seq("(4, 5)", "layers.BatchNormalization(axis=3)"),
    "bn_axis_neg_out_of_range_fails": seq("(4, 5)", "layers.BatchNormalization(axis=-4)"),
    "bn_batch_axis_fails": seq("(4, 5)", "layers.BatchNormalization(axis=0)"),
    "bn_unknown_channels_fails": seq("(None, 5)", "layers.BatchNormalization(axis=1)"),
    "bn_renorm_bad_keys_fails": seq("(5,)", "layers.BatchNormalization(renorm=True, renorm_clipping={'x': 1})"),
    "bn_renorm_rmax_fails": seq("(5,)",
                                "layers.BatchNormalization(renorm=True, renorm_clipping={'rmax': 1, 'rmin': 2})"),
    "bn_renorm_dmax_fails": seq("(5,)", "layers.BatchNormalization(renorm=True, renorm_clipping={'dmax': -1})"),
    "bn_bad_kwarg_fails": seq("(5,)", "layers.BatchNormalization(fused=True)"),
    # LayerNormalization
    "ln_default": seq("(10, 64)", "layers.LayerNormalization()"),
    "ln_eps": seq("(64,)", "layers.LayerNormalization(epsilon=1e-6)"),
    "ln_axes": seq("(4, 5)", "layers.LayerNormalization(axis=[1, 2])"),
    "ln_axes_tuple_neg": seq("(4, 5, 6)", "layers.LayerNormalization(axis=(-1, -2))"),
    "ln_axes_mixed_sign": seq("(4, 5)", "layers.LayerNormalization(axis=[2, -2])"),
    "ln_axes_sorted_raw": seq("(4, 5)", "layers.LayerNormalization(axis=[-1, 1])"),
    "ln_axes_duplicate": seq("(4, 5)", "layers.LayerNormalization(axis=[1, 1])"),
    "ln_axis1": seq("(4, 5)", "layers.LayerNormalization(axis=1)"),
    "ln_no_center": seq("(4, 5)", "layers.LayerNormalization(center=False)"),
    "ln_no_scale": seq("(4, 5)", "layers.LayerNormalization(scale=False)"),
    "ln_neither": seq("(4, 5)", "layers.LayerNormalization(scale=False, center=False)"),
    "ln_rms_scaling": seq("(4, 5)", "layers.LayerNormalization(rms_scaling=True)"),
    "ln_rms_scaling_no_scale": seq("(4, 5)", "layers.LayerNormalization(rms_scaling=True, scale=False)"),
    "ln_unknown_steps_ok": seq("(None, 8)", "layers.LayerNormalization()"),
    "ln_axis_out_of_range_fails": seq("(4, 5)", "layers.LayerNormalization(axis=3)"),
    "ln_axis_float_fails": seq("(4, 5)", "layers.LayerNormalization(axis=1.5)"),
    "ln_unknown_axis_fails": seq("(None, 5)", "layers.LayerNormalization(axis=1)"),
    "ln_batch_axis_fails": seq("(4, 5)", "layers.LayerNormalization(axis=0)"),
    # RMSNormalization
    "rms_default": seq("(4, 6)", "layers.RMSNormalization()"),
    "rms_axes": seq("(4, 6)", "layers.RMSNormalization(axis=[1, 2])"),
    "rms_out_of_range_fails": seq("(4, 6)", "layers.RMSNormalization(axis=4)"),
    # GroupNormalization
    "gn_default_32": seq("(8, 8, 64)", "layers.GroupNormalization()"),
    "gn_groups3": seq("(4, 6)", "layers.GroupNormalization(groups=3)"),
    "gn_instance": seq("(4, 6)", "layers.GroupNormalization(groups=-1, axis=1)"),
    "gn_no_center": seq("(4, 6)", "layers.GroupNormalization(groups=2, center=False)"),
    "gn_no_scale": seq("(4, 6)", "layers.GroupNormalization(groups=6, scale=False)"),
    "gn_channels_first": seq("(6, 5, 5)", "layers.GroupNormalization(groups=2, axis=1)"),
    "gn_not_divisible_fails": seq("(4, 6)", "layers.GroupNormalization(groups=4)"),
    "gn_default_too_many_fails": seq("(4, 6)", "layers.GroupNormalization()"),
    "gn_groups_zero_fails": seq("(4, 6)", "layers.GroupNormalization(groups=0)"),
    "gn_groups_float_fails": seq("(4, 6)", "layers.GroupNormalization(groups=2.0)"),
    "gn_unknown_channels_fails": seq("(4, None)", "layers.GroupNormalization(groups=2)"),
    "gn_axis_out_of_range_fails": seq("(4, 6)", "layers.GroupNormalization(groups=2, axis=5)"),
    "gn_batch_axis_fails": seq("(4, 6)", "layers.GroupNormalization(groups=2, axis=0)"),
    "gn_axis_list_fails": seq("(4, 6)", "layers.GroupNormalization(groups=2, axis=[1])"),
    # UnitNormalization
    "unit_default": seq("(4, 6)", "layers.UnitNormalization()"),
    "unit_axes": seq("(4, 6)", "layers.UnitNormalization(axis=[1, 2])"),
    "unit_out_of_range_fails": seq("(4, 6)", "layers.UnitNormalization(axis=5)"),
    "unit_bad_axis_fails": seq("(4, 6)", "layers.UnitNormalization(axis='x')"),
    # SpectralNormalization
    "sn_dense": seq("(4, 6)", "layers.SpectralNormalization(layers.Dense(3))"),
    "sn_dense_no_bias": seq("(6,)", "layers.SpectralNormalization(layers.Dense(3, use_bias=False))"),
    "sn_conv": seq("(8, 8, 3)", "layers.SpectralNormalization(layers.Conv2D(5, 3), power_iterations=2)"),
    "sn_embedding": seq("(8,)", "layers.SpectralNormalization(layers.Embedding(10, 4))"),
    "sn_frozen_attr": """
s = layers.SpectralNormalization(layers.Dense(3))
s.trainable = False
model = keras.Sequential([keras.Input((8,)), s, layers.Dense(2)])
""",
    "sn_lstm_fails": seq("(4, 6)", "layers.SpectralNormalization(layers.LSTM(3))"),
    "sn_bn_fails": seq("(6,)", "layers.SpectralNormalization(layers.BatchNormalization())"),
    "sn_power_zero_fails": seq("(6,)", "layers.SpectralNormalization(layers.Dense(3), power_iterations=0)"),
    "sn_not_a_layer_fails": seq("(6,)", "layers.SpectralNormalization(3)"),
    # Normalization
    "norm_default": seq("(4, 6)", "layers.Normalization()"),
    "norm_axis_none": seq("(4, 6)", "layers.Normalization(axis=None)"),
    "norm_axes": seq("(4, 6)", "layers.Normalization(axis=(1, 2))"),
    "norm_axis1": seq("(4, 6)", "layers.Normalization(axis=1)"),
    "norm_invert": seq("(4, 6)", "layers.Normalization(invert=True)"),
    "norm_input_shape_kw": "model = keras.Sequential([layers.Normalization(input_shape=(4, 6)), layers.Dense(2)])",
    "norm_given_scalar": seq("(4, 6)", "layers.Normalization(mean=2.0, variance=3.0)"),
    "norm_given_vector": seq("(4, 6)", "layers.Normalization(mean=[1, 2, 3, 4, 5, 6], variance=[1] * 6)"),
    "norm_given_wrong_size_fails": seq("(4, 6)", "layers.Normalization(mean=[1, 2, 3], variance=[1, 1, 1])"),
    "norm_mean_only_fails": seq("(4, 6)", "layers.Normalization(mean=2.0)"),
    "norm_mean_rank_fails": seq("(4, 6)", "layers.Normalization(mean=[[1]], variance=[[2]])"),
    "norm_shapes_differ_fails": seq("(4, 6)", "layers.Normalization(mean=[1, 2], variance=[1])"),
    "norm_axis_out_of_range_fails": seq("(4, 6)", "layers.Normalization(axis=3)"),
    "norm_unknown_axis_fails": seq("(None, 6)", "layers.Normalization(axis=1)"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def _explanations(source):
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    ns = {"keras": sk, "layers": sk.layers}
    exec(source, ns)  # our own test source
    return [layer["explanation"] for layer in model_report(ns["model"]).to_json()["layers"]]


def test_batchnorm_explains_why_two_vectors_are_non_trainable():
    (ex,) = _explanations(seq("(32, 32, 64)", "layers.BatchNormalization()"))
    assert ex["formula"] == "4·channels"
    assert "4 vectors of channels=64" in ex["units"]
    assert "not by gradients" in ex["units"] and "non-trainable" in ex["units"]
    assert ex["free_dims"] == ["dim1", "dim2"]


def test_prelu_explains_shared_axes():
    shared, per_value = _explanations(
        "model = keras.Sequential([keras.Input((8, 8, 4)), layers.PReLU(shared_axes=[1, 2]), layers.PReLU()])")
    assert "1 × 1 × channels" in shared["params"] and shared["free_dims"] == ["dim1", "dim2"]
    assert "one learned slope per value" in per_value["units"] and per_value["free_dims"] == []
