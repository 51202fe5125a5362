//! What can go wrong, and the exit code each failure maps to.

use std::fmt;
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
#[derive(Debug)]
pub enum CliError {
    /// A bad argument (exit 2).
    Usage(String),
    /// A file could not be read or written (exit 3).
    Io {
        /// What was being done, with the path.
        what: String,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A config that does not load (exit 1).
    InvalidConfig {
        /// The file.
        path: String,
        /// Every problem found.
        report: Report,
    },
    /// Input that is not a config but is wrong, e.g. an env file (exit 1).
    InvalidInput {
        /// One line summary.
        message: String,
        /// One line per problem.
        details: Vec<String>,
    },
    /// Writing the output failed (exit 3; a closed pipe ends quietly with 0).
    Output(io::Error),
    /// A bug in flagcore (exit 4).
    Internal(String),
}

impl CliError {
    /// The exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_) => Exit::Usage,
            CliError::Io { .. } => Exit::Io,
            CliError::InvalidConfig { .. } | CliError::InvalidInput { .. } => Exit::Findings,
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

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Internal(m) => f.write_str(m),
            CliError::Io { what, source } => write!(f, "{what}: {source}"),
            CliError::InvalidConfig { path, report } => {
                let n = report.errors.len();
                write!(
                    f,
                    "{path} is not a valid config ({n} error{})",
                    if n == 1 { "" } else { "s" }
                )
            }
            CliError::InvalidInput { message, .. } => f.write_str(message),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        CliError::Output(e)
    }
}

/// The result of a command: the exit code to end with.
pub type CmdResult = Result<Exit, CliError>;
