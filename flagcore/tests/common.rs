//! Helpers shared by the integration tests.
#![allow(dead_code)]

use flagcore::{Config, ConfigError, Problem};

pub const EXAMPLE: &str = include_str!("../../examples/speech-migration.json");

/// The errors of an invalid config, as (code, path) pairs.
pub fn errors(text: &str) -> Vec<(String, String)> {
    match Config::from_json(text) {
        Ok(_) => panic!("config should be invalid:\n{text}"),
        Err(ConfigError::Invalid(report)) => report
            .errors
            .iter()
            .map(|p: &Problem| (p.code.as_str().to_owned(), p.path.clone()))
            .collect(),
        Err(other) => other
            .problems()
            .iter()
            .map(|p| (p.code.as_str().to_owned(), p.path.clone()))
            .collect(),
    }
}

/// A config with one flag given as JSON text, plus optional segments.
pub fn one_flag(flag: &str, segments: &str) -> String {
    format!(r#"{{"schemaVersion": 1, "segments": {{{segments}}}, "flags": {{"f": {flag}}}}}"#)
}

/// Deterministic user IDs for statistical tests.
pub fn user_id(i: u64) -> String {
    format!("user-{i}")
}
