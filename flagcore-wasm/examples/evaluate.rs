//! The Rust side of the JS tests: evaluates every flag of a config for a list of users with
//! the core directly, and prints the answers the JS package must reproduce.
//!
//! ```text
//! cargo run -p flagcore-wasm --example evaluate -- CONFIG.json USERS.json > expected.json
//! ```
//!
//! `USERS.json` is `[{"context": {"key": "user-1", ...}, "at": <Unix ms> | null}, ...]`
//! (`null`: no time, `At::Unset`, as JS `{ at: null }`); the output is one object per user,
//! flag key → the core's `EvaluationDetails` (camelCase JSON).

use std::process::ExitCode;

use flagcore::{At, Config, Context};
use serde_json::{Map, Value};

fn run(config_path: &str, users_path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(config_path).map_err(|e| format!("{config_path}: {e}"))?;
    let config = Config::from_json(&text).map_err(|e| format!("{config_path}: {e}"))?;
    let users = std::fs::read_to_string(users_path).map_err(|e| format!("{users_path}: {e}"))?;
    let users: Vec<Value> =
        serde_json::from_str(&users).map_err(|e| format!("{users_path}: {e}"))?;
    let mut out = Vec::with_capacity(users.len());
    for (i, user) in users.iter().enumerate() {
        let ctx = Context::from_value(&user["context"]).map_err(|e| format!("user {i}: {e}"))?;
        let mut answers = Map::new();
        for e in config.at(At::from(user["at"].as_i64())).evaluate_all(&ctx) {
            let details = serde_json::to_value(e.to_details()).map_err(|e| e.to_string())?;
            answers.insert(e.flag_key.to_owned(), details);
        }
        out.push(Value::Object(answers));
    }
    serde_json::to_string(&out).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, users] = args.as_slice() else {
        eprintln!("usage: evaluate CONFIG.json USERS.json");
        return ExitCode::from(2);
    };
    match run(config, users) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("evaluate: {e}");
            ExitCode::FAILURE
        }
    }
}
