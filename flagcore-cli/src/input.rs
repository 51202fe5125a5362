//! Reading files (`-` is stdin) and loading configs.

use std::io::Read;

use flagcore::{Config, ConfigError, Report};

use crate::error::CliError;

/// Reads a whole text file; `-` reads stdin.
pub fn read_text(path: &str) -> Result<String, CliError> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::read("stdin", e))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| CliError::read(path, e))
}

/// How a config file loaded.
#[derive(Debug)]
pub enum Loaded {
    /// It loads (maybe with warnings, see [`Config::warnings`]).
    Valid(Box<Config>),
    /// It does not; every problem is in the report.
    Invalid(Report),
}

/// Reads and validates a config file. I/O errors are errors; an invalid config is a
/// [`Loaded::Invalid`] result.
pub fn read_config(path: &str) -> Result<Loaded, CliError> {
    let text = read_text(path)?;
    Ok(match Config::from_json(&text) {
        Ok(config) => Loaded::Valid(Box::new(config)),
        Err(ConfigError::Invalid(report)) => Loaded::Invalid(report),
        Err(other) => Loaded::Invalid(Report {
            errors: other.problems(),
            warnings: Vec::new(),
        }),
    })
}

/// Reads a config that must be valid (for eval, simulate, diff): an invalid one is an
/// error. Warnings are printed on stderr unless `quiet`.
pub fn load_config(path: &str, quiet: bool) -> Result<Config, CliError> {
    match read_config(path)? {
        Loaded::Valid(config) => {
            if !quiet {
                for w in config.warnings() {
                    anstream::eprintln!(
                        "{}: {path}: {}",
                        crate::output::paint(crate::output::style::WARN, "warning"),
                        w
                    );
                }
            }
            Ok(*config)
        }
        Loaded::Invalid(report) => Err(CliError::InvalidConfig {
            path: path.to_owned(),
            report,
        }),
    }
}
