# Source: keras-io guides/making_new_layers_and_models_via_subclassing.py (Linear with add_weight in __init__,
# ComputeSum non-trainable weight), tf.* -> keras.ops as in the Keras 3 guide. Wrapped in a functional model.
import keras
from keras import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(
            shape=(input_dim, units), initializer="random_normal", trainable=True
        )
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(
            initializer="zeros", shape=(input_dim,), trainable=False
        )

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
y = linear_layer(x)
print(y)

inputs = keras.Input(shape=(2,))
outputs = Linear(4, 2)(inputs)
model = keras.Model(inputs, outputs)
model.summary()
