# Written for this corpus following keras-io examples/nlp/pretrained_word_embeddings.py (Keras 3): an embedding
# matrix prepared with NumPy (GloVe vectors replaced by a zero matrix of the same shape), a frozen Embedding
# initialised from it, then Conv1D / MaxPooling1D blocks and a softmax over the newsgroups.
import numpy as np
import keras
from keras import layers

class_names = ["alt.atheism", "comp.graphics", "rec.autos", "sci.space", "talk.politics.guns"]
voc = ["", "[UNK]", "the", "of", "to", "and", "a", "in"] + [f"word{i}" for i in range(192)]
word_index = dict(zip(voc, range(len(voc))))

num_tokens = len(voc) + 2
embedding_dim = 100
hits = 0
misses = 0

# Prepare embedding matrix
embedding_matrix = np.zeros((num_tokens, embedding_dim))
print("Converted %d words (%d misses)" % (hits, misses))

embedding_layer = layers.Embedding(
    num_tokens,
    embedding_dim,
    trainable=False,
)
embedding_layer.build((1,))
embedding_layer.set_weights([embedding_matrix])

int_sequences_input = keras.Input(shape=(None,), dtype="int32")
embedded_sequences = embedding_layer(int_sequences_input)
x = layers.Conv1D(128, 5, activation="relu")(embedded_sequences)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(128, 5, activation="relu")(x)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(128, 5, activation="relu")(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(128, activation="relu")(x)
x = layers.Dropout(0.5)(x)
preds = layers.Dense(len(class_names), activation="softmax")(x)
model = keras.Model(int_sequences_input, preds)
model.summary()
