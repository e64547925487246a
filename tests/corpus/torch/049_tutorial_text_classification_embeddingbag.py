# Source: pytorch/tutorials beginner_source/text_sentiment_ngrams_tutorial.py (TextClassificationModel with
# nn.EmbeddingBag(text, offsets)). torchtext AG_NEWS cut: the tutorial's vocab has 95811 tokens, 4 classes, emsize 64.
import torch
from torch import nn


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


num_class = 4
vocab_size = 95811
emsize = 64
model = TextClassificationModel(vocab_size, emsize, num_class)

# collate_batch output for a batch of 8 texts: flat token ids plus start offsets
lengths = [12, 30, 7, 45, 22, 9, 18, 33]
text = torch.randint(0, vocab_size, (sum(lengths),))
offsets = torch.tensor([0] + lengths[:-1]).cumsum(dim=0)
print(model(text, offsets).shape)
