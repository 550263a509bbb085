"""Models of the imaging app."""
