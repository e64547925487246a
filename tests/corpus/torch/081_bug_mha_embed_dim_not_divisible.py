# DELIBERATE BUG (classic): TransformerEncoderLayer with d_model=100 and nhead=8 (100 is not divisible by 8);
# torch raises while constructing the nn.MultiheadAttention inside, before any input is seen.
# Real torch: AssertionError: embed_dim must be divisible by num_heads
import torch
import torch.nn as nn

encoder_layer = nn.TransformerEncoderLayer(d_model=100, nhead=8, batch_first=True)
model = nn.TransformerEncoder(encoder_layer, num_layers=2)
out = model(torch.randn(4, 16, 100))
