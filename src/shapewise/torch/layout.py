"""Strides, for the one shape check that needs them: ``x.view(...)`` of a tensor whose memory order a transpose or
permute changed (torch: "view size is not compatible with input tensor's size and stride").

A tensor's ``strides`` are known only where they are certain: the result of ``.contiguous()`` and of a matrix
product (``@``, ``matmul``, ``mm``, ``bmm``: fresh contiguous memory), and the views computed from those by
``transpose``/``permute``/``t``/``movedim``/``swapaxes`` and by ``view`` itself. Everything else has unknown strides
(None) and its ``view`` is never refused: shapewise raises the error only where torch certainly raises it.
"""

from __future__ import annotations

from ..dims import Known
from ..engine import Spec
from ..errors import ShapeError

#: methods whose result is fresh contiguous memory
CONTIGUOUS = frozenset({"contiguous", "matmul", "mm", "bmm", "__matmul__", "__rmatmul__"})
#: methods whose result is the input's memory with its axes reordered
PERMUTING = frozenset({"transpose", "swapaxes", "swapdims", "permute", "t", "movedim"})
TRACKED = CONTIGUOUS | PERMUTING | {"view"}


def _sizes(spec):
    values = tuple(d.value for d in spec.shape)
    return None if any(v is None for v in values) else values


def contiguous_strides(sizes):
    strides, step = [], 1
    for size in reversed(sizes):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def is_contiguous(sizes, strides):
    """torch's is_contiguous: the strides of the axes longer than 1 are the row-major ones."""
    if sizes is None or any(s == 0 for s in sizes):
        return sizes is not None
    expected = 1
    for size, stride in zip(reversed(sizes), reversed(strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def after(name, tensor, args, kwargs, out, table):
    """Set ``out.strides`` for the result of ``tensor.<name>(*args, **kwargs)``; raise torch's error for a view
    the strides cannot give."""
    if name in CONTIGUOUS:
        sizes = _sizes(out.spec)
        if name == "contiguous" and tensor.strides is not None and is_contiguous(sizes, tensor.strides):
            out.strides = tensor.strides  # torch returns the tensor itself (size-1 axes keep their strides)
        else:
            out.strides = contiguous_strides(sizes) if sizes is not None else None
        return
    strides = tensor.strides
    if strides is None:
        return
    if name in PERMUTING:
        # the same rule on distinct sizes tells which input axis each output axis is
        rank = len(strides)
        probe = Spec(tuple(Known(1000 + i) for i in range(rank)), tensor.spec.dtype)
        moved = table[name]([probe, *args], dict(kwargs))
        out.strides = tuple(strides[d.value - 1000] for d in moved.shape)
        return
    if name == "view":
        old, new = _sizes(tensor.spec), _sizes(out.spec)
        if old is None or new is None or out.spec.dtype != tensor.spec.dtype:
            return
        computed = compute_stride(old, strides, new)
        if computed is None:
            raise ShapeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                             "spans across two contiguous subspaces). Use .reshape(...) instead.",
                             expected="a tensor whose memory is in the order of its axes (a transpose or permute "
                                      "reorders the axes without moving the data)",
                             fix="call .contiguous() before .view(...), or use .reshape(...), which copies when "
                                 "it must", layer_type="Tensor.view")
        out.strides = computed


def compute_stride(oldshape, oldstride, newshape):
    """torch's ``computeStride`` (aten/src/ATen/TensorUtils.cpp): the strides of a view of ``newshape`` over
    memory laid out as (oldshape, oldstride), or None when no view can give it."""
    if not oldshape:
        return (1,) * len(newshape)
    numel = 1
    for s in oldshape:
        numel *= s
    if numel == 0 and tuple(oldshape) == tuple(newshape):
        return tuple(oldstride)
    newstride = [0] * len(newshape)
    if numel == 0:
        for view_d in range(len(newshape) - 1, -1, -1):
            newstride[view_d] = 1 if view_d == len(newshape) - 1 else \
                max(newshape[view_d + 1], 1) * newstride[view_d + 1]
        return tuple(newstride)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1 and
                             oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)
