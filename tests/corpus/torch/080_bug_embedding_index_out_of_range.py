# DELIBERATE BUG (classic): the vocabulary passed to nn.Embedding is smaller than the largest token id (the
# tokenizer has 30522 ids, the model was built with vocab_size=30000).
# Real torch: IndexError: index out of range in self
import torch
import torch.nn as nn


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab_size=30000, dim=128, num_classes=2):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim)
        self.out = nn.Linear(dim, num_classes)

    def forward(self, ids):
        return self.out(self.emb(ids).mean(1))


model = BagOfEmbeddings()
ids = torch.randint(0, 30522, (4, 64))
ids[0, 0] = 30521
out = model(ids)
