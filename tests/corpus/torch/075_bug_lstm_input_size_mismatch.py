# DELIBERATE BUG (classic): LSTM built with input_size=100 after an Embedding of dimension 128.
# Real torch: RuntimeError: input.size(-1) must be equal to input_size. Expected 100, got 128
import torch
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size=10000, embedding_dim=128, hidden_dim=64, output_dim=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(100, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        embedded = self.embedding(x)
        output, (hidden, cell) = self.lstm(embedded)
        return self.fc(hidden[-1])


model = LSTMClassifier()
out = model(torch.randint(0, 10000, (32, 50)))
