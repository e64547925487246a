# Source: pytorch/tutorials intermediate_source/parametrizations.py (Symmetric and MatrixExponential
# parametrizations registered on nn.Linear weights with torch.nn.utils.parametrize).
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


class MatrixExponential(nn.Module):
    def forward(self, X):
        return torch.matrix_exp(X)


layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Symmetric())
A = layer.weight
assert torch.allclose(A, A.T)  # A is symmetric
print(A)  # Quick visual check

layer_orthogonal = nn.Linear(3, 3)
parametrize.register_parametrization(layer_orthogonal, "weight", MatrixExponential())

model = nn.Sequential(layer, nn.ReLU(), layer_orthogonal)
print(model(torch.randn(5, 3)).shape)
print(layer)
