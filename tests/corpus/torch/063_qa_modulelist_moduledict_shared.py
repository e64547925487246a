# Source: PyTorch docs/forum patterns: nn.ModuleList built in a loop, nn.ModuleDict of selectable activations
# (torch.nn.ModuleDict docs example), and one Linear module applied twice (weight sharing).
import torch
import torch.nn as nn


class MyModule(nn.Module):
    def __init__(self, sizes=(64, 128, 128, 64), num_classes=10):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.activations = nn.ModuleDict({
            "lrelu": nn.LeakyReLU(),
            "prelu": nn.PReLU(),
        })
        self.shared = nn.Linear(sizes[-1], sizes[-1])
        self.head = nn.Linear(sizes[-1], num_classes)

    def forward(self, x, act="prelu"):
        # ModuleList can act as an iterable, or be indexed using ints
        for i, l in enumerate(self.linears):
            x = self.activations[act](l(x))
        x = self.shared(x)
        x = self.shared(torch.relu(x))  # same weights used twice
        return self.head(x)


model = MyModule()
print(model(torch.randn(16, 64)).shape)
print(sum(p.numel() for p in model.parameters()))
