//! Every input is read up to the core's limit and no further (issue 13): `/dev/zero` and
//! an endless pipe are refused with `too_large` (exit 1), quickly and in bounded memory.
//!
//! Each run is under `prlimit --as` (util-linux): an address space of 256 MiB holds the
//! 64 MiB input buffer and the program, but not a read that keeps growing (reading the
//! whole input first ran out of it and exited 3 "unreadable"). A run that takes longer
//! than a minute is killed and fails the test.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The address space each run may use.
const ADDRESS_SPACE: u64 = 256 * 1024 * 1024;
/// How long a run may take.
const DEADLINE: Duration = Duration::from_secs(60);

fn limit() -> usize {
    flagcore::Limits::default().max_bytes
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/speech-migration.json")
        .display()
        .to_string()
}

/// What stdin the run gets.
#[derive(Debug, Clone, Copy)]
enum Input {
    /// None (`/dev/null`).
    Nothing,
    /// A pipe that a thread of this test fills with zeros until the CLI closes it.
    Endless,
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Exit 1 and `too_large` in the output.
    fn assert_too_large(&self) {
        assert_eq!(self.code, 1, "exit code: {self:?}");
        assert!(
            self.stdout.contains("too_large") || self.stderr.contains("too_large"),
            "no too_large: {self:?}"
        );
        assert!(self.elapsed < DEADLINE, "took {:?}", self.elapsed);
    }
}

/// Runs `flagcore ARGS` under `prlimit --as`, with `input` as stdin.
fn run(args: &[&str], input: Input) -> Run {
    let bin: PathBuf = env!("CARGO_BIN_EXE_flagcore").into();
    let started = Instant::now();
    let mut child = Command::new("prlimit")
        .arg(format!("--as={ADDRESS_SPACE}"))
        .arg("--")
        .arg(&bin)
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(match input {
            Input::Nothing => Stdio::null(),
            Input::Endless => Stdio::piped(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run prlimit (util-linux) with flagcore");
    let writer = child.stdin.take().map(|mut stdin| {
        std::thread::spawn(move || {
            let zeros = vec![0u8; 64 * 1024];
            let mut written = 0u64;
            // Until the CLI exits and the pipe breaks.
            while stdin.write_all(&zeros).is_ok() {
                written += zeros.len() as u64;
            }
            written
        })
    });
    let (stdout, stderr) = (read_all(&mut child, true), read_all(&mut child, false));
    let status = wait(&mut child, started);
    if let Some(writer) = writer {
        let written = writer.join().expect("writer thread");
        assert!(written > limit() as u64 / 2, "only {written} bytes went in");
    }
    Run {
        code: status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed: started.elapsed(),
    }
}

fn read_all(child: &mut Child, stdout: bool) -> std::thread::JoinHandle<String> {
    let mut pipe: Box<dyn Read + Send> = if stdout {
        Box::new(child.stdout.take().expect("stdout"))
    } else {
        Box::new(child.stderr.take().expect("stderr"))
    };
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// The exit code, or a failed test after [`DEADLINE`] (the child is killed first).
fn wait(child: &mut Child, started: Instant) -> i32 {
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("flagcore ran for over {DEADLINE:?}: the read is not bounded");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn validate_dev_zero_is_too_large() {
    let r = run(&["validate", "/dev/zero"], Input::Nothing);
    r.assert_too_large();
    assert!(r.stdout.contains("/dev/zero: invalid (1 error"), "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("over the limit of {} bytes", limit())),
        "{r:?}"
    );
}

#[test]
fn validate_an_endless_stdin_is_too_large() {
    let r = run(&["validate", "--json", "-"], Input::Endless);
    r.assert_too_large();
    let v = r.json();
    assert_eq!(v["valid"], false);
    assert_eq!(v["files"][0]["status"], "invalid");
    assert_eq!(v["files"][0]["errors"][0]["code"], "too_large");
    assert_eq!(v["files"][0]["errors"][0]["path"], "$");
}

#[test]
fn every_other_input_is_bounded_too() {
    let ex = example();
    // A config for eval, simulate, diff and plan: the core's too_large problem.
    for args in [
        vec!["eval", "/dev/zero", "--key", "u"],
        vec!["simulate", "/dev/zero"],
        vec!["diff", &ex, "/dev/zero"],
        vec!["plan", "/dev/zero", "--flag", "f", "--metrics", "m.json"],
    ] {
        let mut args = args;
        args.push("--json");
        let r = run(&args, Input::Nothing);
        r.assert_too_large();
        let v = r.json();
        assert_eq!(v["error"]["kind"], "invalid_config", "{args:?}");
        assert_eq!(v["error"]["problems"][0]["code"], "too_large", "{args:?}");
    }
    // Inputs that are not configs: --ids, plan metrics, env files.
    let flag = "speechmatics-direct";
    for (args, input) in [
        (vec!["simulate", &ex, "--ids", "/dev/zero"], Input::Nothing),
        (vec!["diff", &ex, &ex, "--ids", "-"], Input::Endless),
        (
            vec!["plan", &ex, "--flag", flag, "--metrics", "-"],
            Input::Endless,
        ),
        (vec!["import-env", "/dev/zero"], Input::Nothing),
    ] {
        let r = run(&args, input);
        r.assert_too_large();
        assert!(
            r.stderr.starts_with("error[too_large]: "),
            "{args:?}: {r:?}"
        );
        let mut args = args;
        args.push("--json");
        let r = run(&args, input);
        r.assert_too_large();
        let v = r.json();
        assert_eq!(v["error"]["kind"], "too_large", "{args:?}");
        assert_eq!(v["error"]["limit"], limit(), "{args:?}");
        assert_eq!(v["error"]["exitCode"], 1, "{args:?}");
    }
}

#[test]
fn the_limit_is_inclusive_and_a_long_file_is_refused_by_its_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Sparse files of NUL bytes: exactly the limit is read (and is not JSON)...
    let at = dir.path().join("at-limit.json");
    std::fs::File::create(&at)
        .and_then(|f| f.set_len(limit() as u64))
        .expect("sparse file");
    let r = run(
        &["validate", "--json", at.to_str().expect("utf-8 path")],
        Input::Nothing,
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json()["files"][0]["errors"][0]["code"], "json_syntax");
    // ...one byte more is refused with its size, as the core words it.
    let over = dir.path().join("over-limit.json");
    std::fs::File::create(&over)
        .and_then(|f| f.set_len(limit() as u64 + 1))
        .expect("sparse file");
    let r = run(
        &["validate", over.to_str().expect("utf-8 path")],
        Input::Nothing,
    );
    r.assert_too_large();
    let core = flagcore::ConfigError::TooLarge {
        size: limit() + 1,
        limit: limit(),
    };
    assert!(r.stdout.contains(&core.to_string()), "{r:?}");
}
