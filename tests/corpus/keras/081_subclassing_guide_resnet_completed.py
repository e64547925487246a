# Source: keras-io guides/making_new_layers_and_models_via_subclassing.py ("The Model class"): the guide shows
# class ResNet(keras.Model) with block_1/block_2 = ResNetBlock(), GlobalAveragePooling2D and a Dense classifier as
# pseudo-code; ResNetBlock is not given there, so a minimal residual Layer (two Conv2D + BatchNormalization and a
# 1x1 projection) is filled in. Built by a call on keras.Input(shape=(32, 32, 3)).
import keras
from keras import layers
from keras.layers import Dense


class ResNetBlock(layers.Layer):
    def __init__(self, filters=64, **kwargs):
        super().__init__(**kwargs)
        self.conv_a = layers.Conv2D(filters, 3, padding="same")
        self.bn_a = layers.BatchNormalization()
        self.conv_b = layers.Conv2D(filters, 3, padding="same")
        self.bn_b = layers.BatchNormalization()
        self.proj = layers.Conv2D(filters, 1)

    def call(self, inputs, training=False):
        x = keras.ops.relu(self.bn_a(self.conv_a(inputs), training=training))
        x = self.bn_b(self.conv_b(x), training=training)
        return keras.ops.relu(x + self.proj(inputs))


class ResNet(keras.Model):

    def __init__(self, num_classes=1000):
        super().__init__()
        self.block_1 = ResNetBlock()
        self.block_2 = ResNetBlock()
        self.global_pool = layers.GlobalAveragePooling2D()
        self.classifier = Dense(num_classes)

    def call(self, inputs):
        x = self.block_1(inputs)
        x = self.block_2(x)
        x = self.global_pool(x)
        return self.classifier(x)


resnet = ResNet(num_classes=10)
resnet(keras.Input(shape=(32, 32, 3)))
resnet.summary()
