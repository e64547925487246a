"""merge layers (to be written)."""
