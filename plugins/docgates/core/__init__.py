"""The engine-agnostic gate core. Nothing in this package may import ``mkdocs``."""
