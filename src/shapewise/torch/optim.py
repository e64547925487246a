"""``torch.optim``: optimizers and schedulers change values, never shapes: they are accepted and do nothing."""

from __future__ import annotations


class Optimizer:
    def __init__(self, params, lr=1e-3, **kwargs):
        self.param_groups = [{"params": list(params), "lr": lr, **kwargs}]
        self.defaults = {"lr": lr, **kwargs}
        self.state = {}

    def zero_grad(self, set_to_none=True):
        return None

    def step(self, closure=None):
        return None

    def state_dict(self):
        return {"param_groups": self.param_groups}

    def load_state_dict(self, state):
        return None

    def add_param_group(self, group):
        self.param_groups.append(group)


def _optimizer(name):
    return type(name, (Optimizer,), {})


SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, LBFGS = map(
    _optimizer, ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "LBFGS"))


class _Scheduler:
    def __init__(self, optimizer, *args, **kwargs):
        self.optimizer = optimizer

    def step(self, *args, **kwargs):
        return None

    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]


class lr_scheduler:
    StepLR = MultiStepLR = ExponentialLR = CosineAnnealingLR = ReduceLROnPlateau = OneCycleLR = LambdaLR = \
        CosineAnnealingWarmRestarts = LinearLR = _Scheduler
