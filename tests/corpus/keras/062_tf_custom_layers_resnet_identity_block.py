# Source: tensorflow.org tutorials/customization/custom_layers ("Models: Composing layers"): MyDenseLayer and
# ResnetIdentityBlock(tf.keras.Model), ported to Keras 3 (tf.nn.relu -> keras.ops.relu, add_weight(name=...)
# because Keras 3's first positional add_weight argument is `shape`).
import keras
from keras import ops


class MyDenseLayer(keras.layers.Layer):
    def __init__(self, num_outputs):
        super(MyDenseLayer, self).__init__()
        self.num_outputs = num_outputs

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[int(input_shape[-1]), self.num_outputs]
        )

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel)


layer = MyDenseLayer(10)
_ = layer(ops.zeros([10, 5]))  # Calling the layer `.builds` it.
print([var.name for var in layer.trainable_variables])


class ResnetIdentityBlock(keras.Model):
    def __init__(self, kernel_size, filters):
        super(ResnetIdentityBlock, self).__init__(name="")
        filters1, filters2, filters3 = filters

        self.conv2a = keras.layers.Conv2D(filters1, (1, 1))
        self.bn2a = keras.layers.BatchNormalization()

        self.conv2b = keras.layers.Conv2D(filters2, kernel_size, padding="same")
        self.bn2b = keras.layers.BatchNormalization()

        self.conv2c = keras.layers.Conv2D(filters3, (1, 1))
        self.bn2c = keras.layers.BatchNormalization()

    def call(self, input_tensor, training=False):
        x = self.conv2a(input_tensor)
        x = self.bn2a(x, training=training)
        x = ops.relu(x)

        x = self.conv2b(x)
        x = self.bn2b(x, training=training)
        x = ops.relu(x)

        x = self.conv2c(x)
        x = self.bn2c(x, training=training)

        x += input_tensor
        return ops.relu(x)


block = ResnetIdentityBlock(1, [1, 2, 3])
_ = block(ops.zeros([1, 2, 3, 3]))
print(len(block.variables))
block.summary()

my_seq = keras.Sequential(
    [
        keras.layers.Conv2D(1, (1, 1), input_shape=(None, None, 3)),
        keras.layers.BatchNormalization(),
        keras.layers.Conv2D(2, 1, padding="same"),
        keras.layers.BatchNormalization(),
        keras.layers.Conv2D(3, (1, 1)),
        keras.layers.BatchNormalization(),
    ]
)
my_seq(ops.zeros([1, 2, 3, 3]))
my_seq.summary()
