# Source: pytorch/tutorials intermediate_source/reinforcement_q_learning.py (DQN); gymnasium CartPole cut
# (4 observations, 2 actions); policy_net and target_net with load_state_dict.
import torch
import torch.nn as nn
import torch.nn.functional as F

device = torch.device("cpu")
n_actions = 2
n_observations = 4


class DQN(nn.Module):

    def __init__(self, n_observations, n_actions):
        super(DQN, self).__init__()
        self.layer1 = nn.Linear(n_observations, 128)
        self.layer2 = nn.Linear(128, 128)
        self.layer3 = nn.Linear(128, n_actions)

    # Called with either one element to determine next action, or a batch
    # during optimization. Returns tensor([[left0exp,right0exp]...]).
    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        return self.layer3(x)


policy_net = DQN(n_observations, n_actions).to(device)
target_net = DQN(n_observations, n_actions).to(device)
target_net.load_state_dict(policy_net.state_dict())

state = torch.randn(1, n_observations)
print(policy_net(state).max(1).indices.view(1, 1))
BATCH_SIZE = 128
print(target_net(torch.randn(BATCH_SIZE, n_observations)).shape)
models = [policy_net, target_net]
