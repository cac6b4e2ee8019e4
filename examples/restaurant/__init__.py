"""Two services of a restaurant and their contract tests: see ``examples/README.md``."""
