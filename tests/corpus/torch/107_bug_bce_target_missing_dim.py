# DELIBERATE BUG (Q&A classic: "ValueError: Target size (torch.Size([16])) must be the same as input size
# (torch.Size([16, 1]))"): a binary classifier ending in nn.Linear(..., 1) trained with BCEWithLogitsLoss on
# labels of shape (batch,); the logits need .squeeze(1) or the labels .unsqueeze(1).float().
# Real torch: ValueError: Target size (torch.Size([16])) must be the same as input size (torch.Size([16, 1]))
import torch
import torch.nn as nn


class BinaryClassifier(nn.Module):
    def __init__(self, in_features=30):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, 64),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.net(x)


model = BinaryClassifier()
criterion = nn.BCEWithLogitsLoss()
features = torch.randn(16, 30)
labels = torch.randint(0, 2, (16,)).float()
logits = model(features)
loss = criterion(logits, labels)
