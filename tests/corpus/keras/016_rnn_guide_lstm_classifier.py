# Source: keras-io guides/working_with_rnns.py ("Built-in RNN layers: a simple example").
import keras
from keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(None,)))
# Add an Embedding layer expecting input vocab of size 1000, and
# output embedding dimension of size 64.
model.add(layers.Embedding(input_dim=1000, output_dim=64))

# Add a LSTM layer with 128 internal units.
model.add(layers.LSTM(128))

# Add a Dense layer with 10 units.
model.add(layers.Dense(10))

model.summary()
