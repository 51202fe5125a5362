//! Integration tests: run the built `flagcore` binary like a user or a CI job would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

const AT: &str = "2026-12-01T12:00:00Z"; // week 2 of the rollout: 25% on

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_flagcore"));
    c.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR");
    c
}

fn example() -> String {
    repo()
        .join("examples/speech-migration.json")
        .display()
        .to_string()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn run(args: &[&str]) -> Run {
    finish(bin().args(args).output().expect("run flagcore"))
}

fn run_stdin(args: &[&str], input: &str) -> Run {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn flagcore");
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    // The CLI may reject its arguments and exit before it reads stdin.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    finish(child.wait_with_output().unwrap())
}

fn example_json() -> Value {
    serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn flag<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no flag {key} in {report}"))
}

fn variant<'a>(flag: &'a Value, name: &str) -> &'a Value {
    flag["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["variant"] == name)
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// help and usage
// ---------------------------------------------------------------------------------------

#[test]
fn help_lists_subcommands_examples_and_exit_codes() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    for word in [
        "validate",
        "eval",
        "simulate",
        "diff",
        "import-env",
        "Examples:",
        "Exit codes",
    ] {
        assert!(
            r.stdout.contains(word),
            "--help lacks {word}:\n{}",
            r.stdout
        );
    }
    for sub in ["validate", "eval", "simulate", "diff", "import-env"] {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, 0, "{sub} --help");
        assert!(
            r.stdout.contains("Examples:"),
            "{sub} --help has no examples"
        );
    }
    let v = run(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(v.stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let ex = example();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["validate"],
        vec!["eval", &ex],
        vec!["eval", &ex, "--key", "u", "--attr", "no-equals-sign"],
        vec!["eval", &ex, "--key", "u", "--attr", "=value"],
        vec!["eval", &ex, "--key", "u", "--attr", "key=other"],
        vec!["eval", &ex, "--key", "u", "--attr", "o:={\"a\":1}"],
        vec![
            "eval",
            &ex,
            "--key",
            "u",
            "--attr",
            "a=1",
            "--attr-str",
            "a=2",
        ],
        vec!["eval", &ex, "--key", "u", "--at", "next tuesday"],
        vec!["eval", &ex, "--key", "u", "--flag", "no-such-flag"],
        vec!["simulate", &ex, "--users", "0"],
        vec!["simulate", &ex, "--users", "ten"],
        vec!["simulate", &ex, "--users", "10", "--ids", "ids.txt"],
        vec!["simulate", &ex, "--color", "purple"],
    ] {
        let r = run(&args);
        assert_eq!(
            r.code, 2,
            "flagcore {args:?}: stdout {} stderr {}",
            r.stdout, r.stderr
        );
        assert!(
            !r.stderr.is_empty() || !r.stdout.is_empty(),
            "flagcore {args:?} says nothing"
        );
    }
    let r = run(&["eval", &ex, "--key", "u", "--flag", "speechmatics-direc"]);
    assert!(
        r.stderr.contains("speechmatics-direct"),
        "lists the real flags: {}",
        r.stderr
    );
    let r = run(&["eval", &ex, "--key", "u", "--attr", "key=x"]);
    assert!(r.stderr.contains("--key"), "{}", r.stderr);
}

#[test]
fn usage_errors_with_json_are_json() {
    let r = run(&["eval", &example(), "--key", "u", "--flag", "nope", "--json"]);
    assert_eq!(r.code, 2);
    let j = r.json();
    assert_eq!(j["error"]["kind"], "usage");
    assert_eq!(j["error"]["exitCode"], 2);
}

// ---------------------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------------------

#[test]
fn validate_accepts_the_example() {
    let r = run(&["validate", &example()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("valid (5 flags, 0 warnings)"),
        "{}",
        r.stdout
    );
    let j = run(&["validate", &example(), "--json"]).json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["exitCode"], 0);
    assert_eq!(j["files"][0]["status"], "valid");
    assert_eq!(j["files"][0]["flags"], 5);
    assert_eq!(j["files"][0]["errors"], json!([]));
}

#[test]
fn validate_reports_every_problem_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = example_json();
    config["flags"]["speech-backend-ab"]["default"]["split"][1]["weight"] = json!(20);
    config["flags"]["modal-fallback"]["prerequisites"][0]["variant"] = json!("onn");
    config["flags"]["live-captions-ui"]["enabld"] = json!(false);
    let bad = write(&dir, "bad.json", &config.to_string());

    let r = run(&["validate", &bad]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("invalid (3 errors"), "{}", r.stdout);
    assert!(r.stdout.contains("weights_sum"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("$.flags[\"speech-backend-ab\"].default.split"),
        "{}",
        r.stdout
    );

    let j = run(&["validate", &bad, "--json"]).json();
    assert_eq!(j["valid"], false);
    assert_eq!(j["exitCode"], 1);
    let codes: Vec<&str> = j["files"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{codes:?}");
    for code in ["weights_sum", "unknown_variant", "unknown_field"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    for p in j["files"][0]["errors"].as_array().unwrap() {
        assert!(p["path"].as_str().unwrap().starts_with("$.flags"), "{p}");
        assert_eq!(p["severity"], "error");
    }
}

#[test]
fn validate_invalid_json_missing_files_and_several_files() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        &dir,
        "broken.json",
        "{\"schemaVersion\": 1,\n  \"flags\": {,}\n}",
    );
    let r = run(&["validate", &broken]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("json_syntax") && r.stdout.contains("line 2"),
        "{}",
        r.stdout
    );

    let missing = dir.path().join("nope.json").display().to_string();
    let r = run(&["validate", &missing]);
    assert_eq!(r.code, 3, "a missing file is an I/O error");
    assert!(r.stdout.contains("unreadable"), "{}", r.stdout);

    // Several files: each is reported; the worst outcome decides the exit code.
    let r = run(&["validate", &example(), &broken]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("1 of 2 files valid"), "{}", r.stdout);
    let j = run(&["validate", &example(), &broken, &missing, "--json"]).json();
    assert_eq!(j["exitCode"], 3);
    let statuses: Vec<&str> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["valid", "invalid", "unreadable"]);
}

#[test]
fn validate_warnings_and_strict() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = example_json();
    config["segments"]["nobody"] = json!({ "keys": ["user-1"] });
    let warn = write(&dir, "warn.json", &config.to_string());
    let r = run(&["validate", &warn]);
    assert_eq!(r.code, 0, "warnings alone pass");
    assert!(r.stdout.contains("unused_segment"), "{}", r.stdout);
    let r = run(&["validate", "--strict", &warn]);
    assert_eq!(r.code, 1, "--strict fails on warnings");
    let j = run(&["validate", "--strict", &warn, "--json"]).json();
    assert_eq!(j["files"][0]["warnings"][0]["code"], "unused_segment");
}

#[test]
fn validate_reads_stdin() {
    let text = std::fs::read_to_string(example()).unwrap();
    let r = run_stdin(&["validate", "-"], &text);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("-: valid"), "{}", r.stdout);
    let r = run_stdin(&["validate", "-"], "not json");
    assert_eq!(r.code, 1);
}

#[test]
fn validate_schema_prints_the_json_schema() {
    let file = std::fs::read_to_string(repo().join("schema/flagcore.schema.json")).unwrap();
    for args in [
        &["validate", "--schema"][..],
        &["validate", "--schema", "--json"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout, file,
            "{args:?} prints the schema file byte for byte"
        );
    }
    let schema: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // It is printed instead of validating: files and --strict are usage errors with it.
    assert_eq!(run(&["validate", "--schema", &example()]).code, 2);
    assert_eq!(run(&["validate", "--schema", "--strict"]).code, 2);
    assert_eq!(run(&["validate"]).code, 2, "no files and no --schema");
}

#[test]
fn validate_accepts_a_schema_reference_and_checks_its_type() {
    // The example names the schema for editors; the validator ignores the reference.
    assert_eq!(example_json()["$schema"], "../schema/flagcore.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let mut config = example_json();
    config["$schema"] = json!(["not", "a", "string"]);
    let bad = write(&dir, "bad.json", &config.to_string());
    let j = run(&["validate", &bad, "--json"]).json();
    assert_eq!(j["files"][0]["errors"][0]["code"], "wrong_type");
    assert_eq!(j["files"][0]["errors"][0]["path"], "$[\"$schema\"]");
    assert_eq!(j["files"][0]["errors"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------
// eval
// ---------------------------------------------------------------------------------------

#[test]
fn eval_explains_every_flag() {
    let r = run(&["eval", &example(), "--key", "user-42", "--at", AT, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["time"]["source"], "argument");
    assert_eq!(j["time"]["iso"], AT);
    assert_eq!(j["context"]["key"], "user-42");
    let evals = j["evaluations"].as_array().unwrap();
    let keys: Vec<&str> = evals
        .iter()
        .map(|e| e["flagKey"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "speechmatics-direct",
            "modal-fallback",
            "speech-backend-ab",
            "transcription-chunk-ms",
            "live-captions-ui"
        ]
    );

    // The bucket is the core's, and the variant follows the week-2 split (25% on).
    let sd = &evals[0];
    let bucket = flagcore::bucket("speechmatics-direct", "user-42");
    assert_eq!(sd["bucket"], bucket);
    assert_eq!(sd["reason"], "SPLIT");
    assert_eq!(sd["variant"], if bucket < 25_000 { "on" } else { "off" });
    assert_eq!(sd["value"], json!(bucket < 25_000));
    // modal-fallback requires speechmatics-direct on.
    let mf = &evals[1];
    if bucket < 25_000 {
        assert_eq!(mf["reason"], "DEFAULT");
    } else {
        assert_eq!(mf["reason"], "PREREQUISITE_FAILED");
        assert_eq!(mf["prerequisite"], "speechmatics-direct");
    }
    assert_eq!(evals[4]["reason"], "OFF");
    assert!(evals[4]["explanation"]
        .as_str()
        .unwrap()
        .contains("switched off"));
}

#[test]
fn eval_rules_attributes_and_one_flag() {
    let ex = example();
    // A legacy app build never gets the new backend, whatever the bucket.
    let j = run(&[
        "eval",
        &ex,
        "--key",
        "user-qa-001",
        "--attr",
        "appVersion=2.2.0",
        "--flag",
        "speechmatics-direct",
        "--at",
        AT,
        "--json",
    ])
    .json();
    let evals = j["evaluations"].as_array().unwrap();
    assert_eq!(evals.len(), 1);
    assert_eq!(evals[0]["reason"], "TARGETING_MATCH");
    assert_eq!(evals[0]["ruleId"], "legacy-app-never");
    assert_eq!(evals[0]["ruleIndex"], 0);
    assert_eq!(evals[0]["value"], false);
    // An internal tester on a current build always does.
    let j = run(&[
        "eval",
        &ex,
        "--key",
        "user-qa-001",
        "--attr-str",
        "appVersion=2.4.0",
        "--flag",
        "speechmatics-direct",
        "--flag",
        "speech-backend-ab",
        "--at",
        AT,
        "--json",
    ])
    .json();
    let evals = j["evaluations"].as_array().unwrap();
    assert_eq!(evals[0]["ruleId"], "internal-always");
    assert_eq!(evals[0]["value"], true);
    assert_eq!(evals[1]["ruleId"], "internal-treatment");
    assert_eq!(evals[1]["value"], "speechmatics");
    // Email rule of the internal-testers segment.
    let j = run(&[
        "eval",
        &ex,
        "--key",
        "someone",
        "--attr",
        "email=ana@company.example",
        "--flag",
        "speechmatics-direct",
        "--at",
        AT,
        "--json",
    ])
    .json();
    assert_eq!(j["evaluations"][0]["ruleId"], "internal-always");
    // Mobile web gets small chunks.
    let j = run(&[
        "eval",
        &ex,
        "--key",
        "u",
        "--attr",
        "platform=ios-web",
        "--flag",
        "transcription-chunk-ms",
        "--at",
        AT,
        "--json",
    ])
    .json();
    assert_eq!(j["evaluations"][0]["value"], 100);
}

#[test]
fn eval_infers_attribute_types() {
    let j = run(&[
        "eval",
        &example(),
        "--key",
        "u",
        "--at",
        AT,
        "--json",
        "--attr",
        "seats=12",
        "--attr",
        "beta=true",
        "--attr",
        "ratio=-0.5",
        "--attr",
        "zip=01234",
        "--attr",
        "version:=\"2\"",
        "--attr-str",
        "build=42",
        "--attr",
        "name=Ana Li",
    ])
    .json();
    let c = &j["context"];
    assert_eq!(c["seats"], 12.0);
    assert_eq!(c["beta"], true);
    assert_eq!(c["ratio"], -0.5);
    assert_eq!(c["zip"], "01234", "a leading zero keeps it text");
    assert_eq!(c["version"], "2");
    assert_eq!(c["build"], "42");
    assert_eq!(c["name"], "Ana Li");
}

#[test]
fn eval_without_at_uses_and_prints_the_clock() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let j = run(&["eval", &example(), "--key", "u", "--json"]).json();
    let after = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(j["time"]["source"], "clock");
    let t = j["time"]["millis"].as_i64().unwrap();
    assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
    let r = run(&["eval", &example(), "--key", "u"]);
    assert!(
        r.stdout.contains("now: this machine's clock"),
        "{}",
        r.stdout
    );
    // Unix milliseconds work too, and say which instant they are.
    let j = run(&[
        "eval",
        &example(),
        "--key",
        "u",
        "--at",
        "1795305600000",
        "--json",
    ])
    .json();
    assert_eq!(j["time"]["iso"], "2026-11-22T00:00:00Z");
    let r = run(&["eval", &example(), "--key", "u", "--at", "1795305600"]);
    assert!(
        r.stderr.contains("milliseconds"),
        "seconds given by mistake: {}",
        r.stderr
    );
}

#[test]
fn eval_rejects_missing_and_invalid_configs() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["eval", "does/not/exist.json", "--key", "u"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("cannot read does/not/exist.json"),
        "{}",
        r.stderr
    );
    let j = run(&["eval", "does/not/exist.json", "--key", "u", "--json"]).json();
    assert_eq!(j["error"]["kind"], "io");

    let broken = write(&dir, "broken.json", "{ nope");
    let r = run(&["eval", &broken, "--key", "u"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("json_syntax"), "{}", r.stderr);

    let invalid = write(
        &dir,
        "invalid.json",
        r#"{"schemaVersion": 1, "flags": {"x": {"enabled": "yes", "default": {"variant": "on"}}}}"#,
    );
    let r = run(&["eval", &invalid, "--key", "u", "--json"]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(j["error"]["kind"], "invalid_config");
    assert_eq!(j["error"]["problems"][0]["path"], "$.flags.x.enabled");
}

// ---------------------------------------------------------------------------------------
// simulate
// ---------------------------------------------------------------------------------------

#[test]
fn simulate_shares_expectations_and_overlap() {
    let r = run(&[
        "simulate",
        &example(),
        "--users",
        "20000",
        "--at",
        AT,
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["population"]["users"], 20000);
    assert_eq!(j["time"]["iso"], AT);

    // Counts are exactly what the core's bucketing says for user-1..user-20000.
    let on = (1..=20_000)
        .filter(|i| flagcore::bucket("speechmatics-direct", &format!("user-{i}")) < 25_000)
        .count() as u64;
    let sd = flag(&j, "speechmatics-direct");
    assert_eq!(variant(sd, "on")["users"], on);
    assert_eq!(variant(sd, "off")["users"], 20_000 - on);
    assert_eq!(variant(sd, "on")["expectedShare"], 0.25);
    assert_eq!(sd["reasons"]["SPLIT"], 20000);
    let srm = &sd["sampleRatio"];
    assert_eq!(srm["users"], 20000);
    assert_eq!(srm["degreesOfFreedom"], 1);
    assert_eq!(srm["mismatch"], false);
    assert!(srm["pValue"].as_f64().unwrap() > 0.001);

    // modal-fallback: on exactly where speechmatics-direct is on (its prerequisite).
    let mf = flag(&j, "modal-fallback");
    assert_eq!(variant(mf, "on")["users"], on);
    assert_eq!(
        mf["prerequisitesFailed"]["speechmatics-direct"],
        20_000 - on
    );
    assert!(mf["sampleRatio"].is_null());
    assert!(mf["sampleRatioNote"]
        .as_str()
        .unwrap()
        .contains("one variant"));

    // The switched-off flag expects nothing.
    let lc = flag(&j, "live-captions-ui");
    assert_eq!(lc["reasons"]["OFF"], 20000);
    assert!(variant(lc, "on")["expectedShare"].is_null());

    // Overlap: independent salts give a ratio near 1; the prerequisite gives 1/0.25.
    let pairs = j["overlap"].as_array().unwrap();
    let pair = |a: &str, b: &str| {
        pairs
            .iter()
            .find(|p| p["a"] == a && p["b"] == b)
            .unwrap_or_else(|| panic!("no pair {a} {b}"))
    };
    let dependent = pair("speechmatics-direct", "modal-fallback");
    assert_eq!(dependent["bothUsers"], on);
    assert!((dependent["ratio"].as_f64().unwrap() - 20_000.0 / on as f64).abs() < 1e-9);
    assert!(dependent["note"].as_str().unwrap().contains("requires"));
    let independent = pair("speechmatics-direct", "speech-backend-ab");
    let ratio = independent["ratio"].as_f64().unwrap();
    assert!(
        (0.9..1.1).contains(&ratio),
        "independent salts overlap as chance predicts, got {ratio}"
    );
    assert!(
        pairs
            .iter()
            .all(|p| p["a"] != "transcription-chunk-ms" && p["b"] != "transcription-chunk-ms"),
        "no audience, no pair"
    );

    // Deterministic: the same run gives the same counts.
    let again = run(&[
        "simulate",
        &example(),
        "--users",
        "20000",
        "--at",
        AT,
        "--json",
    ])
    .json();
    assert_eq!(again["flags"], j["flags"]);
}

#[test]
fn simulate_stages_follow_the_time() {
    for (at, share) in [
        ("2026-11-23T00:00:00Z", 0.05),
        ("2026-12-08T00:00:00Z", 0.75),
        ("2026-12-20T00:00:00Z", 1.0),
    ] {
        let j = run(&[
            "simulate",
            &example(),
            "--users",
            "5000",
            "--at",
            at,
            "--json",
        ])
        .json();
        let sd = flag(&j, "speechmatics-direct");
        assert_eq!(variant(sd, "on")["expectedShare"], share, "at {at}");
        let got = variant(sd, "on")["share"].as_f64().unwrap();
        assert!((got - share).abs() < 0.03, "at {at}: {got} vs {share}");
    }
}

#[test]
fn simulate_finds_a_sample_ratio_mismatch() {
    // Two flags share a salt and one requires the other: only users in the first 50% of
    // the shared buckets reach the second flag's 50/50 default, so all of them land in
    // its first half. A classic correlated-bucketing bug; the check must catch it.
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "schemaVersion": 1,
        "flags": {
            "gate": { "enabled": true, "salt": "shared", "default": { "split": [
                { "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 } ] } },
            "inner": { "enabled": true, "salt": "shared",
                "prerequisites": [{ "flag": "gate", "variant": "on" }],
                "default": { "split": [ { "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 } ] } }
        }
    });
    let path = write(&dir, "srm.json", &config.to_string());
    let r = run(&["simulate", &path, "--users", "4000", "--json"]);
    assert_eq!(r.code, 1, "a mismatch is a finding");
    let j = r.json();
    assert_eq!(j["sampleRatioMismatches"], json!(["inner"]));
    assert_eq!(flag(&j, "inner")["sampleRatio"]["mismatch"], true);
    assert_eq!(flag(&j, "gate")["sampleRatio"]["mismatch"], false);
    let r = run(&["simulate", &path, "--users", "4000"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("MISMATCH"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("sample ratio mismatch (p < 0.0005) in 1 flag: inner"),
        "{}",
        r.stdout
    );
}

#[test]
fn simulate_reads_ids_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let ids = write(
        &dir,
        "ids.txt",
        "user-qa-001\n\n  user-42  \nuser-pm-ana\nsomeone-else\n",
    );
    let j = run(&["simulate", &example(), "--ids", &ids, "--at", AT, "--json"]).json();
    assert_eq!(j["population"]["kind"], "file");
    assert_eq!(j["population"]["users"], 4);
    let sd = flag(&j, "speechmatics-direct");
    // The two internal testers match rule 1; the others reach the default split.
    assert_eq!(sd["rules"][1]["users"], 2);
    assert_eq!(sd["rules"][1]["id"], "internal-always");
    assert_eq!(sd["defaultUsers"], 2);
    assert!(
        sd["sampleRatioNote"].as_str().unwrap().contains("too few"),
        "{sd}"
    );

    let empty = write(&dir, "empty.txt", "\n\n");
    assert_eq!(run(&["simulate", &example(), "--ids", &empty]).code, 2);
    let missing = dir.path().join("missing.txt").display().to_string();
    assert_eq!(run(&["simulate", &example(), "--ids", &missing]).code, 3);
}

#[test]
fn simulate_applies_attributes_to_everyone() {
    let j = run(&[
        "simulate",
        &example(),
        "--users",
        "2000",
        "--attr",
        "appVersion=2.2.0",
        "--at",
        AT,
        "--json",
    ])
    .json();
    let sd = flag(&j, "speechmatics-direct");
    assert_eq!(
        sd["rules"][0]["users"], 2000,
        "every user is on a legacy build"
    );
    assert_eq!(variant(sd, "on")["users"], 0);
    assert_eq!(j["attributes"]["appVersion"], "2.2.0");
}

#[test]
fn simulate_human_report() {
    let r = run(&["simulate", &example(), "--users", "10000", "--at", AT]);
    assert_eq!(r.code, 0);
    for text in [
        "Simulated 10,000 generated users (user-1 … user-10000)",
        "2026-12-01T12:00:00Z (--at)",
        "speechmatics-direct",
        "EXPECTED",
        "25.00%",
        "sample ratio: ok",
        "Audience overlap",
        "modal-fallback requires speechmatics-direct",
        "no sample ratio mismatch",
        "█",
    ] {
        assert!(r.stdout.contains(text), "missing {text:?}:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn a_closed_stdout_ends_quietly_with_0() {
    // `flagcore ... | head -1`: the reader goes away before the report is written.
    for json in [false, true] {
        let mut cmd = bin();
        cmd.args(["simulate", &example(), "--users", "2000", "--at", AT]);
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn flagcore");
        drop(child.stdout.take());
        let r = finish(child.wait_with_output().unwrap());
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "--json: {json}");
    }
}

// ---------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------

fn week3(dir: &tempfile::TempDir) -> String {
    let mut config = example_json();
    config["flags"]["speechmatics-direct"]["default"]["stages"][1]["split"] =
        json!([{ "variant": "on", "weight": 75 }, { "variant": "off", "weight": 25 }]);
    config["flags"]["transcription-chunk-ms"]["variants"]["standard"] = json!(200);
    config["flags"]
        .as_object_mut()
        .unwrap()
        .remove("live-captions-ui");
    config["flags"]["new-ui"] = json!({ "enabled": true, "default": { "variant": "on" } });
    write(dir, "week3.json", &config.to_string())
}

#[test]
fn diff_tells_the_blast_radius() {
    let dir = tempfile::tempdir().unwrap();
    let new = week3(&dir);
    let r = run(&[
        "diff",
        &example(),
        &new,
        "--users",
        "10000",
        "--at",
        AT,
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let gained = (1..=10_000)
        .filter(|i| {
            (25_000..75_000).contains(&flagcore::bucket(
                "speechmatics-direct",
                &format!("user-{i}"),
            ))
        })
        .count() as u64;
    let sd = flag(&j, "speechmatics-direct");
    assert_eq!(sd["status"], "changed");
    assert_eq!(sd["audience"]["gained"], gained);
    assert_eq!(
        sd["audience"]["lost"], 0,
        "raising a percentage only adds users"
    );
    assert_eq!(sd["changedUsers"], gained);
    assert_eq!(sd["transitions"][0]["from"], "off");
    assert_eq!(sd["transitions"][0]["to"], "on");
    let summary = sd["summary"].as_str().unwrap();
    assert!(
        summary.contains("of users gain `speechmatics-direct`, none lose it"),
        "{summary}"
    );
    // modal-fallback follows its prerequisite.
    assert_eq!(flag(&j, "modal-fallback")["audience"]["gained"], gained);
    assert_eq!(flag(&j, "speech-backend-ab")["status"], "unchanged");
    let chunk = flag(&j, "transcription-chunk-ms");
    assert_eq!(chunk["changedUsers"], 10000);
    assert_eq!(chunk["transitions"][0]["valueChanged"], true);
    assert!(
        chunk["summary"]
            .as_str()
            .unwrap()
            .contains("serves 200 instead of 250"),
        "{chunk}"
    );
    assert_eq!(flag(&j, "live-captions-ui")["status"], "removed");
    assert_eq!(flag(&j, "new-ui")["status"], "added");
    assert_eq!(j["usersChanged"], 10000, "every user's chunk size changes");
    assert_eq!(j["flagsChanged"], 5);

    let r = run(&["diff", &example(), &new, "--users", "10000", "--at", AT]);
    assert!(
        r.stdout
            .contains("50.0% of users gain `speechmatics-direct`, none lose it")
            || r.stdout
                .contains("of users gain `speechmatics-direct`, none lose it"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Blast radius: 5 of 6 flags change"),
        "{}",
        r.stdout
    );
}

#[test]
fn diff_exit_code_and_identical_configs() {
    let dir = tempfile::tempdir().unwrap();
    let new = week3(&dir);
    assert_eq!(
        run(&[
            "diff",
            &example(),
            &new,
            "--users",
            "1000",
            "--at",
            AT,
            "--exit-code"
        ])
        .code,
        1
    );
    let r = run(&[
        "diff",
        &example(),
        &example(),
        "--users",
        "1000",
        "--at",
        AT,
        "--exit-code",
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("no user sees a different value"),
        "{}",
        r.stdout
    );
    let j = run(&["diff", &example(), &example(), "--users", "1000", "--json"]).json();
    assert_eq!(j["usersChanged"], 0);
    assert!(j["flags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "unchanged"));
}

#[test]
fn diff_with_bad_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(&dir, "broken.json", "[");
    assert_eq!(run(&["diff", &example(), &broken]).code, 1);
    assert_eq!(run(&["diff", &example(), "missing.json"]).code, 3);
    assert_eq!(run(&["diff", &example()]).code, 2);
}

// ---------------------------------------------------------------------------------------
// import-env
// ---------------------------------------------------------------------------------------

fn env_example() -> String {
    repo()
        .join("examples/env/speech-migration.env")
        .display()
        .to_string()
}

#[test]
fn import_env_writes_a_config_that_validates() {
    let r = run(&["import-env", &env_example()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let config: Value = serde_json::from_str(&r.stdout).expect("stdout is the config alone");
    assert_eq!(config["schemaVersion"], 1);
    let flags = config["flags"].as_object().unwrap();
    let keys: Vec<&str> = flags.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "speechmatics-direct",
            "modal-fallback",
            "live-captions-ui",
            "canary",
            "migration-phase"
        ]
    );
    assert_eq!(
        flags["speechmatics-direct"]["default"],
        json!({ "variant": "on" })
    );
    assert_eq!(
        flags["live-captions-ui"]["default"],
        json!({ "variant": "off" })
    );
    assert_eq!(
        flags["canary"]["default"]["split"][0],
        json!({ "variant": "on", "weight": 25 })
    );
    assert_eq!(
        flags["migration-phase"]["default"],
        json!({ "variant": "canary" })
    );
    assert!(
        r.stderr.contains("EXPO_PUBLIC_API_URL -> (none)"),
        "skipped variables are listed: {}",
        r.stderr
    );
    // The output validates, through the CLI too.
    let v = run_stdin(&["validate", "-"], &r.stdout);
    assert_eq!(v.code, 0, "{}", v.stdout);
}

#[test]
fn import_env_canary_flag_phases_out_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("flags.json").display().to_string();
    let r = run(&[
        "import-env",
        &env_example(),
        "--canary-flag",
        "speechmatics-direct",
        "--phases",
        "modal,canary,speechmatics,done",
        "--out",
        &out,
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written, j["config"]);
    let flags = written["flags"].as_object().unwrap();
    assert!(!flags.contains_key("canary"));
    assert_eq!(
        flags["speechmatics-direct"]["default"]["split"],
        json!([{ "variant": "on", "weight": 25 }, { "variant": "off", "weight": 75 }])
    );
    let phases: Vec<&str> = flags["migration-phase"]["variants"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(phases, ["modal", "canary", "speechmatics", "done"]);
    assert_eq!(flags["migration-phase"]["offVariant"], "modal");
    let vars = j["variables"].as_array().unwrap();
    assert!(vars
        .iter()
        .any(|v| v["variable"] == "EXPO_PUBLIC_CANARY_PERCENTAGE"
            && v["flag"] == "speechmatics-direct"));
    assert_eq!(run(&["validate", &out]).code, 0);

    // The imported config simulates: 25% on.
    let s = run(&["simulate", &out, "--users", "8000", "--json"]).json();
    let share = variant(flag(&s, "speechmatics-direct"), "on")["share"]
        .as_f64()
        .unwrap();
    assert!((share - 0.25).abs() < 0.02, "{share}");
}

#[test]
fn import_env_rejects_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        &dir,
        "bad.env",
        "EXPO_PUBLIC_FEATURE_FLAG_NEW_UI=yes\nEXPO_PUBLIC_CANARY_PERCENTAGE=150\nnot a line\n",
    );
    let r = run(&["import-env", &bad]);
    assert_eq!(r.code, 1);
    for text in [
        "line 1",
        "not true or false",
        "line 2",
        "0 to 100",
        "line 3",
    ] {
        assert!(r.stderr.contains(text), "missing {text:?}: {}", r.stderr);
    }
    assert!(r.stdout.is_empty(), "no half config on stdout");
    let j = run(&["import-env", &bad, "--json"]).json();
    assert_eq!(j["error"]["kind"], "invalid_input");
    assert_eq!(j["error"]["details"].as_array().unwrap().len(), 3);

    let none = write(&dir, "none.env", "EXPO_PUBLIC_API_URL=https://x\n");
    assert_eq!(run(&["import-env", &none]).code, 1);
    assert_eq!(
        run(&[
            "import-env",
            &env_example(),
            "--canary-flag",
            "live-captions-ui"
        ])
        .code,
        1,
        "canary on a false flag reaches nobody"
    );
    assert_eq!(
        run(&["import-env", &env_example(), "--phases", "a,b"]).code,
        1,
        "current phase not in --phases"
    );
    assert_eq!(run(&["import-env", "missing.env"]).code, 3);
    let r = run(&[
        "import-env",
        &env_example(),
        "--out",
        "/nonexistent-dir/x.json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// terminal output
// ---------------------------------------------------------------------------------------

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// Runs the binary under a pseudo-terminal with `script` (util-linux), so stdout is a tty.
fn run_in_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let which = Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .unwrap();
    assert!(
        which.status.success(),
        "this test needs `script` (util-linux / bsdutils); scripts/test-cli installs it"
    );
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_flagcore"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", &quoted.join(" "), "/dev/null"])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run script");
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn without_timing(s: &str) -> String {
    s.lines()
        .filter(|l| !l.trim_start().starts_with("took"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn colours_only_on_a_terminal_alignment_everywhere() {
    let ex = example();
    let sim = ["simulate", ex.as_str(), "--users", "3000", "--at", AT];
    let tty = run_in_terminal(&sim, &[]);
    assert!(tty.contains("\x1b["), "colour on a terminal:\n{tty}");
    let piped = run(&sim);
    assert!(!piped.stdout.contains('\x1b'), "no colour in a pipe");
    // Same text, same alignment: colour is the only difference.
    assert_eq!(
        without_timing(&strip_ansi(&tty)),
        without_timing(&piped.stdout)
    );

    // NO_COLOR is honoured on a terminal; --color always forces colour into a pipe.
    let no_color = run_in_terminal(&sim, &[("NO_COLOR", "1")]);
    assert!(!no_color.contains("\x1b["), "NO_COLOR:\n{no_color}");
    let forced = run(&[
        "simulate", &ex, "--users", "3000", "--at", AT, "--color", "always",
    ]);
    assert!(forced.stdout.contains("\x1b["));

    // The eval table is aligned: every row's columns start where the header's do.
    let tty = strip_ansi(&run_in_terminal(
        &["eval", &ex, "--key", "user-42", "--at", AT],
        &[],
    ));
    let lines: Vec<&str> = tty.lines().filter(|l| !l.trim().is_empty()).collect();
    let header = lines
        .iter()
        .position(|l| l.contains("FLAG") && l.contains("REASON"))
        .expect("table header");
    let col = |l: &str, name: &str| l.find(name).unwrap();
    let (value_at, reason_at) = (col(lines[header], "VALUE"), col(lines[header], "REASON"));
    let rows = &lines[header + 1..];
    assert_eq!(rows.len(), 5);
    for row in rows {
        let chars: Vec<char> = row.chars().collect();
        assert!(
            chars[value_at - 1] == ' ' && chars[value_at] != ' ',
            "VALUE column misaligned: {row:?}"
        );
        assert!(
            chars[reason_at - 1] == ' ' && chars[reason_at].is_ascii_uppercase(),
            "REASON column misaligned: {row:?}"
        );
    }
}

#[test]
fn simulate_caps_the_overlap_of_many_flags_and_reports_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let mut flags = serde_json::Map::new();
    for i in 0..102 {
        flags.insert(
            format!("flag-{i:03}"),
            json!({ "enabled": true, "default": { "split": [
                { "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 } ] } }),
        );
    }
    let config =
        json!({ "schemaVersion": 1, "segments": { "unused": { "keys": ["x"] } }, "flags": flags });
    let path = write(&dir, "many.json", &config.to_string());
    let r = run(&["simulate", &path, "--users", "2000", "--json"]);
    let j = r.json();
    // 102 flags tested: the threshold is 0.001 / 102 per flag, so flag-099 (p = 0.0008, a
    // false alarm at 0.001 per flag) is not a mismatch.
    assert_eq!(j["srmAlphaPerFlag"], 0.001 / 102.0);
    let p099 = flag(&j, "flag-099")["sampleRatio"]["pValue"]
        .as_f64()
        .unwrap();
    assert!(p099 < 0.001 && p099 > 0.001 / 102.0, "{p099}");
    assert_eq!(j["sampleRatioMismatches"], json!([]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(j["flags"].as_array().unwrap().len(), 102);
    assert_eq!(j["overlap"].as_array().unwrap().len(), 100 * 99 / 2);
    assert!(j["overlapNote"].as_str().unwrap().contains("first 100"));
    assert_eq!(j["warnings"][0]["code"], "unused_segment");
    // Human output: the 15 pairs that deviate most, and the warning on stderr.
    let r = run(&["simulate", &path, "--users", "2000"]);
    assert!(
        r.stdout.contains("4935 more pairs in --json"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("unused_segment"), "{}", r.stderr);
    let j = run(&["eval", &path, "--key", "u", "--json"]).json();
    assert_eq!(j["warnings"][0]["code"], "unused_segment");
}

#[test]
fn simulate_shows_no_overlap_within_a_layer_and_independence_outside() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "layers.json",
        r#"{"schemaVersion": 1,
          "layers": {"stt-experiments": {}},
          "flags": {
            "chunking-v2": {"enabled": true, "layer": {"name": "stt-experiments", "range": [0, 30]},
              "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}},
            "silero-vad": {"enabled": true, "layer": {"name": "stt-experiments", "range": [30, 70]},
              "default": {"variant": "on"}},
            "live-captions": {"enabled": true,
              "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}}}"#,
    );
    let r = run(&["simulate", &path, "--users", "20000", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let chunking = flag(&j, "chunking-v2");
    assert_eq!(
        chunking["layer"],
        json!({"name": "stt-experiments", "range": [0.0, 30.0]})
    );
    let outside = chunking["outsideLayer"].as_u64().unwrap();
    assert!((13_600..14_400).contains(&outside), "{outside}");
    // The users outside the range are not the default's: the 50/50 check still holds.
    assert_eq!(chunking["defaultUsers"].as_u64().unwrap(), 20_000 - outside);
    assert_eq!(j["sampleRatioMismatches"], json!([]));
    let pairs = j["overlap"].as_array().unwrap();
    let pair = |a: &str, b: &str| {
        pairs
            .iter()
            .find(|p| p["a"] == a && p["b"] == b)
            .unwrap_or_else(|| panic!("no pair {a} {b}"))
    };
    let same = pair("chunking-v2", "silero-vad");
    assert_eq!(same["bothUsers"], 0);
    assert!(same["note"]
        .as_str()
        .unwrap()
        .contains("same layer stt-experiments"));
    for other in ["chunking-v2", "silero-vad"] {
        let ratio = pair(other, "live-captions")["ratio"].as_f64().unwrap();
        assert!((0.9..1.1).contains(&ratio), "{other}: {ratio}");
    }
    let text = run(&["simulate", &path, "--users", "2000", "--color", "never"]).stdout;
    assert!(text.contains("layer stt-experiments [0, 30]"), "{text}");
    assert!(
        text.contains("outside its range of layer stt-experiments"),
        "{text}"
    );
}

#[test]
fn a_config_that_is_not_utf8_is_invalid_with_where() {
    // Not "unreadable" (exit 3): invalid (exit 1), with the byte offset, line and column.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, b"{\n  \"a\": \"\xc3\x28\"}").unwrap();
    let path = path.to_str().unwrap();
    let r = run(&["validate", path]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("error[invalid_utf8] $: byte 10 (line 2, column 9)"),
        "{}",
        r.stdout
    );
    let j = run(&["validate", "--json", path]).json();
    assert_eq!(j["files"][0]["errors"][0]["code"], "invalid_utf8", "{j}");
}
