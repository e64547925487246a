# DELIBERATE BUG (Q&A classic: "AssertionError: expecting key_padding_mask shape of (32, 10), but got
# torch.Size([10, 32])"): a sequence-first nn.TransformerEncoder (batch_first=False) given a padding mask built
# from the (seq, batch) token tensor without transposing it; key_padding_mask must be (batch, seq).
# Real torch: AssertionError: expecting key_padding_mask shape of (32, 10), but got torch.Size([10, 32])
import torch
import torch.nn as nn

PAD_IDX = 0


class TextEncoder(nn.Module):
    def __init__(self, vocab_size=5000, d_model=128, nhead=4, num_layers=2, num_classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model, padding_idx=PAD_IDX)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=256)
        self.encoder = nn.TransformerEncoder(layer, num_layers)
        self.fc = nn.Linear(d_model, num_classes)

    def forward(self, tokens):
        # tokens: (seq_len, batch)
        padding_mask = tokens == PAD_IDX
        x = self.encoder(self.embed(tokens), src_key_padding_mask=padding_mask)
        return self.fc(x.mean(dim=0))


model = TextEncoder()
model.eval()
tokens = torch.randint(0, 5000, (10, 32))
logits = model(tokens)
