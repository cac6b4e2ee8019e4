"""The Grill Chef example: a provider (``app``) and a consumer, the Sous Chef."""
