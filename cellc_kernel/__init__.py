"""cellc: a Jupyter kernel for incremental C."""

__version__ = "0.1.0"
