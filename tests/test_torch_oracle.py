"""The PyTorch harness itself: it must see a difference where there is one (else every table passes vacuously)."""

from torch_cases import HEADER
from torch_oracle import compare

_SIDE = "n = 3 if 'shapewise' in torch.__name__ else 4\n"


def test_sees_a_parameter_difference():
    problems, _, _ = compare(HEADER + _SIDE + "model = nn.Linear(n, 2)\n")
    assert any("params" in p for p in problems) and any("own" in p for p in problems)


def test_sees_an_output_difference():
    problems, _, _ = compare(HEADER + _SIDE + "model = nn.Identity()\nmodel(torch.randn(2, n))\n")
    assert any("output" in p for p in problems)


def test_sees_a_raise_on_one_side_only():
    problems, _, _ = compare(HEADER + _SIDE + "model = nn.Linear(3, 2)\nmodel(torch.randn(2, n))\n")
    assert problems and "raised" in problems[0]


def test_sees_a_buffer_and_type_difference():
    problems, _, _ = compare(HEADER + _SIDE + "model = nn.BatchNorm1d(3) if n == 3 else nn.LayerNorm(3)\n")
    assert any("type" in p for p in problems) and any("buffers" in p for p in problems)


def test_agreement_is_empty():
    problems, real, mine = compare(HEADER + "model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())\n"
                                   "model(torch.randn(5, 3))\n")
    assert problems == [] and real is None and mine is None


def test_shared_run_records_what_separate_runs_record():
    """tests/torch_shared_run.py runs a corpus file once for the description, FLOPs and memory oracles: the same
    models, descriptions and error as the description oracle's bare run, FlopCounterMode's count of every module as
    a run of its own under it, and the first top-level call of each called model with its arguments."""
    import os

    import torch_snippet_oracle as snippet
    from torch_flops_oracle import counted, flop_counter
    from torch_shared_run import _run

    corpus = os.path.join(os.path.dirname(__file__), "corpus", "torch")
    for name, device in (("001_examples_mnist_net.py", "meta"), ("108_qa_siamese_shared_encoder.py", "meta"),
                         ("071_bug_linear_in_features_after_flatten.py", "meta")):
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            source = f.read()
        shared = _run(source, device)
        with flop_counter() as counter:
            real, calls, error = snippet.run_real(source, device)
        bare, bare_calls, bare_error = snippet.run_real(source, device)
        assert shared.names == [n for n, _ in real] == [n for n, _ in bare], name
        assert (shared.error is None) == (error is None) == (bare_error is None), name
        if error is not None:
            assert str(shared.error) == str(error) == str(bare_error) and not shared.flops, name
            continue
        assert shared.descriptions == [snippet.describe_real(n, m, bare_calls) for n, m in bare], name
        assert shared.flops == [{q: counted(counter, m) for q, m in model.named_modules()} for _, model in real]
        assert any(counts[""] for counts in shared.flops), name
        taken, taken_error = shared.take_calls()
        assert taken_error is None and [n for n, *_ in taken] == shared.names, name
        for (_, module, args, _), (_, model) in zip(taken, real):
            assert type(module).__name__ == type(model).__name__, name
            assert [list(a.shape) for a in args] == [calls[id(model)][2]] or len(args) > 1, name
        again, _ = shared.take_calls()  # a second taker gets modules of its own
        assert all(a[1] is not b[1] for a, b in zip(again, taken)), name
