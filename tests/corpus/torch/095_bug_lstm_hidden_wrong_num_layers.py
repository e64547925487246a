# DELIBERATE BUG (Q&A classic: "RuntimeError: Expected hidden[0] size (2, 8, 64), got [1, 8, 64]"): a two-layer
# LSTM whose init_hidden makes (h0, c0) for one layer; the states must be (num_layers * num_directions, batch,
# hidden_size).
# Real torch: RuntimeError: Expected hidden[0] size (2, 8, 64), got [1, 8, 64]
import torch
import torch.nn as nn


class SequenceClassifier(nn.Module):
    def __init__(self, input_size=10, hidden_size=64, num_layers=2, num_classes=3):
        super().__init__()
        self.hidden_size = hidden_size
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        h0 = torch.zeros(1, batch_size, self.hidden_size)
        c0 = torch.zeros(1, batch_size, self.hidden_size)
        return h0, c0

    def forward(self, x):
        hidden = self.init_hidden(x.size(0))
        out, _ = self.lstm(x, hidden)
        return self.fc(out[:, -1, :])


model = SequenceClassifier()
out = model(torch.randn(8, 25, 10))
