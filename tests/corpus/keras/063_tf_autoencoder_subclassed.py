# Source: tensorflow.org tutorials/generative/autoencoder: Autoencoder, Denoise and AnomalyDetector
# (tf.keras.Model subclasses with Sequential encoder/decoder attributes), written against Keras 3
# (tf.math.reduce_prod(shape).numpy() -> int(np.prod(shape))). Fashion-MNIST (28, 28) / ECG (140,) shapes.
import numpy as np
import keras
from keras import layers
from keras.models import Model


class Autoencoder(Model):
    def __init__(self, latent_dim, shape):
        super(Autoencoder, self).__init__()
        self.latent_dim = latent_dim
        self.shape = shape
        self.encoder = keras.Sequential([
            layers.Flatten(),
            layers.Dense(latent_dim, activation="relu"),
        ])
        self.decoder = keras.Sequential([
            layers.Dense(int(np.prod(shape)), activation="sigmoid"),
            layers.Reshape(shape),
        ])

    def call(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return decoded


shape = (28, 28)
latent_dim = 64
autoencoder = Autoencoder(latent_dim, shape)
autoencoder.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
autoencoder(np.zeros((1, 28, 28), "float32"))
autoencoder.summary()


class Denoise(Model):
    def __init__(self):
        super(Denoise, self).__init__()
        self.encoder = keras.Sequential([
            layers.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, (3, 3), activation="relu", padding="same", strides=2),
            layers.Conv2D(8, (3, 3), activation="relu", padding="same", strides=2)])

        self.decoder = keras.Sequential([
            layers.Conv2DTranspose(8, kernel_size=3, strides=2, activation="relu", padding="same"),
            layers.Conv2DTranspose(16, kernel_size=3, strides=2, activation="relu", padding="same"),
            layers.Conv2D(1, kernel_size=(3, 3), activation="sigmoid", padding="same")])

    def call(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return decoded


denoise = Denoise()
denoise.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
denoise(np.zeros((1, 28, 28, 1), "float32"))
denoise.encoder.summary()
denoise.decoder.summary()
denoise.summary()


class AnomalyDetector(Model):
    def __init__(self):
        super(AnomalyDetector, self).__init__()
        self.encoder = keras.Sequential([
            layers.Dense(32, activation="relu"),
            layers.Dense(16, activation="relu"),
            layers.Dense(8, activation="relu")])

        self.decoder = keras.Sequential([
            layers.Dense(16, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(140, activation="sigmoid")])

    def call(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return decoded


anomaly = AnomalyDetector()
anomaly.compile(optimizer="adam", loss="mae")
anomaly(np.zeros((1, 140), "float32"))
anomaly.summary()
