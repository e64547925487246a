"""reshaping layers (to be written)."""
