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
