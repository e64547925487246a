"""pooling layers (to be written)."""
