"""apact's own regex parser and character predicates agree with ``re`` on this Python.

apact no longer imports CPython's private parser (``re._parser`` / ``sre_parse``), its
opcodes or its case-folding tables (issue 17).  These tests pin the replacement on
every supported version: the tree equals the one CPython's parser builds (read here,
in the tests only, where the private module exists), and the predicates the automaton
and the cost model use accept exactly what ``re`` accepts.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import apact._regex
from apact._regex import compile_regex
from apact._regex._charsets import _char_pred
from apact._regex._parser import _parse
from apact._regex._syntax import (
    _CATEGORY,
    _CATEGORY_DIGIT,
    _CATEGORY_NOT_DIGIT,
    _CATEGORY_NOT_SPACE,
    _CATEGORY_NOT_WORD,
    _CATEGORY_SPACE,
    _CATEGORY_WORD,
    _F_ASCII,
    _F_DOTALL,
    _F_IGNORECASE,
    _F_MULTILINE,
    _F_UNICODE,
    _F_VERBOSE,
    _IN,
    _LITERAL,
    _MAXREPEAT,
)

try:
    _STDLIB_PARSER: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
except ImportError:  # pragma: no cover - a Python without the private module
    _STDLIB_PARSER = None

_OUR_FLAGS = {_F_IGNORECASE: "i", _F_MULTILINE: "m", _F_DOTALL: "s", _F_VERBOSE: "x", _F_ASCII: "a", _F_UNICODE: "u"}
_RE_FLAGS = {re.I: "i", re.M: "m", re.S: "s", re.X: "x", re.A: "a", re.U: "u"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _letters(flags: int, table: dict[Any, str], keep_verbose: bool = True) -> str:
    found = "".join(sorted(letter for bit, letter in table.items() if flags & bit))
    return found if keep_verbose else found.replace("x", "")


def _seq(items: Any, table: dict[Any, str], maxrepeat: int) -> list[Any]:
    return [_node(op, av, table, maxrepeat) for op, av in items]


def _node(op: Any, av: Any, table: dict[Any, str], maxrepeat: int) -> Any:
    """A node of either tree in one neutral form: names for opcodes, letters for flags."""
    name = str(op)
    if name in ("LITERAL", "NOT_LITERAL", "GROUPREF"):
        return (name, int(av))
    if name == "ANY":
        return (name,)
    if name == "IN":
        items: list[tuple[Any, ...]] = []
        for o, a in av:
            kind = str(o)
            if kind == "RANGE":
                items.append((kind, int(a[0]), int(a[1])))
            elif kind == "NEGATE":
                items.append((kind,))
            else:
                items.append((kind, str(a) if kind == "CATEGORY" else int(a)))
        return (name, items)
    if name == "AT":
        return (name, str(av))
    if name == "BRANCH":
        return (name, [_seq(b, table, maxrepeat) for b in av[1]])
    if name == "SUBPATTERN":
        group, add, remove, body = av
        return (name, group, _letters(add, table, False), _letters(remove, table, False), _seq(body, table, maxrepeat))
    if name in _REPEATS:
        lo, hi, body = av
        return (name, int(lo), "MAX" if hi == maxrepeat else int(hi), _seq(body, table, maxrepeat))
    if name == "ATOMIC_GROUP":
        return (name, _seq(av, table, maxrepeat))
    if name == "GROUPREF_EXISTS":
        no = None if av[2] is None else _seq(av[2], table, maxrepeat)
        return (name, int(av[0]), _seq(av[1], table, maxrepeat), no)
    assert name in ("ASSERT", "ASSERT_NOT"), name
    return (name, int(av[0]), _seq(av[1], table, maxrepeat))


def _ours(pattern: str) -> tuple[str, list[Any]]:
    parsed = _parse(pattern)
    return _letters(parsed.flags, _OUR_FLAGS), _seq(parsed.data, _OUR_FLAGS, _MAXREPEAT)


def _stdlib(pattern: str) -> tuple[str, list[Any]]:
    parsed = _STDLIB_PARSER.parse(pattern, 0)
    maxrepeat = importlib.import_module("_sre").MAXREPEAT
    return _letters(parsed.state.flags, _RE_FLAGS), _seq(parsed.data, _RE_FLAGS, maxrepeat)


def _accepted(pattern: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError):
            return False
    return True


SYNTAX = [
    "a", "é", "\U0001f600", ".", "^", "$", r"\A", r"\Z", r"\b", r"\B", r"\d", r"\D", r"\s", r"\S", r"\w", r"\W",
    r"\t\n\r\f\v\a\\", r"\-\.\{\}\(\)\[\]\*\+\?\|\^\$", r"\x41", r"\u00e9", r"\U0001F600", r"\N{DIGIT ONE}",
    r"\0", r"\012", r"\101", r"\1", r"(a)\1", r"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10", "[abc]", "[^abc]", "[a-z]",
    "[^a]", "[a]", "[a-]", "[-a]", "[]a]", "[^]a]", r"[\]]", r"[\d\s_]", r"[^\W\d]", r"[\b\x41-\x5a\101\0]",
    r"[\N{DIGIT ONE}-9]", "[.*+?$^|(){}]", "a{3}", "a{,3}", "a{3,}", "a{3,5}", "a{,}", "a{}", "a{x}", "a{3",
    "a{3,5}?", "a*?", "a+?", "a??", "a*+", "a++", "a?+", "a{2}+", "(?:ab)*", "(ab)+", "(?:a)*", "(?P<n>a)(?P=n)",
    "(?(1)a|b)", "(a)(?(1)b)", "(?P<n>a)(?(n)b|c)", "(?#comment)", "a(?#c)*", "(?i:a)", "(?-i:a)", "(?s-i:.)",
    "(?a:\\w)", "(?u:\\w)", "(?x: a b )", "(?=a)", "(?!a)", "(?<=a)", "(?<!ab)", "(?>a+)", "a|a", "ab|ac",
    "abc|abd|abe", "a|b|[cd]", "a|[^b]", "a|", "|a", "a|b|", "(?:a|b)+", "(a|bc|d)*", "[a-c]|[x-z]",
]  # fmt: skip
FLAGS = ["", "(?i)", "(?m)", "(?s)", "(?a)", "(?x)", "(?u)", "(?ims)", "(?ai)"]


def _patterns() -> st.SearchStrategy[str]:
    atom = st.sampled_from(SYNTAX)

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(children, children).map("".join),
            st.tuples(children, children).map("|".join),
            children.map("({})".format),
            children.map("(?:{})?".format),
            children.map("(?:{})*".format),
            st.tuples(children, st.sampled_from(["{2}", "{1,3}", "+?", "{0,}"])).map(lambda t: f"(?:{t[0]}){t[1]}"),
        )

    return st.tuples(st.sampled_from(FLAGS), st.recursive(atom, extend, max_leaves=6)).map("".join)


needs_stdlib_parser = pytest.mark.skipif(
    _STDLIB_PARSER is None, reason="this Python has no private re parser to compare with"
)


@needs_stdlib_parser
@pytest.mark.parametrize("pattern", [f + s for s in SYNTAX for f in ("", "(?i)", "(?x)")])
def test_the_tree_is_the_one_cpython_builds(pattern: str) -> None:
    if not _accepted(pattern):
        pytest.skip("not a valid pattern on this Python")
    assert _ours(pattern) == _stdlib(pattern)


@needs_stdlib_parser
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(pattern=_patterns())
def test_the_tree_is_the_one_cpython_builds_for_combinations(pattern: str) -> None:
    if _accepted(pattern):
        assert _ours(pattern) == _stdlib(pattern)


def test_verbose_mode_skips_blanks_and_comments_even_when_set_late() -> None:
    assert _ours("(?x) a b # a comment\n c") == ("ux", [("LITERAL", 97), ("LITERAL", 98), ("LITERAL", 99)])
    assert _ours("(?x: a [ ] )") == ("u", [("SUBPATTERN", None, "", "", [("LITERAL", 97), ("LITERAL", 32)])])


def test_the_package_imports_no_private_re_module() -> None:
    private = {
        "re._parser",
        "re._constants",
        "re._casefix",
        "re._compiler",
        "sre_parse",
        "sre_constants",
        "sre_compile",
        "_sre",
    }
    for path in sorted(Path(apact._regex.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {node.module or ""} | {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = {node.value}  # importlib.import_module("...")
            else:
                continue
            assert not names & private, (path.name, names & private)


# --- predicates ------------------------------------------------------------------------------

_ALL_CHARS = "".join(map(chr, range(sys.maxunicode + 1)))
_SAMPLE = _ALL_CHARS[:0x3100] + _ALL_CHARS[0xFF00:0xFF20] + _ALL_CHARS[0x1D7CE:0x1D800]  # with non-ASCII digits
_CATEGORY_NAMES = {
    _CATEGORY_DIGIT: r"\d", _CATEGORY_NOT_DIGIT: r"\D", _CATEGORY_SPACE: r"\s",
    _CATEGORY_NOT_SPACE: r"\S", _CATEGORY_WORD: r"\w", _CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip


@pytest.mark.parametrize("category", [_CATEGORY_DIGIT, _CATEGORY_SPACE, _CATEGORY_WORD])
@pytest.mark.parametrize("ascii_only", [False, True])
def test_category_predicates_accept_what_re_accepts_over_every_code_point(category: str, ascii_only: bool) -> None:
    flags = _F_ASCII if ascii_only else _F_UNICODE
    prefix = "(?a)" if ascii_only else ""
    chars = _SAMPLE if ascii_only else _ALL_CHARS
    accepted = "".join(filter(_char_pred(_IN, [(_CATEGORY, category)], flags), chars))
    assert accepted == "".join(re.findall(prefix + _CATEGORY_NAMES[category], chars))
    negated = {
        _CATEGORY_DIGIT: _CATEGORY_NOT_DIGIT,
        _CATEGORY_SPACE: _CATEGORY_NOT_SPACE,
        _CATEGORY_WORD: _CATEGORY_NOT_WORD,
    }[category]
    sample = _SAMPLE
    rejected = "".join(filter(_char_pred(_IN, [(_CATEGORY, negated)], flags), sample))
    assert rejected == "".join(re.findall(prefix + _CATEGORY_NAMES[negated], sample))


# Characters whose case folding re treats specially (several lower cases for one upper case).
_FOLDING = "iIıİsSſkKKµΜμßẞσΣςθϑΘϴκϰΚπϖΠρϱΡφϕΦβϐΒεϵΕ\u0345ιΙ\u1fbeвᲀдᲁоᲂсᲃтᲄᲅъᲆѣᲇᲈꙋﬅﬆΐΐΰΰåÅÅ"


@pytest.mark.parametrize("ascii_only", [False, True])
def test_case_insensitive_literals_and_classes_fold_as_re_does(ascii_only: bool) -> None:
    flags = _F_IGNORECASE | (_F_ASCII if ascii_only else _F_UNICODE)
    prefix = "(?ia)" if ascii_only else "(?i)"
    for cp in map(ord, _FOLDING):
        pred = _char_pred(_LITERAL, cp, flags)
        matcher = re.compile(prefix + re.escape(chr(cp))).fullmatch
        assert [ch for ch in _FOLDING if pred(ch)] == [ch for ch in _FOLDING if matcher(ch)], chr(cp)
    for pattern in (r"[a-z]", r"[^k]", r"[\w\d]", r"[ſ-ſ]", r"[α-ω]"):
        regex = compile_regex(prefix + pattern)
        stdlib = re.compile(prefix + pattern).fullmatch
        assert [ch for ch in _FOLDING if regex.fullmatch(ch)] == [ch for ch in _FOLDING if stdlib(ch)], pattern
