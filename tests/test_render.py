"""Renderers: Keras's own summary text as the reference for the table; golden files for the rest."""

import json
import os
from pathlib import Path

import pytest
from oracle import real_keras

import shapewise.keras as sk
from shapewise.render import render
from shapewise.render.text import render_summary
from shapewise.report import RunResult, model_report

GOLDEN = Path(__file__).parent / "golden"

MODELS = {
    "lstm": """
model = keras.Sequential()
model.add(layers.LSTM(32, input_shape=(10, 64)))
model.add(layers.Dense(2))
""",
    "dense_rank3_flatten": """
model = keras.Sequential([keras.Input((20, 5)), layers.Dense(10), layers.Flatten(), layers.Reshape((-1, 4)),
                          layers.Dense(1234567, name="a_really_long_layer_name_that_will_wrap_around")])
""",
    "two_inputs": """
a = keras.Input((4,), name="a"); b = keras.Input((4,))
x = layers.Concatenate()([a, b])
y = layers.Dense(3)(x)
model = keras.Model([a, b], [y, x], name="a_very_long_model_name_for_testing")
""",
    "frozen_nested": """
inner = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.BatchNormalization()])
inner.trainable = False
i = keras.Input((4,))
model = keras.Model(i, layers.Dense(2)(inner(i)))
""",
    "densenet_nested": """
base = keras.applications.DenseNet121(include_top=False, weights=None, input_shape=(224, 224, 1), pooling="avg")
inputs = keras.Input(shape=(224, 224, 1), name="input")
model = keras.Model(inputs=inputs, outputs=layers.Dense(units=2, activation="sigmoid")(base(inputs)))
""",
    "resnet50_compact": "model = keras.applications.ResNet50(weights=None)",
    "nested_in_branches": """
inner = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dropout(0.1)], name="inner")
a = keras.Input((4,)); b = keras.Input((4,))
model = keras.Model([a, b], layers.Add()([inner(a), layers.Dense(3)(b)]))
""",
}


def _build(module, source):
    namespace = {"keras": module, "layers": module.layers}
    exec(compile(source, "<case>", "exec"), namespace)  # our own test source
    return namespace["model"]


def _keras_summary(source, expand_nested=False):
    keras = real_keras()
    keras.backend.clear_session()
    model = _build(keras, source)
    lines = []
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # Keras sizes its table from the terminal; shapewise prints the 80-column one
    try:
        model.summary(print_fn=lambda text, **kw: lines.append(text), expand_nested=expand_nested)
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return "".join(lines)


def _report(source):
    sk.clear_session()
    return model_report(_build(sk, source))


@pytest.mark.keras
@pytest.mark.parametrize("source", MODELS.values(), ids=MODELS.keys())
def test_summary_text_is_keras_text(source):
    try:
        expected = _keras_summary(source)
    except AttributeError:
        pytest.fail("layer missing in Keras?")
    assert render_summary(_report(source)).strip("\n") == expected.strip("\n")


# Large models keep a text golden only (their JSON is a megabyte of the same per-layer fields).
GOLDEN_CASES = [(name, fmt) for name in MODELS for fmt in ("text", "json", "markdown", "html")
                if fmt == "text" or name not in ("densenet_nested", "resnet50_compact")]


@pytest.mark.keras
@pytest.mark.parametrize("name", ["frozen_nested", "two_inputs", "nested_in_branches"])
def test_expanded_summary_text_is_keras_text(name):
    source = MODELS[name]
    assert render_summary(_report(source), expand_nested=True).strip("\n") == \
        _keras_summary(source, expand_nested=True).strip("\n")


@pytest.mark.parametrize("name,fmt", GOLDEN_CASES, ids=[f"{n}-{f}" for n, f in GOLDEN_CASES])
def test_golden(name, fmt, request):
    result = RunResult([("model", _report(MODELS[name]))])
    out = render(result, fmt)
    assert out == render(RunResult([("model", _report(MODELS[name]))]), fmt), "output must be deterministic"
    path = GOLDEN / f"{name}.{ {'text': 'txt', 'json': 'json', 'markdown': 'md', 'html': 'html'}[fmt] }"
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(out, encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    assert out == path.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(out)
        assert data["schema"] == "shapewise/1"


@pytest.mark.parametrize("name", MODELS.keys())
def test_rows_add_up_to_totals(name):
    """torchinfo's invariant: the per-layer rows add up to the printed totals (shared weights counted once)."""
    report = _report(MODELS[name])
    assert sum(layer.params for layer in report.layers) == report.total_params
    assert sum(layer.trainable for layer in report.layers) == report.trainable_params
    assert report.trainable_params + report.non_trainable_params == report.total_params


def _wrap_reference(text, width):
    """The plain word-by-word loop the summary's _wrap must agree with (its fast paths are only shortcuts)."""
    lines = []
    for paragraph in text.split("\n"):
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip(" "))]
        line = ""
        for word in paragraph[len(indent):].split(" "):
            if len(word) > width:
                word = word[: width - 1] + "…"
            if not line:
                line = indent + word
            elif len(line) + 1 + len(word) <= width:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def test_wrap_fast_paths_agree_with_the_word_loop():
    import random

    from shapewise.render.text import _wrap

    rng = random.Random(4)
    alphabet = ["a", "b", "_", "[0]", " ", " ", "  ", "\n", ",", "…", "(", ")"]
    cases = ["", " ", "  ", "a", " a", "a ", "a  b", "conv2_block1_0_relu[0][0], conv2_block2_2_conv[0][0]",
             "conv2_block2_concat (Concatenate)", "x" * 40, "x" * 17 + " " + "y" * 18, "(None, 112, 112, 64)"]
    for _ in range(4000):
        cases.append("".join(rng.choice(alphabet) if rng.random() < 0.3 else rng.choice("abcdefgh")
                             for _ in range(rng.randrange(0, 60))))
    for text in cases:
        for width in (10, 13, 17, 19, 22, 31):
            assert _wrap(text, width) == _wrap_reference(text, width), (text, width)


def test_report_keeps_what_the_layers_were_when_it_was_made():
    """What a report derives on first use (input shapes, weight reports) is as it was when the report was made:
    a snippet can call summary(), freeze the model and call summary() again."""
    sk.clear_session()
    model = _build(sk, MODELS["frozen_nested"].replace("inner.trainable = False\n", ""))
    before = model_report(model)
    model.trainable = False
    after = model_report(model)
    dense = before.layers[-1]
    assert [w.trainable for w in dense.weights] == [True, True]
    assert [w.trainable for w in after.layers[-1].weights] == [False, False]
    assert dense.input_shape == [None, 3] and dense.output_shape == [None, 2]
    assert before.trainable_params == before.to_json(False)["trainable_params"] > 0 == after.trainable_params


def _summary_reference(report, expand_nested=False):
    """The summary table drawn the plain way: summary_rows' cells, each wrapped by the word loop, padded."""
    from shapewise.render.text import _FUNCTIONAL, _SEQUENTIAL, summary_rows

    columns = _SEQUENTIAL if report.sequential_like else _FUNCTIONAL

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w, _ in columns) + right

    def row(cells):
        wrapped = [_wrap_reference(cell, width) for cell, (width, _) in zip(cells, columns)]
        out = []
        for i in range(max(len(w) for w in wrapped)):
            parts = []
            for lines, (width, align) in zip(wrapped, columns):
                text = lines[i] if i < len(lines) else ""
                parts.append(text.rjust(width) if align == "right" else text.ljust(width))
            out.append("│ " + " │ ".join(parts) + " │")
        return out

    header = ["Layer (type)", "Output Shape", "Param #"] + ([] if report.sequential_like else ["Connected to"])
    lines = [f'Model: "{report.name}"', rule("┏", "┳", "┓", "━")]
    lines += [line.replace("│", "┃") for line in row(header)]
    lines.append(rule("┡", "╇", "┩", "━"))
    rows = summary_rows(report, expand_nested)
    for i, cells in enumerate(rows):
        lines += row(cells)
        if i < len(rows) - 1:
            lines.append(rule("├", "┼", "┤", "─"))
    lines.append(rule("└", "┴", "┘", "─"))
    return "\n".join(lines) + "\n"


ODD_NAMES = """
a = keras.Input((4,), name="in put"); b = keras.Input((4,), name="b")
x = layers.Dense(3, name="two words")(a)
y = layers.Dense(3, name="x" * 40)(b)
z = layers.Add(name="a_name_of_exactly_19")([x, y])
w = layers.Concatenate(name="c")([z, x, y, layers.Dense(3, name=" lead")(b)])
s = layers.Dense(3, name="s")
model = keras.Model([a, b], [w, s(z), s(x)], name="odd")
"""


TABLE_APPS = ("DenseNet121", "NASNetMobile", "EfficientNetB0", "MobileNetV3Small", "InceptionV3", "VGG16",
              "ConvNeXtTiny")
TABLE_CASES = {**MODELS, "odd_names": ODD_NAMES, "unbuilt": "model = keras.Sequential([layers.Dense(3)])",
               **{app: f"model = keras.applications.{app}(weights=None)" for app in TABLE_APPS}}


@pytest.mark.parametrize("source", TABLE_CASES.values(), ids=TABLE_CASES.keys())
def test_summary_table_is_summary_rows_wrapped(source):
    """render_summary wraps the usual name and connection cells from their parts, and keeps what repeats: the
    table must be exactly summary_rows' cells wrapped and padded the plain way."""
    report = _report(source)
    for expand in (False, True):
        text = render_summary(report, expand_nested=expand)
        assert text[: text.index("\n Total params:") + 1] == _summary_reference(report, expand)
