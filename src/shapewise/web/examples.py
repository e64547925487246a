"""The examples the page offers, one click away: the seed questions' models (see DESIGN.md)."""

from ..cli import EXAMPLE

DENSE_RANK3 = """\
# Why does Dense(10) on a (20, 5) input have 60 parameters and an output of (None, 20, 10)?
from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(10, input_shape=(20, 5)))
model.summary()
"""

DENSENET = """\
# Does the image size change DenseNet121's parameter count?
import keras

model = keras.applications.DenseNet121(weights=None, input_shape=({size}, {size}, 1))
model.summary()
"""

CONV_FLATTEN_DENSE = """\
# Where do the 440 million parameters come from?
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense

model = Sequential()
model.add(Conv2D(32, 3, input_shape=(320, 320, 3)))
model.add(Flatten())
model.add(Dense(136))
model.summary()
"""

BRANCHES = """\
# A functional model with a branch and a merge
import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3), name="image")
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
shortcut = x
x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
x = layers.Add()([x, shortcut])
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs, outputs, name="residual")
model.summary()
"""

SHAPE_ERROR = """\
# A shape error: an LSTM needs (batch, timesteps, features)
import keras
from keras import layers

model = keras.Sequential()
model.add(keras.Input((10,)))
model.add(layers.Dense(16))
model.add(layers.LSTM(4))
model.summary()
"""

EXAMPLES = [
    ("LSTM(32) on (10, 64)", EXAMPLE),
    ("Dense(10) on (20, 5)", DENSE_RANK3),
    ("DenseNet121 at 224", DENSENET.format(size=224)),
    ("DenseNet121 at 512", DENSENET.format(size=512)),
    ("Conv2D → Flatten → Dense(136)", CONV_FLATTEN_DENSE),
    ("Branch and merge", BRANCHES),
    ("A shape error", SHAPE_ERROR),
]
