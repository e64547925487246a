"""Differential tests of the merge layers (and their functional forms) against real Keras."""

import pytest
from oracle import assert_same


def _two(layer, a="(3,)", b="(3,)"):
    return f"""
a = keras.Input({a}); b = keras.Input({b})
model = keras.Model([a, b], {layer}([a, b]))
"""


CASES = {
    # elementwise merges
    "add": _two("layers.Add()"),
    "add_three": """
a = keras.Input((4, 3)); b = keras.Input((4, 3)); c = keras.Input((4, 3))
model = keras.Model([a, b, c], layers.Add()([a, b, c]))
""",
    "add_single_input": "a = keras.Input((3,)); model = keras.Model(a, layers.Add()([a]))",
    "add_broadcast_1": _two("layers.Add()", "(2, 1)", "(1, 3)"),
    "add_broadcast_rank": _two("layers.Add()", "(5, 4)", "(4,)"),
    "add_broadcast_rank_scalar": _two("layers.Add()", "(5, 4)", "(1,)"),
    "add_unknown_axis": _two("layers.Add()", "(5, 3)", "(None, 3)"),
    "add_unknown_axis_first": _two("layers.Add()", "(None, 3)", "(5, 3)"),
    "add_batch_size": """
a = keras.Input((4,)); b = keras.Input((4,), batch_size=2)
model = keras.Model([a, b], layers.Add()([a, b]))
""",
    "add_after_dense": """
i = keras.Input((8,))
x = layers.Dense(16)(i)
y = layers.Dense(16)(i)
model = keras.Model(i, layers.Dense(1)(layers.Add()([x, y])))
""",
    "subtract": _two("layers.Subtract()", "(5, 3)", "(5, 3)"),
    "multiply": _two("layers.Multiply()", "(5, 3)", "(1, 3)"),
    "average": _two("layers.Average()", "(2, 3)", "(2, 3)"),
    "maximum": _two("layers.Maximum()"),
    "minimum": _two("layers.Minimum()"),
    "named": _two("layers.Add(name='sum')"),
    "auto_names": """
a = keras.Input((3,)); b = keras.Input((3,))
x = layers.Add()([a, b]); y = layers.Add()([x, b]); z = layers.add([y, a])
w = layers.Multiply()([z, a]); v = layers.multiply([w, b])
model = keras.Model([a, b], [v, layers.Concatenate()([v, a]), layers.concatenate([a, b])])
""",
    # functional forms
    "fn_add": _two("layers.add"),
    "fn_subtract": _two("layers.subtract"),
    "fn_multiply": _two("layers.multiply"),
    "fn_average": _two("layers.average"),
    "fn_maximum": _two("layers.maximum"),
    "fn_minimum": _two("layers.minimum"),
    "fn_named": """
a = keras.Input((3,)); b = keras.Input((4,))
model = keras.Model([a, b], layers.concatenate([a, b], name="joined"))
""",
    "fn_concat_axis": """
a = keras.Input((5, 3)); b = keras.Input((2, 3))
model = keras.Model([a, b], layers.concatenate([a, b], axis=1))
""",
    "fn_dot_default_axes": _two("layers.dot", "(5, 3)", "(3,)"),
    "fn_dot_axes": """
a = keras.Input((5, 3)); b = keras.Input((7, 3))
model = keras.Model([a, b], layers.dot([a, b], axes=2, normalize=True))
""",
    # Concatenate
    "concat": _two("layers.Concatenate()", "(32,)", "(64,)"),
    "concat_three": """
a = keras.Input((4, 1)); b = keras.Input((4, 2)); c = keras.Input((4, 3))
model = keras.Model([a, b, c], layers.Concatenate()([a, b, c]))
""",
    "concat_axis1": _two("layers.Concatenate(axis=1)", "(5, 3)", "(4, 3)"),
    "concat_axis_neg2": _two("layers.Concatenate(axis=-2)", "(5, 3)", "(4, 3)"),
    "concat_axis_neg3": _two("layers.Concatenate(axis=-3)", "(2, 5, 3)", "(2, 5, 3)"),
    "concat_axis1_rank2": _two("layers.Concatenate(axis=1)", "(3,)", "(4,)"),
    "concat_unknown": _two("layers.Concatenate(axis=1)", "(None, 4)", "(5, 4)"),
    "concat_unknown_other_axis": _two("layers.Concatenate()", "(None, 4)", "(5, 4)"),
    "concat_single": "a = keras.Input((3,)); model = keras.Model(a, layers.Concatenate()([a]))",
    "concat_images": """
i = keras.Input((8, 8, 3))
x = layers.Dense(4)(i)
model = keras.Model(i, layers.Concatenate()([i, x]))
""",
    "concat_batch_size": """
a = keras.Input((4,)); b = keras.Input((4,), batch_size=2)
model = keras.Model([a, b], layers.Concatenate()([a, b]))
""",
    # Dot
    "dot_1": _two("layers.Dot(1)"),
    "dot_axes_1_1": _two("layers.Dot(axes=(1, 1))", "(5, 3)", "(5, 4)"),
    "dot_axes_2_2": _two("layers.Dot(axes=[2, 2])", "(5, 3)", "(7, 3)"),
    "dot_neg": _two("layers.Dot(-1)", "(5, 3)", "(3,)"),
    "dot_neg_tuple": _two("layers.Dot((-1, 1))", "(5, 3)", "(3, 7)"),
    "dot_normalize": _two("layers.Dot(axes=-1, normalize=True)", "(5, 3)", "(5, 3)"),
    "dot_batch_axis": _two("layers.Dot(0)", "(5, 3)", "(5, 3)"),
    # Keras raises: these must fail in shapewise too
    "add_mismatch_fails": _two("layers.Add()", "(3,)", "(4,)"),
    "add_rank_mismatch_fails": _two("layers.Add()", "(5, 4)", "(3,)"),
    "add_not_list_fails": "a = keras.Input((3,)); model = keras.Model(a, layers.Add()(a))",
    "add_batch_mismatch_fails": """
a = keras.Input((4,), batch_size=3); b = keras.Input((4,), batch_size=2)
model = keras.Model([a, b], layers.Add()([a, b]))
""",
    "multiply_mismatch_fails": _two("layers.Multiply()", "(2, 3)", "(3, 3)"),
    "subtract_three_fails": """
a = keras.Input((3,))
model = keras.Model(a, layers.Subtract()([a, a, a]))
""",
    "subtract_one_fails": "a = keras.Input((3,)); model = keras.Model(a, layers.Subtract()([a]))",
    "concat_mismatch_fails": _two("layers.Concatenate(axis=1)", "(5, 3)", "(5, 4)"),
    "concat_mismatch_neg_fails": _two("layers.Concatenate(axis=-2)", "(5, 3)", "(5, 4)"),
    "concat_size1_fails": _two("layers.Concatenate()", "(5, 4)", "(1, 4)"),
    "concat_rank_fails": _two("layers.Concatenate()", "(5, 3)", "(3,)"),
    "concat_batch_axis_fails": _two("layers.Concatenate(axis=0)", "(3,)", "(4,)"),
    "concat_axis_too_big_fails": _two("layers.Concatenate(axis=3)", "(5, 3)", "(5, 3)"),
    "concat_axis_too_small_fails": _two("layers.Concatenate(axis=-4)", "(5, 3)", "(5, 3)"),
    "concat_not_list_fails": "a = keras.Input((3,)); model = keras.Model(a, layers.Concatenate()(a))",
    "concat_batch_mismatch_fails": """
a = keras.Input((4,), batch_size=3); b = keras.Input((4,), batch_size=2)
model = keras.Model([a, b], layers.Concatenate()([a, b]))
""",
    "fn_concat_mismatch_fails": _two("layers.concatenate", "(5, 3)", "(4, 4)"),
    "dot_mismatch_fails": _two("layers.Dot(1)", "(3,)", "(4,)"),
    "dot_mismatch_3d_fails": _two("layers.Dot((2, 2))", "(5, 3)", "(5, 4)"),
    "dot_unknown_vs_known_fails": _two("layers.Dot(1)", "(None, 3)", "(5, 3)"),
    "dot_three_fails": "a = keras.Input((3,)); model = keras.Model(a, layers.Dot(1)([a, a, a]))",
    "dot_axis_out_of_range_fails": _two("layers.Dot(3)", "(5, 3)", "(5, 3)"),
    "dot_axes_three_fails": _two("layers.Dot((1, 2, 3))"),
    "dot_axes_str_fails": _two("layers.Dot('a')"),
    "dot_axes_float_fails": _two("layers.Dot(1.0)"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    assert_same(source)


def test_concatenate_explains_the_sum():
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    a = sk.Input((32,)); b = sk.Input((64,))
    model = sk.Model([a, b], sk.layers.Concatenate()([a, b]))
    layer = model_report(model).to_json()["layers"][-1]
    assert layer["output_shape"] == [None, 96]
    assert "32 + 64 = 96" in layer["explanation"]["shape"]
    assert any("96" in d for d in layer["explanation"]["derived"])


def test_add_explains_no_weights():
    import shapewise.keras as sk
    from shapewise.report import model_report

    sk.clear_session()
    a = sk.Input((5, 3)); b = sk.Input((1, 3))
    model = sk.Model([a, b], sk.layers.add([a, b]))
    layer = model_report(model).to_json()["layers"][-1]
    assert layer["params"] == 0 and layer["output_shape"] == [None, 5, 3]
    assert "broadcast" in layer["explanation"]["shape"]
