# Written for this corpus following keras-io examples/nlp/addition_rnn.py (Keras 3): an LSTM encoder, RepeatVector
# and an LSTM decoder reading one-hot characters; the character table and sizes are computed as the example does.
import numpy as np
import keras
from keras import layers

TRAINING_SIZE = 50000
DIGITS = 3
REVERSE = True
MAXLEN = DIGITS + 1 + DIGITS
chars = "0123456789+ "


class CharacterTable:
    """Encode strings as one-hot arrays and decode them back."""

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        return x


ctable = CharacterTable(chars)
x = np.zeros((TRAINING_SIZE, MAXLEN, len(chars)), dtype=bool)
y = np.zeros((TRAINING_SIZE, DIGITS + 1, len(chars)), dtype=bool)
print("Training Data:", x.shape, y.shape)

num_layers = 1
model = keras.Sequential()
model.add(layers.Input((MAXLEN, len(chars))))
model.add(layers.LSTM(128))
model.add(layers.RepeatVector(DIGITS + 1))
for _ in range(num_layers):
    model.add(layers.LSTM(128, return_sequences=True))
model.add(layers.Dense(len(chars), activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
