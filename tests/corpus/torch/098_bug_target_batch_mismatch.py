# DELIBERATE BUG (Q&A classic: "ValueError: Expected input batch_size (100) to match target batch_size (64)"): the
# CIFAR-10 tutorial Net with the flatten written view(-1, 16 * 4 * 4) (the MNIST size) on 32x32 images: view(-1,
# ...) silently makes 100 rows out of 64 images (64 * 400 = 100 * 256), fc1 takes them, and only the loss notices.
# Real torch: ValueError: Expected input batch_size (100) to match target batch_size (64).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 4 * 4)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
criterion = nn.CrossEntropyLoss()
images = torch.randn(64, 3, 32, 32)
labels = torch.randint(0, 10, (64,))
outputs = net(images)
loss = criterion(outputs, labels)
