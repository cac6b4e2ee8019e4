"""``apact.generate``, kept for compatibility: the consumer DSL's generators; ``from apact import generate`` is the way to use them, now in `apact.consumer.generate`."""

# every public name of the DSL module, whatever it gains: this module only gives it its old path
from .consumer.generate import *  # noqa: F403
from .consumer.generate import __all__ as __all__
