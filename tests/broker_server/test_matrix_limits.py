"""Matrix queries cost no more than their size: a selector cap, and regrouping without lists.

A query whose ``q[]`` keys lost their grouping is read every way its values can be
shared out, first match wins; that used to be a list of every permutation (11
selectors: 4 GB), deduplicated quadratically (7 selectors: seconds of CPU). The
reference below is that old enumeration, kept to show the search answers the same.
"""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apact.broker_server import create_app
from apact.broker_server._matrix import (
    _SELECTOR_KEYS,
    MAX_SELECTORS,
    MatrixData,
    MatrixError,
    MatrixSelector,
    MatrixVersion,
    _choose,
    _group,
    _resolve,
    _selector,
    parse_query,
)
from apact.broker_server._store import Store

Reading = tuple[MatrixSelector, ...]


def reference_readings(pairs: list[tuple[str, str]]) -> list[Reading]:
    """Every reading of ``pairs``, in order, as the matrix listed them before."""
    first = tuple(_selector(group) for group in _group(pairs))
    names = [value for key, value in pairs if key == "pacticipant"]
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        if key != "pacticipant":
            values.setdefault(key, []).append(value)
    if len(names) < 2 or any(len(found) > len(names) for found in values.values()):
        return [first]
    keys = sorted(values)
    spreads = [list(itertools.permutations(range(len(names)), len(values[key]))) for key in keys]
    size = 1
    for spread in spreads:
        size *= len(spread)
    if size > 10_000:
        return [first]
    readings = [first]
    for combination in itertools.product(*spreads):
        groups: list[dict[str, str]] = [{"pacticipant": name} for name in names]
        for key, targets in zip(keys, combination):
            for value, target in zip(values[key], targets):
                groups[target][key] = value
        readings.append(tuple(_selector(group) for group in groups))
    return readings


def reference_choice(pairs: list[tuple[str, str]], data: MatrixData) -> Reading:
    def named(reading: Reading) -> bool:
        return all(s.pacticipant in data.versions and not (s.version and s.latest) for s in reading)

    def fits(reading: Reading) -> bool:
        return named(reading) and all(_resolve(s, data) or not s.narrows for s in reading)

    readings = reference_readings(pairs)
    return next((r for r in readings if fits(r)), next((r for r in readings if named(r)), readings[0]))


def world() -> MatrixData:
    """Foo 1-3 (main; 2 tagged prod), Bar 10-11 (main), Baz 7 (feat, tagged prod)."""
    versions = {
        "Foo": [
            MatrixVersion("Foo", "1", 1, ("main",), (), ()),
            MatrixVersion("Foo", "2", 2, ("main",), ("prod",), ()),
            MatrixVersion("Foo", "3", 3, ("main",), (), ()),
        ],
        "Bar": [MatrixVersion("Bar", "10", 4, ("main",), (), ()), MatrixVersion("Bar", "11", 5, ("main",), (), ())],
        "Baz": [MatrixVersion("Baz", "7", 6, ("feat",), ("prod",), ())],
    }
    return MatrixData({"Foo": "main", "Bar": "main", "Baz": None}, versions, [], [])


# what a selector of each pacticipant may say: mostly true of one of its versions
VALUES = {
    "Foo": {"version": ["1", "2", "3", "11"], "tag": ["prod", "dev"], "branch": ["main", "feat"]},
    "Bar": {"version": ["10", "11", "1"], "tag": ["prod"], "branch": ["main"]},
    "Baz": {"version": ["7", "99"], "tag": ["prod", ""], "branch": ["feat", "main"]},
}
FLAGS = ["true", "true", "false", ""]


@st.composite
def shuffled_queries(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Selectors as a client sends them, then often shuffled, as a pact file may replay them."""
    pairs: list[tuple[str, str]] = []
    for name in draw(st.lists(st.sampled_from(["Foo", "Bar", "Baz"] * 4 + ["Nobody", ""]), max_size=4)):
        known = VALUES.get(name, VALUES["Foo"])
        pairs.append(("pacticipant", name))
        for key in draw(st.lists(st.sampled_from(_SELECTOR_KEYS[1:]), unique=True, max_size=2)):
            pairs.append((key, draw(st.sampled_from(known.get(key, FLAGS)))))
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    if draw(st.integers(0, 9)) == 0:
        pairs.append((draw(st.sampled_from(_SELECTOR_KEYS[1:])), "1"))  # a key no pacticipant precedes
    return pairs


def errors(reading: Reading, data: MatrixData) -> list[str]:
    """What the matrix said of a reading it could not use (unchanged by the search)."""
    if not reading:
        return ["give at least one selector, like q[][pacticipant]=Foo&q[][version]=1.2.3"]
    found = [f"selector {index + 1} has no pacticipant" for index, s in enumerate(reading) if not s.pacticipant]
    return found + [
        f"No pacticipant with name '{s.pacticipant}' found"
        for s in reading
        if s.pacticipant and s.pacticipant not in data.versions
    ]


@settings(max_examples=200, deadline=None)
@given(shuffled_queries())
def test_the_search_chooses_what_the_old_enumeration_chose(pairs: list[tuple[str, str]]) -> None:
    data = world()
    query = parse_query(urlencode([(f"q[][{key}]", value) for key, value in pairs]))
    expected = reference_choice(pairs, data)
    problems = errors(expected, data)
    if problems:
        with pytest.raises(MatrixError) as refused:
            _choose(query, data)
        assert refused.value.errors == problems
    else:
        assert _choose(query, data) == expected


def shuffled(pacticipants: list[str], versions: list[str]) -> str:
    """A query with all pacticipants first, then all versions (the grouping lost)."""
    pairs = [("q[][pacticipant]", name) for name in pacticipants]
    return urlencode(pairs + [("q[][version]", number) for number in versions])


def test_a_regrouping_found_deep_in_the_order_is_the_old_choice() -> None:
    # Foo's version comes last and three tags must go to distinct selectors: the first
    # groupings tried fail, the search backtracks to the one the enumeration found
    pairs = [
        ("pacticipant", "Bar"),
        ("pacticipant", "Bar"),
        ("pacticipant", "Baz"),
        ("pacticipant", "Foo"),
        ("version", "11"),
        ("version", "10"),
        ("version", "7"),
        ("version", "2"),
        ("tag", "prod"),
        ("tag", ""),
        ("tag", "prod"),
    ]
    query = parse_query(urlencode([(f"q[][{key}]", value) for key, value in pairs]))
    chosen = _choose(query, world())
    assert chosen == reference_choice(pairs, world())
    assert {(s.pacticipant, s.version, s.tag) for s in chosen} == {
        ("Bar", "11", None),
        ("Bar", "10", None),
        ("Baz", "7", "prod"),
        ("Foo", "2", "prod"),
    }


def test_more_selectors_than_the_limit_are_refused_naming_it() -> None:
    at_limit = "&".join(f"q[][pacticipant]=P{i}&q[][version]=1" for i in range(MAX_SELECTORS))
    assert len(parse_query(at_limit).readings[0]) == MAX_SELECTORS
    with pytest.raises(MatrixError) as refused:
        parse_query(at_limit + "&q[][pacticipant]=One%20more")
    assert refused.value.errors == [
        f"A matrix query takes at most {MAX_SELECTORS} q[] selectors; this one has {MAX_SELECTORS + 1}"
    ]
    ignores = "&".join(f"ignore[][pacticipant]=P{i}" for i in range(MAX_SELECTORS + 1))
    with pytest.raises(MatrixError, match=f"at most {MAX_SELECTORS} ignore\\[\\] selectors; this one has 101"):
        parse_query("q[][pacticipant]=Foo&" + ignores)


def test_a_query_with_too_many_ways_to_regroup_is_read_as_sent() -> None:
    # 11 versions over 11 pacticipants: 11! ways, the list that once reached 4 GB
    names = [f"P{i}" for i in range(11)]
    query = parse_query(shuffled(names, [str(i) for i in range(11)]))
    assert query.regroup == ()
    assert query.readings[0][10] == MatrixSelector("P10", version="0")  # Rack: the first version joins P10
    # within the bound, the values keep their chance to be shared out
    assert parse_query(shuffled(names[:7], ["1", "2", "3", "4"])).regroup != ()


def test_success_filters_count_each_outcome_once() -> None:
    query = parse_query("q[][pacticipant]=Foo&" + "&".join(["success[]=true", "success[]=false"] * 500))
    assert query.success == (True, False)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_limits_are_400s_over_http(store: Store) -> None:
    transport = httpx.ASGITransport(app=create_app(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://broker") as client:
        too_many = "&".join(f"q[][pacticipant]=P{i}" for i in range(MAX_SELECTORS + 1))
        response = await client.get("/matrix?" + too_many)
        assert (response.status_code, response.json()) == (
            400,
            {"errors": [f"A matrix query takes at most {MAX_SELECTORS} q[] selectors; this one has 101"]},
        )
        ignores = "&".join(f"ignore[]=P{i}" for i in range(MAX_SELECTORS + 1))
        response = await client.get("/can-i-deploy?pacticipant=Foo&version=1&" + ignores)
        assert (response.status_code, response.json()) == (
            400,
            {"errors": [f"can-i-deploy takes at most {MAX_SELECTORS} ignore[]; this one has 101"]},
        )
