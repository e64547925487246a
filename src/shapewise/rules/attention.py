"""attention layers (to be written)."""
