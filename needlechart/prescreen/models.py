"""Models of the prescreen app."""
