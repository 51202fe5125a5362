//! What can go wrong, and the exit code each failure maps to.

use std::io;

use flagcore::Report;

/// The process exit codes (stable: CI scripts match on them; see docs/cli.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything is fine.
    Ok = 0,
    /// The input is wrong or the command found something: an invalid config, a
    /// sample-ratio mismatch, an env file that does not convert, `diff --exit-code` with
    /// changes.
    Findings = 1,
    /// The command line is wrong: unknown option, bad `--attr`, bad `--at`, unknown flag.
    Usage = 2,
    /// A file could not be read or written.
    Io = 3,
    /// flagcore itself failed (a bug: please report it).
    Internal = 4,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A failure that ends the command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A bad argument (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written (exit 3).
    #[error("{what}: {source}")]
    Io {
        /// What was being done, with the path.
        what: String,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A config that does not load (exit 1).
    #[error("{path} is not a valid config ({})", plural_errors(report.errors.len()))]
    InvalidConfig {
        /// The file.
        path: String,
        /// Every problem found.
        report: Report,
    },
    /// Input that is not a config but is wrong, e.g. an env file (exit 1).
    #[error("{message}")]
    InvalidInput {
        /// One line summary.
        message: String,
        /// One line per problem.
        details: Vec<String>,
    },
    /// An input over the byte limit (exit 1, `too_large`): reading stopped there.
    #[error("{what} is {}", over_limit(*size, *limit))]
    TooLarge {
        /// The file (`stdin` for `-`).
        what: String,
        /// Its length when known (a regular file), else `None`: reading stopped after
        /// `limit + 1` bytes.
        size: Option<u64>,
        /// The limit in bytes.
        limit: usize,
    },
    /// Writing the output failed (exit 3; a closed pipe ends quietly with 0).
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    /// A bug in flagcore (exit 4).
    #[error("{0}")]
    Internal(String),
}

/// `70000000 bytes, over the limit of 67108864 bytes` (the core's words), or `over the
/// limit of 67108864 bytes (reading stopped after 67108865)` when the length is unknown.
pub fn over_limit(size: Option<u64>, limit: usize) -> String {
    match size {
        Some(size) => format!("{size} bytes, over the limit of {limit} bytes"),
        None => format!(
            "over the limit of {limit} bytes (reading stopped after {})",
            limit.saturating_add(1)
        ),
    }
}

/// `1 error`, `2 errors`.
fn plural_errors(n: usize) -> String {
    format!("{n} error{}", if n == 1 { "" } else { "s" })
}

impl CliError {
    /// The exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_) => Exit::Usage,
            CliError::Io { .. } => Exit::Io,
            CliError::InvalidConfig { .. }
            | CliError::InvalidInput { .. }
            | CliError::TooLarge { .. } => Exit::Findings,
            CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => Exit::Ok,
            CliError::Output(_) => Exit::Io,
            CliError::Internal(_) => Exit::Internal,
        }
    }

    /// A short machine-readable name for `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Io { .. } => "io",
            CliError::InvalidConfig { .. } => "invalid_config",
            CliError::InvalidInput { .. } => "invalid_input",
            CliError::TooLarge { .. } => "too_large",
            CliError::Output(_) => "output",
            CliError::Internal(_) => "internal",
        }
    }

    /// The error as JSON: `{"error": {"kind", "message", "exitCode", "problems"?}}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "kind": self.kind(),
            "message": self.to_string(),
            "exitCode": self.exit().code(),
        });
        match self {
            CliError::InvalidConfig { path, report } => {
                error["file"] = path.as_str().into();
                error["problems"] = serde_json::to_value(report.problems().collect::<Vec<_>>())
                    .unwrap_or(serde_json::Value::Null);
            }
            CliError::TooLarge { what, size, limit } => {
                error["file"] = what.as_str().into();
                error["size"] = (*size).into();
                error["limit"] = (*limit).into();
            }
            CliError::InvalidInput { details, .. } => {
                error["details"] = serde_json::to_value(details).unwrap_or(serde_json::Value::Null);
            }
            _ => {}
        }
        serde_json::json!({ "error": error })
    }

    /// Reading `path` failed.
    pub fn read(path: &str, source: io::Error) -> CliError {
        CliError::Io {
            what: format!("cannot read {path}"),
            source,
        }
    }
}

/// The result of a command: the exit code to end with.
pub type CmdResult = Result<Exit, CliError>;
