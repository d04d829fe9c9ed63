//! `run --transfers`: every ledger transfer as two-phase records, replayed
//! by an independent Python ledger (scripts/replay-transfers.py) to the
//! balances the report's ledger section implies.

use crate::common::{escrowsim, fresh_directory, path, repository_root, shipped_text, succeeded};
use std::path::{Path, PathBuf};

/// The replay script's verdict on a transfers file and a report.
fn replay(transfers: &Path, report: &Path) -> std::process::Output {
    std::process::Command::new("python3")
        .arg(
            repository_root()
                .join("scripts")
                .join("replay-transfers.py"),
        )
        .arg(transfers)
        .arg(report)
        .output()
        .expect("python3 runs")
}

/// Runs the every-flow variant of quick.ron writing its transfers to
/// `file_name`; returns the transfers and the JSON report.
fn run_with_transfers(test: &str, file_name: &str, extra: &[&str]) -> (PathBuf, PathBuf) {
    let directory = fresh_directory(test, "out");
    std::fs::create_dir_all(&directory).unwrap();
    let scenario = directory.join("every-flow.ron");
    std::fs::write(
        &scenario,
        shipped_text("quick.ron")
            .replace("deposit_release: AtAcceptance,", "deposit_release: AtContract,")
            .replace(
                "refund_scope: OrderValue,",
                "refund_scope: OrderValue, advance_refunds: true, seller_fee_bps: 150, recovery_days: 5, recovery_probability: 0.5,",
            ),
    )
    .unwrap();
    let transfers = directory.join(file_name);
    let report = directory.join("report.json");
    let mut arguments = vec![
        "run",
        path(&scenario),
        "--transfers",
        path(&transfers),
        "--format",
        "json",
        "--out",
        path(&report),
    ];
    arguments.extend_from_slice(extra);
    succeeded(&escrowsim(&arguments));
    (transfers, report)
}

#[test]
fn a_python_ledger_replays_the_csv_transfers_to_the_reports_balances() {
    // Goal: replaying every transfer (holds reserved and resolved by post
    // and void) reproduces each account's balance as the report's ledger
    // flows imply, each flow's total, and the escrow held at the end.
    let (transfers, report) = run_with_transfers("transfers-csv", "transfers.csv", &[]);
    let text = std::fs::read_to_string(&transfers).unwrap();
    assert!(text.starts_with("id,debit_account_id,credit_account_id,amount,pending_id,flags,"));
    for flags in [",pending,", ",post_pending,", ",void_pending,", ",none,"] {
        assert!(text.contains(flags), "the run has {flags} transfers");
    }
    let verdict = replay(&transfers, &report);
    let stdout = succeeded(&verdict);
    assert!(stdout.contains("platform_revenue "), "{stdout}");
}

#[test]
fn a_python_ledger_replays_the_json_lines_transfers_too() {
    // Goal: the JSON Lines layout (chosen by --transfers-format) carries
    // the same transfers: the replay reaches the same balances, and the
    // two files list the same number of transfers.
    let (lines, report) = run_with_transfers(
        "transfers-jsonl",
        "transfers.out",
        &["--transfers-format", "jsonl"],
    );
    let (csv, _) = run_with_transfers("transfers-csv-count", "transfers.csv", &[]);
    let from_lines = succeeded(&replay(&lines, &report));
    let from_csv = succeeded(&replay(&csv, &report));
    assert_eq!(from_lines, from_csv);
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&lines)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["id"], 1);
    assert_eq!(first["ledger"], 1);
}

#[test]
fn the_replay_catches_a_transfer_changed_by_one_cent() {
    // Goal: the replay test can fail: one amount changed by a cent makes
    // a balance disagree with the report.
    let (transfers, report) = run_with_transfers("transfers-tampered", "transfers.csv", &[]);
    let text = std::fs::read_to_string(&transfers).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let row = lines
        .iter()
        .position(|line| line.contains(",none,"))
        .unwrap();
    let mut fields: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    fields[3] = (fields[3].parse::<i64>().unwrap() + 1).to_string();
    lines[row] = fields.join(",");
    std::fs::write(&transfers, lines.join("\n") + "\n").unwrap();
    let verdict = replay(&transfers, &report);
    assert_eq!(verdict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verdict.stderr).contains("replayed"));
}
