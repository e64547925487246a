# Found by scripts/recall_fuzz.py (a built layer called again). LayerNormalization sets no InputSpec; called again
# it only runs compute_output_shape (an axis range check), so an unknown last axis is fine in Keras. shapewise
# re-ran the build-time check that the normalized axis is known. Fixed: Context.building.
# one side failed (built / ShapeError calling LayerNormalization)
#   keras: built fine
#   shapewise: line 5: ShapeError [layer=layer_normalization]: layer 'layer_normalization' (LayerNormalization): LayerNormalization needs the size of the axis it normalizes along (axis 2) to create its weights, but that axis is unknown
inp1 = keras.Input(shape=(4, 5))
inp2 = keras.Input(shape=(4, None))
l3 = layers.LayerNormalization()
x4 = l3(inp1)
x5 = l3(inp2)
model = keras.Model([inp1, inp2], [x4, x5])
