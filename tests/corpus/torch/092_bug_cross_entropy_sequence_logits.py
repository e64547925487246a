# DELIBERATE BUG (Q&A classic, e.g. "RuntimeError: Expected target size [32, 65], got [32, 100]" on the PyTorch
# forums / Stack Overflow): a character-level LSTM language model whose loss is F.cross_entropy(logits, targets)
# with logits (batch, seq, vocab) and targets (batch, seq). cross_entropy reads dim 1 as the classes, so the
# logits must be (batch, vocab, seq) or flattened: logits.view(-1, vocab) with targets.view(-1).
# Real torch: RuntimeError: Expected target size [32, 65], got [32, 100]
import torch
import torch.nn as nn
import torch.nn.functional as F


class CharLSTM(nn.Module):
    def __init__(self, vocab_size=65, embed_dim=64, hidden_dim=128):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x):
        out, _ = self.lstm(self.embed(x))
        return self.fc(out)


model = CharLSTM()
inputs = torch.randint(0, 65, (32, 100))
targets = torch.randint(0, 65, (32, 100))
logits = model(inputs)
loss = F.cross_entropy(logits, targets)
