"""Classic PyTorch models, as tutorials write them, against real torch (meta): with and without shape bugs.

The CIFAR-10 tutorial's Net (16 * 5 * 5), LeNet with ``view``, an LSTM tagger, a GPT block with a causal mask and
a head tied to the embedding, a U-Net skip concatenation, a ResNet basic block, a ViT patch embedding. Each with
its classic bug too (the wrong flattened size, a grayscale input to an RGB network, an embedding fed floats, a
wrong LSTM input_size, mismatched U-Net skips): torch and shapewise must both raise, shapewise naming the module
and the fix.
"""

import pytest

from torch_cases import HEADER
from torch_oracle import assert_both_raise, assert_same_torch

CIFAR = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear({features}, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

model = Net()
out = model(torch.randn({input}))
"""

LENET = """
class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)

    def num_flat_features(self, x):
        size = x.size()[1:]
        num_features = 1
        for s in size:
            num_features *= s
        return num_features

model = LeNet()
out = model(torch.randn({input}))
"""

TAGGER = """
class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size, lstm_input):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(lstm_input, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores

model = LSTMTagger(6, 6, 9, 3, {lstm_input})
out = model({sentence})
"""

GPT = """
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.n_head = n_head
        self.n_embd = n_embd
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)

class MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))

class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x

class GPT(nn.Module):
    def __init__(self, vocab_size=65, block_size=16, n_layer=2, n_head=4, n_embd=32):
        super().__init__()
        self.block_size = block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            drop=nn.Dropout(0.1),
            h=nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long)
        tok_emb = self.transformer.wte(idx)
        pos_emb = self.transformer.wpe(pos)
        x = self.transformer.drop(tok_emb + pos_emb)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        return self.lm_head(x)

model = GPT()
out = model({idx})
"""

UNET = """
class Down(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(cin, cout, 3, padding={pad}), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                                  nn.Conv2d(cout, cout, 3, padding={pad}), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
    def forward(self, x):
        return self.conv(x)

class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.inc = Down(3, 8)
        self.pool = nn.MaxPool2d(2)
        self.down = Down(8, 16)
        self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec = Down(16, 8)
        self.outc = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down(self.pool(x1))
        x = torch.cat([x1, self.up(x2)], dim=1)
        return self.outc(self.dec(x))

model = UNet()
out = model(torch.randn(1, 3, {size}, {size}))
"""

RESNET = """
class BasicBlock(nn.Module):
    expansion = 1
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)

model = nn.Sequential(
    nn.Conv2d(3, 16, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    BasicBlock(16, 16),
    BasicBlock(16, 32, 2, {downsample}),
    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(32, 10))
out = model(torch.randn(2, 3, 64, 64))
"""

VIT = """
class PatchEmbed(nn.Module):
    def __init__(self, img_size=32, patch_size=8, in_chans=3, embed_dim=48):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)

class ViT(nn.Module):
    def __init__(self, embed_dim=48, depth=2, num_classes=10):
        super().__init__()
        self.patch_embed = PatchEmbed(embed_dim=embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + {extra}, embed_dim))
        layer = nn.TransformerEncoderLayer(embed_dim, 4, 96, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, depth)
        self.head = nn.Linear(embed_dim, num_classes)
    def forward(self, x):
        x = self.patch_embed(x)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1) + self.pos_embed
        x = self.encoder(x)
        return self.head(x[:, 0])

model = ViT()
out = model(torch.randn(2, 3, 32, 32))
"""

GOOD = {
    "cifar-net": CIFAR.format(features="16 * 5 * 5", input="4, 3, 32, 32"),
    "lenet": LENET.format(input="2, 1, 28, 28"),
    "lstm-tagger": TAGGER.format(lstm_input=6, sentence="torch.tensor([0, 1, 2, 3, 4])"),
    "gpt-tied": GPT.format(idx="torch.randint(0, 65, (2, 16))"),
    "unet": UNET.format(pad=1, size=16),
    "resnet-blocks": RESNET.format(downsample="nn.Sequential(nn.Conv2d(16, 32, 1, stride=2, bias=False), "
                                              "nn.BatchNorm2d(32))"),
    "vit": VIT.format(extra=1),
}

BUGS = {
    "cifar-wrong-flatten": CIFAR.format(features="16 * 4 * 4", input="4, 3, 32, 32"),
    "cifar-grayscale": CIFAR.format(features="16 * 5 * 5", input="4, 1, 32, 32"),
    "cifar-wrong-size": CIFAR.format(features="16 * 5 * 5", input="4, 3, 28, 28"),
    "lenet-view": LENET.format(input="2, 1, 32, 32"),
    "tagger-floats": TAGGER.format(lstm_input=6, sentence="torch.randn(5)"),
    "tagger-input-size": TAGGER.format(lstm_input=7, sentence="torch.tensor([0, 1, 2, 3, 4])"),
    "gpt-too-long": GPT.format(idx="torch.randint(0, 65, (2, 17))"),
    "unet-skips": UNET.format(pad=0, size=20),
    "resnet-no-downsample": RESNET.format(downsample="None"),
    "vit-pos-embed": VIT.format(extra=0),
}


@pytest.mark.parametrize("body", [pytest.param(v, id=k) for k, v in GOOD.items()])
def test_classic_models(body):
    assert_same_torch(HEADER + "import math\n" + body)


@pytest.mark.parametrize("body", [pytest.param(v, id=k) for k, v in BUGS.items()])
def test_classic_bugs(body):
    assert_both_raise(HEADER + "import math\n" + body)


def _run(body):
    """The source through shapewise's API, with summary() reporting its error (as the CLI will)."""
    from shapewise import torch
    from torch_oracle import run_shapewise

    ns, error = run_shapewise(HEADER + "import math\n" + body.replace("out = model(", "_input = ("))
    return torch.summary(ns["model"], input_data=ns["_input"])


def test_cifar_bug_names_fc1_and_the_fix():
    report = _run(CIFAR.format(features="16 * 4 * 4", input="4, 3, 32, 32"))
    e = report.error
    assert e.layer == "fc1" and e.layer_type == "Linear"
    assert e.message == "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)"
    assert e.fix == "fc1 expects 256 input features; the flattened map is 16·5·5 = 400: use nn.Linear(400, 120)"
    # the modules run before the error keep their shapes
    conv2 = next(layer for layer in report.layers if layer.name == "conv2")
    assert conv2.output_shape == [4, 16, 10, 10] and conv2.calls == 1


def test_gpt_tied_counted_once():
    report = _run(GPT.format(idx="torch.randint(0, 65, (2, 16))"))
    assert report.error is None
    rows = {layer.name: layer for layer in report.layers}
    # named_modules() reaches transformer.wte first: it is the first holder, lm_head's weight the tied one
    assert rows["transformer.wte"].weights[0]["same_as"] is None
    assert rows["lm_head"].weights[0]["same_as"] == "transformer.wte.weight"
    assert report.total_params == rows["transformer"].params  # the head adds nothing: its weight is wte's
    assert "counted once" in " ".join(rows["lm_head"].tied)
    assert report.buffers == 2 * 16 * 16


# torchvision-style definitions and other tutorials' models, shortened (fewer blocks, small inputs)
MORE = {
    "vgg-like": """
cfg = [8, 'M', 16, 'M', 32, 32, 'M']
layers = []
in_channels = 3
for v in cfg:
    if v == 'M':
        layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
    else:
        layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
        in_channels = v
class VGG(nn.Module):
    def __init__(self, features, num_classes=10):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(32 * 2 * 2, 64), nn.ReLU(True), nn.Dropout(p=0.5),
                                        nn.Linear(64, num_classes))
    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)
model = VGG(nn.Sequential(*layers))
out = model(torch.randn(2, 3, 32, 32))
""",
    "resnet18-like": """
def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)
class BasicBlock(nn.Module):
    expansion = 1
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride
    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)
class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=10):
        super().__init__()
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 16, layers[0])
        self.layer2 = self._make_layer(block, 32, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 64, layers[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)
    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)
model = ResNet(BasicBlock, [2, 2, 2])
out = model(torch.randn(2, 3, 64, 64))
""",
    "mobilenetv2-block": """
class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.extend([nn.Conv2d(inp, hidden_dim, 1, 1, 0, bias=False), nn.BatchNorm2d(hidden_dim), nn.ReLU6(inplace=True)])
        layers.extend([
            nn.Conv2d(hidden_dim, hidden_dim, 3, stride, 1, groups=hidden_dim, bias=False),
            nn.BatchNorm2d(hidden_dim), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)])
        self.conv = nn.Sequential(*layers)
    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)
model = nn.Sequential(InvertedResidual(8, 16, 2, 6), InvertedResidual(16, 16, 1, 6), InvertedResidual(16, 24, 1, 1))
out = model(torch.randn(2, 8, 16, 16))
""",
    "squeezenet-fire": """
class Fire(nn.Module):
    def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
        super().__init__()
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)
    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)
model = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(inplace=True),
                      nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True), Fire(16, 4, 8, 8), Fire(16, 4, 8, 8))
out = model(torch.randn(1, 3, 33, 33))
""",
    "seq2seq-gru": """
class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
    def forward(self, input):
        output, hidden = self.gru(self.embedding(input))
        return output, hidden
class DecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
    def forward(self, input, hidden):
        output = F.relu(self.embedding(input))
        output, hidden = self.gru(output, hidden)
        return F.log_softmax(self.out(output), dim=-1), hidden
class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = EncoderRNN(20, 16)
        self.decoder = DecoderRNN(16, 30)
    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        return self.decoder(tgt, hidden)
model = Seq2Seq()
out = model(torch.randint(0, 20, (3, 7)), torch.randint(0, 30, (3, 5)))
""",
    "dcgan-generator": """
nz, ngf, nc = 16, 8, 3
model = nn.Sequential(
    nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
    nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
    nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
    nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False), nn.Tanh())
out = model(torch.randn(2, nz, 1, 1))
""",
}


@pytest.mark.parametrize("body", [pytest.param(v, id=k) for k, v in MORE.items()])
def test_more_models(body):
    assert_same_torch(HEADER + "import math\n" + body)


def test_linear_fix_shows_both_expressions_when_the_sizes_are_expressions():
    """The interpreter may pass sizes as Dims (``16 * 4 * 4`` as written): the fix then shows both sides."""
    from shapewise.dims import Known
    from shapewise.torch import nn

    in_features = Known(16) * Known(4, "h") * Known(4, "w")
    model = nn.Sequential(nn.Conv2d(3, 16, 5), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(in_features, 120))
    from shapewise import torch

    e = torch.summary(model, input_size=(4, 3, 14, 14)).error
    assert e.fix == "3 expects 256 = 16·4·4 input features; the flattened map is 16·5·5 = 400: use nn.Linear(400, 120)"
