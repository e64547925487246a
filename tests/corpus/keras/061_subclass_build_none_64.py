# Source: "The call() method in Keras" (Allen Liang, Jan 2025; mirrored at
# https://singularityfeed.com/the-call-method-in-keras-the-__call__-method-by-allen-liang-jan-2025):
# subclassed model built with model.build((None, 64)).
# NOTE: in real Keras 3.15 model.build() on a subclassed model with no build() method does NOT trace call():
# it warns and the summary shows both Dense layers "(unbuilt)", 0 params. Kept as a differential case.
from keras import Model
from keras.layers import Dense


class MyCustomModel(Model):
    def __init__(self):
        super().__init__()
        self.dense1 = Dense(32, activation="relu")
        self.dense2 = Dense(10, activation="softmax")

    def call(self, inputs):
        x = self.dense1(inputs)
        return self.dense2(x)


model = MyCustomModel()
model.build((None, 64))
model.summary()
