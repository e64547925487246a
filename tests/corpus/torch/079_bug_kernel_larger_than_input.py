# DELIBERATE BUG (classic): an MNIST (28x28) network with too many valid convs/pools: after two conv+pool stages
# the map is 4x4, pooled to 2x2, and the third 3x3 conv cannot fit.
# Real torch: RuntimeError: Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3).
# Kernel size can't be greater than actual input size
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),   # 28 -> 24 -> 12
            nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),  # 12 -> 8 -> 4
            nn.MaxPool2d(2),                                   # 4 -> 2
            nn.Conv2d(64, 128, 3), nn.ReLU(),                  # 2 -> ?
        )
        self.classifier = nn.Linear(128, 10)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(torch.flatten(x, 1))


model = Net()
out = model(torch.randn(8, 1, 28, 28))
