//! `flagcore`: check, evaluate, simulate and compare flagcore configs on the command line
//! and in CI, offline. See docs/cli.md.
//!
//! Each subcommand lives in its own module under `cmd/` with its clap `Args` and a `run`
//! function; shared pieces (arguments, input, output, the parallel population runner,
//! statistics) are modules of their own. To add a subcommand, add a module and one
//! variant to [`Command`].
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![forbid(unsafe_code)]

mod args;
mod cmd;
mod error;
mod input;
mod output;
mod population;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{CliError, Exit};
use crate::output::Output;

const EXAMPLES: &str = "\
Examples:
  flagcore validate examples/speech-migration.json
  flagcore eval examples/speech-migration.json --key user-42 --attr appVersion=2.4.0 --at 2026-12-01T12:00:00Z
  flagcore simulate examples/speech-migration.json --users 100000 --at 2026-12-01T12:00:00Z
  flagcore diff old.json new.json --users 100000
  flagcore import-env examples/env/speech-migration.env --canary-flag speechmatics-direct
  flagcore plan examples/speech-migration.json --flag speechmatics-direct --metrics metrics.json --at 2026-11-24T09:00:00Z

Exit codes: 0 ok · 1 invalid config or findings · 2 usage error · 3 file not readable/writable · 4 internal error";

/// Check, evaluate, simulate and compare feature-flag configs, offline.
#[derive(Debug, Parser)]
#[command(name = "flagcore", version, after_help = EXAMPLES, propagate_version = true)]
struct Cli {
    /// Print one JSON document on stdout instead of the human report.
    #[arg(long, global = true)]
    json: bool,

    /// When to colour the human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check config files: every error and warning with its JSON path.
    Validate(cmd::validate::Args),
    /// What does one user get, and why (rule, bucket, prerequisite)?
    Eval(cmd::eval::Args),
    /// Evaluate every flag for many users: shares, expected shares, sample-ratio check,
    /// audience overlap.
    Simulate(cmd::simulate::Args),
    /// The blast radius of a config change: which users change value, in which direction.
    Diff(cmd::diff::Args),
    /// Convert the migration's EXPO_PUBLIC_* environment flags into a flagcore config.
    ImportEnv(cmd::import_env::Args),
    /// What a flag's rollout plan decides from metrics (advance, hold, roll back) and why.
    Plan(cmd::plan::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    anstream::ColorChoice::write_global(match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    let mut out = Output::stdout(cli.json);
    let result = match &cli.command {
        Command::Validate(args) => cmd::validate::run(args, &mut out),
        Command::Eval(args) => cmd::eval::run(args, &mut out),
        Command::Simulate(args) => cmd::simulate::run(args, &mut out),
        Command::Diff(args) => cmd::diff::run(args, &mut out),
        Command::ImportEnv(args) => cmd::import_env::run(args, &mut out),
        Command::Plan(args) => cmd::plan::run(args, &mut out),
    };
    let exit = match result {
        Ok(exit) => exit,
        Err(err) => report(&err, &mut out),
    };
    let _ = std::io::Write::flush(&mut out);
    ExitCode::from(exit.code())
}

/// Prints a failure: as JSON on stdout with `--json`, else on stderr.
fn report(err: &CliError, out: &mut Output) -> Exit {
    let exit = err.exit();
    if exit == Exit::Ok {
        return exit; // stdout was closed (`| head`): nothing to say.
    }
    if out.json && !matches!(err, CliError::Output(_)) && out.json_value(&err.to_json()).is_ok() {
        return exit;
    }
    use output::{paint, style};
    let label = match err {
        CliError::TooLarge { .. } => "error[too_large]",
        _ => "error",
    };
    anstream::eprintln!("{}: {err}", paint(style::ERROR, label));
    match err {
        CliError::InvalidConfig { report, .. } => {
            for p in report.problems() {
                anstream::eprintln!("  {}", cmd::validate::problem_line(p));
            }
        }
        CliError::InvalidInput { details, .. } => {
            for d in details {
                anstream::eprintln!("  {d}");
            }
        }
        _ => {}
    }
    exit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
