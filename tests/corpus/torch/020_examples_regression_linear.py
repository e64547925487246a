# Source: pytorch/examples regression/main.py (polynomial features + a single nn.Linear); the fit loop cut.
import torch
import torch.nn.functional as F

POLY_DEGREE = 4


W_target = torch.randn(POLY_DEGREE, 1) * 5


b_target = torch.randn(1) * 5


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE+1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def get_batch(batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    random = torch.randn(batch_size)
    x = make_features(random)
    y = f(x)
    return x, y


fc = torch.nn.Linear(W_target.size(0), 1)


batch_x, batch_y = get_batch()
print(fc(batch_x).shape)
model = fc
