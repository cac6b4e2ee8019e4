"""The matrix and can-i-deploy: which versions have verified pacts with which.

A matrix row joins a consumer version's pact with a provider version's latest
verification of that pact content (or no verification). A query selects versions:

* ``q[][pacticipant]=Foo&q[][version]=1.2.3`` (also ``q[][latest]``, ``q[][tag]``,
  ``q[][branch]``, ``q[][mainBranch]``); a selector with only a pacticipant means every
  version of it;
* with one selector, ``latest=true``, ``tag=prod``, ``environment=production`` or
  ``mainBranch=true`` pick the versions of every integrated pacticipant to check against
  (can-i-deploy); otherwise rows are between the selected versions only;
* ``latestby=cvp`` keeps one row per consumer version and provider (the latest provider
  version), ``cvpv`` (the default) one per consumer version and provider version;
* ``ignore[][pacticipant]=Foo`` (and ``ignore[][version]``) marks rows as ignored;
  ``success[]=true`` keeps only rows with that verification outcome.

The summary is deployable when every row that counts has a successful verification; a
version that does not exist or a failed verification make it false, a missing
verification makes it unknown (``null``). Each reason names the versions involved and,
for failures, the interactions that failed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from urllib.parse import parse_qsl

from .._core._types import JSON, JSONDict
from ._domain import interaction_descriptions
from ._hal import Urls, link, timestamp
from ._store import Pacticipant, Transaction, Version

_SELECTOR_KEYS = ("pacticipant", "version", "latest", "tag", "branch", "mainBranch")

# ``q[]`` (and ``ignore[]``) selectors one query may give: the official clients send one
# to three; more is a 400 before any work, so that no query costs more than its size
MAX_SELECTORS = 100
# ways of sharing out the values of a query whose keys lost their grouping that are tried
MAX_REGROUPINGS = 10_000


class MatrixError(ValueError):
    """A matrix query that cannot be answered (400); ``errors`` says why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class MatrixSelector:
    pacticipant: str | None = None
    version: str | None = None
    latest: bool = False
    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False

    def describe(self) -> str:
        name = self.pacticipant or "?"
        if self.version is not None:
            text = f"version {self.version} of {name}"
        elif self.latest:
            text = f"the latest version of {name}"
        elif self.tag is None and self.branch is None and not self.main_branch:
            return f"any version of {name}"
        else:
            text = f"the versions of {name}"
        if self.tag is not None:
            text += f" with tag {self.tag}"
        if self.branch is not None:
            text += f" from branch {self.branch}"
        if self.main_branch:
            text += " from its main branch"
        return text

    @property
    def narrows(self) -> bool:
        return (
            self.version is not None
            or self.latest
            or self.tag is not None
            or self.branch is not None
            or self.main_branch
        )


@dataclass(frozen=True, slots=True)
class MatrixQuery:
    # the ``q[]`` selectors as sent (a query built in code may give other readings after them)
    readings: tuple[tuple[MatrixSelector, ...], ...]
    latestby: str | None = None
    latest: bool = False
    tag: str | None = None
    environment: str | None = None
    main_branch: bool = False
    ignore: tuple[MatrixSelector, ...] = ()
    success: tuple[bool | None, ...] | None = None
    # the ``q[]`` keys and values as sent, when they may be shared out otherwise (see :func:`_regrouping`)
    regroup: tuple[tuple[str, str], ...] = ()


def _group(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Rack's reading of ``x[][key]=value`` pairs: a repeated key starts a new selector."""
    groups: list[dict[str, str]] = []
    for key, value in pairs:
        if not groups or key in groups[-1]:
            groups.append({})
        groups[-1][key] = value
    return groups


def _selector(group: dict[str, str]) -> MatrixSelector:
    return MatrixSelector(
        pacticipant=group.get("pacticipant") or None,
        version=group.get("version") or None,
        latest=group.get("latest") == "true",
        tag=group.get("tag") or None,
        branch=group.get("branch") or None,
        main_branch=group.get("mainBranch") == "true",
    )


def _regroupable(pairs: list[tuple[str, str]]) -> bool:
    """Whether the ``q[]`` values may be shared out otherwise than as sent.

    Only with two pacticipants or more, no key given more often than pacticipants, and
    at most ``MAX_REGROUPINGS`` ways to share them out (counted, never listed).
    """
    names = sum(key == "pacticipant" for key, _ in pairs)
    counts = Counter(key for key, _ in pairs if key != "pacticipant")
    if names < 2 or any(count > names for count in counts.values()):
        return False
    ways = 1
    for count in counts.values():
        for choices in range(names, names - count, -1):  # count values to distinct pacticipants
            ways *= choices
            if ways > MAX_REGROUPINGS:
                return False
    return True


def _regrouping(
    pairs: tuple[tuple[str, str], ...], acceptable: Callable[[MatrixSelector], bool]
) -> tuple[MatrixSelector, ...] | None:
    """The first way of sharing the ``q[]`` values out whose every selector is ``acceptable``.

    Clients send each selector's keys together (``q[][pacticipant]=A&q[][version]=1&
    q[][pacticipant]=B&q[][version]=2``), but a query whose keys were sorted or shuffled
    on the way (pact files keep query parameters by name) lost that grouping. Each
    pacticipant then starts a selector, and the values of each other key (keys in
    alphabetical order, values as sent) go to distinct selectors; the ways to do so are
    ordered by the selector each value goes to, the first key's first value varying
    slowest (the order of ``itertools.product`` over ``itertools.permutations``).

    A depth-first search in that order, never a list: ``acceptable`` must stay false
    once false when a selector gains a key (narrowing never finds more versions), so a
    partial grouping with an unacceptable selector is abandoned with all its
    completions, each selector is judged once, and a value is not tried again in a
    selector that says the same as one it already failed in (swapping the two
    selectors' futures would have found a grouping there). ``_regroupable`` bounds the
    ways; a pacticipant named over and over costs no more than once.
    """
    groups = [{"pacticipant": value} for key, value in pairs if key == "pacticipant"]
    values = sorted(((key, value) for key, value in pairs if key != "pacticipant"), key=lambda pair: pair[0])
    verdicts: dict[tuple[tuple[str, str], ...], bool] = {}  # by the group's items, in placing order

    def fine(group: dict[str, str]) -> bool:
        said = tuple(group.items())
        if said not in verdicts:
            verdicts[said] = acceptable(_selector(group))
        return verdicts[said]

    def place(index: int) -> bool:
        if index == len(values):
            return True
        key, value = values[index]
        failed: set[tuple[tuple[str, str], ...]] = set()
        for group in groups:
            said = tuple(group.items())
            if key in group or said in failed:  # an earlier value of this key went here, or failed alike
                continue
            group[key] = value
            if fine(group) and place(index + 1):
                return True
            del group[key]
            failed.add(said)
        return False

    if all(fine(group) for group in groups) and place(0):
        return tuple(_selector(group) for group in groups)
    return None


def parse_query(query_string: str) -> MatrixQuery:
    """The matrix query in a query string; a ``MatrixError`` above ``MAX_SELECTORS``."""
    q: list[tuple[str, str]] = []
    ignore: list[tuple[str, str]] = []
    options: dict[str, str] = {}
    success: list[bool | None] | None = None
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        for prefix, target in (("q[][", q), ("ignore[][", ignore)):
            if key.startswith(prefix) and key.endswith("]") and key[len(prefix) : -1] in _SELECTOR_KEYS:
                target.append((key[len(prefix) : -1], value))
                break
        else:
            if key in ("success[]", "success"):
                outcome = None if value == "" else value == "true"
                success = success if success is not None else []
                if outcome not in success:  # only membership counts: at most three
                    success.append(outcome)
            else:
                options[key] = value
    selectors, ignored = _group(q), _group(ignore)
    for name, found in (("q[]", selectors), ("ignore[]", ignored)):
        if len(found) > MAX_SELECTORS:
            raise MatrixError(
                [f"A matrix query takes at most {MAX_SELECTORS} {name} selectors; this one has {len(found)}"]
            )
    return MatrixQuery(
        readings=(tuple(_selector(group) for group in selectors),),
        latestby=options.get("latestby") or None,
        latest=options.get("latest") == "true",
        tag=options.get("tag") or None,
        environment=options.get("environment") or None,
        main_branch=options.get("mainBranch") == "true",
        ignore=tuple(_selector(group) for group in ignored),
        success=tuple(success) if success is not None else None,
        regroup=tuple(q) if _regroupable(q) else (),
    )


# the data a matrix query reads


@dataclass(frozen=True, slots=True)
class MatrixVersion:
    pacticipant: str
    number: str
    order: int
    branches: tuple[str, ...]
    tags: tuple[str, ...]
    environments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatrixPact:
    consumer: str
    consumer_version: int
    provider: str
    sha: str
    created_at: str


@dataclass(frozen=True, slots=True)
class MatrixVerification:
    id: int
    sha: str
    provider: str
    provider_version: int
    success: bool
    created_at: str
    failed_interactions: tuple[str, ...]
    # read from the store only when a reason names them (``load`` sets it for a failure):
    # reading every failed verification's pact up front costs a query and a parse each
    explain: Callable[[], tuple[str, ...]] | None = field(default=None, compare=False, repr=False)

    def failures(self) -> tuple[str, ...]:
        return self.explain() if self.explain is not None else self.failed_interactions


# the pacts of a consumer's versions with a provider, and the verifications of their
# contents by the provider's versions given (by id): ``fetch(consumer, provider,
# consumer_versions, provider_versions)``
Fetch = Callable[
    [str, str, list[MatrixVersion], list[MatrixVersion]], tuple[list[MatrixPact], list[MatrixVerification]]
]


@dataclass(frozen=True, slots=True)
class MatrixData:
    """What a matrix query reads: every pact and verification (``pacts``,
    ``verifications``), or, from the store, the integrated pairs (``pairs``: consumer,
    provider) and ``fetch`` to read those of the versions a query picks, and no others."""

    main_branches: Mapping[str, str | None]
    versions: Mapping[str, list[MatrixVersion]]
    pacts: list[MatrixPact]
    verifications: list[MatrixVerification]
    pairs: frozenset[tuple[str, str]] = frozenset()
    fetch: Fetch | None = field(default=None, compare=False, repr=False)
    # from the store: the versions a narrowing selector picks, found by index (else
    # `versions` is filtered), and the versions of a pacticipant in an environment
    find: Callable[[MatrixSelector], list[MatrixVersion]] | None = field(default=None, compare=False, repr=False)
    in_environment: Callable[[str, str], list[MatrixVersion]] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Row:
    consumer: MatrixVersion
    provider: str
    provider_version: MatrixVersion | None
    pact: MatrixPact
    verification: MatrixVerification | None
    provider_side: str  # how the provider versions were chosen, e.g. "the latest version of Bar"
    provider_candidates: tuple[str, ...]  # and which they are
    ignored: bool = False

    @property
    def success(self) -> bool | None:
        return None if self.verification is None else self.verification.success


@dataclass(frozen=True, slots=True)
class Reason:
    type: str  # success | error | warning | info
    text: str


@dataclass(frozen=True, slots=True)
class MatrixResult:
    rows: list[Row]
    deployable: bool | None
    reasons: list[Reason]
    counts: dict[str, int] = field(default_factory=dict)


# evaluation


def _resolve(selector: MatrixSelector, data: MatrixData) -> list[MatrixVersion]:
    assert selector.pacticipant is not None
    if data.find is not None and selector.narrows:
        return data.find(selector)
    found = data.versions.get(selector.pacticipant, [])
    main = data.main_branches.get(selector.pacticipant)
    if selector.version is not None:
        found = [v for v in found if v.number == selector.version]
    if selector.tag is not None:
        found = [v for v in found if selector.tag in v.tags]
    if selector.branch is not None:
        found = [v for v in found if selector.branch in v.branches]
    if selector.main_branch:
        found = [v for v in found if main is not None and main in v.branches]
    return found[-1:] if selector.latest else found


def _named(selector: MatrixSelector, data: MatrixData) -> bool:
    return selector.pacticipant in data.versions and not (selector.version and selector.latest)


def _fits(selector: MatrixSelector, data: MatrixData) -> bool:
    return _named(selector, data) and (not selector.narrows or bool(_resolve(selector, data)))


def _choose(query: MatrixQuery, data: MatrixData) -> tuple[MatrixSelector, ...]:
    """The first reading naming existing versions, else existing pacticipants, else as sent.

    The readings given come first, then the other ways to share out ``regroup``.
    """
    reading: tuple[MatrixSelector, ...] | None = None
    for acceptable in (partial(_fits, data=data), partial(_named, data=data)):
        reading = next((r for r in query.readings if all(map(acceptable, r))), None)
        if reading is None and query.regroup:
            reading = _regrouping(query.regroup, acceptable)
        if reading is not None:
            break
    else:
        reading = query.readings[0]
    if not reading:
        raise MatrixError(["give at least one selector, like q[][pacticipant]=Foo&q[][version]=1.2.3"])
    errors = [f"selector {index + 1} has no pacticipant" for index, s in enumerate(reading) if not s.pacticipant]
    errors += [
        f"No pacticipant with name '{s.pacticipant}' found"
        for s in reading
        if s.pacticipant and s.pacticipant not in data.versions
    ]
    if errors:
        raise MatrixError(errors)
    return reading


def _partner_versions(query: MatrixQuery, name: str, data: MatrixData) -> tuple[list[MatrixVersion], str]:
    """The versions of an integrated pacticipant to check against, and how to say so."""
    if query.environment is not None:
        if data.in_environment is not None:
            found = data.in_environment(name, query.environment)
        else:
            found = [v for v in data.versions.get(name, []) if query.environment in v.environments]
        return found, f"a version of {name} in {query.environment}"
    selector = MatrixSelector(pacticipant=name, latest=query.latest, tag=query.tag, main_branch=query.main_branch)
    return _resolve(selector, data), selector.describe()


def evaluate(query: MatrixQuery, data: MatrixData) -> MatrixResult:
    reading = _choose(query, data)
    chosen: dict[str, tuple[list[MatrixVersion], str]] = {}
    missing: list[MatrixSelector] = []
    for selector in reading:
        assert selector.pacticipant is not None
        versions = _resolve(selector, data)
        if not versions and selector.narrows:
            missing.append(selector)
        earlier, _ = chosen.get(selector.pacticipant, ([], ""))
        seen = {v.order for v in earlier}
        chosen[selector.pacticipant] = (earlier + [v for v in versions if v.order not in seen], selector.describe())
    named = set(chosen)
    inferring = len(reading) == 1 and (query.latest or query.tag or query.environment or query.main_branch)
    pacts: dict[tuple[str, str], dict[int, MatrixPact]] = {}
    verifications: dict[tuple[str, str], list[MatrixVerification]] = {}
    _index(data.pacts, data.verifications, pacts, verifications)
    rows: list[Row] = []
    for pair in sorted(pacts) if data.fetch is None else sorted(data.pairs):
        consumer, provider = pair
        if not (consumer in named and provider in named) and not (len(named) == 1 and named & set(pair)):
            continue
        sides = {}
        for name in pair:
            if name in chosen:
                sides[name] = chosen[name]
            elif inferring:
                sides[name] = _partner_versions(query, name, data)
            else:
                sides[name] = (data.versions.get(name, []), f"any version of {name}")
        if data.fetch is not None:  # read only the pacts and verifications of these versions
            _index(*data.fetch(consumer, provider, sides[consumer][0], sides[provider][0]), pacts, verifications)
        rows += _rows(pacts.get(pair, {}), verifications, provider, sides[consumer][0], sides[provider])
    if query.latestby == "cvp":
        rows = _latest_by_provider(rows)
    rows = [replace(row, ignored=True) if _ignored(row, query.ignore) else row for row in rows]
    if query.success is not None:
        rows = [row for row in rows if row.success in query.success]
    rows.sort(key=lambda r: (r.consumer.pacticipant.lower(), r.consumer.order, r.provider.lower(), _order(r)))
    return _summarise(rows, missing, query, data)


def _index(
    found: Iterable[MatrixPact],
    verified: Iterable[MatrixVerification],
    pacts: dict[tuple[str, str], dict[int, MatrixPact]],
    verifications: dict[tuple[str, str], list[MatrixVerification]],
) -> None:
    """Add pacts by consumer and provider, then consumer version, and verifications (in id
    order) by content and provider."""
    for pact in found:
        pacts.setdefault((pact.consumer, pact.provider), {})[pact.consumer_version] = pact
    for verification in verified:
        verifications.setdefault((verification.sha, verification.provider), []).append(verification)


def _order(row: Row) -> int:
    return row.provider_version.order if row.provider_version is not None else -1


def _rows(
    pacts: dict[int, MatrixPact],
    verifications: dict[tuple[str, str], list[MatrixVerification]],
    provider: str,
    consumer_versions: list[MatrixVersion],
    provider_side: tuple[list[MatrixVersion], str],
) -> list[Row]:
    """The rows of one consumer and provider; ``pacts`` by consumer version, ``verifications`` by sha and provider."""
    provider_versions = {v.order: v for v in provider_side[0]}
    candidates = tuple(v.number for v in provider_side[0])
    rows = []
    for version in consumer_versions:
        pact = pacts.get(version.order)
        if pact is None:
            continue  # this consumer version has no pact with the provider: nothing to check
        latest: dict[int, MatrixVerification] = {}
        for verification in verifications.get((pact.sha, provider), []):
            if verification.provider_version in provider_versions:
                latest[verification.provider_version] = verification  # ordered by id: the last wins
        if not latest:
            rows.append(Row(version, provider, None, pact, None, provider_side[1], candidates))
        for order, verification in latest.items():
            rows.append(
                Row(version, provider, provider_versions[order], pact, verification, provider_side[1], candidates)
            )
    return rows


def _latest_by_provider(rows: list[Row]) -> list[Row]:
    best: dict[tuple[int, str], Row] = {}
    for row in rows:
        key = (row.consumer.order, row.provider)
        if key not in best or _order(row) > _order(best[key]):
            best[key] = row
    return list(best.values())


def _ignored(row: Row, ignore: tuple[MatrixSelector, ...]) -> bool:
    for selector in ignore:
        if selector.pacticipant == row.consumer.pacticipant and selector.version in (None, row.consumer.number):
            return True
        if selector.pacticipant == row.provider and (
            selector.version is None
            or (row.provider_version is not None and row.provider_version.number == selector.version)
        ):
            return True
    return False


def _parties(row: Row) -> str:
    """``version 1 of Foo and version 2 of Bar`` (or ``and the latest version of Bar``)."""
    consumer = f"version {row.consumer.number} of {row.consumer.pacticipant}"
    if row.provider_version is not None:
        return f"{consumer} and version {row.provider_version.number} of {row.provider}"
    return f"{consumer} and {row.provider_side}"


def _row_problem(row: Row) -> str | None:
    if row.success is None:
        shown = row.provider_candidates[-5:]
        which = f" ({', '.join(shown)})" if shown else ": there is no such version"
        return f"There is no verified pact between {_parties(row)}{which}"
    if row.success is False:
        assert row.verification is not None
        failed = row.verification.failures()
        which = f"; failed interactions: {', '.join(repr(name) for name in failed)}" if failed else ""
        return f"The verification of the pact between {_parties(row)} failed{which}"
    return None


def _summarise(rows: list[Row], missing: list[MatrixSelector], query: MatrixQuery, data: MatrixData) -> MatrixResult:
    considered = [row for row in rows if not row.ignored]
    errors = [Reason("error", f"No {s.describe()} exists") for s in missing]
    errors += [Reason("error", problem) for row in considered if (problem := _row_problem(row))]
    notes = [Reason("info", f"Ignoring: {problem}") for row in rows if row.ignored and (problem := _row_problem(row))]
    notes += [
        Reason("warning", f"Ignoring {s.describe()}, which does not exist")
        for s in query.ignore
        if s.pacticipant and not (s.pacticipant in data.versions and (_resolve(s, data) or not s.narrows))
    ]
    if errors:
        reasons = errors + notes
    elif considered:
        reasons = [Reason("success", "All required verification results are published and successful")] + notes
    else:
        reasons = [Reason("success", "There are no missing dependencies")] + notes
    counts = {
        "success": sum(row.success is True for row in considered),
        "failed": sum(row.success is False for row in considered),
        "unknown": sum(row.success is None for row in considered),
    }
    if query.ignore:
        counts["ignored"] = sum(row.ignored for row in rows)
    if missing or counts["failed"]:
        deployable: bool | None = False
    else:
        deployable = None if counts["unknown"] else True
    return MatrixResult(rows, deployable, reasons, counts)


# loading and rendering


def load(tx: Transaction, names: Iterable[str]) -> MatrixData:
    """The versions of ``names`` and of everything they integrate with, the integrations,
    and a ``fetch`` that reads the pacts and verifications of the versions a query picks
    (while ``tx`` lasts): a query about one version reads that version's pacts, not the
    whole history's."""
    by_name = {p.name: p for p in tx.pacticipants()}
    by_id = {p.id: p for p in by_name.values()}
    wanted = {by_name[name].id for name in names if name in by_name}
    pairs = {pair for id in wanted for pair in tx.integrations_of(id)}
    involved = wanted | {id for pair in pairs for id in pair}
    environments = {e.uuid: e.name for e in tx.environments()}
    # the active deployments are few (one per pacticipant and environment, more or less):
    # read once, not once per version
    deployed_in: dict[int, set[str]] = {}
    for deployment in tx.deployments(active=True):
        deployed_in.setdefault(deployment.version_id, set()).add(environments[deployment.environment_uuid])

    def matrix_version(name: str, v: Version) -> MatrixVersion:
        return MatrixVersion(name, v.number, v.id, v.branches, v.tags, tuple(sorted(deployed_in.get(v.id, ()))))

    versions = _Versions(
        {by_id[id].name: id for id in involved},
        lambda name: [matrix_version(name, v) for v in tx.versions(by_name[name].id)],
    )
    found_by: dict[MatrixSelector, list[MatrixVersion]] = {}

    def find(selector: MatrixSelector) -> list[MatrixVersion]:
        """`_resolve` by index: a version by number, the latest (on a branch, with a tag)."""
        name = selector.pacticipant
        if name is None or name not in versions:
            return []
        if selector not in found_by:
            found_by[selector] = _found(selector, name, versions, by_name, tx, matrix_version)
        return found_by[selector]

    def in_environment(name: str, environment: str) -> list[MatrixVersion]:
        if name not in versions:
            return []
        ids = [id for id, names in deployed_in.items() if environment in names]
        return [matrix_version(name, v) for v in tx.versions_by_ids(ids) if v.pacticipant_id == by_name[name].id]

    descriptions: dict[str, dict[str, str]] = {}

    def failed(sha: str, test_results: JSON) -> tuple[str, ...]:
        if sha not in descriptions:
            descriptions[sha] = interaction_descriptions(json.loads(tx.pact_content(sha) or "{}"))
        return _failed_interactions(test_results, descriptions[sha])

    def fetch(
        consumer: str, provider: str, consumer_versions: list[MatrixVersion], provider_versions: list[MatrixVersion]
    ) -> tuple[list[MatrixPact], list[MatrixVerification]]:
        provider_id = by_name[provider].id
        publications = tx.publications_of(provider_id, [v.order for v in consumer_versions])
        pacts = [MatrixPact(consumer, p.consumer_version_id, provider, p.sha, p.created_at) for p in publications]
        verifiers = {v.order for v in provider_versions}
        verifications = [
            MatrixVerification(
                v.id,
                v.sha,
                provider,
                v.provider_version_id,
                v.success,
                v.created_at,
                (),
                # the failed interactions are read only if a reason names them
                None if v.success else partial(failed, v.sha, v.test_results),
            )
            for v in tx.verifications_of(provider_id, {p.sha for p in publications})
            if v.provider_version_id in verifiers
        ]
        return pacts, verifications

    return MatrixData(
        {p.name: p.main_branch for p in by_name.values()},
        versions,
        [],
        [],
        frozenset((by_id[consumer].name, by_id[provider].name) for consumer, provider in pairs),
        fetch,
        find,
        in_environment,
    )


class _Versions(Mapping[str, list[MatrixVersion]]):
    """The versions of each pacticipant involved, read only when a query needs all of them."""

    def __init__(self, ids: dict[str, int], read: Callable[[str], list[MatrixVersion]]) -> None:
        self._ids = ids
        self._read = read
        self._read_already: dict[str, list[MatrixVersion]] = {}

    def __getitem__(self, name: str) -> list[MatrixVersion]:
        if name not in self._ids:
            raise KeyError(name)
        if name not in self._read_already:
            self._read_already[name] = self._read(name)
        return self._read_already[name]

    def __contains__(self, name: object) -> bool:
        return name in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _found(
    selector: MatrixSelector,
    name: str,
    versions: Mapping[str, list[MatrixVersion]],
    by_name: Mapping[str, Pacticipant],
    tx: Transaction,
    matrix_version: Callable[[str, Version], MatrixVersion],
) -> list[MatrixVersion]:
    """What filtering every version of ``name`` by ``selector`` gives, reading one version
    where one is asked for (by number, or the latest, on a branch or with a tag)."""
    pacticipant = by_name[name]
    main = pacticipant.main_branch
    if selector.version is not None:
        version = tx.version(pacticipant.id, selector.version)
        candidates = [matrix_version(name, version)] if version is not None else []
    elif selector.latest and not (selector.branch is not None and selector.main_branch):
        if selector.main_branch and main is None:
            return []
        branch = main if selector.main_branch else selector.branch
        id = tx.latest_version_id(pacticipant.id, branch=branch, tag=selector.tag)
        candidates = [matrix_version(name, tx.version_by_id(id))] if id is not None else []
    else:  # every version with a tag, on a branch: read them all
        candidates = versions[name]
    found = [
        v
        for v in candidates
        if (selector.tag is None or selector.tag in v.tags)
        and (selector.branch is None or selector.branch in v.branches)
        and (not selector.main_branch or (main is not None and main in v.branches))
    ]
    return found[-1:] if selector.latest else found


def _failed_interactions(test_results: JSON, descriptions: dict[str, str]) -> tuple[str, ...]:
    """The descriptions of the failed interactions in a verification's ``testResults``."""
    found: list[str] = []
    results = test_results if isinstance(test_results, list) else []
    for result in results:
        if not isinstance(result, dict) or result.get("success") is not False:
            continue
        name = result.get("interactionDescription") or descriptions.get(str(result.get("interactionId", "")))
        if isinstance(name, str) and name and name not in found:
            found.append(name)
    return tuple(found)


def _version(urls: Urls, version: MatrixVersion) -> JSONDict:
    return {
        "number": version.number,
        "branch": version.branches[-1] if version.branches else None,
        "branches": [{"name": name} for name in version.branches],
        "tags": [{"name": name} for name in version.tags],
        "environments": [{"name": name} for name in version.environments],
        "_links": {"self": link(urls.version(version.pacticipant, version.number))},
    }


def render_row(urls: Urls, row: Row) -> JSONDict:
    consumer = row.consumer.pacticipant
    rendered: JSONDict = {
        "consumer": {
            "name": consumer,
            "_links": {"self": link(urls.pacticipant(consumer))},
            "version": _version(urls, row.consumer),
        },
        "provider": {
            "name": row.provider,
            "_links": {"self": link(urls.pacticipant(row.provider))},
            "version": _version(urls, row.provider_version) if row.provider_version is not None else None,
        },
        "pact": {
            "createdAt": timestamp(row.pact.created_at),
            "_links": {"self": link(urls.pact_version(row.provider, consumer, row.pact.sha))},
        },
        "verificationResult": None,
    }
    if row.verification is not None:
        rendered["verificationResult"] = {
            "success": row.verification.success,
            "verifiedAt": timestamp(row.verification.created_at),
            "_links": {"self": link(urls.verification(row.provider, consumer, row.pact.sha, row.verification.id))},
        }
    if row.ignored:
        rendered["ignored"] = True
    return rendered


def render(urls: Urls, result: MatrixResult) -> JSONDict:
    summary: JSONDict = {"deployable": result.deployable, "reason": "\n".join(r.text for r in result.reasons)}
    summary.update(result.counts)
    return {
        "summary": summary,
        "notices": [{"type": r.type, "text": r.text} for r in result.reasons],
        "matrix": [render_row(urls, row) for row in result.rows],
    }
