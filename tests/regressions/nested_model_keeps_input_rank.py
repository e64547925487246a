# Found by scripts/recall_fuzz.py (a nested model called on a shape its input check lets through). Keras's check
# drops a trailing size-1 axis before comparing, but a symbolic call then runs the layers' compute_output_spec on
# the shape as it is: Dense gives (None, 2, 3). shapewise squeezed the axis first (Keras's _adjust_input_rank, which
# only runs on data) and gave (None, 3). Fixed in graph._model_input.
# models differ: layer functional differs (model has Functional, InputLayer)
#   keras:     output_shape [None, 2, 3]
#   shapewise: output_shape [None, 3]
inp1 = keras.Input(shape=(2, 1))
ii2 = keras.Input(shape=(2,))
l3 = layers.Dense(3)
y4 = l3(ii2)
m5 = keras.Model(ii2, y4)
x6 = m5(inp1)
model = keras.Model(inp1, x6)
