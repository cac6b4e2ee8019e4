"""The Grill Chef service (the provider): FastAPI over a SQLite database."""
