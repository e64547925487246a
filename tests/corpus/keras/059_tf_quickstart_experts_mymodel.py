# Source: tensorflow.org "TensorFlow 2 quickstart for experts" (tutorials/quickstart/advanced) MyModel,
# written against keras 3 (tf.keras -> keras); MNIST loading and the GradientTape loop cut; built by a call on keras.Input (model.build on a subclassed model without build() leaves it unbuilt in Keras 3).
import keras
from keras.layers import Dense, Flatten, Conv2D
from keras import Model


class MyModel(Model):
    def __init__(self):
        super().__init__()
        self.conv1 = Conv2D(32, 3, activation="relu")
        self.flatten = Flatten()
        self.d1 = Dense(128, activation="relu")
        self.d2 = Dense(10)

    def call(self, x):
        x = self.conv1(x)
        x = self.flatten(x)
        x = self.d1(x)
        return self.d2(x)


# Create an instance of the model
model = MyModel()
loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam()
_ = model(keras.Input(shape=(28, 28, 1)))
model.summary()
