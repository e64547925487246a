# Written for this corpus following the Keras 3 sentiment answers on padded reviews: a vocabulary built from the
# texts with a set and comprehensions, np.array of padded id lists, and a Sequential Embedding(mask_zero=True) /
# GRU / Dense model sized from them.
import numpy as np
import keras
from keras import layers

reviews = ["great movie loved it", "terrible plot and bad acting", "not bad at all"]
vocab = sorted({w for r in reviews for w in r.split()})
word_to_id = {w: i + 1 for i, w in enumerate(vocab)}
max_len = max(len(r.split()) for r in reviews)
ids = [[word_to_id[w] for w in r.split()] for r in reviews]
padded = np.array([seq + [0] * (max_len - len(seq)) for seq in ids])
print(len(vocab), max_len, padded.shape)

model = keras.Sequential(
    [
        keras.Input(shape=(padded.shape[1],), dtype="int32"),
        layers.Embedding(len(vocab) + 1, 16, mask_zero=True),
        layers.GRU(32, return_sequences=True),
        layers.GRU(16),
        layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()
