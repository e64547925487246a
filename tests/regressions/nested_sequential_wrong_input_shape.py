# Found by the random differential test (soak seed 1).
# A Sequential built with an Input, used as a layer on a tensor of another shape: Keras raises
# "Input 0 ... of layer 'functional' is incompatible with the layer: expected shape=(None, 4, 2, 4), found
# shape=(None, 3, 1, 3)"; shapewise built it. Cause: graph.py Sequential.infer did not check its input against
# its InputLayer (Functional.infer does). Fixed in graph.py.
inner = keras.Sequential([keras.Input(shape=(4, 2, 4)), layers.AveragePooling2D(pool_size=(3, 1))])
i = keras.Input(shape=(3, 1, 3))
model = keras.Model(i, inner(i))
