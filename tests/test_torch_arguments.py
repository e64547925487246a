"""Bad constructor arguments, as people mistype them, against real torch: both raise or neither.

Each module's size and window arguments given 0, -1, 2.5, a string, None, a tuple, True. Where torch raises
(in the constructor or at the call) shapewise raises a ShapewiseError with torch's words; where torch accepts,
shapewise computes the same shapes and weights.
"""

import pytest

from torch_cases import module_case
from torch_oracle import assert_same_torch

R = "torch.randn"
BAD = ["0", "-1", "2.5", "'a'", "None", "(2, 2)", "True"]
CTORS = {
    "nn.Linear({a}, 4)": f"{R}(2, 3)", "nn.Linear(3, {a})": f"{R}(2, 3)",
    "nn.Conv2d(3, {a}, 3)": f"{R}(1, 3, 8, 8)", "nn.Conv2d(3, 4, {a})": f"{R}(1, 3, 8, 8)",
    "nn.Conv2d(3, 4, 3, stride={a})": f"{R}(1, 3, 8, 8)", "nn.Conv2d(3, 4, 3, padding={a})": f"{R}(1, 3, 8, 8)",
    "nn.Conv2d(3, 4, 3, dilation={a})": f"{R}(1, 3, 8, 8)", "nn.MaxPool2d({a})": f"{R}(1, 3, 8, 8)",
    "nn.MaxPool2d(2, stride={a})": f"{R}(1, 3, 8, 8)", "nn.AvgPool2d({a})": f"{R}(1, 3, 8, 8)",
    "nn.BatchNorm2d({a})": f"{R}(2, 3, 8, 8)", "nn.LayerNorm({a})": f"{R}(2, 3)",
    "nn.Embedding({a}, 3)": "torch.randint(0, 3, (2,))", "nn.Embedding(5, {a})": "torch.randint(0, 3, (2,))",
    "nn.LSTM(3, {a})": f"{R}(2, 1, 3)", "nn.LSTM(3, 4, {a})": f"{R}(2, 1, 3)", "nn.GRU({a}, 4)": f"{R}(2, 1, 3)",
    "nn.Dropout({a})": f"{R}(2, 3)", "nn.Softmax({a})": f"{R}(2, 3)", "nn.Flatten({a})": f"{R}(2, 3, 4)",
    "nn.AdaptiveAvgPool2d({a})": f"{R}(1, 3, 8, 8)", "nn.ConvTranspose2d(3, 4, 3, stride={a})": f"{R}(1, 3, 8, 8)",
    "nn.GroupNorm({a}, 4)": f"{R}(2, 4, 3)", "nn.Upsample(scale_factor={a})": f"{R}(1, 3, 4, 4)",
    "nn.PixelShuffle({a})": f"{R}(1, 4, 2, 2)", "nn.ZeroPad2d({a})": f"{R}(1, 1, 3, 3)", "nn.PReLU({a})": f"{R}(2, 3)",
    "nn.Unflatten(1, {a})": f"{R}(2, 4)", "nn.LeakyReLU({a})": f"{R}(2, 3)",
    "nn.Conv1d(3, 4, 3, groups={a})": f"{R}(1, 3, 8)", "nn.TransformerEncoderLayer(8, {a}, 16)": f"{R}(3, 2, 8)",
    "nn.MultiheadAttention(4, {a})": f"{R}(2, 1, 4), {R}(2, 1, 4), {R}(2, 1, 4)",
}
# torch takes True as the int 1 in a tensor size except at its first position (a quirk of its argument parser):
# shapewise refuses a bool size everywhere.
QUIRKS = {"nn.Conv2d(3, 4, True)", "nn.Embedding(5, True)", "nn.LSTM(3, True)"}
CASES = [pytest.param(module_case(c.format(a=a), inp), id=c.format(a=a)) for c, inp in CTORS.items() for a in BAD
         if c.format(a=a) not in QUIRKS]


@pytest.mark.parametrize("source", CASES)
def test_bad_arguments_like_torch(source):
    assert_same_torch(source)
