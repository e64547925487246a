"""The corpus: real Keras code from public sources (tests/corpus/keras, provenance in tests/corpus/SOURCES.md),
pasted as users paste it, run by shapewise's interpreter and by real Keras and compared model by model.

Every file must end one of three ways, and which one is written down here:
- the same models as real Keras, layer by layer (the default: most files);
- a refusal (exit 2, with the line and the reason) for a construct shapewise cannot follow yet, listed in
  REFUSED with the reason; never numbers it is not sure of;
- an error on both sides, for the files real Keras itself cannot run (KERAS_FAILS).

Today: 101 files (001-083 copied from their sources, 084-101 written following keras-io examples and Q&A code
for constructs not seen before: masks, ops on KerasTensors, NumPy sizes); 100 match real Keras layer by layer,
with the summary's operation rows (ops outside layers, the masks' not_equal/any) in Keras's order, and 1 is
refused (067: its loop budget). Files 052 (masks), 066 (NumPy positional encoding) and 071 (NumPy adjacency
matrix) were refused before masks and NumPy arrays were followed.
"""

from pathlib import Path

import pytest
from oracle import assert_both_fail, assert_same_source, run_shapewise_source

CORPUS = Path(__file__).parent / "corpus" / "keras"
FILES = sorted(CORPUS.glob("*.py"))

#: file stem -> (a word the refusal's message must contain, why shapewise refuses)
REFUSED = {
    "067_mlm_bert_ops_arange_outside_layer": (
        "loop iterations", "a NumPy positional-encoding matrix built by a nested comprehension over every position "
                           "and feature: more loop iterations than the interpreter's budget"),
}

#: files real Keras 3 itself cannot run (kept: shapewise must fail on them too)
KERAS_FAILS = {
}


def test_corpus_is_large():
    assert len(FILES) >= 60


@pytest.mark.keras
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_corpus_file(path):
    source = path.read_text(encoding="utf-8")
    if path.stem in KERAS_FAILS:
        assert_both_fail(source, path.name)
    elif path.stem in REFUSED:
        word, _ = REFUSED[path.stem]
        code, data = run_shapewise_source(source, path.name)
        assert code == 2 and data["error"] is not None, f"{path.name}: no longer refused: compare it instead"
        assert data["error"]["line"] is not None and word in data["error"]["message"], data["error"]
    else:
        assert_same_source(source, path.name)
