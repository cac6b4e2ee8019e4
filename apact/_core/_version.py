"""apact's version, in a module of its own so that any module can import it without
importing the package's facade (``apact/__init__.py``), which refers to every layer."""

__version__ = "0.1.0"
