# Found by the 20,000-model soak (seed 13). A built layer called again skips Keras's build() and its checks (here
# Conv2D's groups divisibility, inside TimeDistributed: Keras only asks the inner layer's compute_output_shape), so
# Keras builds the model; shapewise re-ran the whole rule and reported the groups error. Fixed: the rule context
# says whether the call builds the layer (Context.building), and rules skip build()'s checks when it does not.
# one side failed (built / ShapeError calling TimeDistributed)
#   keras: built fine
#   shapewise: line 22: ShapeError [layer=time_distributed]: layer 'time_distributed' (TimeDistributed): in its inner layer 'conv2d' (Conv2D): The number of input channels must be evenly divisible by the number of groups. Received groups=3, but the input has 1 channels
inp1 = keras.Input(shape=(4, 2, 5, 3))
l2 = layers.TimeDistributed(layers.Conv2D(9, (1, 2), padding='same', groups=3, use_bias=False))
x3 = l2(inp1)
l5 = layers.AdaptiveAveragePooling3D((2, 1, 1))
l6 = layers.Conv3DTranspose(1, (1, 2, 3), strides=(2, 2, 2), padding='same')
m4 = keras.Sequential()
m4.add(l5)
m4.add(l6)
x7 = m4(inp1)
l8 = layers.RMSNormalization()
x9 = l8(x7)
ii10 = keras.Input(shape=(4, 2, 5, 3))
l11 = layers.AdaptiveMaxPooling3D((2, 4, 1))
y12 = l11(ii10)
l13 = layers.MaxPooling3D(pool_size=(3, 2, 3), strides=1, padding='same')
y14 = l13(y12)
l15 = layers.GlobalAveragePooling3D(keepdims=True)
y16 = l15(y14)
m17 = keras.Model(ii10, y16)
m17.trainable = False
x18 = m17(inp1)
x19 = l2(x7)
model = keras.Model([inp1], x19)
