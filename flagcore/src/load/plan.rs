//! Compiling a flag's rollout `plan`: stages and guardrails.

use crate::error::ProblemCode;
use crate::json::{q, Json, Path};
use crate::message::{msg, Listed};
use crate::model::plan::*;
use crate::units::parse_duration;

use super::checker::{non_empty_array, percentage, Checker, Obj};
use super::flags::{variant_ref, VariantNames};
use crate::stats::normal_quantile;
use crate::units::format_thousandths;

pub(crate) const PLAN_FIELDS: &[&str] = &[
    "description",
    "variant",
    "controlVariant",
    "stages",
    "guardrails",
];
pub(crate) const PLAN_STAGE_FIELDS: &[&str] =
    &["description", "percentage", "minDuration", "minExposed"];
pub(crate) const GUARDRAIL_FIELDS: &[&str] = &[
    "description",
    "metric",
    "kind",
    "statistic",
    "threshold",
    "window",
    "severity",
    "action",
    "minSamples",
    "confidence",
];
pub(crate) const THRESHOLD_FIELDS: &[&str] = &["absolute", "relativeToControl"];
pub(crate) const KINDS: &[&str] = &["proportion", "latency"];
pub(crate) const ACTIONS: &[&str] = &["rollback", "hold"];

/// Compiles a flag's `plan`, reporting every problem. `names` is empty when the flag's
/// variants are invalid (already reported): variant checks are skipped then.
pub(crate) fn compile_plan(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: VariantNames<'_>,
    off_variant: Option<u32>,
) -> Option<Plan> {
    let obj = Obj::read(c, value, path, PLAN_FIELDS)?;
    let mut ok = true;
    if let Some(d) = obj.get("description") {
        if !matches!(d, Json::String(_)) {
            c.wrong_type(&obj.at("description"), "a string", d);
            ok = false;
        }
    }
    let variant = match obj.get("variant") {
        Some(v) if !names.is_empty() => variant_ref(c, v, &obj.at("variant"), names),
        Some(_) => None,
        None => match names.position("on") {
            Some(i) => Some(i),
            None => {
                if !names.is_empty() {
                    c.error(
                        path,
                        ProblemCode::MissingField,
                        "missing required field \"variant\" (the variant the plan rolls out; only flags with an \"on\" variant may omit it)",
                    );
                }
                None
            }
        },
    };
    let control = match obj.get("controlVariant") {
        Some(v) if !names.is_empty() => variant_ref(c, v, &obj.at("controlVariant"), names),
        Some(_) => None,
        None => off_variant,
    };
    if let (Some(v), Some(k)) = (variant, control) {
        if v == k {
            c.error(
                path,
                ProblemCode::InvalidValue,
                msg!("the plan rolls out ", q(names.names.get(v as usize).map_or("", |n| &**n)), ", which is also its control variant; set \"controlVariant\" to another variant"),
            );
            ok = false;
        }
    }
    let stages = obj
        .required(c, "stages")
        .and_then(|s| compile_plan_stages(c, s, &obj.at("stages")));
    let guardrails = match obj.get("guardrails") {
        Some(g) => compile_guardrails(c, g, &obj.at("guardrails")),
        None => Some(Vec::new()),
    };
    let (variant, control) = (variant?, control?);
    if !ok {
        return None;
    }
    Some(Plan {
        variant,
        control,
        variant_name: Box::from(*names.names.get(variant as usize)?),
        control_name: Box::from(*names.names.get(control as usize)?),
        stages: stages?,
        guardrails: guardrails?,
    })
}

pub(crate) fn duration(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<i64> {
    match value {
        Json::String(s) => match parse_duration(s) {
            Some(ms) => Some(ms),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidDuration,
                    msg!(
                        q(s),
                        " is not a duration such as \"2m\", \"1d\", \"1h30m\" or \"500ms\""
                    ),
                );
                None
            }
        },
        Json::Number(n) => match n.as_u64().and_then(|v| i64::try_from(v).ok()) {
            Some(ms) => Some(ms),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidDuration,
                    msg!(n, " is not a whole, non-negative number of milliseconds"),
                );
                None
            }
        },
        other => {
            c.wrong_type(path, "a duration such as \"2m\" (or milliseconds)", other);
            None
        }
    }
}

pub(crate) fn count(c: &mut Checker, value: &Json<'_>, path: &Path<'_>, min: u64) -> Option<u64> {
    match value {
        Json::Number(n) => match n.as_u64().filter(|v| *v >= min) {
            Some(v) => Some(v),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidValue,
                    msg!(n, " is not a whole number of at least ", min),
                );
                None
            }
        },
        other => {
            c.wrong_type(path, "a whole number", other);
            None
        }
    }
}

pub(crate) fn compile_plan_stages(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Vec<PlanStage>> {
    let items = non_empty_array(
        c,
        value,
        path,
        "an array of stages",
        "a plan needs at least one stage",
    )?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    let mut last: Option<u32> = None;
    for (i, item) in items.iter().enumerate() {
        let spath = path.index(i);
        let Some(o) = Obj::read(c, item, &spath, PLAN_STAGE_FIELDS) else {
            ok = false;
            continue;
        };
        let pct = o
            .required(c, "percentage")
            .and_then(|p| percentage(c, p, &o.at("percentage")));
        if pct == Some(0) {
            c.error(
                &o.at("percentage"),
                ProblemCode::InvalidValue,
                "a stage serves more than 0%",
            );
            ok = false;
        }
        if let (Some(prev), Some(p)) = (last, pct) {
            if p <= prev {
                c.error(
                    &o.at("percentage"),
                    ProblemCode::PercentagesNotIncreasing,
                    msg!(
                        "stage percentages must strictly increase: ",
                        format_thousandths(p),
                        "% follows ",
                        format_thousandths(prev),
                        "%"
                    ),
                );
                ok = false;
            }
        }
        if pct.is_some() {
            last = pct;
        }
        let min_duration = match o.get("minDuration") {
            Some(d) => duration(c, d, &o.at("minDuration")),
            None => Some(0),
        };
        let min_exposed = match o.get("minExposed") {
            Some(e) => count(c, e, &o.at("minExposed"), 0),
            None => Some(0),
        };
        if let Some(d) = o
            .get("description")
            .filter(|d| !matches!(d, Json::String(_)))
        {
            c.wrong_type(&o.at("description"), "a string", d);
            ok = false;
        }
        match (pct, min_duration, min_exposed) {
            (Some(percentage), Some(min_duration_ms), Some(min_exposed)) => out.push(PlanStage {
                percentage,
                min_duration_ms,
                min_exposed,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

pub(crate) fn compile_guardrails(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Vec<Guardrail>> {
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of guardrails", value);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match compile_guardrail(c, item, &path.index(i)) {
            Some(g) => out.push(g),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

pub(crate) fn keyword<'a>(
    c: &mut Checker,
    o: &Obj<'a>,
    field: &str,
    options: &[&str],
) -> Option<Option<&'a str>> {
    match o.get(field) {
        None => Some(None),
        Some(Json::String(s)) if options.contains(&s.as_str()) => Some(Some(s.as_str())),
        Some(Json::String(s)) => {
            let suggestion = c.suggest(s, options.iter().copied());
            c.error(
                &o.at(field),
                ProblemCode::InvalidValue,
                msg!(
                    "unknown ",
                    field,
                    " ",
                    q(s),
                    suggestion,
                    "; use one of: ",
                    Listed(options)
                ),
            );
            None
        }
        Some(other) => {
            c.wrong_type(&o.at(field), "a string", other);
            None
        }
    }
}

// Over 80 lines: one guardrail object's fields read in order, each with its problems.
pub(crate) fn compile_guardrail(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Guardrail> {
    let o = Obj::read(c, value, path, GUARDRAIL_FIELDS)?;
    let mut ok = true;
    let metric = match o.required(c, "metric") {
        Some(Json::String(s)) if !s.is_empty() => Some(s.as_str().to_owned()),
        Some(other) => {
            c.wrong_type(&o.at("metric"), "a non-empty metric name", other);
            None
        }
        None => None,
    };
    if o.get("kind").is_none() {
        c.error(
            path,
            ProblemCode::MissingField,
            "missing required field \"kind\" (\"proportion\" or \"latency\")",
        );
    }
    let kind = keyword(c, &o, "kind", KINDS).flatten().map(|k| match k {
        "latency" => MetricKind::Latency,
        _ => MetricKind::Proportion,
    });
    let statistic = match keyword(c, &o, "statistic", Statistic::NAMES) {
        Some(Some(s)) => {
            if kind == Some(MetricKind::Proportion) {
                c.error(
                    &o.at("statistic"),
                    ProblemCode::InvalidValue,
                    "only latency guardrails take a \"statistic\"",
                );
                ok = false;
            }
            Statistic::parse(s)
        }
        Some(None) => Some(Statistic::P95),
        None => None,
    };
    let threshold = o
        .required(c, "threshold")
        .and_then(|t| compile_threshold(c, t, &o.at("threshold"), kind));
    let window = match o.required(c, "window") {
        Some(w) => match duration(c, w, &o.at("window")) {
            Some(0) => {
                c.error(
                    &o.at("window"),
                    ProblemCode::InvalidDuration,
                    "a window must be longer than 0",
                );
                None
            }
            other => other,
        },
        None => None,
    };
    let severity = keyword(c, &o, "severity", GuardrailSeverity::NAMES).map(|s| match s {
        Some("critical") => GuardrailSeverity::Critical,
        Some("medium") => GuardrailSeverity::Medium,
        Some("low") => GuardrailSeverity::Low,
        _ => GuardrailSeverity::High,
    });
    let action = keyword(c, &o, "action", ACTIONS).map(|a| match (a, severity) {
        (Some("rollback"), _) => Action::RollBack,
        (Some(_), _) => Action::Hold,
        (None, Some(GuardrailSeverity::Medium | GuardrailSeverity::Low)) => Action::Hold,
        (None, _) => Action::RollBack,
    });
    let min_samples = match o.get("minSamples") {
        Some(m) => count(c, m, &o.at("minSamples"), 1),
        None => Some(DEFAULT_MIN_SAMPLES),
    };
    let confidence = match o.get("confidence") {
        None => Some(DEFAULT_CONFIDENCE),
        Some(Json::Number(n)) => match n.as_f64().filter(|f| *f > 0.5 && *f < 1.0) {
            Some(f) => Some(f),
            None => {
                c.error(
                    &o.at("confidence"),
                    ProblemCode::InvalidValue,
                    msg!("confidence ", n, " must be above 0.5 and below 1"),
                );
                None
            }
        },
        Some(other) => {
            c.wrong_type(&o.at("confidence"), "a number between 0.5 and 1", other);
            None
        }
    };
    if let Some(d) = o.get("description") {
        if !matches!(d, Json::String(_)) {
            c.wrong_type(&o.at("description"), "a string", d);
            ok = false;
        }
    }
    let confidence = confidence?;
    let guardrail = Guardrail {
        metric: metric?,
        kind: kind?,
        statistic: statistic?,
        threshold: threshold?,
        window_ms: window?,
        severity: severity?,
        action: action?,
        min_samples: min_samples?,
        confidence,
        z_critical: normal_quantile(confidence),
    };
    ok.then_some(guardrail)
}

pub(crate) fn compile_threshold(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    kind: Option<MetricKind>,
) -> Option<Threshold> {
    let o = Obj::read(c, value, path, THRESHOLD_FIELDS)?;
    match (o.get("absolute"), o.get("relativeToControl")) {
        (Some(v), None) => {
            let p = o.at("absolute");
            match (kind?, v) {
                (MetricKind::Proportion, Json::Number(n)) => {
                    match n.as_f64().filter(|f| (0.0..=1.0).contains(f)) {
                        Some(f) => Some(Threshold::Absolute(f)),
                        None => {
                            c.error(
                            &p,
                            ProblemCode::InvalidValue,
                            msg!(n, " is not a proportion: write it as a fraction from 0 to 1 (5% is 0.05)"),
                        );
                            None
                        }
                    }
                }
                (MetricKind::Proportion, other) => {
                    c.wrong_type(&p, "a fraction from 0 to 1", other);
                    None
                }
                (MetricKind::Latency, v) => {
                    duration(c, v, &p).map(|ms| Threshold::Absolute(ms as f64))
                }
            }
        }
        (None, Some(v)) => {
            let p = o.at("relativeToControl");
            match v {
                Json::Number(n) => match n.as_f64().filter(|f| f.is_finite() && *f > 0.0) {
                    Some(f) => Some(Threshold::RelativeToControl(f)),
                    None => {
                        c.error(
                            &p,
                            ProblemCode::InvalidValue,
                            msg!(n, " is not a ratio above 0 (1.5: 50% worse than control)"),
                        );
                        None
                    }
                },
                other => {
                    c.wrong_type(&p, "a ratio such as 1.5", other);
                    None
                }
            }
        }
        _ => {
            c.error(
                path,
                ProblemCode::InvalidValue,
                "a threshold has exactly one of \"absolute\" or \"relativeToControl\"",
            );
            None
        }
    }
}
