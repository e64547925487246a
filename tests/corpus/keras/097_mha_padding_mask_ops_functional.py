# Written for this corpus following the Keras 3 answers that build a padding mask by hand: keras.ops on the token
# ids (not_equal, an added axis) give MultiHeadAttention its attention_mask, in a functional encoder.
import keras
from keras import layers
from keras import ops

seq_len, vocab, d_model, heads = 64, 5000, 128, 4

tokens = keras.Input(shape=(seq_len,), dtype="int32")
padding = ops.not_equal(tokens, 0)
attention_mask = ops.expand_dims(padding, axis=1)
x = layers.Embedding(vocab, d_model)(tokens)
positions = ops.arange(0, seq_len)
x = x + layers.Embedding(seq_len, d_model)(positions)
attn = layers.MultiHeadAttention(num_heads=heads, key_dim=d_model // heads)(x, x, attention_mask=attention_mask)
x = layers.LayerNormalization(epsilon=1e-6)(x + attn)
ff = layers.Dense(4 * d_model, activation="gelu")(x)
ff = layers.Dense(d_model)(ff)
x = layers.LayerNormalization(epsilon=1e-6)(x + ff)
pooled = ops.sum(x * ops.expand_dims(ops.cast(padding, "float32"), -1), axis=1)
outputs = layers.Dense(3, activation="softmax")(pooled)
model = keras.Model(tokens, outputs)
model.summary()
