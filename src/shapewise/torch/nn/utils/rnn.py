"""``torch.nn.utils.rnn``: packing is refused (its shapes depend on the lengths' values)."""

from ....errors import RefusedError


def _refused(name):
    def fn(*args, **kwargs):
        raise RefusedError(f"torch.nn.utils.rnn.{name}: packed sequences depend on the lengths' values, which "
                           "shapewise does not have", layer_type=name, fix="explain the model on padded tensors")

    fn.__name__ = name
    return fn


pack_padded_sequence = _refused("pack_padded_sequence")
pad_packed_sequence = _refused("pad_packed_sequence")
pack_sequence = _refused("pack_sequence")
pad_sequence = _refused("pad_sequence")
