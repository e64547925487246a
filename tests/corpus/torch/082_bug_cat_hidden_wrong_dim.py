# DELIBERATE BUG (classic): a bidirectional LSTM classifier whose head is sized for one direction
# (nn.Linear(hidden_dim, ...)) while forward concatenates the last forward and backward hidden states.
# Real torch: RuntimeError: mat1 and mat2 shapes cannot be multiplied (8x512 and 256x1)
import torch
import torch.nn as nn


class BiLSTM(nn.Module):
    def __init__(self, vocab_size=20000, embedding_dim=100, hidden_dim=256, output_dim=1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=2, bidirectional=True, dropout=0.5)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, text):
        embedded = self.embedding(text)
        output, (hidden, cell) = self.rnn(embedded)
        hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
        return self.fc(hidden)


model = BiLSTM()
out = model(torch.randint(0, 20000, (30, 8)))
