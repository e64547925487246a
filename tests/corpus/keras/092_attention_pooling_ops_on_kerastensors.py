# Written for this corpus following the attention-pooling text classifiers of Q&A answers and keras-io examples:
# the attention weights are computed with keras.ops directly on KerasTensors of a functional model (softmax over
# time, a weighted sum), which Keras records as operations of the graph.
import keras
from keras import layers
from keras import ops

max_len = 100
vocab_size = 10000
embed_dim = 64

inputs = keras.Input(shape=(max_len,), dtype="int32")
x = layers.Embedding(vocab_size, embed_dim)(inputs)
h = layers.Bidirectional(layers.LSTM(32, return_sequences=True))(x)
scores = layers.Dense(1)(h)
scores = ops.squeeze(scores, axis=-1)
weights = ops.softmax(scores, axis=1)
context = ops.sum(h * ops.expand_dims(weights, -1), axis=1)
outputs = layers.Dense(1, activation="sigmoid")(context)
model = keras.Model(inputs, outputs)
model.summary()
