# DELIBERATE BUG (classic): LeNet-style forward with a hard-coded view size 16 * 6 * 6 (copied from the
# introyt LeNet with 3x3 conv2) while conv2 here is 5x5, so the tensor has 16 * 5 * 5 features per sample.
# Real torch: RuntimeError: shape '[-1, 576]' is invalid for input of size 1600
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 6 * 6)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


model = LeNet()
out = model(torch.randn(4, 1, 32, 32))
