# DELIBERATE BUG (Q&A classic for text CNNs: "Given groups=1, weight of size [128, 300, 3], expected
# input[32, 50, 300] to have 300 channels, but got 50 channels instead"): word embeddings (batch, seq, embed) fed
# to nn.Conv1d(embed, ...), which wants (batch, channels=embed, seq): a permute(0, 2, 1) is missing.
# Real torch: RuntimeError: Given groups=1, weight of size [128, 300, 3], expected input[32, 50, 300] to have 300
# channels, but got 50 channels instead
import torch
import torch.nn as nn
import torch.nn.functional as F


class TextCNN(nn.Module):
    def __init__(self, vocab_size=20000, embed_dim=300, num_filters=128, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.conv = nn.Conv1d(embed_dim, num_filters, kernel_size=3)
        self.fc = nn.Linear(num_filters, num_classes)

    def forward(self, tokens):
        x = self.embedding(tokens)
        x = F.relu(self.conv(x))
        x = F.max_pool1d(x, x.size(2)).squeeze(2)
        return self.fc(x)


model = TextCNN()
logits = model(torch.randint(0, 20000, (32, 50)))
