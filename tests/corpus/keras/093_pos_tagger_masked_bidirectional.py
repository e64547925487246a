# Written for this corpus following the common sequence-tagging answers (POS / NER taggers in Keras 3): padded
# integer sentences, Embedding(mask_zero=True), a bidirectional LSTM over the sequence and a per-token softmax.
import numpy as np
import keras
from keras import layers

sentences = [["the", "cat", "sat"], ["a", "dog", "ran", "home"]]
words = sorted(set(w for s in sentences for w in s))
tags = ["DET", "NOUN", "VERB", "ADV"]
word2idx = {w: i + 2 for i, w in enumerate(words)}
word2idx["PAD"] = 0
word2idx["UNK"] = 1
MAX_LEN = 50
n_words = len(word2idx)
n_tags = len(tags) + 1
print(n_words, n_tags)

inputs = keras.Input(shape=(MAX_LEN,))
x = layers.Embedding(input_dim=n_words, output_dim=50, mask_zero=True)(inputs)
x = layers.Bidirectional(layers.LSTM(units=64, return_sequences=True, recurrent_dropout=0.1))(x)
x = layers.TimeDistributed(layers.Dense(32, activation="relu"))(x)
outputs = layers.TimeDistributed(layers.Dense(n_tags, activation="softmax"))(x)
model = keras.Model(inputs, outputs)
model.summary()
