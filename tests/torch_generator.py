"""Random PyTorch models as source text, for differential testing against real torch.

``case(seed)`` draws one model: a ``nn.Sequential`` or a ``nn.Module`` class whose forward calls its submodules,
with the input it is called on. The draw tracks the shape flowing through (an image (N, C, H, W), a sequence
(N, L, F), a vector (N, F), token ids (N, L)) and picks modules that fit it, with their arguments drawn from
torch's options (strides, padding ints and 'same', dilation, groups, ceil_mode, bidirectional RNNs, attention
heads...). On top: tied weights (``self.b.weight = self.a.weight``), a module shared by two parents or called
twice, frozen parts (``requires_grad_(False)``, a loop setting ``requires_grad = False``), and, in about one
model in six, a deliberate shape bug (a wrong in_features / in_channels / input_size, an input too small for its
pooling): both torch and shapewise must then raise. Deterministic: the same seed gives the same source.
"""

from __future__ import annotations

import random

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

ACTS = ["nn.ReLU()", "nn.GELU()", "nn.Tanh()", "nn.SiLU()", "nn.LeakyReLU(0.1)", "nn.ELU()", "nn.Sigmoid()",
        "nn.Hardswish()", "nn.Mish()", "nn.ReLU6()", "nn.Softplus()", "nn.Identity()"]


class _Draw:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.layers = []  # (name, ctor, call_template) ; call template uses {x}
        self.extra = []  # statements after the model is made (ties, freezing)
        self.bug = self.r.random() < 1 / 6
        self.bug_done = False
        self.n = 0

    def name(self, kind):
        self.n += 1
        return f"{kind}{self.n}"

    def maybe_bug(self, value):
        """A wrong size, once per buggy model, in about a third of the places one could go."""
        if self.bug and not self.bug_done and self.r.random() < 0.35:
            self.bug_done = True
            return value + self.r.choice([-1, 1, 2, value])
        return value

    def raw(self, call):
        """A statement of the forward with no module of its own (``x = F.relu(x)``)."""
        self.layers.append((None, None, call))

    def add(self, kind, ctor, call="{x} = self.{n}({x})"):
        name = self.name(kind)
        self.layers.append((name, ctor, call))
        return name



#: the widest feature axis a square Linear (features × features) is drawn on: a Flatten of a large 3-D volume
#: (36,864 features) made a 1.4-billion-weight Linear, 11 GB when torch's CPU re-run built it
_SQUARE_MAX = 4096

def _bug_now(d):
    """Whether this construct carries the model's deliberate bug."""
    if d.bug and not d.bug_done and d.r.random() < 0.35:
        d.bug_done = True
        return True
    return False


def _img_ops(d, shape):
    """Constructs of a forward written by hand: skips, concatenation, F.relu, view: (new shape or None)."""
    n, c, h, w = shape
    r = d.r
    choice = r.choice(["add", "cat", "relu", "view", "flatten", "pool_fn"])
    if choice in ("add", "cat"):
        out = c if choice == "add" else r.choice([2, 4, 8])
        bug = _bug_now(d)
        pad = "0" if bug else "'same'"
        name = d.add("skip", f"nn.Conv2d({c}, {out}, 3, padding={pad})",
                     "{x} = {x} + self.{n}({x})" if choice == "add" else
                     "{x} = torch.cat([{x}, self.{n}({x})], dim=1)")
        del name
        return (n, c + (out if choice == "cat" else 0), h, w)
    if choice == "relu":
        d.raw(r.choice(["{x} = F.relu({x})", "{x} = torch.relu({x})", "{x} = {x}.relu()", "{x} = F.gelu({x})"]))
        return shape
    if choice == "pool_fn":
        d.raw("{x} = F.max_pool2d({x}, 2)")
        return (n, c, h // 2, w // 2) if h >= 2 and w >= 2 else (n, c, 0, 0)
    if choice == "view":
        d.raw(r.choice(["{x} = {x}.view({x}.size(0), -1)", "{x} = {x}.reshape({x}.shape[0], -1)"]))
    else:
        d.raw("{x} = torch.flatten({x}, 1)")
    return (n, c * h * w)


def _sig_step(d, shape):
    """A signal (N, C, L): 1d convolutions and pooling."""
    n, c, L = shape
    r = d.r
    choice = r.choice(["conv", "conv", "convT", "pool", "avgpool", "adaptive", "bn", "act"])
    if choice == "conv":
        out, k = r.choice([4, 8]), r.choice([1, 3, 5])
        stride, pad, dil = r.choice([1, 2]), r.choice([0, 1, 2]), r.choice([1, 2])
        d.add("conv", f"nn.Conv1d({d.maybe_bug(c)}, {out}, {k}, stride={stride}, padding={pad}, dilation={dil})")
        return (n, out, (L + 2 * pad - dil * (k - 1) - 1) // stride + 1)
    if choice == "convT":
        out, k, stride = r.choice([2, 4]), r.choice([2, 3]), r.choice([1, 2])
        d.add("up", f"nn.ConvTranspose1d({d.maybe_bug(c)}, {out}, {k}, stride={stride})")
        return (n, out, (L - 1) * stride + k)
    if choice in ("pool", "avgpool"):
        k = r.choice([2, 3])
        kind = "nn.MaxPool1d" if choice == "pool" else "nn.AvgPool1d"
        d.add("pool", f"{kind}({k})")
        return (n, c, (L - k) // k + 1)
    if choice == "adaptive":
        o = r.choice([1, 2, 4])
        d.add("gap", f"nn.AdaptiveAvgPool1d({o})")
        return (n, c, o)
    if choice == "bn":
        d.add("bn", f"nn.BatchNorm1d({d.maybe_bug(c)})")
        return shape
    d.add("act", r.choice(ACTS))
    return shape


def _vol_step(d, shape):
    """A volume (N, C, D, H, W): 3d convolutions and pooling."""
    n, c, D, H, W = shape
    r = d.r
    choice = r.choice(["conv", "pool", "bn", "act", "convT"])
    if choice == "conv":
        out, k, pad = r.choice([2, 4]), r.choice([1, 3]), r.choice([0, 1])
        d.add("conv", f"nn.Conv3d({d.maybe_bug(c)}, {out}, {k}, padding={pad})")
        return (n, out, *(v + 2 * pad - k + 1 for v in (D, H, W)))
    if choice == "convT":
        out = r.choice([2, 3])
        d.add("up", f"nn.ConvTranspose3d({d.maybe_bug(c)}, {out}, 2, stride=2)")
        return (n, out, 2 * D, 2 * H, 2 * W)
    if choice == "pool":
        kind = r.choice(["nn.MaxPool3d", "nn.AvgPool3d"])
        d.add("pool", f"{kind}(2)")
        return (n, c, D // 2, H // 2, W // 2)
    if choice == "bn":
        d.add("bn", f"nn.BatchNorm3d({d.maybe_bug(c)})")
        return shape
    d.add("act", r.choice(ACTS))
    return shape


def _vec_ops(d, shape):
    n, f = shape
    r = d.r
    choice = r.choice(["add", "cat", "relu", "softmax", "list", "dict"])
    if choice == "list":
        k = r.choice([2, 3])
        d.add("blocks", f"nn.ModuleList([nn.Sequential(nn.Linear({f}, {f}), nn.ReLU()) for _ in range({k})])",
              "for blk in self.{n}:\n            {x} = blk({x})")
        return shape
    if choice == "dict":
        d.add("heads", f"nn.ModuleDict({{'a': nn.Linear({f}, {f}), 'b': nn.Tanh()}})",
              "for key in ['a', 'b']:\n            {x} = self.{n}[key]({x})")
        return shape
    if choice == "add":
        out = f + 1 if _bug_now(d) else f
        d.add("res", f"nn.Linear({f}, {out})", "{x} = {x} + self.{n}({x})")
        return shape
    if choice == "cat":
        out = r.choice([2, 4])
        d.add("side", f"nn.Linear({f}, {out})", "{x} = torch.cat((self.{n}({x}), {x}), 1)")
        return (n, f + out)
    if choice == "relu":
        d.raw("{x} = F.relu({x})")
        return shape
    d.raw("{x} = F.log_softmax({x}, dim=1)")
    return shape


def _seq_ops(d, shape):
    n, L, f = shape
    r = d.r
    choice = r.choice(["res-attn", "conv1d", "mean", "res-linear"])
    if choice == "res-attn":
        heads = r.choice([h for h in (1, 2, 4) if f % h == 0])
        d.add("attn", f"nn.MultiheadAttention({f}, {heads}, batch_first=True)",
              "{x} = {x} + self.{n}({x}, {x}, {x}, need_weights=False)[0]")
        return shape
    if choice == "conv1d":
        out, k = r.choice([4, 8, 12]), r.choice([1, 3, 4])
        d.add("tconv", f"nn.Conv1d({d.maybe_bug(f)}, {out}, {k}, padding={k // 2})",
              "{x} = self.{n}({x}.transpose(1, 2)).transpose(1, 2)")
        return (n, L + 2 * (k // 2) - k + 1, out)
    if choice == "mean":
        d.raw("{x} = {x}.mean(dim=1)")
        return (n, f)
    out = f + 2 if _bug_now(d) else f
    d.add("res", f"nn.Linear({f}, {out})", "{x} = {x} + self.{n}({x})")
    return shape


def _img_step(d, shape, module_class=False):
    if module_class and d.r.random() < 0.3:
        return _img_ops(d, shape)
    n, c, h, w = shape
    r = d.r
    choice = r.choice(["conv", "conv", "conv", "convT", "pool", "avgpool", "adaptive", "bn", "gn", "act", "act",
                       "drop", "pad", "in", "shuffle", "upsample"])
    if choice == "conv":
        out = r.choice([4, 6, 8, 12, 16])
        k = r.choice([1, 2, 3, 5])
        groups = r.choice([1, 1, 1, 2]) if c % 2 == 0 and out % 2 == 0 else 1
        if r.random() < 0.25:
            pad = "'same'"
            stride, dil = 1, r.choice([1, 2])
        else:
            pad = r.choice([0, 0, 1, 2])
            stride = r.choice([1, 1, 2])
            dil = r.choice([1, 1, 2])
        mode = r.choice(["'zeros'"] * 4 + ["'reflect'", "'replicate'", "'circular'"])
        bias = r.choice([True, True, False])
        cin = d.maybe_bug(c)
        d.add("conv", f"nn.Conv2d({cin}, {out}, {k}, stride={stride}, padding={pad}, dilation={dil}, "
                      f"groups={groups}, bias={bias}, padding_mode={mode})")
        if pad == "'same'":
            return (n, out, h, w)
        span = dil * (k - 1) + 1
        return (n, out, (h + 2 * pad - span) // stride + 1, (w + 2 * pad - span) // stride + 1)
    if choice == "convT":
        out = r.choice([3, 4, 8])
        k = r.choice([2, 3])
        stride = r.choice([1, 2])
        pad = r.choice([0, 1]) if k > 2 else 0
        op = r.choice([0, 1]) if stride == 2 else 0
        d.add("up", f"nn.ConvTranspose2d({d.maybe_bug(c)}, {out}, {k}, stride={stride}, padding={pad}, "
                    f"output_padding={op})")
        return (n, out, (h - 1) * stride - 2 * pad + k + op, (w - 1) * stride - 2 * pad + k + op)
    if choice in ("pool", "avgpool"):
        k = r.choice([2, 2, 3])
        stride = r.choice([None, 1, 2])
        ceil = r.choice([False, False, True])
        pad = r.choice([0, 0, 1])
        s = stride or k
        kind = "nn.MaxPool2d" if choice == "pool" else "nn.AvgPool2d"
        d.add("pool", f"{kind}({k}, stride={stride}, padding={pad}, ceil_mode={ceil})")

        def out_size(L):
            o = (L + 2 * pad - k + (s - 1 if ceil else 0)) // s + 1
            if ceil and (o - 1) * s >= L + pad:
                o -= 1
            return o

        return (n, c, out_size(h), out_size(w))
    if choice == "adaptive":
        oh, ow = r.choice([1, 2, 3]), r.choice([1, 2, 4])
        kind = r.choice(["nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d"])
        d.add("gap", f"{kind}(({oh}, {ow}))")
        return (n, c, oh, ow)
    if choice == "bn":
        d.add("bn", f"nn.BatchNorm2d({d.maybe_bug(c)}, affine={r.choice([True, False])})")
        return shape
    if choice == "gn":
        groups = r.choice([g for g in (1, 2, 4) if c % g == 0])
        d.add("gn", f"nn.GroupNorm({groups}, {c})")
        return shape
    if choice == "in":
        d.add("inorm", f"nn.InstanceNorm2d({c}, affine={r.choice([True, False])})")
        return shape
    if choice == "drop":
        d.add("drop", r.choice(["nn.Dropout2d(0.1)", "nn.Dropout(0.2)"]))
        return shape
    if choice == "pad":
        p = r.choice([1, 2])
        d.add("pad", r.choice([f"nn.ZeroPad2d({p})", f"nn.ReflectionPad2d({p})", f"nn.ReplicationPad2d({p})"]))
        return (n, c, h + 2 * p, w + 2 * p)
    if choice == "shuffle":
        if c % 4 == 0:
            d.add("ps", "nn.PixelShuffle(2)")
            return (n, c // 4, 2 * h, 2 * w)
        return shape
    if choice == "upsample":
        d.add("ups", f"nn.Upsample(scale_factor=2, mode={r.choice(['nearest', 'bilinear'])!r})")
        return (n, c, 2 * h, 2 * w)
    d.add("act", r.choice(ACTS))
    return shape


def _vec_step(d, shape, module_class=False):
    if module_class and d.r.random() < 0.25:
        return _vec_ops(d, shape)
    n, f = shape
    r = d.r
    choice = r.choice(["linear", "linear", "linear", "act", "act", "bn", "ln", "drop"])
    if choice == "linear":
        out = r.choice([4, 8, 10, 16, 32])
        d.add("fc", f"nn.Linear({d.maybe_bug(f)}, {out}, bias={r.choice([True, True, False])})")
        return (n, out)
    if choice == "bn":
        d.add("bn", f"nn.BatchNorm1d({d.maybe_bug(f)})")
        return shape
    if choice == "ln":
        d.add("ln", f"nn.LayerNorm({d.maybe_bug(f)})")
        return shape
    if choice == "drop":
        d.add("drop", "nn.Dropout(0.3)")
        return shape
    d.add("act", r.choice(ACTS))
    return shape


def _seq_step(d, shape, module_class):
    if module_class and d.r.random() < 0.25:
        return _seq_ops(d, shape)
    n, L, f = shape
    r = d.r
    choices = ["linear", "ln", "act", "drop"]
    if module_class:
        choices += ["rnn", "rnn", "attn", "encoder"]
    choice = r.choice(choices)
    if choice == "linear":
        out = r.choice([8, 12, 16])
        d.add("proj", f"nn.Linear({d.maybe_bug(f)}, {out})")
        return (n, L, out)
    if choice == "ln":
        d.add("ln", f"nn.LayerNorm({d.maybe_bug(f)})")
        return shape
    if choice == "drop":
        d.add("drop", "nn.Dropout(0.1)")
        return shape
    if choice == "rnn":
        kind = r.choice(["nn.LSTM", "nn.GRU", "nn.RNN"])
        hidden = r.choice([4, 8, 12])
        layers = r.choice([1, 1, 2])
        bi = r.choice([False, True])
        proj = r.choice([0, 0, 3]) if kind == "nn.LSTM" and hidden > 3 else 0
        args = f"{d.maybe_bug(f)}, {hidden}, num_layers={layers}, batch_first=True, bidirectional={bi}"
        if proj:
            args += f", proj_size={proj}"
        if r.random() < 0.3:
            args += ", bias=False"
        d.add("rnn", f"{kind}({args})", "{x}, _ = self.{n}({x})")
        return (n, L, (proj or hidden) * (2 if bi else 1))
    if choice == "attn":
        heads = r.choice([h for h in (1, 2, 4) if f % h == 0])
        extra = r.choice(["", ", bias=False", ", add_bias_kv=True"])
        d.add("attn", f"nn.MultiheadAttention({f}, {heads}, batch_first=True{extra})",
              "{x} = self.{n}({x}, {x}, {x})[0]")
        return shape
    if choice == "encoder":
        heads = r.choice([h for h in (1, 2, 4) if f % h == 0])
        d.add("enc", f"nn.TransformerEncoderLayer({d.maybe_bug(f) if f > 4 else f}, {heads}, {2 * f}, "
                     f"batch_first=True, norm_first={r.choice([True, False])})")
        return shape
    d.add("act", r.choice(ACTS))
    return shape


def case(seed):
    """One random model: (source, kind) with kind in {"sequential", "module"}."""
    d = _Draw(seed)
    r = d.r
    module_class = r.random() < 0.5
    start = r.choice(["img", "img", "vec", "seq", "ids", "sig", "vol"]) if module_class else \
        r.choice(["img", "img", "vec", "sig", "vol"])
    if start == "sig":
        shape = (r.choice([1, 2, 4]), r.choice([1, 2, 3]), r.choice([16, 20, 32]))
        inp = f"torch.randn{shape}"
        kind = "sig"
    elif start == "vol":
        shape = (r.choice([1, 2]), r.choice([1, 2]), r.choice([4, 6]), r.choice([4, 8]), r.choice([4, 6]))
        inp = f"torch.randn{shape}"
        kind = "vol"
    elif start == "img":
        shape = (r.choice([1, 2, 4]), r.choice([1, 3, 4]), r.choice([8, 12, 16, 28]), r.choice([8, 12, 16]))
        inp = f"torch.randn{shape}"
        kind = "img"
    elif start == "vec":
        shape = (r.choice([2, 4]), r.choice([5, 10, 20]))
        inp = f"torch.randn{shape}"
        kind = "vec"
    elif start == "seq":
        shape = (r.choice([1, 2, 3]), r.choice([4, 7]), r.choice([8, 12, 16]))
        inp = f"torch.randn{shape}"
        kind = "seq"
    else:
        vocab, dim = r.choice([20, 50]), r.choice([8, 16])
        batch, steps = r.choice([1, 2, 3]), r.choice([4, 6])
        d.add("emb", f"nn.Embedding({vocab}, {dim}, padding_idx={r.choice([None, 0])})")
        inp = f"torch.randint(0, {vocab}, ({batch}, {steps}))"
        shape = (batch, steps, dim)
        kind = "seq"
    steps = r.randint(2, 7)
    for _ in range(steps):
        if kind == "img":
            if min(shape[2], shape[3]) < 3 and r.random() < 0.7 or r.random() < 0.15:
                d.add("flat", "nn.Flatten()")
                shape = (shape[0], shape[1] * shape[2] * shape[3])
                kind = "vec"
                continue
            new = _img_step(d, shape, module_class)
            if len(new) == 2:  # flattened by hand
                shape, kind = new, "vec"
                continue
            if min(new[2:]) <= 0 or max(new[2:]) > 64 or new[1] * new[2] * new[3] > 4096:
                if d.bug and not d.bug_done:
                    d.bug_done = True  # the bug: a layer the input is too small (or too large) for
                    shape = new
                    break
                d.layers.pop()
                continue
            shape = new
        elif kind in ("sig", "vol"):
            if r.random() < 0.2:
                d.add("flat", "nn.Flatten()")
                flat = 1
                for v in shape[1:]:
                    flat *= v
                shape, kind = (shape[0], flat), "vec"
                continue
            new = (_sig_step if kind == "sig" else _vol_step)(d, shape)
            if min(new[2:]) <= 0:
                if d.bug and not d.bug_done:
                    d.bug_done = True
                    shape = new
                    break
                d.layers.pop()
                continue
            shape = new
        elif kind == "vec":
            if r.random() < 0.08 and shape[1] % 4 == 0:
                d.add("unflat", f"nn.Unflatten(1, ({shape[1] // 4}, 2, 2))")
                shape, kind = (shape[0], shape[1] // 4, 2, 2), "img"
                continue
            shape = _vec_step(d, shape, module_class)
        else:
            shape = _seq_step(d, shape, module_class)
            if len(shape) == 2:
                kind = "vec"
    source = HEADER
    if not module_class:
        # a shared module (the same instance twice in the Sequential) on a shape-preserving vector step
        ctors = [ctor for _, ctor, _ in d.layers]
        if r.random() < 0.15 and kind == "vec" and shape[1] <= _SQUARE_MAX:
            source += f"shared = nn.Linear({shape[1]}, {shape[1]})\n"
            ctors += ["shared", "nn.ReLU()", "shared"]
        source += "model = nn.Sequential(\n" + "".join(f"    {c},\n" for c in ctors) + ")\n"
        names = [str(i) for i in range(len(ctors))]
    else:
        lines = ["class Net(nn.Module):", "    def __init__(self):", "        super().__init__()"]
        for name, ctor, _ in d.layers:
            if ctor is not None:
                lines.append(f"        self.{name} = {ctor}")
        tie = None
        if r.random() < 0.25 and kind in ("vec", "seq") and shape[-1] <= _SQUARE_MAX:
            f = shape[-1]
            lines.append(f"        self.tie_a = nn.Linear({f}, {f})")
            lines.append(f"        self.tie_b = nn.Linear({f}, {f}, bias=False)")
            lines.append("        self.tie_b.weight = self.tie_a.weight")
            tie = ("tie_a", "tie_b")
        shared_twice = r.random() < 0.2 and kind in ("vec", "seq") and shape[-1] <= _SQUARE_MAX
        if shared_twice:
            lines.append(f"        self.twice = nn.Linear({shape[-1]}, {shape[-1]})")
        lines.append("    def forward(self, x):")
        for name, _, call in d.layers:
            lines.append("        " + call.format(n=name, x="x"))
        if tie:
            lines.append("        x = self.tie_b(self.tie_a(x))")
        if shared_twice:
            lines.append("        x = self.twice(self.twice(x))")
        lines.append("        return x")
        source += "\n".join(lines) + "\nmodel = Net()\n"
        names = [name for name, _, _ in d.layers if name is not None]
    # frozen parts
    if names and r.random() < 0.3:
        victim = r.choice(names)
        ref = f"model[{victim}]" if not module_class else f"model.{victim}"
        if r.random() < 0.5:
            source += f"{ref}.requires_grad_(False)\n"
        else:
            source += f"for p in {ref}.parameters():\n    p.requires_grad = False\n"
    if r.random() < 0.1:
        source += "model.eval()\n"
    source += f"out = model({inp})\n"
    return source, "module" if module_class else "sequential"
