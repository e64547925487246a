# DELIBERATE BUG (Q&A classic: "RuntimeError: view size is not compatible with input tensor's size and stride (at
# least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."): multi-head attention
# written by hand, merging the heads with .view() right after .transpose(1, 2) without .contiguous().
# Real torch: RuntimeError: view size is not compatible with input tensor's size and stride (at least one
# dimension spans across two contiguous subspaces). Use .reshape(...) instead.
import math
import torch
import torch.nn as nn


class SelfAttention(nn.Module):
    def __init__(self, d_model=64, n_heads=4):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(B, T, self.n_heads, self.d_head).transpose(1, 2)
        k = k.view(B, T, self.n_heads, self.d_head).transpose(1, 2)
        v = v.view(B, T, self.n_heads, self.d_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.d_head)
        y = att.softmax(dim=-1) @ v
        y = y.transpose(1, 2).view(B, T, C)
        return self.out(y)


model = SelfAttention()
out = model(torch.randn(2, 10, 64))
