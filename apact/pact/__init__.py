"""Pacts as data: the model (``apact.pact.model``), reading pact JSON of every spec
version into it and writing it back (``_parse``, ``_parse_rules``, ``_dump``), pact
files (``apact.pact.pactfile``, and ``_writer``, which merges a consumer test's
interactions into its pact file under a lock), the JSON paths and content types the
format uses (``_paths``, ``_sniff``), and a pact's summary (``_summary``).

Nothing here matches, generates or serves: those layers build on this one.
"""
