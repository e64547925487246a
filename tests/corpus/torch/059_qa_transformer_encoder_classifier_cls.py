# Source: Q&A-style text classifier with nn.TransformerEncoderLayer(batch_first=True), a learned CLS token
# (nn.Parameter expanded over the batch), a learned positional embedding nn.Parameter and key padding mask.
import torch
import torch.nn as nn


class TransformerClassifier(nn.Module):
    def __init__(self, vocab_size, d_model=128, nhead=4, num_layers=2, num_classes=5, max_len=256, pad_idx=0):
        super().__init__()
        self.pad_idx = pad_idx
        self.embed = nn.Embedding(vocab_size, d_model, padding_idx=pad_idx)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos_embed = nn.Parameter(torch.randn(1, max_len + 1, d_model) * 0.02)
        encoder_layer = nn.TransformerEncoderLayer(
            d_model=d_model, nhead=nhead, dim_feedforward=4 * d_model, dropout=0.1, batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(encoder_layer, num_layers=num_layers)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, tokens):
        B, T = tokens.shape
        x = self.embed(tokens)
        cls = self.cls_token.expand(B, -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed[:, : T + 1]
        pad_mask = torch.cat([torch.zeros(B, 1, dtype=torch.bool), tokens == self.pad_idx], dim=1)
        x = self.encoder(x, src_key_padding_mask=pad_mask)
        return self.head(self.norm(x[:, 0]))


model = TransformerClassifier(vocab_size=30000)
tokens = torch.randint(1, 30000, (8, 128))
tokens[:, 100:] = 0
print(model(tokens).shape)
