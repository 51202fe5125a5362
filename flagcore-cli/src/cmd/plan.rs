//! `flagcore plan FILE --flag KEY --metrics METRICS.json --at TIME`: what the flag's
//! rollout plan decides (advance, hold or roll back) and why. The decision is the core's
//! (`flagcore::plan::decide`); this module reads files and prints.

use std::io::Write;

use flagcore::plan::{self, CheckStatus, Decision, MetricKind, PlanError, PlanInput, Threshold};

use crate::args::{parse_at, EvalTime};
use crate::error::{CliError, CmdResult, Exit};
use crate::input::{load_config, read_text};
use crate::output::{paint, style, Align, Cell, Output, Table};

/// Decide a rollout plan's next step from metrics.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
The metrics file (docs/rollouts.md):
  {\"stageStartedAt\": \"2026-11-23T09:00:00Z\", \"exposed\": 4200, \"samples\": [
    {\"at\": \"2026-11-24T08:59:00Z\",
     \"canary\":  {\"error_rate\": {\"count\": 200, \"failures\": 2}, \"response_time\": {\"count\": 200, \"p95\": 1800}},
     \"control\": {\"error_rate\": {\"count\": 3800, \"failures\": 41}}}]}
  \"stage\" is read from the config's default split when left out; \"now\" may be given instead of --at.

Examples:
  flagcore plan examples/speech-migration.json --flag speechmatics-direct --metrics metrics.json --at 2026-11-24T09:00:00Z
  flagcore plan examples/speech-migration.json --flag speechmatics-direct --metrics - --json < metrics.json
  flagcore plan examples/speech-migration.json --flag speechmatics-direct --metrics metrics.json --exit-code || rollback.sh")]
pub struct Args {
    /// The config file (`-` reads stdin).
    #[arg(value_name = "FILE")]
    pub file: String,

    /// The flag whose plan decides.
    #[arg(long, value_name = "KEY")]
    pub flag: String,

    /// The metrics and rollout state, as JSON (`-` reads stdin).
    #[arg(long, value_name = "METRICS.json")]
    pub metrics: String,

    /// The time of the decision: RFC 3339 or Unix milliseconds. Default: the metrics'
    /// "now", else this machine's clock.
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<i64>,

    /// The current stage (0 is the first), instead of the metrics' "stage" or the config.
    #[arg(long, value_name = "N")]
    pub stage: Option<usize>,

    /// Exit with 1 when the decision is ROLL_BACK (for scripts).
    #[arg(long)]
    pub exit_code: bool,
}

/// Runs `plan`.
pub fn run(args: &Args, out: &mut Output) -> CmdResult {
    if args.file == "-" && args.metrics == "-" {
        return Err(CliError::Usage(
            "the config and the metrics cannot both come from stdin".into(),
        ));
    }
    let config = load_config(&args.file, out.json)?;
    let Some(info) = config.flag(&args.flag) else {
        return Err(CliError::Usage(format!(
            "no flag {:?} in {}; flags with a plan: {}",
            args.flag,
            args.file,
            with_plans(&config)
        )));
    };
    let Some(the_plan) = info.plan() else {
        return Err(CliError::Usage(format!(
            "flag {:?} has no \"plan\" in {}; flags with a plan: {}",
            args.flag,
            args.file,
            with_plans(&config)
        )));
    };
    let text = read_text(&args.metrics)?;
    let (mut input, time) = match PlanInput::from_json(&text, args.at) {
        Ok(input) => {
            let source = if args.at.is_some() {
                EvalTime::resolve(args.at)
            } else {
                EvalTime::resolve(Some(input.now))
            };
            (input, source)
        }
        Err(PlanError::MissingTime) => {
            let time = EvalTime::resolve(None);
            (
                PlanInput::from_json(&text, Some(time.millis)).map_err(|e| bad_metrics(args, e))?,
                time,
            )
        }
        Err(e) => return Err(bad_metrics(args, e)),
    };
    if args.stage.is_some() {
        input.stage = args.stage;
    }
    let outcome = plan::decide(&config, &args.flag, &input).map_err(|e| match e {
        PlanError::StageOutOfRange { .. } | PlanError::UnknownStage { .. } => {
            CliError::Usage(format!("{e} (or --stage N)"))
        }
        other => bad_metrics(args, other),
    })?;
    let exit = match (&outcome.decision, args.exit_code) {
        (Decision::RollBack { .. }, true) => Exit::Findings,
        _ => Exit::Ok,
    };

    if out.json {
        let mut v =
            serde_json::to_value(&outcome).map_err(|e| CliError::Internal(e.to_string()))?;
        v["file"] = args.file.as_str().into();
        v["flag"] = args.flag.as_str().into();
        v["time"] = time.to_json();
        out.json_value(&v)?;
        return Ok(exit);
    }

    let stages: Vec<String> = the_plan
        .stages()
        .iter()
        .map(|s| format!("{}%", thousandths(s.percentage)))
        .collect();
    writeln!(out, "{}   {}", paint(style::HEADER, "config"), args.file)?;
    writeln!(
        out,
        "{}     {}  (plan {}: {})",
        paint(style::HEADER, "flag"),
        args.flag,
        the_plan.variant(),
        stages.join(" → ")
    )?;
    writeln!(
        out,
        "{}     {}",
        paint(style::HEADER, "time"),
        time.describe()
    )?;
    let (word, word_style) = match &outcome.decision {
        Decision::Advance { .. } => ("ADVANCE", style::OK),
        Decision::Hold { .. } => ("HOLD", style::WARN),
        Decision::RollBack { .. } => ("ROLL_BACK", style::ERROR),
    };
    writeln!(
        out,
        "{} {}  {}",
        paint(style::HEADER, "decision"),
        paint(word_style, word),
        outcome.message
    )?;
    writeln!(out)?;
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("METRIC", Align::Left),
        ("STATUS", Align::Left),
        ("CANARY", Align::Right),
        ("CONTROL", Align::Right),
        ("LIMIT", Align::Right),
        ("SAMPLES", Align::Right),
        ("WINDOW", Align::Right),
        ("SEVERITY", Align::Left),
    ]);
    for (check, g) in outcome.checks.iter().zip(the_plan.guardrails()) {
        let value = |v: Option<f64>| match (v, check.kind) {
            (None, _) => "-".to_owned(),
            (Some(v), MetricKind::Proportion) => format!("{:.2}%", v * 100.0),
            (Some(v), MetricKind::Latency) => format!("{v:.0} ms"),
        };
        let limit = match g.threshold {
            Threshold::Absolute(_) => value(check.threshold),
            Threshold::RelativeToControl(r) => format!("{} ({r}×)", value(check.threshold)),
        };
        let (status, status_style) = match check.status {
            CheckStatus::Healthy => ("healthy", style::OK),
            CheckStatus::Breached => ("BREACHED", style::ERROR),
            _ => ("too few samples", style::WARN),
        };
        let metric = match check.kind {
            MetricKind::Latency => format!("{} {}", check.metric, g.statistic.as_str()),
            MetricKind::Proportion => check.metric.clone(),
        };
        table.row(vec![
            Cell::new(check.guardrail.to_string()),
            Cell::new(metric),
            Cell::styled(status, status_style),
            Cell::new(value(check.canary.value)),
            Cell::new(check.control.map_or("-".to_owned(), |c| value(c.value))),
            Cell::new(limit),
            Cell::new(format!("{}/{}", check.canary.samples, g.min_samples)),
            Cell::new(plan::format_duration(g.window_ms)),
            Cell::new(format!("{} → {}", g.severity.as_str(), action(g.action))),
        ]);
    }
    out.table(&table)?;
    Ok(exit)
}

fn action(a: plan::Action) -> &'static str {
    match a {
        plan::Action::RollBack => "rollback",
        plan::Action::Hold => "hold",
    }
}

fn thousandths(t: u32) -> String {
    if t % 1000 == 0 {
        (t / 1000).to_string()
    } else {
        format!("{}.{:03}", t / 1000, t % 1000)
            .trim_end_matches('0')
            .to_owned()
    }
}

fn with_plans(config: &flagcore::Config) -> String {
    let keys: Vec<&str> = config
        .flags()
        .filter(|f| f.plan().is_some())
        .map(|f| f.key())
        .collect();
    if keys.is_empty() {
        "none".to_owned()
    } else {
        keys.join(", ")
    }
}

fn bad_metrics(args: &Args, e: PlanError) -> CliError {
    CliError::InvalidInput {
        message: format!("{} is not usable plan input", args.metrics),
        details: vec![e.to_string()],
    }
}
