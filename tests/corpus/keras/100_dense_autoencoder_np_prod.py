# Written for this corpus following the Keras blog post "Building Autoencoders in Keras", updated to Keras 3: the
# flattened image size computed with np.prod from a NumPy array's shape, a dense encoder and decoder, and the
# encoder and decoder models taken from the autoencoder's layers.
import numpy as np
import keras
from keras import layers

x_train = np.zeros((600, 28, 28), dtype="float32")
x_train = x_train.reshape((len(x_train), np.prod(x_train.shape[1:])))
print(x_train.shape)

encoding_dim = 32
input_img = keras.Input(shape=(int(np.prod((28, 28))),))
encoded = layers.Dense(encoding_dim, activation="relu")(input_img)
decoded = layers.Dense(784, activation="sigmoid")(encoded)
autoencoder = keras.Model(input_img, decoded)
encoder = keras.Model(input_img, encoded)
encoded_input = keras.Input(shape=(encoding_dim,))
decoder_layer = autoencoder.layers[-1]
decoder = keras.Model(encoded_input, decoder_layer(encoded_input))
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()
encoder.summary()
decoder.summary()
