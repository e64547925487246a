"""RNN, LSTM, GRU and their cells.

Each layer and direction has ``weight_ih`` (gates·hidden × its input), ``weight_hh`` (gates·hidden × hidden)
and *two* bias vectors, ``bias_ih`` and ``bias_hh``, where Keras has one: an LSTM layer has
4·h·(i + h + 2) parameters in PyTorch against Keras's 4·h·(i + h + 1) (gates = 4 for LSTM, 3 for GRU, 1 for
RNN). The sequence length appears in no weight. Layer l > 0 reads the previous layer's output, of
num_directions·hidden (or proj_size with projections). Output (out, h_n), and (out, (h_n, c_n)) for an LSTM.
"""

from __future__ import annotations

import numbers

from ...dims import Known
from ...errors import ArgumentError
from ._util import MODULE, dims_list, role
from .module import RuleModule, expect_tensor
from .parameter import param

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _rnn_keras_note(mode, input_size, hidden, torch_params, bias):
    if not bias:
        return None
    gates = _GATES[mode]
    name = {"LSTM": "LSTM", "GRU": "GRU"}.get(mode, "SimpleRNN")
    g = f"{gates}·" if gates > 1 else ""
    keras = gates * hidden * (input_size + hidden + 1)
    if mode == "GRU":
        return (f"PyTorch's GRU has two bias vectors per gate set (bias_ih and bias_hh): {g}h·(i + h + 2) = "
                f"{gates * hidden * (input_size + hidden + 2):,} per layer and direction; Keras's GRU with "
                f"reset_after=True (its default) also has two ({gates * hidden * (input_size + hidden + 2):,}), "
                f"with reset_after=False one: {keras:,}")
    return (f"PyTorch has two bias vectors (bias_ih and bias_hh) where Keras's {name} has one: {g}h·(i + h + 2) = "
            f"{gates * hidden * (input_size + hidden + 2):,} per layer and direction against Keras's "
            f"{g}h·(i + h + 1) = {keras:,}")


def _check_common(mode, input_size, hidden_size, num_layers, dropout, proj_size, kind):
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
        raise ArgumentError("dropout should be a number in range [0, 1] representing the probability of an element "
                            "being zeroed", layer_type=kind)
    if not isinstance(input_size, int):
        raise ArgumentError(f"input_size should be of type int, got: {type(input_size).__name__}", layer_type=kind)
    if not isinstance(hidden_size, int):
        raise ArgumentError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}", layer_type=kind)
    if hidden_size <= 0:
        raise ArgumentError("hidden_size must be greater than zero", layer_type=kind)
    if num_layers <= 0:
        raise ArgumentError("num_layers must be greater than zero", layer_type=kind)
    if proj_size < 0:
        raise ArgumentError("proj_size should be a positive integer or zero to disable projections",
                            layer_type=kind)
    if proj_size >= hidden_size:
        raise ArgumentError("proj_size has to be smaller than hidden_size", layer_type=kind)


class RNNBase(RuleModule):
    mode = "LSTM"

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        kind = type(self).__name__
        self.mode = mode
        _check_common(mode, input_size, hidden_size, num_layers, dropout, proj_size, kind)
        if proj_size and mode != "LSTM":
            raise ArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU", layer_type=kind)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gates = _GATES[mode]
        h = role(hidden_size, "hidden_size")
        gate_dim = Known(gates) * h if gates > 1 else h
        real_hidden = role(proj_size, "proj_size") if proj_size else h
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = role(input_size, "input_size") if layer == 0 else \
                    (Known(directions) * real_hidden if directions > 1 else real_hidden)
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                setattr(self, "weight_ih" + suffix, param(gate_dim, layer_input))
                setattr(self, "weight_hh" + suffix, param(gate_dim, real_hidden))
                if bias:
                    setattr(self, "bias_ih" + suffix, param(gate_dim))
                    setattr(self, "bias_hh" + suffix, param(gate_dim))
                if proj_size:
                    setattr(self, "weight_hr" + suffix, param(real_hidden, h))

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    @property
    def _name(self):
        return {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)

    def infer(self, ctx, x, hx=None):
        name = self._name
        expect_tensor(x, name.lower())
        if isinstance(self.num_layers, bool) or isinstance(self.hidden_size, bool):
            ctx.fail(f"{name.lower()}() received an invalid combination of arguments (a bool where an int is needed)",
                     expected="num_layers and hidden_size as ints")
        if x.rank not in (2, 3):
            tensor = " tensor" if name == "RNN" else ""
            ctx.fail(f"{name}: Expected input to be 2D or 3D, got {x.rank}D{tensor} instead",
                     expected="(seq_len, batch, input_size)" + (" with batch_first=True: (batch, seq_len, "
                                                                "input_size)" if self.batch_first else ""))
        if x.dtype not in ("float32", "float64", "float16", "bfloat16"):
            ctx.fail(f"{name} input dtype (torch.{x.dtype}) does not match weight dtype (torch.float32). Convert "
                     f"input: input.to(torch.float32), or convert model: model.to(torch.{x.dtype})",
                     expected="a floating-point input", fix="token ids go through an nn.Embedding first")
        batched = x.rank == 3
        if batched:
            names = ("batch", "seq_len", "input_size") if self.batch_first else ("seq_len", "batch", "input_size")
        else:
            names = ("seq_len", "input_size")
        bound = ctx.bind(x, *names)
        features = bound[-1]
        if batched:
            batch = bound[0] if self.batch_first else bound[1]
            steps = bound[1] if self.batch_first else bound[0]
        else:
            batch, steps = None, bound[0]
        if features.value != self.input_size:
            ctx.fail(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {features.value}",
                     expected=f"input_size={self.input_size} features on the last axis",
                     fix=f"{MODULE} was made with input_size={self.input_size}; its input has {features.value} "
                         f"features: use nn.{type(self).__name__}({features.value}, {self.hidden_size}, ...)"
                     + ("" if self.batch_first or not batched or x.shape[1].value != self.input_size else
                        "; or, if the input is (batch, seq_len, features), pass batch_first=True"))
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size or self.hidden_size
        stack = Known(self.num_layers * directions)
        h_shape = (stack, batch, Known(real_hidden)) if batched else (stack, Known(real_hidden))
        c_shape = (stack, batch, Known(self.hidden_size)) if batched else (stack, Known(self.hidden_size))
        if hx is not None:
            self._check_hidden(ctx, hx, batched, h_shape, c_shape)
        out_features = ctx.derive("out_features", Known(directions, "num_directions") * Known(real_hidden,
                                  "proj_size" if self.proj_size else "hidden_size")) if directions > 1 else \
            ctx.const(real_hidden, "proj_size" if self.proj_size else "hidden_size")
        if batched:
            out = (batch, steps, out_features) if self.batch_first else (steps, batch, out_features)
        else:
            out = (steps, out_features)
        h = ctx.spec(tuple(d for d in h_shape if d is not None))
        output = ctx.spec(out)
        note = _rnn_keras_note(self.mode, self.input_size, self.hidden_size, None, self.bias)
        ctx.note(f"the output has, at every step, {directions}·{real_hidden} = {directions * real_hidden} features "
                 f"(num_directions·hidden)" if directions > 1 else
                 f"the output has, at every step, the {real_hidden} features of the last layer")
        ctx.note(f"h_n is ({self.num_layers * directions}{', batch' if batched else ''}, {real_hidden}): the last "
                 "hidden state of each layer and direction" + (", before the batch axis even with batch_first=True"
                                                              if self.batch_first else ""))
        if note:
            ctx.note(note)
        ctx.free("the same weights are applied at every step: the sequence length never changes the count")
        ctx.units(f"each of the {self.hidden_size} hidden units reads the {self.input_size} input features and the "
                  f"previous hidden state through its {_GATES[self.mode]} gate{'s' if _GATES[self.mode] > 1 else ''}")
        if self.mode == "LSTM":
            return output, (h, ctx.spec(tuple(d for d in c_shape if d is not None)))
        return output, h

    def _check_hidden(self, ctx, hx, batched, h_shape, c_shape):
        lstm = self.mode == "LSTM"
        states = hx
        if lstm:
            if not isinstance(hx, (tuple, list)):
                ctx.fail("index 1 is out of bounds for dimension 0 with size 1",
                         expected="hx as a tuple (h_0, c_0)", fix="pass the LSTM's initial state as (h0, c0)")
            if len(hx) != 2:
                ctx.fail(f"LSTM: Expected hx to be a tuple of 2 tensors, got {len(hx)}", expected="(h_0, c_0)")
            ranks = [s.rank for s in hx]
            want = 3 if batched else 2
            if any(r != want for r in ranks):
                what = "batched 3-D" if batched else "unbatched 2-D"
                ctx.fail(f"For {what} input, hx and cx should also be {want}-D but got ({ranks[0]}-D, {ranks[1]}-D) "
                         "tensors", expected=f"{want}-D hidden states")
            for k, (s, shape) in enumerate(zip(hx, (h_shape, c_shape))):
                expected = [d.value for d in shape if d is not None]
                if [d.value for d in s.shape] != expected:
                    ctx.fail(f"Expected hidden[{k}] size ({', '.join(map(str, expected))}), got {dims_list(s.shape)}",
                             expected=f"({', '.join(map(str, expected))}): (num_layers·num_directions, batch, "
                                      f"{'proj_size or ' if k == 0 else ''}hidden_size)",
                             fix=_hidden_fix(self, expected))
            return
        want = 3 if batched else 2
        if states.rank != want:
            what = "batched 3-D" if batched else "unbatched 2-D"
            ctx.fail(f"For {what} input, hx should also be {want}-D but got {states.rank}-D tensor",
                     expected=f"a {want}-D hidden state")
        expected = [d.value for d in h_shape if d is not None]
        if [d.value for d in states.shape] != expected:
            ctx.fail(f"Expected hidden size ({', '.join(map(str, expected))}), got {dims_list(states.shape)}",
                     expected=f"({', '.join(map(str, expected))}): (num_layers·num_directions, batch, hidden_size)",
                     fix=_hidden_fix(self, expected))


def _hidden_fix(rnn, expected):
    layers = f"num_layers={rnn.num_layers}" + (" × 2 directions" if rnn.bidirectional else "")
    return (f"make the initial state torch.zeros({', '.join(map(str, expected))}): its first axis is {layers}, "
            "then the batch, then the hidden size")


class RNN(RNNBase):
    def __init__(self, *args, **kwargs):
        names = ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout",
                 "bidirectional")
        if len(args) > len(names):
            raise TypeError(f"RNN takes at most {len(names)} positional arguments")
        given = dict(zip(names, args))
        for k in given:
            if k in kwargs:
                raise TypeError(f"RNN got multiple values for argument '{k}'")
        kwargs.update(given)
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ArgumentError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.",
                                layer_type="RNN")
        self.nonlinearity = nonlinearity
        super().__init__(mode, **kwargs)


class LSTM(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU", layer_type="GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(RuleModule):
    gates = 1
    kind = "RNNCell"

    def __init__(self, input_size, hidden_size, bias=True, num_chunks=1, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        h = role(hidden_size, "hidden_size")
        gate_dim = Known(num_chunks) * h if num_chunks > 1 else h
        self.weight_ih = param(gate_dim, role(input_size, "input_size"))
        self.weight_hh = param(gate_dim, h)
        if bias:
            self.bias_ih = param(gate_dim)
            self.bias_hh = param(gate_dim)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def infer(self, ctx, x, hx=None):
        kind = self.kind
        expect_tensor(x, kind.lower())
        if x.rank not in (1, 2):
            ctx.fail(f"{kind}: Expected input to be 1D or 2D, got {x.rank}D instead",
                     expected="(batch, input_size) or (input_size,)",
                     fix="a cell takes one time step; use nn." + kind.replace("Cell", "") + " for a whole sequence")
        if not x.dtype.startswith(("float", "bfloat")):
            ctx.fail(f"expected m1 and m2 to have the same dtype, but got: {x.dtype.replace('int64', 'long int')} != "
                     "float", expected="a floating-point input")
        bound = ctx.bind(x, "batch", "input_size") if x.rank == 2 else ctx.bind(x, "input_size")
        features = bound[-1]
        if features.value != self.input_size:
            ctx.fail(f"input has inconsistent input_size: got {features.value} expected {self.input_size}",
                     expected=f"input_size={self.input_size}")
        batch = bound[0] if x.rank == 2 else None
        states = hx if isinstance(hx, (tuple, list)) else ((hx,) if hx is not None else ())
        for k, s in enumerate(states):
            if s is None:
                continue
            if batch is not None and s.rank >= 1 and s.shape[0].value != batch.value:
                ctx.fail(f"Input batch size {batch.value} doesn't match hidden{k} batch size {s.shape[0].value}",
                         expected=f"a hidden state of batch {batch.value}")
            if s.shape and s.shape[-1].value != self.hidden_size:
                ctx.fail(f"hidden{k} has inconsistent hidden_size: got {s.shape[-1].value}, expected "
                         f"{self.hidden_size}", expected=f"hidden_size={self.hidden_size}")
        h = ctx.const(self.hidden_size, "hidden_size")
        shape = (batch, h) if batch is not None else (h,)
        ctx.note("one time step: the new hidden state has hidden_size features")
        note = _rnn_keras_note({"LSTMCell": "LSTM", "GRUCell": "GRU"}.get(kind, "RNN_TANH"), self.input_size,
                               self.hidden_size, None, self.bias)
        if note:
            ctx.note(note)
        if kind == "LSTMCell":
            return ctx.spec(shape), ctx.spec(shape)
        return ctx.spec(shape)


class RNNCell(RNNCellBase):
    kind = "RNNCell"

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1)
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"Unknown nonlinearity: {nonlinearity}", layer_type="RNNCell")
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    kind = "LSTMCell"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4)


class GRUCell(RNNCellBase):
    kind = "GRUCell"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3)
