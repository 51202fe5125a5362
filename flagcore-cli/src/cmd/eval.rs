//! `flagcore eval FILE --key USER`: what one user gets, and why.

use std::io::Write;

use flagcore::{Config, Evaluation, Reason};

use crate::args::{ContextArgs, EvalTime};
use crate::error::{CliError, CmdResult, Exit};
use crate::input::load_config;
use crate::output::{paint, style, Align, Cell, Output, Table};

/// Evaluate flags for one user.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  flagcore eval examples/speech-migration.json --key user-42 --at 2026-12-01T12:00:00Z
  flagcore eval examples/speech-migration.json --key user-42 --attr appVersion=2.2.0 --flag speechmatics-direct
  flagcore eval examples/speech-migration.json --key user-42 --attr email=ana@company.example --json")]
pub struct Args {
    /// The config file (`-` reads stdin).
    #[arg(value_name = "FILE")]
    pub file: String,

    /// The user's targeting key (the user ID).
    #[arg(long, value_name = "USER")]
    pub key: String,

    /// Only this flag (repeat for several). Default: every flag, in config order.
    #[arg(long = "flag", value_name = "KEY")]
    pub flags: Vec<String>,

    #[command(flatten)]
    pub context: ContextArgs,
}

/// Why a flag served what it served, in words.
pub fn explain(e: &Evaluation<'_>, config: &Config) -> String {
    let bucket = |b: u32| format!("bucket {b} ({}.{:03}%)", b / 1000, b % 1000);
    match e.reason {
        Reason::Off => "the flag is switched off (enabled: false)".to_owned(),
        Reason::TargetingMatch => {
            let mut s = format!("rules[{}]", e.rule_index.unwrap_or(0));
            if let Some(id) = e.rule_id {
                s.push_str(&format!(" {id:?}"));
            }
            s.push_str(" matched");
            if let Some(b) = e.bucket {
                s.push_str(&format!(", {} of its split", bucket(b)));
            }
            s
        }
        Reason::Split => match e.bucket {
            Some(b) => format!("{} of the default split", bucket(b)),
            None => "the default split".to_owned(),
        },
        Reason::Default => "no rule matched: the default".to_owned(),
        Reason::PrerequisiteFailed => format!(
            "prerequisite {:?} does not serve a required variant",
            e.prerequisite.unwrap_or("?")
        ),
        Reason::Override => "a store override".to_owned(),
        _ => {
            let code = e.error.map(|c| c.as_str()).unwrap_or("ERROR");
            let hint = match e.error {
                Some(flagcore::ErrorCode::TargetingKeyMissing) => {
                    let by = config
                        .flag(e.flag_key)
                        .map(|f| f.bucket_by())
                        .unwrap_or("key");
                    format!(": the flag splits by {by:?}; pass --attr {by}=...")
                }
                Some(flagcore::ErrorCode::FlagNotFound) => ": no such flag".to_owned(),
                _ => String::new(),
            };
            format!("{code}{hint}")
        }
    }
}

/// Runs `eval`.
pub fn run(args: &Args, out: &mut Output) -> CmdResult {
    let config = load_config(&args.file, out.json)?;
    let time = EvalTime::resolve(args.context.at);
    let mut ctx = args.context.base_context()?;
    ctx.set_key(args.key.as_str());
    if args.key.is_empty() {
        return Err(CliError::Usage("--key must not be empty".into()));
    }
    for key in &args.flags {
        if config.flag(key).is_none() {
            let known: Vec<&str> = config.flags().map(|f| f.key()).collect();
            return Err(CliError::Usage(format!(
                "no flag {key:?} in {}; its flags are: {}",
                args.file,
                known.join(", ")
            )));
        }
    }
    // Always the resolved time (--at, or the clock read once by EvalTime), never At::Now.
    let at = config.at(time.millis);
    let evaluations: Vec<Evaluation<'_>> = if args.flags.is_empty() {
        at.evaluate_all(&ctx).collect()
    } else {
        args.flags.iter().map(|k| at.evaluate(k, &ctx)).collect()
    };

    if out.json {
        let list: Vec<serde_json::Value> = evaluations
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e.to_details()).unwrap_or_default();
                v["explanation"] = explain(e, &config).into();
                v
            })
            .collect();
        let mut context = serde_json::Map::new();
        context.insert("key".into(), args.key.as_str().into());
        if let serde_json::Value::Object(attrs) = args.context.attrs_json() {
            context.extend(attrs);
        }
        out.json_value(&serde_json::json!({
            "file": args.file,
            "time": time.to_json(),
            "context": context,
            "evaluations": list,
            "warnings": config.warnings(),
        }))?;
        return Ok(Exit::Ok);
    }

    if let Some(hint) = time.seconds_hint() {
        anstream::eprintln!("{}: {hint}", paint(style::WARN, "warning"));
    }
    let attrs = args.context.attrs_text();
    writeln!(out, "{}   {}", paint(style::HEADER, "config"), args.file)?;
    writeln!(
        out,
        "{}     {}{}",
        paint(style::HEADER, "user"),
        args.key,
        if attrs.is_empty() {
            String::new()
        } else {
            format!("  {attrs}")
        }
    )?;
    writeln!(
        out,
        "{}     {}",
        paint(style::HEADER, "time"),
        time.describe()
    )?;
    writeln!(out)?;
    let mut table = Table::new(&[
        ("FLAG", Align::Left),
        ("VALUE", Align::Left),
        ("VARIANT", Align::Left),
        ("REASON", Align::Left),
        ("WHY", Align::Left),
    ]);
    for e in &evaluations {
        let reason_style = match e.reason {
            Reason::Error => style::ERROR,
            Reason::Off | Reason::PrerequisiteFailed => style::DIM,
            _ => style::PLAIN,
        };
        let value = e.value_json.unwrap_or("null");
        let value = if value.chars().count() > 40 {
            format!("{}…", value.chars().take(39).collect::<String>())
        } else {
            value.to_owned()
        };
        table.row(vec![
            Cell::styled(e.flag_key, style::FLAG),
            Cell::new(value),
            Cell::styled(e.variant.unwrap_or("-"), style::VARIANT),
            Cell::styled(e.reason.as_str(), reason_style),
            Cell::new(explain(e, &config)),
        ]);
    }
    out.table(&table)?;
    Ok(Exit::Ok)
}
