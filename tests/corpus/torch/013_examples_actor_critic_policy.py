# Source: pytorch/examples reinforcement_learning/actor_critic.py (Policy with shared layer and two heads);
# gymnasium CartPole cut (4 observations).
import torch
import torch.nn as nn
import torch.nn.functional as F

from collections import namedtuple
SavedAction = namedtuple("SavedAction", ["log_prob", "value"])

class Policy(nn.Module):
    """
    implements both actor and critic in one model
    """
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 128)

        # actor's layer
        self.action_head = nn.Linear(128, 2)

        # critic's layer
        self.value_head = nn.Linear(128, 1)

        # action & reward buffer
        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        """
        forward of both actor and critic
        """
        x = F.relu(self.affine1(x))

        # actor: choses action to take from state s_t
        # by returning probability of each action
        action_prob = F.softmax(self.action_head(x), dim=-1)

        # critic: evaluates being in the state s_t
        state_values = self.value_head(x)

        # return values for both actor and critic as a tuple of 2 values:
        # 1. a list with the probability of each action over the action space
        # 2. the value from state s_t
        return action_prob, state_values


model = Policy()
probs, value = model(torch.randn(1, 4))
print(probs.shape, value.shape)
