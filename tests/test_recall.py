"""Calls that do not build the layer: what shapewise says about them (the shapes themselves are checked against
Keras by tests/regressions/ and the random models; these check the explanation and the errors)."""

import pytest

from shapewise import keras
from shapewise.errors import ShapeError
from shapewise.keras import layers
from shapewise.report import model_report


@pytest.fixture(autouse=True)
def _session():
    keras.clear_session()


def _notes(model, name):
    layer = next(r for r in model_report(model).layers if r.name == name)
    return layer.explanation.notes


def test_recall_on_other_size_builds_with_a_warning():
    a, b = keras.Input(shape=(4, 5)), keras.Input(shape=(4, 7))
    ln = layers.LayerNormalization()
    model = keras.Model([a, b], [ln(a), ln(b)])
    assert [w.shape for w in ln.weights] == [(5,), (5,)]  # the weights of the first call are kept
    notes = _notes(model, "layer_normalization")
    warnings = [n for n in notes if n.startswith("call 2:")]
    assert len(warnings) == 1
    assert "built for features=5" in warnings[0] and "features=7" in warnings[0] and "would fail" in warnings[0]


def test_recall_on_same_shape_has_no_warning():
    a, b = keras.Input(shape=(4, 5)), keras.Input(shape=(4, 5))
    ln = layers.LayerNormalization()
    model = keras.Model([a, b], [ln(a), ln(b)])
    assert not [n for n in _notes(model, "layer_normalization") if n.startswith("call 2:")]


def test_built_input_spec_is_asserted_on_a_later_call():
    a, b = keras.Input(shape=(5,)), keras.Input(shape=(7,))
    dense = layers.Dense(3)
    dense(a)
    with pytest.raises(ShapeError) as e:
        dense(b)
    assert e.value.layer == "dense"
    assert "expected axis -1 of input shape to have value 5" in e.value.message
    assert "separate layer instance" in e.value.fix


def test_recall_skips_build_checks():
    a = keras.Input(shape=(None, 7))
    rnn = layers.RNN(layers.SimpleRNNCell(2))
    y = rnn(a)
    assert rnn(y).shape == (None, 2)  # a 2D input: Keras's compute_output_shape only reads the cell's output_size
    assert [w.shape for w in rnn.weights] == [(7, 2), (2, 2), (2,)]


def test_time_distributed_inner_layer_is_not_called():
    a = keras.Input(shape=(2, 4, 3, 6))
    td = layers.TimeDistributed(layers.MaxPooling1D(2, padding="same"))
    model = keras.Model(a, td(a))
    assert model.output_shape == (None, 2, 2, 2, 6)  # Keras broadcasts the one pool size over both spatial axes
    assert any("run on data it would fail" in n for n in _notes(model, "time_distributed"))
