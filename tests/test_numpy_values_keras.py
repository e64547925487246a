"""NumPy in pasted code: the shapes and sizes snippets compute with it, against real NumPy and Keras.

shapewise follows NumPy arrays by their shapes and dtypes only (no values): constructors whose shape is given or
follows from their arguments (``np.zeros``, ``np.array([[...]])``, ``np.arange``, ``np.linspace``, ``np.eye``),
elementwise functions, broadcasting arithmetic, indexing with ``np.newaxis``, stacking, reductions over an axis,
and the numbers ``np.prod``/``np.sqrt``/``math`` give. Each case prints what it computes and builds a model from it;
real Python runs the same file (the printed lines must agree) and real Keras the model. Where a size is data
(``len(np.unique(y))``), shapewise says so at its line.
"""

import pytest
from oracle import assert_same_source, run_shapewise_source

PRE = "import math\nimport numpy as np\nimport keras\nfrom keras import layers\n"

SNIPPETS = {
    "prod_and_sqrt": """
input_shape = (28, 28, 1)
n = int(np.prod(input_shape))
side = int(np.sqrt(64))
print(n, side, math.isqrt(49))
model = keras.Sequential([keras.Input((n,)), layers.Dense(side)])
""",
    "array_literal_shape": """
z = np.array([[1, 2, 3], [3, 4, 5]])
print(z.shape, z.ndim, z.size, len(z))
model = keras.Sequential([keras.Input((z.shape[1],)), layers.Dense(z.shape[0])])
""",
    "arange_reshape_linspace_eye": """
a = np.arange(10).reshape(2, 5)
b = np.arange(2, 11, 3)
t = np.linspace(0, 1, 7)
e = np.eye(4, 6)
print(a.shape, b.shape, t.shape, e.shape, np.arange(8.0).shape)
model = keras.Sequential([keras.Input((a.shape[1], len(b))), layers.Dense(len(t)), layers.Dense(e.shape[1])])
""",
    "positional_encoding_numpy": """
def positional_encoding(length, depth):
    depth = depth / 2
    positions = np.arange(length)[:, np.newaxis]
    depths = np.arange(depth)[np.newaxis, :] / depth
    angle_rates = 1 / (10000 ** depths)
    angle_rads = positions * angle_rates
    pos_encoding = np.concatenate([np.sin(angle_rads), np.cos(angle_rads)], axis=-1)
    return pos_encoding.astype("float32")

pe = positional_encoding(50, 16)
print(pe.shape, pe.dtype)
inp = keras.Input((50, 16))
x = inp + pe
model = keras.Model(inp, layers.Dense(2)(x))
""",
    "stack_and_reductions": """
a = np.stack([np.zeros((3, 4)), np.ones((3, 4))], axis=1)
s = np.sum(a, axis=-1)
m = np.mean(a, axis=(0, 2), keepdims=True)
print(a.shape, s.shape, m.shape, np.zeros_like(a).shape)
model = keras.Sequential([keras.Input(a.shape[1:]), layers.Flatten(), layers.Dense(s.shape[0])])
""",
    "random_data_shapes": """
np.random.seed(0)
x = np.random.rand(100, 20).astype("float32")
y = np.random.normal(size=(100, 3))
z = np.random.randint(0, 5, size=(100,))
print(x.shape, x.dtype, y.shape, z.shape)
model = keras.Sequential([keras.Input((x.shape[1],)), layers.Dense(y.shape[-1])])
""",
    "dataset_reshape_for_conv1d": """
x_train = np.random.randn(100, 500)
x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
print(x_train.shape)
inputs = keras.Input(x_train.shape[1:])
x = layers.Conv1D(8, 3, padding="same")(inputs)
x = layers.GlobalAveragePooling1D()(x)
model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
""",
    "image_preprocessing": """
x_train = np.zeros((600, 28, 28), dtype="uint8")
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
h, w = x_train.shape[1] // 2, x_train.shape[2] // 2
print(x_train.shape, x_train.dtype, h, w)
model = keras.Sequential([keras.Input(x_train.shape[1:]), layers.Conv2D(4, 3), layers.MaxPooling2D(2),
                          layers.Flatten(), layers.Dense(h * w)])
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_same_as_numpy_and_keras(source):
    assert_same_source(PRE + source, compare_printed=True)


REFUSED = {
    # the number of classes is data: how many distinct labels there are
    "unique_of_data": ("x = np.random.randint(0, 5, size=(100,))\nn = len(np.unique(x))\n"
                       "model = keras.Sequential([keras.Input((3,)), layers.Dense(n)])", 2, "not known without the data"),
    "max_of_data": ("y = np.random.randint(0, 5, size=(100,))\nn = int(np.max(y)) + 1\n"
                    "model = keras.Sequential([keras.Input((3,)), layers.Dense(n)])", 3, "data the snippet does not have"),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_sizes_that_are_data_are_refused_at_their_line(case):
    source, line, words = case
    code, data = run_shapewise_source(PRE + source)
    assert code in (1, 2) and data["models"] == []
    assert data["error"]["line"] == line + PRE.count("\n") and words in data["error"]["message"], data["error"]
