"""Bounded regular expressions for Pact matchers and generators.

Pact files carry regexes written for Java (pact-jvm), Rust (the Pact core) or
JavaScript (pact-js).  apact evaluates them on values it does not control, so a
hostile pattern (``(a+)+$``) or a huge value must never hang the process, while
ordinary patterns (``\\d+``, uuids, ``^[a-z]+$``) must stay as fast as ``re``.

Design
------
1. `translate` rewrites Java/Rust-isms into Python ``re`` syntax and
   refuses constructs it cannot express (class intersections, nested classes).
2. The translated pattern is compiled by ``re`` (which judges its validity),
   parsed by apact's own parser (`_parser`: CPython's is private and
   changes between versions) and a *cost model* of ``re``'s backtracking is
   evaluated over the tree.  For a value of length ``n`` it bounds the steps
   ``re`` can take: every element contributes its own work, multiplied by the
   number of distinct ways the elements before it can hand over to it; a
   variable repeat offers up to ``n`` ways unless the next thing the pattern
   needs is disjoint from what the repeat consumes (``[a-z]+@``), and a repeat
   of an ambiguous body offers ``ways**count`` (exponential).  Searching
   multiplies by the ``n + 1`` start positions unless the pattern is anchored
   (a failing start never reached the pattern's unconditional tail, which
   caps the repeats leading into it: ``\\d+`` stays linear).
   Nested repeats count their paths (``(?:a?){30}`` has 2**30 whatever the
   value), a body that can match empty one more iteration than its minimum,
   and iterating or re-entering a repeat of a group costs more than testing a
   character.  The bound never decreases with ``n``, so from it each pattern
   gets two length limits (search / fullmatch): unlimited if the bound stays
   within ``_BUDGET + _LINEAR_RATE * n`` at every power of two (linear with a
   small constant), else the largest ``n`` whose bound stays within
   ``_BUDGET``.  ``(a+)+$`` gets a handful of characters,
   ``\\s*\\s*\\s*$`` (polynomial) a few dozen.
3. Values within the limit run on ``re`` (sub-microsecond).  Longer values run
   on a linear-time engine: the AST is compiled to a Thompson NFA, simulated as
   a lazily built DFA (subset construction on demand, cached per state and
   character, flushed when it grows too large), so the cost is
   O(len(pattern) x len(value)) in the worst case and one dict lookup per
   character in the common case.  Zero-width assertions are resolved in the
   epsilon closure from the kinds of the previous and next characters.
4. Backreferences, lookarounds, atomic groups, possessive repeats and
   conditionals cannot run on an NFA.  A pattern using them whose cost bound
   does not even allow ``_MIN_BACKTRACK_LEN`` characters is refused by
   `compile_regex`; otherwise a value longer than its limit raises
   `RegexError` instead of being evaluated without a bound.

Only booleans are returned (``search``/``fullmatch``), so greedy vs lazy
repeats and group captures never matter to the NFA.

Layout
------
``_syntax`` (the tree's vocabulary, `RegexError`), ``_parser`` (the
pattern to the tree),
``_properties`` and ``_translate`` (step 1), ``_charsets`` (single-character
nodes as predicates, shared by the later steps), ``_cost`` (step 2),
``_automaton`` (step 3), ``_compile`` (`compile_regex`, which ties them
together, and step 4) and ``_generate`` (`generate_string`).
"""

from __future__ import annotations

from ._automaton import _MAX_DFA_STATES, _MAX_DFA_TRANSITIONS, _Engine, _Program
from ._compile import Regex, compile_regex
from ._cost import _CostModel
from ._generate import generate_string
from ._parser import _parse
from ._syntax import RegexError
from ._translate import _translate, translate

__all__ = [
    "Regex",
    "RegexError",
    "compile_regex",
    "generate_string",
    "translate",
]


def _nfa_engines(pattern: str) -> tuple[_Engine, _Engine]:
    """(search, fullmatch) linear-time engines for ``pattern``, bypassing ``re``.

    For tests and benchmarks that must exercise the NFA path regardless of the
    value's length.  The DFA cache caps are read from this package when called,
    so a test can shrink them here (``apact._regex._MAX_DFA_STATES``).
    """
    parsed = _parse(_translate(pattern))
    anchored = _CostModel(parsed).anchored
    program = _Program(parsed)
    caps = (_MAX_DFA_STATES, _MAX_DFA_TRANSITIONS)
    return _Engine(program, True, anchored, *caps), _Engine(program, False, anchored, *caps)
