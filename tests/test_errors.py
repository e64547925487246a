"""The mistakes people actually make, with the advice a teacher would give.

Each case is a snippet as a user would paste it. Real Keras must fail on it too (the error is real, not made
up); shapewise must name the layer and the line, show the shape it got, and give the expected advice.
"""

import pytest
from oracle import real_keras

from shapewise.errors import ShapeError
from shapewise.frontends.snippet import interpret

# name: (source, layer, line, [phrases the fix must contain])
CATALOGUE = {
    "second_lstm_without_return_sequences": ("""
from keras.models import Sequential
from keras.layers import LSTM
model = Sequential()
model.add(LSTM(32, input_shape=(10, 64)))
model.add(LSTM(16))
""", "lstm_1", 6, ["return_sequences=True"]),
    "lstm_after_flatten": ("""
from keras import Sequential, Input
from keras.layers import Flatten, LSTM
model = Sequential([Input((10, 64)), Flatten(), LSTM(8)])
""", "lstm", 4, ["Reshape((timesteps, features))"]),
    "conv2d_on_image_without_channel_axis": ("""
from keras import Sequential
from keras.layers import Conv2D
model = Sequential([Conv2D(32, 3, input_shape=(28, 28))])
""", "conv2d", 4, ["Reshape((28, 28, 1))", "input_shape=(28, 28, 1)"]),
    "batch_size_in_input_shape_conv": ("""
from keras import Sequential
from keras.layers import Conv2D
model = Sequential([Conv2D(32, 3, input_shape=(64, 28, 28, 1))])
""", "conv2d", 4, ["batch size", "input_shape=(28, 28, 1)"]),
    "batch_size_in_input_shape_lstm": ("""
from keras import Sequential
from keras.layers import LSTM
model = Sequential([LSTM(8, input_shape=(32, 10, 64))])
""", "lstm", 4, ["batch size", "input_shape=(10, 64)"]),
    "reshape_sizes_do_not_multiply_out": ("""
from keras import Sequential, Input
from keras.layers import Dense, Reshape
model = Sequential([Input((100,)), Dense(136), Reshape((68, 3))])
""", "reshape", 4, ["-1"]),
    "concatenate_mismatched_shapes": ("""
from keras import Input, Model
from keras.layers import Concatenate
a = Input((10, 3))
b = Input((12, 3))
out = Concatenate()([a, b])
model = Model([a, b], out)
""", "concatenate", 6, ["axis"]),
    "convolution_output_would_be_empty": ("""
from keras import Sequential, Input
from keras.layers import Conv2D, MaxPooling2D
model = Sequential([Input((8, 8, 1)), Conv2D(4, 3), MaxPooling2D(2), Conv2D(4, 3), Conv2D(4, 3)])
""", "conv2d_2", 4, ["padding='same'"]),
    "pool_window_larger_than_input": ("""
from keras import Sequential, Input
from keras.layers import MaxPooling1D
model = Sequential([Input((3, 4)), MaxPooling1D(4)])
""", "max_pooling1d", 4, ["padding='same'", "pool_size"]),
    "unknown_size_where_a_weight_needs_one": ("""
from keras import Input, Model
from keras.layers import Dense
i = Input((None,))
model = Model(i, Dense(4)(i))
""", "dense", 5, ["concrete size"]),
    "dense_model_fed_unflattened_images": ("""
from keras import Sequential, Input, Model
from keras.layers import Dense
base = Sequential([Input((784,)), Dense(10)])
images = Input((28, 28))
model = Model(images, base(images))
""", "sequential", 6, ["Flatten()"]),
}


@pytest.mark.parametrize("name", CATALOGUE, ids=CATALOGUE)
def test_mistake_is_explained(name):
    source, layer, line, phrases = CATALOGUE[name]
    result = interpret(source, f"<{name}>")
    error = result.error
    assert isinstance(error, ShapeError), f"expected a shape error, got {error!r}"
    assert not result.models, "no half-built model may be reported"
    assert error.layer == layer
    assert error.line == line
    assert error.got is not None and error.expected
    for phrase in phrases:
        assert phrase in (error.fix or ""), f"{phrase!r} not in the advice: {error.fix!r}"
    assert error.exit_code == 1


@pytest.mark.keras
@pytest.mark.parametrize("name", CATALOGUE, ids=CATALOGUE)
def test_real_keras_fails_too(name):
    keras = real_keras()
    keras.backend.clear_session()
    source = CATALOGUE[name][0]
    with pytest.raises(Exception):
        exec(compile(source, f"<{name}>", "exec"), {"__name__": "__case__"})  # our own test source
