# Written for this corpus following the Keras guide "Understanding masking & padding" (keras-io
# guides/understanding_masking_and_padding.py, Keras 3): padded NumPy sequences, a Masking layer and an
# Embedding(mask_zero=True) feeding LSTMs, in Sequential and functional models.
import numpy as np
import keras
from keras import layers

raw_inputs = [
    [711, 632, 71],
    [73, 8, 3215, 55, 927],
    [83, 91, 1, 645, 1253, 927],
]
padded_inputs = np.array([[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0], [83, 91, 1, 645, 1253, 927]])
print(padded_inputs.shape)

embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
masked_output = embedding(padded_inputs)

masking_layer = layers.Masking()
unmasked_embedding = np.random.random((3, 6, 32)).astype("float32")
masked_embedding = masking_layer(unmasked_embedding)

model = keras.Sequential(
    [
        layers.Input((None,)),
        layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True),
        layers.LSTM(32),
    ]
)
model.summary()

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
outputs = layers.LSTM(32)(x)
model2 = keras.Model(inputs, outputs)
model2.summary()

inputs = keras.Input(shape=(6, 32))
x = layers.Masking(mask_value=0.0)(inputs)
x = layers.LSTM(16, return_sequences=True)(x)
x = layers.GRU(8)(x)
model3 = keras.Model(inputs, layers.Dense(1)(x))
model3.summary()
