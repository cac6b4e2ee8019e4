"""Java ``DateTimeFormatter`` patterns: strict matching and formatting.

Pact's ``date``/``time``/``datetime``/``timestamp`` matchers and the ``Date``,
``Time`` and ``DateTime`` generators carry formats written for Java's
``DateTimeFormatter.ofPattern`` (pact-jvm) or, from some clients, Python
``strftime`` formats.  A pattern is parsed once (cached) into items; matching
compiles those items into one anchored regular expression plus a validation
pass over the captured fields (month 1-12, day valid for the month and leap
year, hours, minutes, offsets, day-of-week agreeing with the date), so a
check costs one ``re.fullmatch`` and a few integer comparisons.

Choices where Java depends on context:

* Text is English (``Jan``/``January``, ``Mon``/``Monday``, ``AM``/``PM``)
  and case-sensitive, as with ``ofPattern`` under an English locale.
* Localized week fields (``e``, ``c``, ``w``, ``W``, ``Y``) use ISO weeks:
  Monday is day 1, the first week has at least 4 days.
* Values are validated strictly (``2023-02-30`` is rejected, where Java's
  SMART resolver would clamp it); a day-of-week must agree with a full date.
* ``yy`` parses as 2000-2099 (Java's base year) for leap-year checks.
* Formatting treats naive ``datetime``/``time`` values as UTC for offset and
  zone fields; a ``date`` has no zone, so zone fields are unavailable for it.

Layout
------
``_items`` (the tokenizer, the items it yields, `JavaTimeError`),
``_fields`` (how each pattern letter parses, validates and formats),
``_pattern`` (`parse_pattern` and `JavaPattern`: matching and
formatting), ``_iso`` (the ISO-8601 defaults) and ``_strftime`` (Python
``strftime`` formats converted to Java patterns).
"""

from __future__ import annotations

from ._iso import ISO_DATE, ISO_DATETIME, ISO_TIME, matches_iso_date, matches_iso_datetime, matches_iso_time
from ._items import JavaTimeError
from ._pattern import JavaPattern, parse_pattern
from ._strftime import looks_like_strftime, strftime_to_java

__all__ = [
    "ISO_DATE",
    "ISO_DATETIME",
    "ISO_TIME",
    "JavaPattern",
    "JavaTimeError",
    "looks_like_strftime",
    "matches_iso_date",
    "matches_iso_datetime",
    "matches_iso_time",
    "parse_pattern",
    "strftime_to_java",
]
