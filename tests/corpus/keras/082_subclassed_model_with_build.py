# Source: Keras 3 API docs pattern (https://keras.io/api/layers/base_layer/ "build(input_shape)" and
# https://keras.io/api/models/model/): a keras.Model subclass that defines build() itself, creating a weight with
# add_weight and building its sublayers from input_shape, so model.build((None, 16)) builds everything.
import keras
from keras import layers
from keras import ops


class ScaledMLP(keras.Model):
    def __init__(self, units=32, num_classes=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="relu")
        self.out = layers.Dense(num_classes)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        self.hidden.build(input_shape)
        self.out.build((input_shape[0], self.units))
        self.built = True

    def call(self, inputs):
        x = inputs * self.scale
        return ops.softmax(self.out(self.hidden(x)))


model = ScaledMLP()
model.build((None, 16))
model.summary()
