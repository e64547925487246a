# Source: keras-io examples/keras_recipes/subclassing_conv_layers.py (Keras 3 version): subclasses of
# layers.Conv2D overriding convolution_op (StandardizedConv2DWithOverride) and call
# (StandardizedConv2DWithCall). MNIST (28, 28, 1), 10 classes.
import keras
from keras import layers
from keras import ops
import numpy as np


class StandardizedConv2DWithOverride(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return ops.conv(
            inputs,
            (kernel - mean) / ops.sqrt(var + 1e-10),
            strides=list(self.strides),
            padding=self.padding.upper(),
            dilation_rate=list(self.dilation_rate),
        )


class StandardizedConv2DWithCall(layers.Conv2D):
    def call(self, inputs):
        mean, var = ops.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
        result = ops.conv(
            inputs,
            (self.kernel - mean) / ops.sqrt(var + 1e-10),
            strides=list(self.strides),
            padding=self.padding.upper(),
            dilation_rate=list(self.dilation_rate),
        )
        if self.use_bias:
            result = result + self.bias
        return result


num_classes = 10
input_shape = (28, 28, 1)

model = keras.Sequential(
    [
        keras.layers.InputLayer(shape=input_shape),
        StandardizedConv2DWithCall(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        StandardizedConv2DWithOverride(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)

model.summary()
