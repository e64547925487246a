"""Real code: functions, custom layers, subclassed models and ops, interpreted and compared with real Keras.

Each case is pasted code run twice: by shapewise's interpreter (never executed) and by real Keras 3 (our own test
source, run with ``exec``). Every model its ``summary()`` calls show is compared layer by layer (name, class,
output shape, params, trainable split, every weight's name, shape and flag) and in its totals.
"""

import pytest
from oracle import assert_both_fail, assert_same_source

HEAD = "import keras\nfrom keras import layers, ops\n"

SNIPPETS = {
    # a keras.ops function as the function a Lambda wraps (lambda_layer_test.test_lambda_basics)
    "lambda_of_keras_op": """
x = keras.Input(batch_shape=(2, 3))
model = keras.Model(x, layers.Lambda(ops.square)(x))
m2 = keras.Sequential([keras.Input((4, 5)), layers.Lambda(keras.ops.mean, arguments={"axis": -1})])
m3 = keras.Sequential([keras.Input((4,)), layers.Lambda(ops.square, output_shape=(4,))])
""",
    # Normalization's statistics given as NumPy arrays (normalization_test.test_normalization_basics)
    "normalization_numpy_statistics": """
import numpy as np
x = keras.Input(batch_shape=(2, 3))
model = keras.Model(x, layers.Normalization(mean=np.array([0.0, 1.0, 2.0]), variance=np.array([1.0, 1.0, 1.0]))(x))
m2 = keras.Sequential([keras.Input((4, 3)), layers.Normalization(axis=-1, mean=np.zeros((3,)), variance=np.ones(3))])
""",
    # a subclass of a built-in wrapper: its base's __init__ names the layer it owns (an internal error before)
    "subclassed_time_distributed": """
class MyTimeDistributed(layers.TimeDistributed):
    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)

model = keras.Sequential([keras.Input((4, 3)), MyTimeDistributed(layers.Dense(2))])
""",
    # --- functions ---------------------------------------------------------------------------------------------
    "function_builds_model": """
def build_model(input_dim=8, hidden=(16, 8), n_out=2, *, dropout=0.1):
    inp = keras.Input((input_dim,))
    x = inp
    for h in hidden:
        x = layers.Dense(h, activation="relu")(x)
        x = layers.Dropout(dropout)(x)
    return keras.Model(inp, layers.Dense(n_out)(x))

model = build_model(hidden=[32, 16, 4])
model.summary()
""",
    "conv_block_helper_with_kwargs": """
def conv_block(x, filters, kernel_size=3, strides=1, **kwargs):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", **kwargs)(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)

def residual(x, filters):
    shortcut = x
    x = conv_block(x, filters)
    x = conv_block(x, filters, use_bias=False)
    return layers.Add()([shortcut, x])

inputs = keras.Input(shape=(32, 32, 3))
x = conv_block(inputs, 16, strides=2)
for _ in range(2):
    x = residual(x, 16)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs, outputs, name="resnet_like")
model.summary()
""",
    "closure_and_varargs": """
def make_stack(*sizes, activation="relu"):
    def apply(x):
        for s in sizes:
            x = layers.Dense(s, activation=activation)(x)
        return x
    return apply

stack = make_stack(64, 32, 16)
inp = keras.Input((20,))
model = keras.Model(inp, stack(inp))
model.summary()
""",
    "recursion_builds_tower": """
def tower(x, depth):
    if depth == 0:
        return x
    return tower(layers.Dense(4 * depth)(x), depth - 1)

inp = keras.Input((3,))
model = keras.Model(inp, tower(inp, 4))
model.summary()
""",
    "sequential_from_function_and_lambda": """
make = lambda units: layers.Dense(units, activation="relu")

def get_model(n_layers, width=32):
    model = keras.Sequential([keras.Input((10,))])
    for i in range(n_layers):
        model.add(make(width // (i + 1)))
    model.add(layers.Dense(1))
    return model

model = get_model(3)
model.summary()
""",
    "nonlocal_counter": """
def builder():
    count = 0
    def dense(units):
        nonlocal count
        count += 1
        return layers.Dense(units, name=f"dense_block_{count}")
    return dense

d = builder()
inp = keras.Input((5,))
model = keras.Model(inp, d(3)(d(4)(inp)))
model.summary()
""",
    "while_loop_halves": """
inp = keras.Input((64, 64, 3))
x = inp
size = 64
while size > 8:
    x = layers.Conv2D(8, 3, padding="same")(x)
    x = layers.MaxPooling2D()(x)
    size //= 2
model = keras.Model(inp, layers.Flatten()(x))
model.summary()
""",
    # --- custom layers -----------------------------------------------------------------------------------------
    "custom_layer_sublayers_and_weights": """
@keras.saving.register_keras_serializable()
class MyLayer(layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.d2 = layers.Dense(units)
        self.w = self.add_weight(shape=(3,), initializer="zeros", name="myw")
        self.d1 = layers.Dense(units * 2)
        self.unused = [layers.Dense(1), layers.Dense(2)]

    def build(self, input_shape):
        self.b = self.add_weight(shape=(input_shape[-1],), name="b", trainable=False)

    def call(self, x):
        return self.d2(self.d1(x))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config

inp = keras.Input((5,))
out = MyLayer(name="mine")(inp)
model = keras.Model(inp, out)
model.summary()
""",
    "custom_block_in_list_and_dict": """
class Block(layers.Layer):
    def __init__(self, widths, **kwargs):
        super().__init__(**kwargs)
        self.layers_ = [layers.Dense(w, activation="relu") for w in widths]
        self.heads = {"a": layers.Dense(2), "b": layers.Dense(3)}
        self.norm = layers.LayerNormalization()

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.layers_:
            x = layer(x)
        x = self.norm(x)
        return self.heads["a"](x)

inp = keras.Input((10,))
x = Block([16, 8])(inp)
x = Block([4], name="second")(x)
model = keras.Model(inp, x)
model.summary()
""",
    "custom_layer_compute_output_shape": """
class Twice(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(6)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x):
        return self.dense(x)

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (6,)

inp = keras.Input((7, 5))
model = keras.Model(inp, Twice()(inp))
model.summary()
""",
    "custom_layer_helper_method_and_property": """
class Head(layers.Layer):
    scale = 2

    def __init__(self, classes, **kwargs):
        super().__init__(**kwargs)
        self._classes = classes
        self.hidden = layers.Dense(self.width())
        self.out = layers.Dense(classes, activation="softmax")

    @property
    def classes(self):
        return self._classes

    def width(self):
        return self.scale * 16

    def call(self, x):
        return self.out(self.hidden(x))

inp = keras.Input((12,))
head = Head(5)
model = keras.Model(inp, head(inp))
print(head.classes)
model.summary()
""",
    "custom_layer_shared_twice": """
class Proj(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x)

proj = Proj(8)
a = keras.Input((4,))
b = keras.Input((4,))
merged = layers.Concatenate()([proj(a), proj(b)])
model = keras.Model([a, b], layers.Dense(1)(merged))
model.summary()
""",
    "custom_layer_frozen": """
class Enc(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d = layers.Dense(4)

    def call(self, x):
        return self.d(x)

enc = Enc()
inp = keras.Input((3,))
model = keras.Model(inp, layers.Dense(2)(enc(inp)))
enc.trainable = False
model.summary()
""",
    "subclass_of_dense_keeps_rule": """
class MyDense(layers.Dense):
    pass

inp = keras.Input((6,))
model = keras.Model(inp, MyDense(3)(inp))
model.summary()
""",
    "custom_layer_inheritance_chain": """
class Base(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.proj = layers.Dense(units)

    def call(self, x):
        return self.proj(x)

class Child(Base):
    def __init__(self, units, **kwargs):
        super().__init__(units * 2, **kwargs)
        self.extra = layers.Dense(units)

    def call(self, x):
        return self.extra(super().call(x))

inp = keras.Input((5,))
model = keras.Model(inp, Child(3)(inp))
model.summary()
""",
    "nested_custom_layers": """
class Inner(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.a = layers.Dense(4)
        self.w = self.add_weight(shape=(4, 4), name="mix")

    def call(self, x):
        return self.a(x)

class Outer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = Inner()
        self.second = Inner()

    def call(self, x):
        return self.second(self.first(x))

inp = keras.Input((9,))
model = keras.Model(inp, Outer()(inp))
model.summary()
""",
    # --- subclassed models -------------------------------------------------------------------------------------
    "subclassed_model_called_on_input": """
class MyModel(keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv = layers.Conv2D(4, 3, activation="relu")
        self.flatten = layers.Flatten()
        self.dense = layers.Dense(num_classes)

    def call(self, x):
        return self.dense(self.flatten(self.conv(x)))

model = MyModel()
model(keras.Input((8, 8, 1)))
model.summary()
""",
    "subclassed_model_named_with_blocks": """
class Encoder(layers.Layer):
    def __init__(self, latent, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(32, activation="relu")
        self.out = layers.Dense(latent)

    def call(self, x):
        return self.out(self.hidden(x))

class AutoEncoder(keras.Model):
    def __init__(self, latent=4, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Encoder(latent)
        self.decoder = layers.Dense(16)

    def call(self, inputs):
        return self.decoder(self.encoder(inputs))

model = AutoEncoder(name="ae")
model(keras.Input((16,)))
model.summary()
""",
    "subclassed_model_build_without_build_method": """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = layers.Dense(8)
        self.d2 = layers.Dense(2)

    def call(self, x):
        return self.d2(self.d1(x))

model = Net()
model.build((None, 4))
model.summary()
""",
}

OPS_SNIPPETS = {
    "custom_linear_with_ops": """
class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

inp = keras.Input((7,))
x = Linear(16)(inp)
x = Linear(4)(x)
model = keras.Model(inp, x)
model.summary()
""",
    "vae_sampling_layer": """
class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim))
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

latent_dim = 2
encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(latent_dim, name="z_mean")(x)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
encoder.summary()
""",
    "patch_encoder_vit": """
class PatchEncoder(layers.Layer):
    def __init__(self, num_patches, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches, output_dim=projection_dim)

    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        projected_patches = self.projection(patch)
        return projected_patches + self.position_embedding(positions)

inputs = keras.Input(shape=(16, 48))
encoded = PatchEncoder(16, 32)(inputs)
x = layers.LayerNormalization(epsilon=1e-6)(encoded)
x = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x)
x = layers.Flatten()(x)
model = keras.Model(inputs, layers.Dense(3)(x))
model.summary()
""",
    "lambda_traced_without_output_shape": """
inp = keras.Input((5, 6))
a = layers.Lambda(lambda x: x[:, 0])(inp)
b = layers.Lambda(lambda x: ops.sum(x, axis=1, keepdims=True))(inp)
c = layers.Lambda(lambda t: ops.concatenate([t[0], t[1][:, 0]], axis=-1))([a, b])
def scale(x, factor=2.0):
    return x * factor
d = layers.Lambda(scale, arguments={"factor": 0.5})(c)
model = keras.Model(inp, layers.Dense(3)(d))
model.summary()
""",
    "functional_ops_outside_layers": """
inp = keras.Input((4, 8))
x = layers.Dense(3)(inp)
y = x * 2 + 1
z = ops.mean(y, axis=1)
w = ops.expand_dims(z, -1)
out = layers.Dense(2)(w)
model = keras.Model(inp, out)
model.summary()
""",
    "slicing_in_call": """
class TakeFirst(layers.Layer):
    def call(self, x):
        return x[:, 0, :]

inp = keras.Input((5, 6))
h = layers.LSTM(8, return_sequences=True)(inp)
model = keras.Model(inp, layers.Dense(2)(TakeFirst()(h)))
model.summary()
""",
    "transformer_block_custom": """
class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)

class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions

vocab_size = 2000
maxlen = 20
embed_dim = 16
inputs = layers.Input(shape=(maxlen,))
x = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(inputs)
x = TransformerBlock(embed_dim, 2, 32)(x)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()
""",
}

FAILING = {
    "custom_layer_wrong_inner_shape": """
class Bad(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(4, 3)

    def call(self, x):
        return self.conv(x)

inp = keras.Input((10,))
model = keras.Model(inp, Bad()(inp))
model.summary()
""",
    # (the fuzz run, seed 5) a Lambda whose output_shape is an empty structure: the model has no output tensor
    "lambda_empty_output_structure": """
model = keras.Sequential([keras.Input((4,)), layers.Lambda(ops.square, output_shape=({},))])
""",
    "functional_empty_outputs": """
inp = keras.Input((4,))
model = keras.Model(inp, layers.Lambda(ops.square, output_shape=({},))(inp))
""",
    "function_missing_argument": """
def block(x, units):
    return layers.Dense(units)(x)

inp = keras.Input((3,))
model = keras.Model(inp, block(inp))
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("name", SNIPPETS, ids=SNIPPETS)
def test_code_matches_keras(name):
    assert_same_source(HEAD + SNIPPETS[name], f"<{name}>", compare_printed=True)


@pytest.mark.keras
@pytest.mark.parametrize("name", OPS_SNIPPETS, ids=OPS_SNIPPETS)
def test_ops_code_matches_keras(name):
    assert_same_source(HEAD + OPS_SNIPPETS[name], f"<{name}>", compare_printed=True)


@pytest.mark.keras
@pytest.mark.parametrize("name", FAILING, ids=FAILING)
def test_code_fails_like_keras(name):
    assert_both_fail(HEAD + FAILING[name], f"<{name}>")



# --------------------------------------------------------------------------------------------------------------
# Compute of custom layers: the sublayers and ops their traced call() ran, against FlopCounterMode

# Keras's RNN guide: a cell class of the snippet's own under keras.layers.RNN (its build gets one step's input
# shape, its call one step and the states), with one and two states, sequences, states returned, called twice
_MINIMAL_RNN_CELL = """
class MinimalRNNCell(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]
"""
SNIPPETS["rnn_custom_cell"] = _MINIMAL_RNN_CELL + """

class TwoStates(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = (units, 2 * units)
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, inputs, states):
        out = ops.matmul(inputs, self.kernel)
        return out, [out, ops.concatenate([out, out], axis=-1)]


x = keras.Input((None, 5))
rnn = layers.RNN(MinimalRNNCell(32), return_sequences=True)
z = rnn(keras.Input((7, 5)))  # (a first call outside the model: the cell is built then)
y = rnn(x)
w, s1, s2 = layers.RNN(TwoStates(4), return_state=True)(y)
model = keras.Model(x, [w, s1, s2])
model.summary()
"""

def test_bidirectional_over_a_custom_cell_is_refused():
    """Keras's Bidirectional copies the RNN and its cell from their configs; a snippet's cell is not copied yet."""
    from shapewise.errors import RefusedError
    from shapewise.frontends.snippet import interpret

    result = interpret(HEAD + _MINIMAL_RNN_CELL + "y = layers.Bidirectional(layers.RNN(MinimalRNNCell(8)))("
                       "keras.Input((None, 5)))\n", "cell.py")
    assert isinstance(result.error, RefusedError), result.error
    assert "MinimalRNNCell, which the snippet defines" in result.error.message


SNIPPETS["builtin_subclass_without_call"] = """
class Hidden(layers.Dense):
    def __init__(self, **kwargs):
        super().__init__(64, activation="relu", **kwargs)


class Feature(layers.Conv2D):
    pass


inp = keras.Input((12, 12, 3))
x = Feature(8, 3)(inp)
x = layers.Flatten()(x)
model = keras.Model(inp, layers.Dense(2)(Hidden()(x)))
model.summary()
"""

COMPUTE_SNIPPETS = {
    "builtin_subclass_without_call": SNIPPETS["builtin_subclass_without_call"],
    "linear_matmul_add": OPS_SNIPPETS["custom_linear_with_ops"],
    "sublayers_and_elementwise": SNIPPETS["custom_block_in_list_and_dict"],
    "nested_custom": SNIPPETS["nested_custom_layers"],
}


@pytest.mark.keras
@pytest.mark.parametrize("name", COMPUTE_SNIPPETS, ids=COMPUTE_SNIPPETS)
def test_custom_layer_flops_match_flop_counter(name):
    import contextlib
    import io

    from oracle import real_keras
    from test_compute_keras import measure_keras

    from shapewise.compute import Settings
    from shapewise.frontends.snippet import interpret

    source = HEAD + COMPUTE_SNIPPETS[name]
    keras = real_keras()
    keras.backend.clear_session()
    ns = {"__name__": "__case__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, name, "exec"), ns)  # our own test source
    measured = measure_keras(ns["model"], batch=3)
    result = interpret(source, name)
    assert result.error is None, str(result.error)
    mc = result.models[-1].compute(Settings(batch=3))
    assert not mc.undeclared, f"{name}: layers whose compute is not counted: {mc.undeclared}"
    ours = mc.compute["flops"]
    # FlopCounterMode's figure is ours plus the differences the layers declare (and explain): fused attention
    assert measured["flops"] == ours + mc.counter_diff, \
        f"{name}: shapewise {ours} (+{mc.counter_diff} declared) FLOPs, FlopCounterMode {measured['flops']}"


def test_custom_layer_compute_says_what_it_does_not_count():
    """A nested model run inside call() (TransformerBlock's ffn) is not traced for compute: the layer says so and
    the model's totals are not presented as complete."""
    from shapewise.compute import Settings
    from shapewise.frontends.snippet import interpret

    result = interpret(HEAD + OPS_SNIPPETS["transformer_block_custom"], "<t>")
    mc = result.models[-1].compute(Settings(batch=1))
    assert mc.undeclared == ["TransformerBlock"]
    from shapewise.render import render

    out = render(result, "text")
    assert "the work of the nested model sequential in its call() is not counted" in out
