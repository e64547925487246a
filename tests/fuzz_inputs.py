"""Inputs for fuzzing the interpreter: real snippets mutated, random tokens, and hostile extremes.

Deterministic for a seed. ``inputs(n, seed)`` yields ``(label, source)``; the sources are whatever a user (or an
attacker) could paste: broken syntax, wrong types in any argument position, huge numbers, infinities, deep
nesting, surrogate characters, long loops, many summary() calls, functions and classes gone wrong.
"""

from __future__ import annotations

import io
import random
import tokenize
from pathlib import Path

HERE = Path(__file__).parent


def corpus():
    """The real snippets the mutations start from: the seed questions, regressions, the code corpus, examples."""
    files = sorted(HERE.glob("seed/*.py")) + sorted(HERE.glob("regressions/*.py")) + sorted(
        HERE.glob("corpus/keras/*.py"))
    texts = [p.read_text(encoding="utf-8") for p in files]
    try:
        from test_code_keras import HEAD, OPS_SNIPPETS, SNIPPETS
    except ImportError:  # pragma: no cover
        SNIPPETS = OPS_SNIPPETS = {}
        HEAD = ""
    texts += [HEAD + src for src in list(SNIPPETS.values()) + list(OPS_SNIPPETS.values())]
    return texts


_VALUES = [
    "0", "-1", "1e308", "float('inf')", "float('nan')", "10**12", "2**40", "None", "True", "''", "'same'", "()",
    "(2, 3),", "[[]]", "{}", "x", "keras.Input((2, 3)),", "layers.Dense", "lambda: 0", "-10**12", "1.5",
    "'\\udc80'", "'\\x00'", "...", "(None,)", "[1] * 100000", "range(10**6)", "self", "super()", "ops.shape(x)",
]
_TOKENS = [
    "(", ")", "[", "]", ":", ",", ".", "=", "+", "*", "**", "@", "-", "/", "//", "lambda", "def", "class",
    "return", "yield", "for", "in", "while", "if", "else", "import", "from", "keras", "layers", "Dense", "Input",
    "Model", "Sequential", "summary", "x", "self", "super", "__init__", "__class__", "ops", "matmul", "add_weight",
    "\n", "    ", "None", "1", "2", "'a'", "\\", "#", "global", "nonlocal", "try", "with", "async", "await",
]

_HOSTILE = [
    "x = (" * 500 + ")" * 500,
    "def f():\n    return f()\nf()\n",
    "def f(n):\n    return [f(n - 1) for _ in range(3)] if n else 0\nf(30)\n",
    "x = [0] * 100000\nfor i in range(100000):\n    x.append(x)\n",
    "import keras\nm = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])\n" + "m.summary()\n" * 3000,
    "import keras\nfor i in range(9000):\n    print(keras.Input((1000,)))\n",
    "s = 'a' * 100000\nfor i in range(100):\n    s = s + s\n",
    "class A:\n    def __init__(self):\n        self.a = A()\nA()\n",
    "import keras\nclass L(keras.layers.Layer):\n    def call(self, x):\n        return self(x)\n"
    "i = keras.Input((2,))\nL()(i)\n",
    "import keras\nx = layers.Input((2, 3)),\ny = keras.layers.Dense(3)(x)\n",
    "import keras\nx = keras.Input((10**12, 10**12))\ny = keras.layers.Dense(10**12)(x)\n",
    "import keras\nx = keras.Input((float('inf'),))\n",
    "import keras\nm = keras.Sequential([keras.layers.Dense(float('nan'))])\nm.build((None, 3))\n",
    "print('\\udc80\\ud800')\n",
    "\x00\x01\x02",
    "\ufeffimport keras\n",
    "while True:\n    x = 1\n",
    "def g():\n    yield 1\n",
    "class M(type):\n    pass\n",
    "class A(metaclass=type):\n    pass\n",
    "f = lambda: f()\nf()\n",
    "import keras\nfrom keras import ops\nx = keras.Input((3,))\ny = ops.reshape(x, (-1, -1))\n",
    "import keras\nfrom keras import ops\nx = keras.Input((3,))\ny = x[::0]\n",
    "import keras\nfrom keras import ops\nx = keras.Input((3,))\ny = ops.tile(x, (10**6, 10**6))\n",
]


def _tokens(source):
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type not in (tokenize.ENDMARKER,)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source.split()


def _mutate(rng, source):
    lines = source.splitlines()
    kind = rng.randrange(9)
    if kind == 0 and lines:  # drop a line
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines) + "\n"
    if kind == 1 and lines:  # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines) + "\n"
    if kind == 2:  # truncate anywhere
        return source[: rng.randrange(len(source) + 1)]
    if kind == 3:  # replace a number or a name with a strange value
        toks = _tokens(source)
        idx = [i for i, t in enumerate(toks) if t[:1].isdigit() or t.isidentifier()]
        if idx:
            i = rng.choice(idx)
            needle = toks[i]
            pos = [p for p in range(len(source)) if source.startswith(needle, p)]
            if pos:
                p = rng.choice(pos)
                return source[:p] + rng.choice(_VALUES) + source[p + len(needle):]
    if kind == 4:  # insert random tokens
        p = rng.randrange(len(source) + 1)
        return source[:p] + " ".join(rng.choice(_TOKENS) for _ in range(rng.randrange(1, 6))) + source[p:]
    if kind == 5 and lines:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines) + "\n"
    if kind == 6 and lines:  # re-indent a line
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(["", "    ", "        ", "\t"]) + lines[i].lstrip()
        return "\n".join(lines) + "\n"
    if kind == 7:  # a trailing comma somewhere (a tuple where a tensor goes)
        p = [i for i, c in enumerate(source) if c == ")"]
        if p:
            i = rng.choice(p)
            return source[: i + 1] + "," + source[i + 1:]
    # splice two halves
    p = rng.randrange(len(source) + 1)
    return source[:p] + source[rng.randrange(len(source) + 1):]


def inputs(n, seed=0):
    rng = random.Random(seed)
    base = corpus()
    for i, text in enumerate(_HOSTILE):
        yield f"hostile_{i}", text
    for i in range(max(0, n - len(_HOSTILE))):
        r = rng.random()
        if r < 0.8 and base:
            source = rng.choice(base)
            for _ in range(rng.randrange(1, 4)):
                source = _mutate(rng, source)
            yield f"mutant_{i}", source
        else:
            yield f"tokens_{i}", " ".join(rng.choice(_TOKENS + _VALUES) for _ in range(rng.randrange(1, 40)))
