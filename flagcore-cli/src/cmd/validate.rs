//! `flagcore validate FILE...`: every error and warning with its JSON path.

use std::io::Write;

use flagcore::{Problem, Severity};
use serde::Serialize;

use crate::error::{CliError, CmdResult, Exit};
use crate::input::{read_config, Loaded};
use crate::output::{paint, plural, style, Output};

/// Check config files before they ship.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Exit code 1 when any file has an error (or, with --strict, a warning); 3 when a file cannot be read.

Examples:
  flagcore validate examples/speech-migration.json
  flagcore validate --json configs/*.json
  cat config.json | flagcore validate -
  flagcore validate --schema > flagcore.schema.json")]
pub struct Args {
    /// Config files (`-` reads stdin).
    #[arg(required_unless_present = "schema", value_name = "FILE")]
    pub files: Vec<String>,

    /// Treat warnings as findings too (exit 1).
    #[arg(long)]
    pub strict: bool,

    /// Print the config format's JSON Schema (for editors) instead of validating.
    #[arg(long, conflicts_with_all = ["files", "strict"])]
    pub schema: bool,
}

/// The JSON Schema of the config format (`schema/flagcore.schema.json`): it checks the
/// structure, `flagcore validate` everything. Read through the crate's symlink to it, so that
/// the file is inside the package `cargo package` makes.
pub const SCHEMA: &str = include_str!("../../flagcore.schema.json");

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FileReport {
    file: String,
    /// `valid`, `invalid` or `unreadable`.
    status: &'static str,
    flags: Option<usize>,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_error: Option<String>,
}

/// One problem as a line: `error[weights_sum] $.flags.x.default.split: ...`.
pub fn problem_line(p: &Problem) -> String {
    let (label, st) = match p.severity {
        Severity::Error => ("error", style::ERROR),
        Severity::Warning => ("warning", style::WARN),
    };
    format!(
        "{}{} {}: {}",
        paint(st, label),
        paint(style::DIM, format!("[{}]", p.code)),
        paint(style::HEADER, &p.path),
        p.message
    )
}

/// Runs `validate`.
pub fn run(args: &Args, out: &mut Output) -> CmdResult {
    if args.schema {
        // The same text with or without --json: the schema is a JSON document.
        out.write_all(SCHEMA.as_bytes())?;
        return Ok(Exit::Ok);
    }
    let mut reports = Vec::with_capacity(args.files.len());
    let mut exit = Exit::Ok;
    for file in &args.files {
        let report = match read_config(file) {
            Ok(Loaded::Valid(config)) => FileReport {
                file: file.clone(),
                status: "valid",
                flags: Some(config.len()),
                errors: Vec::new(),
                warnings: config.warnings().to_vec(),
                read_error: None,
            },
            Ok(Loaded::Invalid(report)) => FileReport {
                file: file.clone(),
                status: "invalid",
                flags: None,
                errors: report.errors,
                warnings: report.warnings,
                read_error: None,
            },
            Err(e @ CliError::Io { .. }) => FileReport {
                file: file.clone(),
                status: "unreadable",
                flags: None,
                errors: Vec::new(),
                warnings: Vec::new(),
                read_error: Some(e.to_string()),
            },
            Err(other) => return Err(other),
        };
        let file_exit = match report.status {
            "unreadable" => Exit::Io,
            "invalid" => Exit::Findings,
            _ if args.strict && !report.warnings.is_empty() => Exit::Findings,
            _ => Exit::Ok,
        };
        exit = exit.max(file_exit);
        reports.push(report);
    }

    if out.json {
        out.json_value(&serde_json::json!({
            "valid": reports.iter().all(|r| r.status == "valid"),
            "strict": args.strict,
            "exitCode": exit.code(),
            "files": reports,
        }))?;
        return Ok(exit);
    }
    for r in &reports {
        let summary = match r.status {
            "valid" => format!(
                "{} ({}, {})",
                paint(style::OK, "valid"),
                plural(r.flags.unwrap_or(0) as u64, "flag"),
                plural(r.warnings.len() as u64, "warning")
            ),
            "invalid" => format!(
                "{} ({}, {})",
                paint(style::ERROR, "invalid"),
                plural(r.errors.len() as u64, "error"),
                plural(r.warnings.len() as u64, "warning")
            ),
            _ => format!(
                "{} ({})",
                paint(style::ERROR, "unreadable"),
                r.read_error.as_deref().unwrap_or("")
            ),
        };
        writeln!(out, "{}: {summary}", paint(style::HEADER, &r.file))?;
        for p in r.errors.iter().chain(&r.warnings) {
            writeln!(out, "  {}", problem_line(p))?;
        }
    }
    if reports.len() > 1 {
        let bad = reports.iter().filter(|r| r.status != "valid").count();
        writeln!(
            out,
            "{} of {} files valid",
            reports.len() - bad,
            reports.len()
        )?;
    }
    Ok(exit)
}
