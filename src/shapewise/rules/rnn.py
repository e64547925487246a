"""Recurrent layers: SimpleRNN, GRU, LSTM.

A recurrent layer with ``units`` hidden values and ``g`` gates (1 for SimpleRNN, 3 for GRU, 4 for LSTM) has a
kernel ``features × g·units`` reading the input, a recurrent kernel ``units × g·units`` reading the previous
hidden state, and a bias of ``g·units`` (two of them for GRU with ``reset_after``). The same weights are used at
every timestep, so the sequence length never changes the count: params = g·units·(features + units + 1).
"""

from __future__ import annotations

from ..dims import Known
from ..engine import Layer, positive_int, register
from ..errors import ArgumentError, UnknownDimError
from .core import activation_name, check_activation

_GATE_NAMES = {
    1: "",
    3: " through 3 gates (update, reset, candidate)",
    4: " through 4 gates (input, forget, cell, output)",
}


class _Recurrent(Layer):
    gates = 1
    n_states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        self.units = positive_int(units, "units", name)
        self.activation = check_activation(activation, name)
        self.recurrent_activation = check_activation(recurrent_activation, name)
        self.use_bias = use_bias
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.reset_after = reset_after
        if not 0 <= dropout <= 1 or not 0 <= recurrent_dropout <= 1:
            raise ArgumentError(f"dropout rates must be between 0 and 1. Received: dropout={dropout}, "
                                f"recurrent_dropout={recurrent_dropout}", layer_type=name)

    def infer(self, ctx, x, initial_state=None, mask=None, training=None):
        kind = type(self).__name__
        if x.rank != 3:
            fix = ("set return_sequences=True on the recurrent layer before this one, so it passes on the whole "
                   "sequence" if x.rank == 2 else
                   "feed a 3D tensor: (batch, timesteps, features); e.g. Reshape((timesteps, features))")
            ctx.fail(f"{kind} expects a 3D input (batch, timesteps, features), but it received a {x.rank}D "
                     f"input", expected="(batch, timesteps, features)", fix=fix)
        batch, timesteps, features = ctx.bind(x, "batch", "timesteps", "features")
        if features.value is None:
            ctx.fail(f"the last axis (features) of {kind}'s input must be known: it sets the kernel's size",
                     expected="(batch, timesteps, features) with features a number", error=UnknownDimError)
        units = ctx.const(self.units, "units")
        g = self.gates
        ctx.weight("kernel", (features, g * units))
        ctx.weight("recurrent_kernel", (units, g * units))
        two_biases = g == 3 and self.reset_after
        if self.use_bias:
            ctx.weight("bias", (Known(2), g * units) if two_biases else (g * units,))
        bias_terms = (2 if two_biases else 1) if self.use_bias else 0
        ctx.formula(g * units * (features + units + bias_terms))

        if self.return_sequences:
            out = ctx.spec((batch, timesteps, units))
            ctx.note("return_sequences=True passes on the hidden state at every timestep")
        else:
            out = ctx.spec((batch, units))
            ctx.note("return_sequences=False keeps only the hidden state after the last timestep")
        ctx.free("the same weights are applied at every timestep")
        reads = f"all {features.value} input features and the {self.units} previous hidden values"
        state = "hidden state" if g != 4 else "hidden state (and one of the cell state)"
        ctx.units(f"each of the {self.units} units holds one value of the {state}; at every timestep it reads "
                  f"{reads}{_GATE_NAMES[g]}, then applies {activation_name(self.activation)}")
        if self.return_state:
            states = [ctx.spec((batch, units)) for _ in range(self.n_states)]
            ctx.note(f"return_state=True also returns the final state{'s' if self.n_states > 1 else ''} "
                     f"({', '.join(['h', 'c'][:self.n_states])}), each (batch, units)")
            return [out, *states]
        return out


@register()
class SimpleRNN(_Recurrent):
    gates = 1


@register()
class GRU(_Recurrent):
    gates = 3


@register()
class LSTM(_Recurrent):
    gates = 4
    n_states = 2
