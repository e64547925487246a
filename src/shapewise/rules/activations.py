"""activations layers (to be written)."""
