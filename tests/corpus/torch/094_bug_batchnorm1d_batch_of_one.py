# DELIBERATE BUG (Q&A classic: "ValueError: Expected more than 1 value per channel when training, got input size
# torch.Size([1, 64])"): an MLP with BatchNorm1d run in training mode on a single sample (a last batch of one, or
# a quick test with batch size 1). Batch statistics need at least two values per channel; model.eval() fixes it.
# Real torch: ValueError: Expected more than 1 value per channel when training, got input size torch.Size([1, 64])
import torch
import torch.nn as nn


model = nn.Sequential(
    nn.Linear(20, 64),
    nn.BatchNorm1d(64),
    nn.ReLU(),
    nn.Linear(64, 2),
)
model.train()
sample = torch.randn(1, 20)
out = model(sample)
