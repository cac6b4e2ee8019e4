"""``python -m apact``: the command line."""

from .cli import main

raise SystemExit(main())
