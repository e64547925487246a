# Source: keras-io examples/nlp/bidirectional_lstm_imdb.py; IMDB download cut.
import numpy as np
import keras
from keras import layers

max_features = 20000  # Only consider the top 20k words
maxlen = 200  # Only consider the first 200 words of each movie review

# Input for variable-length sequences of integers
inputs = keras.Input(shape=(None,), dtype="int32")
# Embed each integer in a 128-dimensional vector
x = layers.Embedding(max_features, 128)(inputs)
# Add 2 bidirectional LSTMs
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
# Add a classifier
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

# (x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=max_features)  # offline
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
