# Source: keras-io guides/functional_api.py ("Shared layers"); the guide stops at the encoded inputs,
# a Model wrapping both outputs was added so there is something to summarize.
import keras
from keras import layers

# Embedding for 1000 unique words mapped to 128-dimensional vectors
shared_embedding = layers.Embedding(1000, 128)

# Variable-length sequence of integers
text_input_a = keras.Input(shape=(None,), dtype="int32")

# Variable-length sequence of integers
text_input_b = keras.Input(shape=(None,), dtype="int32")

# Reuse the same layer to encode both inputs
encoded_input_a = shared_embedding(text_input_a)
encoded_input_b = shared_embedding(text_input_b)

model = keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])
model.summary()
