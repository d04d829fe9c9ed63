"""The Python package against the CLI: the same digests and outcomes for
the same scenario and seed, tables that hold what the JSON reports say,
scenario problems located as the RON loader locates them, rules validated
with their declared bounds, and runs that Ctrl-C stops cleanly.

Expected values come from the `escrowsim` binary's JSON reports (a
separate path through the library: serde JSON, not the columnar tables or
this package's conversions) or from the scenario text itself; none from
this package's own earlier output. The binary is $ESCROWSIM_BINARY, by
default target/release/escrowsim.
"""

from __future__ import annotations

import decimal
import json
import os
import pathlib
import signal
import subprocess
import threading
import time

import duckdb
import pyarrow.parquet
import pytest

import escrowsim

ROOT = pathlib.Path(__file__).resolve().parents[2]
QUICK = ROOT / "scenarios" / "quick.ron"
RELEASE_AT_CONTRACT = ROOT / "scenarios" / "quick-release-at-contract.ron"
BINARY = os.environ.get("ESCROWSIM_BINARY", str(ROOT / "target" / "release" / "escrowsim"))


def cli(*arguments: str) -> str:
    return subprocess.run(
        [BINARY, *arguments], check=True, capture_output=True, text=True
    ).stdout


def cli_report(scenario: pathlib.Path, seed: int) -> dict:
    return json.loads(cli("run", str(scenario), "--seed", str(seed), "--format", "json"))


def as_json_money(value):
    """An outcome with its Decimals written back as the report writes money."""
    if isinstance(value, dict):
        return {key: as_json_money(child) for key, child in value.items()}
    if isinstance(value, list):
        return [as_json_money(child) for child in value]
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    return value


def json_leaf(tree: dict, dotted: str):
    for key in dotted.split("."):
        tree = tree[int(key)] if isinstance(tree, list) else tree[key]
    return tree


def assert_cell_equals_json(cell, expected, where: str) -> None:
    """A table cell against the JSON report's value: money exact as a
    Decimal, counts as ints, rates as the float JSON reads, null as
    missing."""
    if expected is None:
        assert cell is None or cell != cell, where  # None, NaN or NA
    elif isinstance(expected, str):
        assert isinstance(cell, decimal.Decimal), where
        assert cell == decimal.Decimal(expected), where
    elif isinstance(expected, bool):
        assert cell == expected, where
    elif isinstance(expected, int):
        assert int(cell) == expected, where
    else:
        assert float(cell) == expected, where


def test_the_digest_and_outcome_from_python_equal_the_cli_s_for_the_same_scenario_and_seed():
    scenario = escrowsim.load(QUICK)
    for seed in (7, 11, 2**64 - 1):
        result = escrowsim.run(scenario, seed=seed)
        report = cli_report(QUICK, seed)
        assert result.digest == report["digest"]
        assert as_json_money(result.outcome) == report["outcome"]
        assert result.seeds == [seed]
    # Money is exact: Decimal with two places, never a float.
    loss = escrowsim.run(scenario).outcome["risk"]["escrow_peak"]
    assert isinstance(loss, decimal.Decimal) and loss.as_tuple().exponent == -2


def test_seeds_are_python_ints_with_every_one_of_their_64_bits():
    scenario = escrowsim.load(QUICK)
    largest = 2**64 - 1
    result = escrowsim.run(scenario, seed=largest)
    table = result.replications()
    assert str(table["seed"].dtype) == "uint64"
    assert int(table["seed"][0]) == largest
    with pytest.raises(OverflowError):
        escrowsim.run(scenario, seed=2**64)


def test_a_scenario_problem_names_the_file_its_line_column_and_field():
    text = QUICK.read_text()
    broken = text.replace("horizon_days: 120,", "horizon_days: 0,").replace(
        "claim_window_days: 30,", "claim_window_days: 0,"
    )
    # Where the loader must point: the lines and columns of the two fields.
    lines = broken.splitlines()

    def place(needle: str):
        for number, line in enumerate(lines, start=1):
            if needle in line:
                return number, line.index(needle) + 1
        raise AssertionError(needle)

    with pytest.raises(escrowsim.ScenarioError) as raised:
        escrowsim.load(broken)
    problems = {problem.field: problem for problem in raised.value.problems}
    assert set(problems) == {"horizon_days", "rules.claim_window_days"}
    for field, needle in [("horizon_days", "horizon_days: 0"), ("rules.claim_window_days", "claim_window_days: 0")]:
        problem = problems[field]
        assert problem.file == "<text>"
        assert (problem.line, problem.column) == place(needle)
    assert problems["horizon_days"].message == "0 is out of range 1..=36525"
    # The same problems the CLI reports for the same text in a file.
    with pytest.raises(escrowsim.ScenarioError) as missing:
        escrowsim.load(ROOT / "no" / "such.ron")
    assert missing.value.problems[0].file.endswith("no/such.ron")
    assert "cannot read" in str(missing.value)


def test_rules_set_in_python_run_as_the_same_rules_in_a_file(tmp_path):
    scenario = escrowsim.load(QUICK)
    assert scenario.rules.claim_window_days == 30
    assert scenario.rules.coverage_limit_floor == decimal.Decimal("10000.00")
    assert scenario.rules.covered_payment_methods == ["TT"]
    scenario.rules.claim_window_days = 45
    scenario.rules.deposit_release = "AtShipment"
    scenario.rules.covered_payment_methods = ["TT", "Card"]
    assert scenario.rules.claim_window_days == 45
    file = tmp_path / "changed.ron"
    text = QUICK.read_text()
    for old, new in [
        ("claim_window_days: 30,", "claim_window_days: 45,"),
        ("deposit_release: AtAcceptance,", "deposit_release: AtShipment,"),
        ("covered_payment_methods: [TT],", "covered_payment_methods: [TT, Card],"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    file.write_text(text)
    assert escrowsim.run(scenario, seed=3).digest == cli_report(file, 3)["digest"]


def test_a_rule_out_of_its_declared_bounds_is_refused_as_the_loader_refuses_it():
    scenario = escrowsim.load(QUICK)
    with pytest.raises(escrowsim.ScenarioError) as raised:
        scenario.rules.claim_window_days = 0
    (problem,) = raised.value.problems
    assert problem.field == "rules.claim_window_days"
    with pytest.raises(escrowsim.ScenarioError) as from_text:
        escrowsim.load(QUICK.read_text().replace("claim_window_days: 30,", "claim_window_days: 0,"))
    assert problem.message == from_text.value.problems[0].message
    assert scenario.rules.claim_window_days == 30, "a refused change leaves the rule as it was"
    with pytest.raises(escrowsim.ScenarioError):
        scenario.rules.decision_accuracy = 1.5
    with pytest.raises(escrowsim.ScenarioError):
        scenario.rules.deposit_release = "Sometimes"
    with pytest.raises(AttributeError):
        scenario.rules.no_such_rule = 1
    # Every declared rule reads and writes back unchanged.
    digest = escrowsim.run(scenario).digest
    for rule, value in scenario.rules:
        setattr(scenario.rules, rule, value)
    assert escrowsim.run(scenario).digest == digest
    assert escrowsim.Rules.names()[0] == "eligible_countries"


def test_replication_and_monthly_tables_hold_what_each_replication_s_report_says():
    scenario = escrowsim.load(QUICK)
    result = escrowsim.run(scenario, replications=3, jobs=2)
    assert escrowsim.run(scenario, replications=3, jobs=1).digests == result.digests
    assert result.outcome is None and result.digest is None
    table = result.replications()
    monthly = result.monthly()
    metric_columns = list(table.columns[4:])
    monthly_columns = list(monthly.columns[4:])
    assert list(table.columns[:4]) == ["scenario", "replication", "seed", "month"]
    for index, seed in enumerate(result.seeds):
        report = cli_report(QUICK, seed)
        assert report["digest"] == result.digests[index]
        row = table.iloc[index]
        assert int(row["seed"]) == seed
        for column in metric_columns:
            assert_cell_equals_json(row[column], json_leaf(report["outcome"], column), column)
        months = monthly[monthly["replication"] == index]
        assert list(months["month"]) == [month["month"] for month in report["outcome"]["monthly"]]
        for (_, month_row), month in zip(months.iterrows(), report["outcome"]["monthly"]):
            for column in monthly_columns:
                assert_cell_equals_json(month_row[column], json_leaf(month, column), column)


def test_the_summary_table_is_the_json_summary_and_its_means_are_the_replications_means():
    scenario = escrowsim.load(QUICK)
    result = escrowsim.run(scenario, replications=4, jobs=2)
    summary = result.summary().set_index("metric")
    report = result.summary_report()
    table = result.replications()
    placed = summary.loc["orders.placed"]
    # The mean of the replications, by hand: sum / n.
    values = [int(value) for value in table["orders.placed"]]
    assert abs(placed["mean"] - sum(values) / len(values)) <= 0.005
    assert placed["replications"] == 4
    loss = summary.loc["risk.escrow_peak"]
    money = [decimal.Decimal(value) for value in table["risk.escrow_peak"]]
    assert abs(decimal.Decimal(str(loss["mean"])) - sum(money) / len(money)) <= decimal.Decimal("0.005")
    assert loss["kind"] == "money"
    assert report["replications"] == 4


def test_a_comparison_from_python_equals_the_cli_s(tmp_path):
    a = escrowsim.load(QUICK)
    b = escrowsim.load(RELEASE_AT_CONTRACT)
    comparison = escrowsim.compare(a, b, replications=2, jobs=2)
    out = tmp_path / "comparison.json"
    cli("compare", str(QUICK), str(RELEASE_AT_CONTRACT), "--replications", "2", "--format", "json", "--out", str(out))
    expected = json.loads(out.read_text())
    report = comparison.report()
    assert report["differences"] == expected["differences"]
    table = comparison.replications()
    assert list(table["policy"]) == ["A", "A", "B", "B"]
    summary = comparison.summary()
    assert set(summary["policy"]) == {"A", "B"}
    # B's rows are B's runs of A's replication seeds.
    for _, row in table[table["policy"] == "B"].iterrows():
        report_b = cli_report(RELEASE_AT_CONTRACT, int(row["seed"]))
        assert row["risk.platform_loss"] == decimal.Decimal(report_b["outcome"]["risk"]["platform_loss"])


def test_a_run_releases_the_gil():
    scenario = escrowsim.load(QUICK)
    done = threading.Event()
    ticks_during_run = 0

    def work():
        escrowsim.run(scenario, replications=12, jobs=1)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        # Python code runs here only while the run has let go of the GIL.
        ticks_during_run += 1
        time.sleep(0.001)
    worker.join()
    assert ticks_during_run > 10


def test_ctrl_c_interrupts_a_run_with_keyboard_interrupt_and_leaves_python_working():
    scenario = escrowsim.load(QUICK)
    expected = escrowsim.run(scenario, seed=5).digest
    # A run far longer than the delay: 2,000 replications of quick.ron.
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            escrowsim.run(scenario, replications=2000, jobs=1)
    finally:
        timer.cancel()
    # The interpreter and the package still work, and give the same results.
    assert escrowsim.run(scenario, seed=5).digest == expected


def assert_parquet_equals_reports(file: pathlib.Path, scenario: pathlib.Path, policy=None) -> int:
    """Reads the file with pyarrow and with DuckDB and checks every metric
    cell of both against the JSON report of its row's seed."""
    by_pyarrow = pyarrow.parquet.read_table(file).to_pylist()
    connection = duckdb.connect()
    cursor = connection.execute(f"SELECT * FROM read_parquet('{file}')")
    columns = [description[0] for description in cursor.description]
    by_duckdb = [dict(zip(columns, row)) for row in cursor.fetchall()]
    assert len(by_pyarrow) == len(by_duckdb)
    seed_type = connection.execute(f"SELECT typeof(seed) FROM read_parquet('{file}') LIMIT 1").fetchall()
    assert seed_type == [("UBIGINT",)]
    money_type = connection.execute(
        f"SELECT typeof(\"risk.platform_loss\") FROM read_parquet('{file}') LIMIT 1"
    ).fetchall()
    assert money_type == [("DECIMAL(18,2)",)]
    metric_columns = columns[columns.index("month") + 1 :]
    reports = {}
    checked = 0
    month_index = {}
    for arrow_row, duck_row in zip(by_pyarrow, by_duckdb):
        if policy is not None and arrow_row["policy"] != policy:
            continue
        seed = arrow_row["seed"]
        assert duck_row["seed"] == seed
        if seed not in reports:
            reports[seed] = cli_report(scenario, seed)["outcome"]
        outcome = reports[seed]
        if arrow_row["month"] == "all":
            month_index[seed] = 0
            expected_of = lambda column: None if column.startswith("monthly.") else json_leaf(outcome, column)
        else:
            month = outcome["monthly"][month_index[seed]]
            assert month["month"] == arrow_row["month"]
            month_index[seed] += 1
            expected_of = lambda column: json_leaf(month, column[len("monthly."):]) if column.startswith("monthly.") else None
        for column in metric_columns:
            expected = expected_of(column)
            assert_cell_equals_json(arrow_row[column], expected, f"pyarrow {column}")
            assert_cell_equals_json(duck_row[column], expected, f"duckdb {column}")
        checked += 1
    return checked


def test_cli_parquet_files_read_back_by_pyarrow_and_duckdb_equal_the_json_reports(tmp_path):
    replications = tmp_path / "replications.parquet"
    cli("run", str(QUICK), "--replications", "2", "--format", "parquet", "--out", str(replications))
    assert assert_parquet_equals_reports(replications, QUICK) == pyarrow.parquet.read_metadata(replications).num_rows
    single = tmp_path / "single.parquet"
    cli("run", str(QUICK), "--seed", "9", "--format", "parquet", "--out", str(single))
    assert assert_parquet_equals_reports(single, QUICK) == pyarrow.parquet.read_metadata(single).num_rows
    comparison = tmp_path / "comparison.parquet"
    cli("compare", str(QUICK), str(RELEASE_AT_CONTRACT), "--replications", "2", "--format", "parquet", "--out", str(comparison))
    rows = pyarrow.parquet.read_metadata(comparison).num_rows
    assert assert_parquet_equals_reports(comparison, QUICK, "A") == rows // 2
    assert assert_parquet_equals_reports(comparison, RELEASE_AT_CONTRACT, "B") == rows // 2
    metadata = pyarrow.parquet.read_metadata(replications).metadata
    assert metadata[b"escrowsim.version"] == escrowsim.VERSION.encode()


def test_a_sweep_from_python_equals_the_cli_s_sweep_and_merge(tmp_path):
    sweep_file = tmp_path / "sweep.ron"
    sweep_file.write_text(
        "Sweep(\n"
        '    name: "python-sweep",\n'
        f"    scenario: {json.dumps(str(QUICK))},\n"
        "    replications: 2,\n"
        '    grid: [(path: "rules.claim_window_days", values: ["14", "45"])],\n'
        ")\n"
    )
    directory = tmp_path / "sweep"
    merged = tmp_path / "result.json"
    cli("sweep", str(sweep_file), "--out", str(directory), "--jobs", "2")
    cli("merge", str(directory), "--out", str(merged))
    result = escrowsim.sweep(sweep_file, jobs=2)
    assert result.result() == json.loads(merged.read_text())
    table = result.replications()
    assert list(table.columns[:4]) == ["point", "rules.claim_window_days", "scenario", "replication"]
    assert list(table["rules.claim_window_days"]) == ["14", "14", "45", "45"]
    # Each point's rows are the runs of quick.ron with that claim window.
    for _, row in table.iterrows():
        scenario = escrowsim.load(QUICK)
        scenario.rules.claim_window_days = int(row["rules.claim_window_days"])
        single = escrowsim.run(scenario, seed=int(row["seed"]))
        assert row["refunds.value"] == single.outcome["refunds"]["value"]
    assert len(result.monthly()) == 4 * len(escrowsim.run(escrowsim.load(QUICK)).monthly())
    broken = tmp_path / "broken.ron"
    broken.write_text(sweep_file.read_text().replace('"14", "45"', '"0"'))
    with pytest.raises(escrowsim.ScenarioError) as raised:
        escrowsim.sweep(broken)
    assert raised.value.problems[0].file.endswith("broken.ron")


STUDIES = ROOT / "tests" / "studies"
OPTIMIZATIONS = ROOT / "tests" / "optimize"


def cli_study(command: str, study: pathlib.Path, directory: pathlib.Path) -> str:
    """Runs the CLI's study command into `directory`; returns what it prints."""
    return cli(command, str(study), "--out", str(directory), "--jobs", "2")


def assert_study_equals_cli(result, directory: pathlib.Path, printed: str) -> None:
    import pandas

    assert result.json == json.loads((directory / "result.json").read_text())
    assert result.summary == printed
    table = result.table()
    expected = pandas.read_csv(directory / "result.csv")
    pandas.testing.assert_frame_equal(table, expected)
    # The same rows, field for field, as the file's text holds them.
    lines = (directory / "result.csv").read_text().splitlines()
    assert list(table.columns) == lines[0].split(",")
    assert len(table) == len(lines) - 1


def test_a_sensitivity_study_from_python_equals_the_cli_s(tmp_path):
    study = STUDIES / "browser-sobol.ron"
    directory = tmp_path / "sobol"
    printed = cli_study("sensitivity", study, directory)
    result = escrowsim.sensitivity(study, jobs=2)
    assert_study_equals_cli(result, directory, printed)
    assert result.scenario_text is None
    # Any number of threads gives the same result.
    assert escrowsim.sensitivity(study, jobs=1).json == result.json
    # Every first-order index of the JSON is a row of the table, with its
    # interval: (metric, factor, s1, value, low, high).
    table = result.table()
    for metric in result.json["metrics"]:
        for factor, indices in zip(result.json["factors"], metric["sobol"]["factors"]):
            rows = table[
                (table["metric"] == metric["metric"])
                & (table["factor"] == factor["path"])
                & (table["statistic"] == "s1")
            ]
            assert len(rows) == 1
            for column in ("value", "low", "high"):
                assert float(rows[column].iloc[0]) == indices["first"][column]


def test_a_calibration_from_python_equals_the_cli_s_with_its_calibrated_scenario(tmp_path):
    study = STUDIES / "browser-calibration.ron"
    directory = tmp_path / "calibration"
    printed = cli_study("calibrate", study, directory)
    result = escrowsim.calibrate(study, jobs=3)
    assert_study_equals_cli(result, directory, printed)
    assert result.scenario_text == (directory / "calibrated.ron").read_text()
    # The calibrated scenario loads, with each factor at its calibrated value.
    calibrated = escrowsim.load(result.scenario_text)
    assert calibrated.name == escrowsim.load(QUICK).name
    assert result.json["calibration"]["check"], "the predictive check is in the result"


def test_an_optimisation_from_python_equals_the_cli_s_with_its_chosen_scenario(tmp_path):
    optimization = OPTIMIZATIONS / "erlang-limit.ron"
    directory = tmp_path / "optimize"
    printed = cli_study("optimize", optimization, directory)
    result = escrowsim.optimize(optimization, jobs=2)
    assert_study_equals_cli(result, directory, printed)
    assert result.scenario_text == (directory / "chosen.ron").read_text()
    chosen = result.json["chosen"]
    rules = dict(result.json["candidates"][chosen]["rules"])
    assert result.table()["chosen"].sum() > 0
    scenario = escrowsim.load(result.scenario_text)
    assert scenario.rules.coverage_limit_floor == decimal.Decimal(rules["rules.coverage_limit_floor"])
    assert escrowsim.optimize(optimization, jobs=1).json == result.json


def test_a_study_file_of_another_kind_or_invalid_is_refused_naming_the_file(tmp_path):
    with pytest.raises(escrowsim.ScenarioError, match="escrowsim.optimize"):
        escrowsim.sensitivity(OPTIMIZATIONS / "erlang-limit.ron")
    with pytest.raises(escrowsim.ScenarioError, match="escrowsim.calibrate"):
        escrowsim.sensitivity(STUDIES / "browser-calibration.ron")
    with pytest.raises(escrowsim.ScenarioError, match="escrowsim.sensitivity"):
        escrowsim.optimize(STUDIES / "browser-sobol.ron")
    broken = tmp_path / "broken.ron"
    broken.write_text((STUDIES / "browser-sobol.ron").read_text().replace("base_rows: 8", "base_rows: 0"))
    (tmp_path / "quick.ron").write_text(QUICK.read_text())
    broken.write_text(broken.read_text().replace("../../scenarios/quick.ron", "quick.ron"))
    with pytest.raises(escrowsim.ScenarioError) as raised:
        escrowsim.sensitivity(broken)
    assert raised.value.problems[0].file.endswith("broken.ron")
    with pytest.raises(ValueError, match="jobs"):
        escrowsim.optimize(OPTIMIZATIONS / "erlang-limit.ron", jobs=0)


def test_ctrl_c_interrupts_a_study_with_keyboard_interrupt(tmp_path):
    # A Sobol study far longer than the delay: 2 x 2,000 base rows.
    study = tmp_path / "long.ron"
    study.write_text(
        (STUDIES / "browser-sobol.ron")
        .read_text()
        .replace("base_rows: 8", "base_rows: 2000")
        .replace("../../scenarios/quick.ron", str(QUICK))
    )
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            escrowsim.sensitivity(study, jobs=2)
    finally:
        timer.cancel()


def read_by_pyarrow_and_duckdb(file: pathlib.Path):
    """The rows of a Parquet file as dicts, read by pyarrow and by DuckDB,
    which must agree cell for cell."""
    by_pyarrow = pyarrow.parquet.read_table(file).to_pylist()
    cursor = duckdb.connect().execute(f"SELECT * FROM read_parquet('{file}')")
    columns = [description[0] for description in cursor.description]
    by_duckdb = [dict(zip(columns, row)) for row in cursor.fetchall()]
    assert by_pyarrow == by_duckdb
    return columns, by_pyarrow


def assert_rows_are_the_csv_s(directory: pathlib.Path, columns, rows) -> None:
    lines = (directory / "result.csv").read_text().splitlines()
    assert columns == lines[0].split(",")
    assert len(rows) == len(lines) - 1


def test_study_and_optimisation_parquet_tables_read_by_pyarrow_and_duckdb_equal_result_json(tmp_path):
    # A sensitivity study: each Sobol index and its interval.
    directory = tmp_path / "sobol"
    cli_study("sensitivity", STUDIES / "browser-sobol.ron", directory)
    columns, rows = read_by_pyarrow_and_duckdb(directory / "result.parquet")
    assert_rows_are_the_csv_s(directory, columns, rows)
    result = json.loads((directory / "result.json").read_text())
    cells = {(row["metric"], row["factor"], row["statistic"]): row for row in rows}
    for metric in result["metrics"]:
        for factor, indices in zip(result["factors"], metric["sobol"]["factors"]):
            for statistic, key in (("s1", "first"), ("st", "total")):
                row = cells[(metric["metric"], factor["path"], statistic)]
                assert row["study"] == result["study"] and row["kind"] == "sensitivity"
                for column in ("value", "low", "high"):
                    assert row[column] == indices[key][column]
    assert len(cells) == len(rows) == 2 * len(result["factors"]) * len(result["metrics"])

    # A calibration: the posterior (its rows have no metric: null) and the check.
    directory = tmp_path / "calibration"
    cli_study("calibrate", STUDIES / "browser-calibration.ron", directory)
    columns, rows = read_by_pyarrow_and_duckdb(directory / "result.parquet")
    assert_rows_are_the_csv_s(directory, columns, rows)
    calibration = json.loads((directory / "result.json").read_text())["calibration"]
    cells = {(row["metric"], row["factor"], row["statistic"]): row for row in rows}
    for factor in calibration["factors"]:
        median = cells[(None, factor["path"], "posterior_median")]
        assert (median["value"], median["low"], median["high"]) == (
            factor["median"],
            factor["low"],
            factor["high"],
        )
        assert cells[(None, factor["path"], "posterior_mean")]["value"] == factor["mean"]
        assert cells[(None, factor["path"], "posterior_sd")]["high"] is None
    for check in calibration["check"]:
        row = cells[(check["target"], None, "check_mean")]
        assert (row["value"], row["low"], row["high"]) == (
            check["mean"],
            check["mean_low"],
            check["mean_high"],
        )

    # An optimisation: each candidate's estimates, runs, choice and status.
    directory = tmp_path / "optimize"
    cli_study("optimize", OPTIMIZATIONS / "erlang-limit.ron", directory)
    columns, rows = read_by_pyarrow_and_duckdb(directory / "result.parquet")
    assert_rows_are_the_csv_s(directory, columns, rows)
    result = json.loads((directory / "result.json").read_text())
    expected = [
        (candidate, estimate)
        for candidate in result["candidates"]
        for estimate in candidate["estimates"]
    ]
    assert len(rows) == len(expected)
    for row, (candidate, estimate) in zip(rows, expected):
        assert row["candidate"] == candidate["index"]
        for name, value in candidate["rules"]:
            assert row[name] == value
        assert (row["mean"], row["low"], row["high"]) == (
            estimate["value"],
            estimate["low"],
            estimate["high"],
        )
        assert row["runs"] == candidate["runs"]
        assert row["chosen"] is (result["chosen"] == candidate["index"])
        assert row["status"] == candidate["status"]
    types = duckdb.connect().execute(
        f"SELECT typeof(candidate), typeof(mean), typeof(chosen) FROM read_parquet('{directory / 'result.parquet'}') LIMIT 1"
    ).fetchall()
    assert types == [("UBIGINT", "DOUBLE", "BOOLEAN")]
