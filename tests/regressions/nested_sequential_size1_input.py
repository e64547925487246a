# Found by the 20,000-model soak (seed 11). Keras checks a nested model's input with allow_last_axis_squeeze:
# a trailing size-1 axis is dropped before comparing and only the axes both shapes still have are compared,
# so (None, 1) passes for a model built on (None, 2). Fixed in graph._model_input.
# one side failed (built / ShapeError calling Sequential)
#   keras: built fine
#   shapewise: line 13: ShapeError [layer=sequential]: layer 'sequential' (Sequential): the input is incompatible with the model: expected shape (None, 2), found shape (None, 1)
inp1 = keras.Input(shape=(1,))
l2 = layers.Activation('elu')
x3 = l2(inp1)
l4 = layers.Subtract()
x5 = l4([inp1, x3])
l6 = layers.Dot(axes=1)
x7 = l6([inp1, x5])
l9 = layers.RepeatVector(3)
l10 = layers.Conv1DTranspose(3, 2, padding='same')
l11 = layers.RNN(layers.StackedRNNCells([layers.GRUCell(4), layers.LSTMCell(4)]), return_sequences=True)
m8 = keras.Sequential([keras.Input(shape=(2,)), l9, l10, l11])
m8.trainable = False
x12 = m8(x7)
model = keras.Model([inp1], x12)
