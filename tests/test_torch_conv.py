"""Convolutions and pooling against real torch (meta device): shapes, weights, errors. Configs from torch's docs."""

import pytest

from torch_cases import table
from torch_oracle import assert_same_torch

R = "torch.randn"

CONV = [
    ("conv2d-docs-1", "nn.Conv2d(16, 33, 3, stride=2)", f"{R}(20, 16, 50, 100)"),
    ("conv2d-docs-2", "nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))", f"{R}(20, 16, 50, 100)"),
    ("conv2d-docs-3", "nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))",
     f"{R}(20, 16, 50, 100)"),
    ("conv2d-same", "nn.Conv2d(3, 8, 4, padding='same')", f"{R}(2, 3, 9, 9)"),
    ("conv2d-same-dilated", "nn.Conv2d(3, 8, 3, padding='same', dilation=2)", f"{R}(2, 3, 9, 9)"),
    ("conv2d-valid", "nn.Conv2d(3, 8, 3, padding='valid', bias=False)", f"{R}(2, 3, 9, 9)"),
    ("conv2d-groups", "nn.Conv2d(8, 16, 3, groups=4)", f"{R}(2, 8, 9, 9)"),
    ("conv2d-depthwise", "nn.Conv2d(8, 8, 3, groups=8, padding=1)", f"{R}(2, 8, 9, 9)"),
    ("conv2d-unbatched", "nn.Conv2d(3, 4, 3)", f"{R}(3, 9, 9)"),
    ("conv2d-reflect", "nn.Conv2d(3, 4, 3, padding=1, padding_mode='reflect')", f"{R}(1, 3, 5, 5)"),
    ("conv2d-circular", "nn.Conv2d(3, 4, 3, padding=2, padding_mode='circular')", f"{R}(1, 3, 5, 5)"),
    ("conv2d-replicate", "nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode='replicate')", f"{R}(1, 3, 5, 5)"),
    ("conv1d-docs", "nn.Conv1d(16, 33, 3, stride=2)", f"{R}(20, 16, 50)"),
    ("conv1d-unbatched", "nn.Conv1d(4, 2, 5, padding=2)", f"{R}(4, 11)"),
    ("conv3d-docs", "nn.Conv3d(16, 33, (3, 5, 2), stride=(2, 1, 1), padding=(4, 2, 0))", f"{R}(2, 16, 10, 12, 8)"),
    ("convT2d-docs", "nn.ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))", f"{R}(2, 16, 10, 12)"),
    ("convT2d-outpad", "nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)", f"{R}(1, 4, 5, 5)"),
    ("convT2d-groups", "nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, dilation=2)", f"{R}(1, 4, 5, 5)"),
    ("convT1d", "nn.ConvTranspose1d(4, 2, 4, stride=3)", f"{R}(2, 4, 7)"),
    ("convT3d", "nn.ConvTranspose3d(4, 2, 3, stride=2, bias=False)", f"{R}(1, 4, 3, 4, 5)"),
    ("lazyconv2d", "nn.LazyConv2d(8, 3)", f"{R}(2, 5, 9, 9)"),
    ("lazylinear", "nn.LazyLinear(7)", f"{R}(2, 5, 9)"),
]

CONV_ERRORS = [
    ("conv2d-grayscale", "nn.Conv2d(3, 6, 5)", f"{R}(1, 1, 28, 28)"),
    ("conv2d-rank2", "nn.Conv2d(3, 6, 5)", f"{R}(28, 28)"),
    ("conv2d-rank5", "nn.Conv2d(3, 6, 5)", f"{R}(1, 1, 3, 28, 28)"),
    ("conv2d-kernel-too-big", "nn.Conv2d(3, 6, 5)", f"{R}(1, 3, 4, 4)"),
    ("conv2d-dilated-too-big", "nn.Conv2d(3, 6, 3, dilation=3)", f"{R}(1, 3, 6, 6)"),
    ("conv2d-channels-last", "nn.Conv2d(3, 6, 3)", f"{R}(1, 28, 28, 3)"),
    ("conv2d-groups-bad", "nn.Conv2d(6, 6, 3, groups=4)", f"{R}(1, 6, 8, 8)"),
    ("conv2d-same-strided", "nn.Conv2d(3, 6, 3, stride=2, padding='same')", f"{R}(1, 3, 8, 8)"),
    ("conv2d-bad-padding", "nn.Conv2d(3, 6, 3, padding='full')", f"{R}(1, 3, 8, 8)"),
    ("conv2d-bad-mode", "nn.Conv2d(3, 6, 3, padding_mode='mirror')", f"{R}(1, 3, 8, 8)"),
    ("conv2d-reflect-too-big", "nn.Conv2d(3, 4, 1, padding=3, padding_mode='reflect')", f"{R}(1, 3, 3, 3)"),
    ("conv2d-long", "nn.Conv2d(3, 4, 1)", "torch.randint(0, 4, (1, 3, 3, 3))"),
    ("convT2d-outpad-bad", "nn.ConvTranspose2d(4, 2, 3, stride=1, output_padding=1)", f"{R}(1, 4, 5, 5)"),
    ("convT2d-channels", "nn.ConvTranspose2d(4, 2, 3)", f"{R}(1, 2, 5, 5)"),
    ("convT2d-too-small", "nn.ConvTranspose2d(4, 2, 1, padding=2)", f"{R}(1, 4, 2, 2)"),
    ("convT2d-reflect", "nn.ConvTranspose2d(4, 2, 3, padding_mode='reflect')", f"{R}(1, 4, 5, 5)"),
]

POOL = [
    ("maxpool2d-docs-1", "nn.MaxPool2d(3, stride=2)", f"{R}(20, 16, 50, 32)"),
    ("maxpool2d-docs-2", "nn.MaxPool2d((3, 2), stride=(2, 1))", f"{R}(20, 16, 50, 32)"),
    ("maxpool2d-ceil", "nn.MaxPool2d(3, stride=2, ceil_mode=True)", f"{R}(1, 2, 10, 11)"),
    ("maxpool2d-ceil-pad", "nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)", f"{R}(1, 2, 6, 7)"),
    ("maxpool2d-dilation", "nn.MaxPool2d(3, stride=1, dilation=2, padding=2)", f"{R}(1, 2, 9, 9)"),
    ("maxpool2d-indices", "nn.MaxPool2d(2, return_indices=True)", f"{R}(1, 2, 8, 8)"),
    ("maxpool2d-unbatched", "nn.MaxPool2d(2)", f"{R}(3, 8, 8)"),
    ("maxpool1d", "nn.MaxPool1d(3, stride=2)", f"{R}(20, 16, 50)"),
    ("maxpool1d-unbatched", "nn.MaxPool1d(2)", f"{R}(16, 50)"),
    ("maxpool3d", "nn.MaxPool3d((3, 2, 2), stride=(2, 1, 2))", f"{R}(2, 3, 10, 11, 12)"),
    ("avgpool2d-docs", "nn.AvgPool2d((3, 2), stride=(2, 1))", f"{R}(20, 16, 50, 32)"),
    ("avgpool2d-pad-ceil", "nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
     f"{R}(1, 2, 7, 8)"),
    ("avgpool1d", "nn.AvgPool1d(3, stride=2)", f"{R}(1, 1, 7)"),
    ("avgpool3d", "nn.AvgPool3d(2)", f"{R}(1, 2, 4, 6, 8)"),
    ("lppool2d", "nn.LPPool2d(2, 3, stride=2)", f"{R}(20, 16, 50, 32)"),
    ("lppool1d", "nn.LPPool1d(2, 3, stride=2)", f"{R}(20, 16, 50)"),
    ("adaptiveavg2d", "nn.AdaptiveAvgPool2d((5, 7))", f"{R}(1, 64, 8, 9)"),
    ("adaptiveavg2d-none", "nn.AdaptiveAvgPool2d((None, 7))", f"{R}(1, 64, 10, 9)"),
    ("adaptiveavg2d-1", "nn.AdaptiveAvgPool2d(1)", f"{R}(2, 64, 10, 9)"),
    ("adaptiveavg1d", "nn.AdaptiveAvgPool1d(5)", f"{R}(1, 64, 8)"),
    ("adaptiveavg3d", "nn.AdaptiveAvgPool3d((5, 7, 9))", f"{R}(1, 64, 8, 9, 10)"),
    ("adaptivemax2d-indices", "nn.AdaptiveMaxPool2d((5, 7), return_indices=True)", f"{R}(1, 64, 8, 9)"),
    ("adaptivemax1d", "nn.AdaptiveMaxPool1d(5)", f"{R}(1, 64, 8)"),
    ("fractional2d", "nn.FractionalMaxPool2d(3, output_size=(13, 12))", f"{R}(20, 16, 50, 32)"),
    ("fractional2d-ratio", "nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))", f"{R}(20, 16, 50, 32)"),
]

POOL_ERRORS = [
    ("maxpool2d-too-small", "nn.MaxPool2d(2)", f"{R}(1, 3, 1, 1)"),
    ("maxpool2d-rank2", "nn.MaxPool2d(2)", f"{R}(8, 8)"),
    ("maxpool2d-pad", "nn.MaxPool2d(3, padding=2)", f"{R}(1, 3, 8, 8)"),
    ("avgpool2d-pad", "nn.AvgPool2d(3, padding=2)", f"{R}(1, 3, 8, 8)"),
    ("avgpool2d-rank2", "nn.AvgPool2d(2)", f"{R}(8, 8)"),
    ("avgpool2d-too-small", "nn.AvgPool2d(5)", f"{R}(1, 3, 4, 4)"),
    ("maxpool1d-rank1", "nn.MaxPool1d(2)", f"{R}(8)"),
    ("avgpool1d-rank1", "nn.AvgPool1d(2)", f"{R}(8)"),
    ("adaptive2d-rank2", "nn.AdaptiveAvgPool2d(2)", f"{R}(8, 8)"),
    ("adaptive1d-rank1", "nn.AdaptiveAvgPool1d(2)", f"{R}(8)"),
]


@pytest.mark.parametrize("source", table(CONV + POOL))
def test_matches_torch(source):
    assert_same_torch(source)


@pytest.mark.parametrize("source", table(CONV_ERRORS + POOL_ERRORS))
def test_errors_match_torch(source):
    real, error = assert_same_torch(source)
    assert real is not None, "torch accepted this case: move it to the other table"


def test_channel_error_names_module_and_fix():
    from shapewise import torch
    from shapewise.torch import nn

    model = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU())
    report = torch.summary(model, input_size=(1, 1, 28, 28))
    e = report.error
    assert e.layer == "0" and e.layer_type == "Conv2d"
    assert str(e).startswith("layer '0' (Conv2d): Given groups=1, weight of size [6, 3, 5, 5], expected "
                             "input[1, 1, 28, 28] to have 3 channels, but got 1 channels instead")
    assert "grayscale" in e.fix and "nn.Conv2d(1, 6, ...)" in e.fix
