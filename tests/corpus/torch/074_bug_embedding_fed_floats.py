# DELIBERATE BUG (classic): token ids built with torch.rand/torch.randn (float) instead of integer ids.
# Real torch: RuntimeError: Expected tensor for argument #1 'indices' to have one of the following scalar types:
# Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)
import torch
import torch.nn as nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size=5000, embed_dim=64, num_classes=3):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, x):
        x = self.embedding(x)
        return self.fc(x.mean(dim=1))


model = TextClassifier()
tokens = torch.randn(16, 40) * 100  # should be torch.randint(0, 5000, (16, 40))
out = model(tokens)
