"""wrappers layers (to be written)."""
