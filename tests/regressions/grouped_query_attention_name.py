# Found by the random differential test (soak seed 2).
# keras.layers exports the class GroupedQueryAttention only as `GroupQueryAttention`: `layers.GroupedQueryAttention`
# is an AttributeError in Keras 3.15, but shapewise accepts it (rules/attention.py registers the class under its
# own class name, which engine.register always adds). shapewise should refuse the name Keras does not have.
q = keras.Input(shape=(8, 4))
model = keras.Model(q, layers.GroupedQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1)(q, q))
