"""The Sous Chef's client for the Grill Chef service (the consumer's own code).

It is the client of apact's built-in example, the one ``apact demo`` runs; see
``apact/examples/sous_chef.py`` for its code.
"""

from apact.examples.sous_chef import GrillChefClient, NotServedError

__all__ = ["GrillChefClient", "NotServedError"]
