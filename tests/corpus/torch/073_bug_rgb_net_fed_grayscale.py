# DELIBERATE BUG (classic): an RGB CIFAR-10 network (3 input channels) fed 1-channel MNIST images.
# Real torch: RuntimeError: Given groups=1, weight of size [6, 3, 5, 5], expected input[8, 1, 32, 32] to have
# 3 channels, but got 1 channels instead
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 6, 5),
    nn.ReLU(),
    nn.MaxPool2d(2, 2),
    nn.Conv2d(6, 16, 5),
    nn.ReLU(),
    nn.MaxPool2d(2, 2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 10),
)
images = torch.randn(8, 1, 32, 32)  # MNIST padded to 32x32, grayscale
out = model(images)
