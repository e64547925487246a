"""regularization layers (to be written)."""
