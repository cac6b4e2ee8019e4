"""The key under which the plugin keeps, in pytest's ``config.stash``, what
``interaction_tests`` verified in this session; its own module so that the plugin and
the per-interaction tests (``_interactions``) both use it without importing each other."""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["VERIFICATIONS"]

#: what ``interaction_tests`` verified in this session: its group -> the outcome
VERIFICATIONS = pytest.StashKey[dict[Any, Any]]()
