"""escrowsim for Python: load a scenario, change its rules, run it or
compare two rule sets, run sweeps, sensitivity studies, calibrations and
optimisations, and read the results as pandas DataFrames.

The simulation is the same Rust library the ``escrowsim`` command runs, so
the same scenario and seed give the same outcome and digest here as there.

    >>> import escrowsim
    >>> s = escrowsim.load("scenarios/quick.ron")
    >>> s.rules.claim_window_days = 45
    >>> result = escrowsim.run(s, seed=7)
    >>> result.outcome["refunds"]["count"]            # doctest: +SKIP
    >>> result.monthly()[["month", "refunds_value"]]   # doctest: +SKIP

Money comes back exact: ``decimal.Decimal`` in outcomes and decimal columns
in DataFrames (never floats); seeds are Python ints (every one of the 64
bits). Runs release the GIL, and Ctrl-C stops a run cleanly with
``KeyboardInterrupt``, leaving nothing half-made.
"""

from __future__ import annotations

import dataclasses
import decimal
import io
import json
import os
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

from . import _escrowsim

__all__ = [
    "VERSION",
    "Comparison",
    "Problem",
    "Result",
    "Rules",
    "Scenario",
    "ScenarioError",
    "StudyResult",
    "Sweep",
    "calibrate",
    "compare",
    "load",
    "optimize",
    "run",
    "sensitivity",
    "sweep",
]

#: The engine version; a digest is comparable only between runs of one version.
VERSION: str = _escrowsim.VERSION


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem of a scenario: where it is and what is wrong."""

    file: str
    line: Optional[int]
    column: Optional[int]
    field: Optional[str]
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be loaded, or a rule change it refuses.

    ``problems`` holds every problem found, each with its file, line,
    column and field where known.
    """

    def __init__(self, message: str, problems: Sequence[Problem]):
        super().__init__(message)
        self.problems: List[Problem] = list(problems)


def _scenario_error(native: BaseException) -> ScenarioError:
    message, problems = native.args
    return ScenarioError(message, [Problem(*problem) for problem in problems])


def _looks_like_text(value: str) -> bool:
    # Scenario text always holds `Scenario(`; a path never needs a newline.
    return "\n" in value or "Scenario(" in value


def load(path_or_text: Union[str, "os.PathLike[str]"]) -> "Scenario":
    """Loads and validates a scenario from a file path or from RON text.

    Raises ScenarioError with every problem found (file, line, column,
    field) when the scenario is not valid or the file cannot be read.
    """
    try:
        if isinstance(path_or_text, str) and _looks_like_text(path_or_text):
            native = _escrowsim.load_text(path_or_text, "<text>")
        else:
            native = _escrowsim.load_file(os.fspath(path_or_text))
    except _escrowsim.NativeScenarioError as error:
        raise _scenario_error(error) from None
    return Scenario(native)


def _rule_value(text: str) -> Any:
    """A rule's RON text as a Python value: ints, floats, bools, money as
    Decimal, lists of names or country codes as lists of str, and any
    other value (an enum variant, `OrdersUpTo("5000.00")`) as its text."""
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"') and text.endswith('"'):
        return decimal.Decimal(text[1:-1])
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [item.strip().strip('"') for item in inner.split(",")] if inner else []
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


_COUNTRY_RULES = ("eligible_countries",)


def _rule_text(rule: str, value: Any) -> str:
    """A Python value as the RON text of `rule`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        if rule in _COUNTRY_RULES:
            return "[" + ", ".join(f'"{item}"' for item in value) + "]"
        return "[" + ", ".join(str(item) for item in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Rules:
    """The program's rules of a scenario, one attribute per rule.

    Reading gives the rule's value (money as Decimal); assigning changes it
    on the scenario, validated as the RON loader validates a scenario file
    (the same declared bounds): a value out of bounds raises ScenarioError
    and leaves the rule as it was. Enum rules take their variant's name
    (``s.rules.deposit_release = "AtShipment"``); a rule may also be given
    as its RON text (``"OrdersUpTo(\\"5000.00\\")"``).
    """

    __slots__ = ("_scenario",)

    def __init__(self, scenario: "Scenario"):
        object.__setattr__(self, "_scenario", scenario)

    @staticmethod
    def names() -> List[str]:
        """Every rule's name, in declaration order."""
        return [name for name, _, _ in _escrowsim.NativeScenario.rules()]

    def __getattr__(self, rule: str) -> Any:
        if rule.startswith("_"):
            raise AttributeError(rule)
        return _rule_value(self._scenario._native.rule_text(rule))

    def __setattr__(self, rule: str, value: Any) -> None:
        try:
            self._scenario._native.set_rule(rule, _rule_text(rule, value))
        except _escrowsim.NativeScenarioError as error:
            raise _scenario_error(error) from None

    def __dir__(self) -> List[str]:
        return self.names()

    def __iter__(self) -> Iterator[Tuple[str, Any]]:
        for rule in self.names():
            yield rule, getattr(self, rule)

    def __repr__(self) -> str:
        return "Rules(" + ", ".join(f"{rule}={value!r}" for rule, value in self) + ")"


class Scenario:
    """A validated scenario. ``rules`` can be changed; ``copy()`` gives an
    independent scenario to change without touching this one."""

    def __init__(self, native: "_escrowsim.NativeScenario"):
        self._native = native

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def seed(self) -> int:
        """The scenario's own seed: runs use it unless given another."""
        return self._native.seed

    @property
    def horizon_days(self) -> int:
        return self._native.horizon_days

    @property
    def currency(self) -> str:
        return self._native.currency

    @property
    def source(self) -> str:
        """The file the scenario was read from, or ``<text>``."""
        return self._native.source_name

    @property
    def rules(self) -> Rules:
        return Rules(self)

    def copy(self) -> "Scenario":
        return Scenario(self._native.copy())

    def __repr__(self) -> str:
        return f"Scenario(name={self.name!r}, seed={self.seed}, source={self.source!r})"


def _read_table(parquet: bytes) -> "Any":
    import pyarrow.parquet

    return pyarrow.parquet.read_table(io.BytesIO(parquet)).to_pandas()


def _money(tree: Any, money_paths: Tuple[List[str], List[str]]) -> Any:
    """The outcome with every money string as a Decimal: the metric schema
    says which paths are money, whole-run and within each month."""
    whole_run, monthly = (set(paths) for paths in money_paths)

    def walk(value: Any, path: str, paths: set) -> Any:
        if isinstance(value, dict):
            return {
                key: walk(child, f"{path}.{key}" if path else key, paths)
                for key, child in value.items()
            }
        if isinstance(value, list):
            return [walk(child, f"{path}.{index}", paths) for index, child in enumerate(value)]
        if isinstance(value, str) and path in paths:
            return decimal.Decimal(value)
        return value

    outcome = {}
    for key, value in tree.items():
        if key == "monthly":
            outcome[key] = [walk(month, "", monthly) for month in value]
        else:
            outcome[key] = walk(value, key, whole_run)
    return outcome


class Result:
    """The result of :func:`run`.

    For one replication, ``outcome`` is the run's outcome (the JSON
    report's ``outcome``, money as Decimal) and ``digest`` its digest, the
    same as ``escrowsim run --seed`` reports; for several, both are None
    and ``digests`` and ``seeds`` give each replication's.
    """

    def __init__(self, native: "_escrowsim.NativeRun"):
        self._native = native
        text = native.outcome_json
        self.outcome: Optional[dict] = (
            None if text is None else _money(json.loads(text), native.money_paths)
        )
        self.digest: Optional[str] = native.digest
        self.digests: List[str] = native.digests
        self.seeds: List[int] = native.seeds
        self.base_seed: int = native.base_seed

    def replications(self) -> "Any":
        """One row per replication: scenario, replication, seed (uint64),
        month (``all``) and every whole-run metric by its dotted path
        (counts int64, money decimal, rates float, missing rates NaN/None)."""
        return _read_table(self._native.replications_parquet())

    def monthly(self) -> "Any":
        """One row per replication and month (``YYYY-MM``), every monthly
        metric by its path within the month."""
        return _read_table(self._native.monthly_parquet())

    def summary(self) -> "Any":
        """One row per whole-run metric: its kind, the replications that
        define it, mean, sd, 95% interval and, for money, p95 and p99, as
        ``run --replications --format json`` reports them."""
        return _read_table(self._native.summary_parquet())

    def summary_report(self) -> dict:
        """The summary as ``escrowsim run --replications --format json`` writes it."""
        return json.loads(self._native.summary_json())

    def __repr__(self) -> str:
        if self.digest is not None:
            return f"Result(digest={self.digest!r})"
        return f"Result(replications={len(self.digests)}, base_seed={self.base_seed})"


class Comparison:
    """The result of :func:`compare`: paired replications of A and B."""

    def __init__(self, native: "_escrowsim.NativeComparison"):
        self._native = native

    def report(self) -> dict:
        """The comparison as ``escrowsim compare --format json`` writes it."""
        return json.loads(self._native.report_json())

    def replications(self) -> "Any":
        """One row per policy (``A``, ``B``) and replication."""
        return _read_table(self._native.replications_parquet())

    def monthly(self) -> "Any":
        """One row per policy, replication and month."""
        return _read_table(self._native.monthly_parquet())

    def summary(self) -> "Any":
        """Each side's summary table, with a leading ``policy`` column."""
        import pandas

        a = _read_table(self._native.a_summary_parquet())
        b = _read_table(self._native.b_summary_parquet())
        a.insert(0, "policy", "A")
        b.insert(0, "policy", "B")
        return pandas.concat([a, b], ignore_index=True)


class Sweep:
    """The result of :func:`sweep`: every replication of every grid point."""

    def __init__(self, native: "_escrowsim.NativeSweep"):
        self._native = native

    def result(self) -> dict:
        """The merged result as ``escrowsim merge --out`` writes it."""
        return json.loads(self._native.result_json())

    def summary(self) -> list:
        """Per point: its parameters and each key metric's mean and 95%
        interval, as ``escrowsim merge --summary json`` prints them."""
        return json.loads(self._native.summary_json())

    def replications(self) -> "Any":
        """One row per point and replication: ``point``, one column per
        swept parameter (the value's RON text), then the columns of
        :meth:`Result.replications`."""
        return _read_table(self._native.replications_parquet())

    def monthly(self) -> "Any":
        """One row per point, replication and month."""
        return _read_table(self._native.monthly_parquet())


def sweep(path: Union[str, "os.PathLike[str]"], jobs: int = 1) -> Sweep:
    """Runs every unit of the sweep file at `path` on `jobs` threads and
    merges them, as ``escrowsim sweep`` and ``escrowsim merge`` do (the
    same result, byte for byte, for any `jobs`), without writing files.
    A sweep file that does not validate raises ScenarioError."""
    try:
        return Sweep(_escrowsim.sweep(os.fspath(path), jobs))
    except _escrowsim.NativeScenarioError as error:
        raise _scenario_error(error) from None


class StudyResult:
    """The result of :func:`sensitivity`, :func:`calibrate` or
    :func:`optimize`: what the CLI writes to its output directory.

    ``json`` is ``result.json`` parsed, ``summary`` the text the CLI
    prints, :meth:`table` the rows of ``result.csv``, and ``scenario_text``
    the text of ``calibrated.ron`` (a calibration) or ``chosen.ron`` (an
    optimisation that chose a rule set); None otherwise.
    """

    def __init__(self, native: "_escrowsim.NativeStudyResult"):
        self._native = native
        self.json: dict = json.loads(native.json)
        self.summary: str = native.summary
        self.scenario_text: Optional[str] = native.scenario_text

    def table(self) -> "Any":
        """The rows of the CLI's ``result.csv`` as a DataFrame, its columns
        and values as ``pandas.read_csv`` reads that file."""
        import pandas

        return pandas.read_csv(io.StringIO(self._native.csv))

    def __repr__(self) -> str:
        name = self.json.get("study", self.json.get("optimization"))
        return f"StudyResult({name!r}, digest={self.json.get('digest')!r})"


def _study(function: Any, path: Union[str, "os.PathLike[str]"], jobs: int) -> StudyResult:
    try:
        return StudyResult(function(os.fspath(path), jobs))
    except _escrowsim.NativeScenarioError as error:
        raise _scenario_error(error) from None


def sensitivity(path: Union[str, "os.PathLike[str]"], jobs: int = 1) -> StudyResult:
    """Runs the sensitivity study (``Study(...)``) at `path` on `jobs`
    threads and analyses it, as ``escrowsim sensitivity`` does (the same
    result for any `jobs`), without writing files. A study file that does
    not validate, or is not a sensitivity study, raises ScenarioError."""
    return _study(_escrowsim.sensitivity, path, jobs)


def calibrate(path: Union[str, "os.PathLike[str]"], jobs: int = 1) -> StudyResult:
    """Runs the calibration (``Calibration(...)``) at `path` on `jobs`
    threads, as ``escrowsim calibrate`` does: the posterior, the
    calibrated scenario (``scenario_text``, the CLI's ``calibrated.ron``)
    and its posterior-predictive check, without writing files."""
    return _study(_escrowsim.calibrate, path, jobs)


def optimize(path: Union[str, "os.PathLike[str]"], jobs: int = 1) -> StudyResult:
    """Runs the optimisation (``Optimize(...)``) at `path` on `jobs`
    threads, every stage to the end, as ``escrowsim optimize`` does: the
    result and the chosen rule set (``scenario_text``, the CLI's
    ``chosen.ron``; None when nothing was chosen), without writing files."""
    return _study(_escrowsim.optimize, path, jobs)


def run(
    scenario: Scenario,
    seed: Optional[int] = None,
    replications: int = 1,
    jobs: int = 1,
) -> Result:
    """Runs `scenario` once, or `replications` times with seeds derived
    from `seed` (the scenario's own by default) on `jobs` threads. The
    result is the same for any `jobs`."""
    return Result(_escrowsim.run(scenario._native, seed, replications, jobs))


def compare(
    a: Scenario,
    b: Scenario,
    replications: int = 20,
    seed: Optional[int] = None,
    jobs: int = 1,
) -> Comparison:
    """Runs A and B on the same replication seeds (derived from `seed`, A's
    own by default) and compares them pair by pair, as ``escrowsim
    compare`` does."""
    return Comparison(_escrowsim.compare(a._native, b._native, seed, replications, jobs))
