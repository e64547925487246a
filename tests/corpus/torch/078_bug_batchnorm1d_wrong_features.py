# DELIBERATE BUG (classic): BatchNorm1d sized for the wrong layer (128) after a Linear with 64 outputs.
# Real torch: RuntimeError: running_mean should contain 64 elements not 128
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Linear(20, 128),
    nn.BatchNorm1d(128),
    nn.ReLU(),
    nn.Linear(128, 64),
    nn.BatchNorm1d(128),
    nn.ReLU(),
    nn.Linear(64, 1),
)
out = model(torch.randn(32, 20))
