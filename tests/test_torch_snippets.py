"""Pasted PyTorch files, interpreted (never run) by ``shapewise explain``, against real torch 2.13.0 running them.

For every file of the PyTorch corpus (tests/corpus/torch, see tests/corpus/SOURCES.md) the oracle
(tests/torch_snippet_oracle.py) runs the file with real torch and describes the model(s) DESIGN.md's rule picks;
shapewise's ``--format json`` must describe the same modules exactly: class, qualified name, first call's input
and output shapes, calls, own parameters, recursive distinct parameters, buffers, totals. A ``NNN_bug_*`` file
raises in real torch; shapewise must fail too, with the line of the snippet, the module and a fix. A file that
shapewise cannot follow must be refused (exit 2, a line-numbered reason), never answered with other numbers: those
are listed in REFUSED with why, and the test checks they are refused (so that one that starts to work is noticed).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest

from torch_snippet_oracle import compare

CORPUS = os.path.join(os.path.dirname(__file__), "corpus", "torch")
FILES = sorted(os.path.basename(f) for f in glob.glob(os.path.join(CORPUS, "*.py")))

#: files real torch runs that shapewise refuses (exit 2, with the line), and why
REFUSED = {
    "002_examples_dcgan.py": "weights_init reads m.__class__.__name__ (dunder attributes are never read)",
    "011_examples_gcn.py": "torch.sparse_coo_tensor is not in the vocabulary",
    "015_examples_llama2_tp_model.py": "torch.polar (rotary embeddings with complex numbers) is not in the vocabulary",
    "018_examples_forward_forward.py": "Tensor.norm is not in the vocabulary",
    "023_mingpt_gpt_nano.py": "CfgNode uses self.__dict__ (never read)",
    "032_torchvision_shufflenet_v2.py": "the integer operator << is not interpreted",
    "034_torchvision_googlenet.py": "sets GoogLeNetOutputs.__annotations__ (dunder attributes are never set)",
    "035_torchvision_vit.py": "torch._assert (names starting with _ are never looked up)",
    "041_tutorial_ngram_language_modeler.py": "a dict comprehension (outside the interpreted subset)",
    "043_tutorial_char_rnn_classification.py": "sizes come from string.ascii_letters (data the snippet lacks)",
    "044_tutorial_char_rnn_generation.py": "sizes come from string.ascii_letters (data the snippet lacks)",
    "046_tutorial_transformer_encoder_lm.py": "nn.Transformer.generate_square_subsequent_mask (a class attribute)",
    "047_tutorial_spatial_transformer.py": "F.affine_grid is not in the vocabulary",
    "052_tutorial_bilstm_crf.py": "indexes a tensor with a value computed from data (argmax(...).item())",
    "053_tutorial_chatbot_packed_gru.py": "lengths from .tolist() values (data shapewise does not compute)",
    "055_examples_siamese_resnet18.py": "torchvision.models.resnet18 (torchvision's builders are not in shapewise)",
    "056_tutorial_parametrize_symmetric.py": "torch.matrix_exp is not in the vocabulary",
    "059_qa_transformer_encoder_classifier_cls.py": "writes token ids into an integer tensor (values not tracked)",
    "060_bentrevett_bilstm_sentiment.py": "pack_padded_sequence (packed shapes depend on the lengths' values)",
    "061_bentrevett_seq2seq_lstm.py": "teacher forcing on random.random() (a branch on data)",
    "065_tutorial_ensembling_simple_mlp.py": "torch.func.stack_module_state is not in the vocabulary",
    "070_mingpt_gpt2_meta.py": "CfgNode uses self.__dict__ (never read)",
    "080_bug_embedding_index_out_of_range.py": "the bug is a token id's value (5000 >= 1000), written into the ids "
                                               "tensor: shapewise does not track values, so it refuses the write",
}


@pytest.mark.parametrize("name", FILES)
def test_corpus_file(name):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
        source = f.read()
    problems, real_error, out = compare(source)
    error = out["error"]
    if name in REFUSED and REFUSED[name] != "pending":
        assert error is not None and error["kind"] == "RefusedError" and error["line"], (name, error, problems)
        return
    if name in REFUSED and (problems or error):
        assert error is not None and error["kind"] == "RefusedError" and error["line"], (name, error, problems)
        return
    assert not problems, f"{name}:\n" + "\n".join(problems[:20])
    if "_bug_" in name:
        assert real_error is not None, f"{name}: real torch did not raise"
        assert error is not None and error["line"], error
        assert error["fix"], f"{name}: no fix in {error}"
        assert error["kind"] != "RefusedError", error
    else:
        assert error is None, error
        assert out["models"], f"{name}: no model reported"


def test_corpus_is_there():
    assert len(FILES) >= 70


def test_cli_json_and_exit_status(tmp_path):
    """The CLI itself: ``--format json`` on the CIFAR tutorial Net (exit 0) and on its classic bug (exit 1)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    good = os.path.join(CORPUS, "036_tutorial_cifar10_net.py")
    run = subprocess.run([sys.executable, "-m", "shapewise", "explain", good, "--format", "json"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    problems, _, _ = compare(open(good).read())
    assert not problems
    assert out["models"][0]["framework"] == "torch" and out["error"] is None
    bug = os.path.join(CORPUS, "071_bug_linear_in_features_after_flatten.py")
    run = subprocess.run([sys.executable, "-m", "shapewise", "explain", bug], env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 1
    assert "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)" in run.stdout
    assert "layer 'fc1'" in run.stdout and "line 23" in run.stdout
