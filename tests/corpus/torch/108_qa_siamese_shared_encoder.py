# Q&A pattern (the Siamese network with a contrastive loss, as in the widely copied answers and blog posts on
# "Siamese network in PyTorch"): one CNN encoder shared by both branches (called twice per forward: its weights
# are counted once), F.pairwise_distance between the embeddings and the contrastive loss of Hadsell et al.;
# written for this corpus from that pattern. A batch of 8 grayscale 105x105 pairs (the Omniglot size).
import torch
import torch.nn as nn
import torch.nn.functional as F


class SiameseNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 96, kernel_size=11, stride=4),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, stride=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, stride=1),
            nn.ReLU(inplace=True),
        )
        self.fc = nn.Sequential(
            nn.Linear(384, 1024),
            nn.ReLU(inplace=True),
            nn.Linear(1024, 256),
            nn.ReLU(inplace=True),
            nn.Linear(256, 2),
        )

    def forward_once(self, x):
        output = self.cnn(x)
        output = output.view(output.size()[0], -1)
        output = self.fc(output)
        return output

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        return output1, output2


class ContrastiveLoss(nn.Module):
    def __init__(self, margin=2.0):
        super().__init__()
        self.margin = margin

    def forward(self, output1, output2, label):
        euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
        loss_contrastive = torch.mean((1 - label) * torch.pow(euclidean_distance, 2) +
                                      label * torch.pow(torch.clamp(self.margin - euclidean_distance, min=0.0), 2))
        return loss_contrastive


net = SiameseNetwork()
criterion = ContrastiveLoss()
img0, img1 = torch.randn(8, 1, 105, 105), torch.randn(8, 1, 105, 105)
label = torch.randint(0, 2, (8, 1)).float()
output1, output2 = net(img0, img1)
loss_contrastive = criterion(output1, output2, label)
