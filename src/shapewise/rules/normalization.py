"""normalization layers (to be written)."""
