# Source: Q&A-style time-series regressor (stock-price tutorials / StackOverflow answers): nn.GRU(batch_first=True)
# with an explicit h0 built from x.size(0), and out[:, -1, :] into a Linear.
import torch
import torch.nn as nn


class GRU(nn.Module):
    def __init__(self, input_dim, hidden_dim, num_layers, output_dim):
        super(GRU, self).__init__()
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers

        self.gru = nn.GRU(input_dim, hidden_dim, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_dim).requires_grad_()
        out, (hn) = self.gru(x, (h0.detach()))
        out = self.fc(out[:, -1, :])
        return out


input_dim = 1
hidden_dim = 32
num_layers = 2
output_dim = 1
lookback = 20

model = GRU(input_dim=input_dim, hidden_dim=hidden_dim, output_dim=output_dim, num_layers=num_layers)
x_train = torch.randn(100, lookback - 1, input_dim)
print(model(x_train).shape)
