//! `flagcore plan`: the rollout plan's decision from a metrics file, run like a user would.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const FLAG: &str = "speechmatics-direct";
const AT: &str = "2026-11-24T09:00:00Z";

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/speech-migration.json")
        .display()
        .to_string()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flagcore"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flagcore");
    if let Some(text) = stdin {
        let written = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes());
        // The CLI may reject its arguments and exit before it reads stdin.
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8"),
        stderr: String::from_utf8(out.stderr).expect("utf-8"),
    }
}

/// Three minutes of canary metrics ending at AT, with `errors` failures a minute.
fn metrics(errors: u64) -> Value {
    let minute = |at: &str| {
        json!({"at": at, "canary": {
            "error_rate": {"count": 200, "failures": errors},
            "response_time": {"count": 200, "p95": 1800, "mean": 700},
            "transcription_failures": {"count": 200, "failures": 4}}})
    };
    json!({"stageStartedAt": "2026-11-23T09:00:00Z", "exposed": 4200, "samples": [
        minute("2026-11-24T08:58:00Z"), minute("2026-11-24T08:59:00Z"), minute(AT)]})
}

fn write(dir: &tempfile::TempDir, value: &Value) -> String {
    let path = dir.path().join("metrics.json");
    std::fs::write(&path, value.to_string()).expect("write metrics");
    path.display().to_string()
}

#[test]
fn a_healthy_day_advances_to_20_percent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = write(&dir, &metrics(2));
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &m,
            "--at",
            AT,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ADVANCE"), "{}", r.stdout);
    assert!(
        r.stdout.contains("advance to stage 1 (20%)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("5% → 20% → 50% → 100%"), "{}", r.stdout);
    for metric in ["error_rate", "response_time p95", "transcription_failures"] {
        assert!(r.stdout.contains(metric), "{metric}: {}", r.stdout);
    }

    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &m,
            "--at",
            AT,
            "--json",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["decision"], "ADVANCE");
    assert_eq!(
        (v["stage"].as_u64(), v["percentage"].as_u64()),
        (Some(1), Some(20))
    );
    assert_eq!(v["flag"], FLAG);
    assert_eq!(v["time"]["source"], "argument");
    assert_eq!(v["checks"][0]["canary"]["samples"], 400);
    assert_eq!(v["checks"][0]["canary"]["failures"], 4);
}

#[test]
fn too_early_holds_and_the_metrics_may_carry_the_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut m = metrics(2);
    m["now"] = json!(AT);
    let path = write(&dir, &m);
    // An hour before the day is over: hold.
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &path,
            "--at",
            "2026-11-24T08:00:00Z",
            "--json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        (v["decision"].as_str(), v["reason"]["code"].as_str()),
        (Some("HOLD"), Some("TOO_EARLY"))
    );
    assert_eq!(
        v["message"],
        "hold at 5%: the stage has run 23h of its minimum 1d"
    );
    // Without --at the metrics' "now" decides.
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &path,
            "--json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["decision"], "ADVANCE", "{}", r.stdout);
}

#[test]
fn a_spike_rolls_back_and_exit_code_says_so() {
    let m = metrics(60).to_string();
    let args = [
        "plan",
        &example(),
        "--flag",
        FLAG,
        "--metrics",
        "-",
        "--at",
        AT,
    ];
    let r = run(&args, Some(&m));
    assert_eq!(
        r.code, 0,
        "a decision is not an error without --exit-code: {}",
        r.stderr
    );
    assert!(r.stdout.contains("ROLL_BACK"), "{}", r.stdout);
    assert!(
        r.stdout.contains("guardrail 0 (error_rate, critical)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("BREACHED"), "{}", r.stdout);
    let mut with_exit = args.to_vec();
    with_exit.push("--exit-code");
    let r = run(&with_exit, Some(&m));
    assert_eq!(r.code, 1);
    with_exit.push("--json");
    let r = run(&with_exit, Some(&m));
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["decision"], "ROLL_BACK");
    assert_eq!(v["breach"]["metric"], "error_rate");
    assert_eq!(v["breach"]["threshold"], 0.05);
}

#[test]
fn the_stage_can_be_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = write(&dir, &metrics(2));
    // At stage 3 (100%) there is nothing left: complete.
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &m,
            "--at",
            AT,
            "--stage",
            "3",
            "--json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["reason"]["code"], "COMPLETE", "{}", r.stdout);
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &m,
            "--at",
            AT,
            "--stage",
            "4",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("stage 4 does not exist"), "{}", r.stderr);
    // Week 2 of the config's time stages serves 25%, between the plan's 20% and 50%
    // stages: without --stage the flag is at the 20% stage (stage 1).
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            &m,
            "--at",
            "2026-12-01T12:00:00Z",
            "--json",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert!(
        v["stage"] == 1 || v["fromStage"] == 1,
        "the 20% stage: {}",
        r.stdout
    );
}

#[test]
fn errors_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = write(&dir, &metrics(2));
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            "speech-backend-ab",
            "--metrics",
            &m,
            "--at",
            AT,
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("flags with a plan: speechmatics-direct"),
        "{}",
        r.stderr
    );
    let r = run(
        &["plan", &example(), "--flag", "nope", "--metrics", &m],
        None,
    );
    assert_eq!(r.code, 2);

    let mut bad = metrics(2);
    bad["samples"][0]["canary"]["error_rate"]["failures"] = json!(500);
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            "-",
            "--at",
            AT,
        ],
        Some(&bad.to_string()),
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("500 failures out of 200"), "{}", r.stderr);
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            "-",
            "--at",
            AT,
            "--json",
        ],
        Some("{\"stageStartedAt\": 0, \"sampels\": []}"),
    );
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.stdout).expect("json error");
    assert_eq!(v["error"]["kind"], "invalid_input");
    let r = run(
        &[
            "plan",
            &example(),
            "--flag",
            FLAG,
            "--metrics",
            "/nonexistent/m.json",
            "--at",
            AT,
        ],
        None,
    );
    assert_eq!(r.code, 3);
    let r = run(&["plan", "-", "--flag", FLAG, "--metrics", "-"], Some("{}"));
    assert_eq!(r.code, 2);
}
