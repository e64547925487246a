"""One module per layer family; each registers its layers by Keras class name (see engine.register)."""

from . import (  # noqa: F401  (imported for their registrations)
    activations,
    applications_extra,
    attention,
    conv,
    core,
    merge,
    misc,
    normalization,
    pooling,
    preprocessing,
    regularization,
    reshaping,
    rnn,
    wrappers,
)
