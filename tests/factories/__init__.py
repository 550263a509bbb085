"""Test data built through the real services (and the benchmark's), one module per app.

Kept out of the shipped package: they read `examples/`, which only a checkout has. The demo
clinic has its own builders (`needlechart.demo`)."""
