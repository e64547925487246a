# DELIBERATE BUG (classic): nn.Sequential goes from conv features straight into nn.Linear without nn.Flatten, so
# Linear acts on the last (width) dimension.
# Real torch: RuntimeError: mat1 and mat2 shapes cannot be multiplied (320x5 and 400x10)
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(1, 6, 5),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Linear(16 * 5 * 5, 10),
)
out = model(torch.randn(4, 1, 32, 32))
