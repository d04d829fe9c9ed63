//! The command line as a user meets it: exit codes, messages, `--out`.

use crate::common::{escrowsim, scenario_path, stderr, temporary_file};
use std::process::Output;

#[test]
fn validate_accepts_every_shipped_scenario() {
    for file_name in crate::common::shipped_scenario_files() {
        let output = escrowsim(&["validate", scenario_path(&file_name).to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{file_name}: {}",
            stderr(&output)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("valid"));
    }
}

#[test]
fn bad_input_of_every_kind_exits_2_with_a_message_naming_the_file() {
    let quick = std::fs::read_to_string(scenario_path("quick.ron")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.ron", Vec::new(), "empty"),
        (
            "truncated.ron",
            quick.as_bytes()[..quick.len() / 2].to_vec(),
            "truncated.ron:",
        ),
        (
            "binary.ron",
            (0..=255u8).cycle().take(4096).collect(),
            "not UTF-8",
        ),
        (
            "nested.ron",
            format!("Scenario(name: {}", "(".repeat(50_000)).into_bytes(),
            "nested.ron:1:",
        ),
        (
            "range.ron",
            quick
                .replace("horizon_days: 120", "horizon_days: 0")
                .into_bytes(),
            "horizon_days",
        ),
        (
            "duplicated.ron",
            quick.replace("seed: 7,", "seed: 7, seed: 8,").into_bytes(),
            "is given twice",
        ),
    ];
    for (file_name, bytes, message) in cases {
        let path = temporary_file("bad-input", file_name, &bytes);
        for command in ["validate", "run"] {
            let output = escrowsim(&[command, path.to_str().unwrap()]);
            let text = stderr(&output);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command} {file_name}: {text}"
            );
            assert!(text.contains(file_name), "{command} {file_name}: {text}");
            assert!(
                text.contains(message),
                "{command} {file_name}: expected {message:?} in {text}"
            );
            assert!(!text.contains("panicked"), "{command} {file_name}: {text}");
        }
    }
}

#[test]
fn a_missing_file_or_a_directory_exits_2() {
    let output = escrowsim(&["run", "/no/such/scenario.ron"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/no/such/scenario.ron: cannot read"));
    let output = escrowsim(&["validate", std::env::temp_dir().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("directory"));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(escrowsim(&[]).status.code(), Some(2));
    assert_eq!(escrowsim(&["run"]).status.code(), Some(2));
    assert_eq!(
        escrowsim(&["run", "x.ron", "--format", "yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        escrowsim(&["run", "x.ron", "--seed", "-1"]).status.code(),
        Some(2)
    );
    let help = escrowsim(&["run", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--seed", "--format", "--out"] {
        assert!(text.contains(flag), "run --help mentions {flag}");
    }
}

#[test]
fn out_writes_the_report_and_leaves_no_temporary_file() {
    let out = temporary_file("out", "report.txt", b"previous report");
    let output = escrowsim(&[
        "run",
        scenario_path("quick.ron").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        output.stdout.is_empty(),
        "the report goes to the file, not stdout"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("digest") && written.contains("Ledger"));
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_bad_input_run_does_not_touch_an_existing_out_file() {
    let out = temporary_file("out-untouched", "report.json", b"previous report");
    let bad = temporary_file("out-untouched", "bad.ron", b"Scenario(");
    let output = escrowsim(&["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read(&out).unwrap(), b"previous report");
}

#[test]
fn an_out_path_in_a_missing_directory_is_refused_before_running() {
    let output = escrowsim(&[
        "run",
        scenario_path("quick.ron").to_str().unwrap(),
        "--out",
        "/no/such/dir/report.json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("does not exist"));
}

#[test]
fn the_seed_flag_overrides_the_scenario_seed() {
    let default = escrowsim(&[
        "run",
        scenario_path("quick.ron").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let seeded = escrowsim(&[
        "run",
        scenario_path("quick.ron").to_str().unwrap(),
        "--format",
        "json",
        "--seed",
        "8",
    ]);
    let digest = |output: &Output| {
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["digest"].clone()
    };
    let seed = |output: &Output| {
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["seed"].clone()
    };
    // Seeds are strings in JSON: a u64 above 2^53 survives jq and JavaScript.
    assert_eq!(seed(&default), "7");
    assert_eq!(seed(&seeded), "8");
    assert_ne!(digest(&default), digest(&seeded));
}

#[test]
fn check_determinism_is_refused_where_it_would_be_ignored() {
    // Regression: with --replications, --html or --format csv the flag was
    // silently ignored.
    let quick = crate::common::scenario_path("quick.ron");
    let quick = quick.to_str().unwrap();
    for extra in [&["--replications", "2"][..], &["--format", "csv"][..]] {
        let mut arguments = vec!["run", quick, "--check-determinism"];
        arguments.extend_from_slice(extra);
        let output = crate::common::escrowsim(&arguments);
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(
            crate::common::stderr(&output).contains("--check-determinism checks one run"),
            "{extra:?}: {}",
            crate::common::stderr(&output)
        );
    }
}

#[test]
fn a_plain_run_with_html_keeps_its_report_and_draws_the_page_of_that_run() {
    // `--html` adds a page; it does not turn the run into a one-replication
    // summary, and the page says it shows one run, not means.
    let quick = crate::common::scenario_path("quick.ron");
    let page = std::env::temp_dir().join(format!("escrowsim-run-page-{}.html", std::process::id()));
    let output = crate::common::escrowsim(&[
        "run",
        quick.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
        "--check-determinism",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&output)
    );
    let plain = crate::common::escrowsim(&["run", quick.to_str().unwrap()]);
    // The same report up to its wall-clock section, which differs run to run.
    let deterministic = |stdout: &[u8]| {
        let text = String::from_utf8(stdout.to_vec()).unwrap();
        text[..text.find("\nPerformance").expect("a performance section")].to_string()
    };
    assert_eq!(
        deterministic(&output.stdout),
        deterministic(&plain.stdout),
        "the stdout report is the plain run's"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    assert!(
        html.contains("one run with seed 7"),
        "the page names the run's seed"
    );
    assert!(!html.contains("means across replications"));
}

#[test]
fn the_text_report_warns_when_many_covered_orders_are_unresolved() {
    // The rates are shares of resolved covered orders; when more than a
    // quarter of the covered orders are unresolved at the end the text says
    // how many, from the same counts the JSON report gives. quick.ron ends
    // with about half its covered orders open.
    let quick = crate::common::scenario_path("quick.ron");
    let quick = quick.to_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&crate::common::succeeded(&crate::common::escrowsim(&[
            "run", quick, "--format", "json",
        ])))
        .unwrap();
    let covered = json["outcome"]["orders"]["covered"].as_u64().unwrap();
    let resolved = json["outcome"]["refunds"]["resolved"].as_u64().unwrap();
    let unresolved = covered - resolved;
    assert!(unresolved * 4 > covered, "the design needs many unresolved");
    let text = crate::common::succeeded(&crate::common::escrowsim(&["run", quick]));
    let expected = format!(
        "note: {unresolved} of {covered} covered orders ({:.2}%) were unresolved at the end",
        unresolved as f64 / covered as f64 * 100.0
    );
    assert!(
        text.contains(&expected),
        "expected {expected:?} in:\n{text}"
    );
    assert!(text.contains(&format!("of {resolved}\n")), "{text}");
    // A run with no covered orders has nothing unresolved: no warning.
    let short = crate::common::temporary_file(
        "no-unresolved-warning",
        "none-covered.ron",
        crate::common::shipped_text("quick.ron")
            .replace("volunteer_probability: 0.5,", "volunteer_probability: 0.0,")
            .as_bytes(),
    );
    let text =
        crate::common::succeeded(&crate::common::escrowsim(&["run", short.to_str().unwrap()]));
    assert!(!text.contains("were unresolved at the end"), "{text}");
}

/// The subcommands, as `escrowsim --help` lists them.
const SUBCOMMANDS: [&str; 12] = [
    "run",
    "compare",
    "validate",
    "init",
    "sweep",
    "sensitivity",
    "calibrate",
    "optimize",
    "merge",
    "bench",
    "completions",
    "manual",
];

#[test]
fn every_subcommand_has_an_example_in_its_help() {
    for subcommand in SUBCOMMANDS {
        let output = crate::common::escrowsim(&[subcommand, "--help"]);
        assert_eq!(output.status.code(), Some(0), "{subcommand}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(
            help.contains("Example") && help.contains(&format!("escrowsim {subcommand}")),
            "{subcommand} --help shows no example:\n{help}"
        );
    }
}

#[test]
fn completions_and_the_manual_come_from_the_argument_definitions() {
    for (shell, marker) in [
        ("bash", "_escrowsim()"),
        ("zsh", "#compdef escrowsim"),
        ("fish", "complete -c escrowsim"),
        ("elvish", "edit:completion:arg-completer[escrowsim]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = crate::common::escrowsim(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        // Completions know every subcommand and a flag of `run`.
        for subcommand in SUBCOMMANDS {
            assert!(script.contains(subcommand), "{shell}: no {subcommand}");
        }
        assert!(script.contains("check-determinism"), "{shell}");
    }
    let page = crate::common::escrowsim(&["manual"]);
    assert_eq!(page.status.code(), Some(0));
    let page = String::from_utf8(page.stdout).unwrap();
    assert!(
        page.starts_with(".ie") && page.contains(".TH escrowsim 1"),
        "{page}"
    );
    for subcommand in SUBCOMMANDS {
        assert!(page.contains(&format!("escrowsim\\-{subcommand}(1)")));
        let sub_page = crate::common::escrowsim(&["manual", subcommand]);
        assert_eq!(sub_page.status.code(), Some(0), "{subcommand}");
        let sub_page = String::from_utf8(sub_page.stdout).unwrap();
        assert!(
            sub_page.contains(&format!(".TH escrowsim-{subcommand} 1")),
            "{subcommand}: {sub_page}"
        );
    }
    let unknown = crate::common::escrowsim(&["manual", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(crate::common::stderr(&unknown).contains("\"nope\" is not a subcommand; one of: run,"));
}

/// Runs `escrowsim` with `input` on its standard input.
fn escrowsim_reading(arguments: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args(arguments)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("escrowsim starts");
    // A command that refuses early may close its input first.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("escrowsim runs")
}

#[test]
fn init_writes_a_commented_scenario_that_validates_and_never_overwrites() {
    for template in ["quick", "launch"] {
        let directory = temporary_file("init", "unused", b"");
        let path = directory.with_file_name(format!("{template}-start.ron"));
        let _ = std::fs::remove_file(&path);
        let path_text = path.to_str().unwrap();
        let output = escrowsim(&["init", "--from", template, path_text]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let validated = escrowsim(&["validate", path_text]);
        assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
        // Every top-level block is explained by a comment right before it.
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for block in ["name", "suppliers", "buyers", "rules"] {
            let at = lines
                .iter()
                .position(|line| line.starts_with(&format!("    {block}:")))
                .unwrap_or_else(|| panic!("{template}: no {block}"));
            assert!(
                lines[at - 1].trim_start().starts_with("//"),
                "{template}: {block} has no comment before it"
            );
        }
        // A second init to the same file is refused and leaves it as it was.
        let again = escrowsim(&["init", path_text]);
        assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
        assert!(
            stderr(&again).contains("exists already"),
            "{}",
            stderr(&again)
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}

#[test]
fn validate_and_run_read_a_scenario_from_standard_input() {
    let quick = std::fs::read(scenario_path("quick.ron")).unwrap();
    let output = escrowsim_reading(&["validate", "-"], &quick);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("<stdin>: valid: scenario"));
    let output = escrowsim_reading(&["run", "-", "--format", "json"], &quick);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let from_file = escrowsim(&[
        "run",
        scenario_path("quick.ron").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let digest = |output: &Output| {
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["digest"].clone()
    };
    assert_eq!(digest(&output), digest(&from_file));
    // Problems name `<stdin>`, with their line, column and field.
    let broken = String::from_utf8(quick)
        .unwrap()
        .replace("horizon_days: 120,", "horizon_days: 60.5,");
    let output = escrowsim_reading(&["validate", "-"], broken.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "<stdin>:9:19: horizon_days: expected a whole number, found `60.5`\n"
    );
    // Bounded like a file: a stream past the limit is refused, not held.
    let endless = vec![b' '; 16 * 1024 * 1024 + 10];
    let output = escrowsim_reading(&["validate", "-"], &endless);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("<stdin>: the input goes on past"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn validate_checks_a_sweep_file_too() {
    let sweep = crate::common::repository_root().join("sweeps/claim-window-by-release.ron");
    let output = escrowsim(&["validate", sweep.to_str().unwrap()]);
    let printed = crate::common::succeeded(&output);
    assert!(
        printed.contains("valid: sweep \"claim-window-by-release\" of scenario \"quick\", 2 grid dimensions, 6 points x 5 replications = 30 units"),
        "{printed}"
    );
    let text = std::fs::read_to_string(&sweep)
        .unwrap()
        .replace(
            "../scenarios/quick.ron",
            &scenario_path("quick.ron").display().to_string(),
        )
        .replace("replications: 5", "replications: 0");
    let path = temporary_file("validate-sweep", "bad-sweep.ron", text.as_bytes());
    let output = escrowsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("{}:", path.display()))
            && message.contains(": replications: "),
        "{message}"
    );
}

#[test]
fn syntax_errors_name_the_file_line_column_and_field() {
    let quick = std::fs::read_to_string(scenario_path("quick.ron")).unwrap();
    let text = quick
        .replacen("horizon_days: 120,", "horizon_days: 120", 1)
        .replacen("claim_window_days: 30,", "claim_windw_days: 0,", 1);
    let path = temporary_file("syntax-errors", "two-mistakes.ron", text.as_bytes());
    let output = escrowsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let file = path.display();
    assert_eq!(
        stderr(&output),
        format!(
            "{file}:9:22: horizon_days: expected `,` after this value, before the next entry at 11:5\n\
             {file}:57:9: rules.claim_windw_days: unknown field `claim_windw_days`; did you mean `claim_window_days`?\n\
             {file}:57:9: rules.claim_window_days: 0 is out of range 1..=3650\n"
        )
    );
}
