"""Models of the treatments app."""
