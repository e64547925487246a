# Source: keras-io guides/working_with_rnns.py ("Bidirectional RNNs").
import keras
from keras import layers

model = keras.Sequential()

model.add(keras.Input(shape=(5, 10)))
model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True)))
model.add(layers.Bidirectional(layers.LSTM(32)))
model.add(layers.Dense(10))

model.summary()
