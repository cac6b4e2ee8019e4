"""The Kitchen: a Flask service (the provider)."""
