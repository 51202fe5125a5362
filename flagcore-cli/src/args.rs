//! Arguments shared by several subcommands: `--attr`, `--attr-str`, `--at`, and the
//! simulated population (`--users`, `--ids`).

use std::time::{SystemTime, UNIX_EPOCH};

use flagcore::{AttributeValue, Context};
use serde::Serialize;

use crate::error::CliError;

/// Context attributes and the evaluation time.
#[derive(Debug, Clone, clap::Args)]
pub struct ContextArgs {
    /// A context attribute, `NAME=VALUE`. The type is inferred: `true`/`false` are
    /// booleans, JSON numbers (`12`, `-3.5`, `1e3`; not `012`) are numbers, anything else
    /// is a string. `NAME:=JSON` takes a JSON string, number or boolean as is
    /// (`version:='"2"'`). Repeat for more attributes.
    #[arg(long = "attr", value_name = "NAME=VALUE", value_parser = parse_attr)]
    pub attrs: Vec<Attr>,

    /// A context attribute that is always a string, `NAME=VALUE` (`--attr-str appVersion=2`).
    #[arg(long = "attr-str", value_name = "NAME=VALUE", value_parser = parse_attr_str)]
    pub attr_strs: Vec<Attr>,

    /// The evaluation time, for time-staged rollouts: RFC 3339 (`2026-12-01T12:00:00Z`,
    /// `2026-12-01`) or Unix milliseconds. Default: now (the clock of this machine).
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<i64>,
}

/// One `--attr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    /// The attribute name.
    pub name: String,
    /// Its value.
    pub value: AttributeValue,
}

fn split_attr(text: &str) -> Result<(&str, &str, bool), String> {
    let Some(eq) = text.find('=') else {
        return Err(format!("expected NAME=VALUE (or NAME:=JSON), got {text:?}"));
    };
    let (mut name, value) = (&text[..eq], &text[eq + 1..]);
    let json = name.ends_with(':');
    if json {
        name = &name[..name.len() - 1];
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("the attribute name is empty in {text:?}"));
    }
    if name == "key" {
        return Err(
            "`key` is the targeting key: use --key (eval) or --ids (simulate, diff)".to_owned(),
        );
    }
    Ok((name, value, json))
}

/// Parses `NAME=VALUE` (inferred type) or `NAME:=JSON`.
pub fn parse_attr(text: &str) -> Result<Attr, String> {
    let (name, value, json) = split_attr(text)?;
    let value = if json {
        match serde_json::from_str::<serde_json::Value>(value) {
            Ok(serde_json::Value::String(s)) => AttributeValue::String(s),
            Ok(serde_json::Value::Bool(b)) => AttributeValue::Bool(b),
            Ok(serde_json::Value::Number(n)) => {
                AttributeValue::Number(n.as_f64().unwrap_or(f64::NAN))
            }
            Ok(list @ serde_json::Value::Array(_)) => {
                // A list of strings and numbers, checked as a JSON context checks it.
                let mut one = serde_json::Map::new();
                one.insert(name.to_owned(), list);
                let ctx = flagcore::Context::from_value(&serde_json::Value::Object(one))
                    .map_err(|e| e.to_string())?;
                match ctx.get(name) {
                    Some(v) => v.clone(),
                    None => return Err(format!("{name}:= got an empty value")),
                }
            }
            Ok(_) => {
                return Err(format!(
                    "{name}:= takes a JSON string, number, boolean or list of strings and numbers"
                ))
            }
            Err(e) => {
                return Err(format!(
                    "{name}:= needs JSON ({e}); to pass text use {name}=VALUE"
                ))
            }
        }
    } else {
        infer(value)
    };
    Ok(Attr {
        name: name.to_owned(),
        value,
    })
}

/// Parses `NAME=VALUE` as a string, whatever it looks like.
pub fn parse_attr_str(text: &str) -> Result<Attr, String> {
    let (name, value, json) = split_attr(text)?;
    if json {
        return Err("--attr-str takes NAME=VALUE, not NAME:=JSON".to_owned());
    }
    Ok(Attr {
        name: name.to_owned(),
        value: AttributeValue::String(value.to_owned()),
    })
}

/// `true`/`false` → boolean, a JSON number → number, else the text.
pub fn infer(value: &str) -> AttributeValue {
    match value {
        "true" => return AttributeValue::Bool(true),
        "false" => return AttributeValue::Bool(false),
        _ => {}
    }
    if value.trim() == value && !value.is_empty() {
        if let Ok(serde_json::Value::Number(n)) = serde_json::from_str::<serde_json::Value>(value) {
            if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                return AttributeValue::Number(f);
            }
        }
    }
    AttributeValue::String(value.to_owned())
}

/// Parses `--at`: RFC 3339 or Unix milliseconds.
pub fn parse_at(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .ok()
            .filter(|&ms| jiff::Timestamp::from_millisecond(ms).is_ok())
            .ok_or_else(|| {
                format!("{text} is out of range: Unix milliseconds of years -9999 to 9999")
            });
    }
    flagcore::parse_timestamp(text).ok_or_else(|| {
        format!(
            "{text:?} is neither RFC 3339 (2026-12-01T12:00:00Z, 2026-12-01) nor Unix milliseconds"
        )
    })
}

/// Where the evaluation time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeSource {
    /// `--at`.
    Argument,
    /// The wall clock, because `--at` was not given.
    Clock,
}

/// The evaluation time used, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalTime {
    /// Unix milliseconds.
    pub millis: i64,
    /// `argument` or `clock`.
    pub source: TimeSource,
}

impl EvalTime {
    /// `--at` if given, else the clock.
    pub fn resolve(at: Option<i64>) -> EvalTime {
        match at {
            Some(millis) => EvalTime {
                millis,
                source: TimeSource::Argument,
            },
            None => {
                let millis = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                    .unwrap_or(0);
                EvalTime {
                    millis,
                    source: TimeSource::Clock,
                }
            }
        }
    }

    /// The instant in RFC 3339.
    pub fn rfc3339(&self) -> String {
        format_rfc3339(self.millis)
    }

    /// `2026-12-01T12:00:00Z (--at)` or `... (now, from this machine's clock; ...)`.
    pub fn describe(&self) -> String {
        match self.source {
            TimeSource::Argument => format!("{} (--at)", self.rfc3339()),
            TimeSource::Clock => format!(
                "{} (now: this machine's clock; pass --at to fix it)",
                self.rfc3339()
            ),
        }
    }

    /// As JSON: `{"millis", "iso", "source"}`.
    pub fn to_json(self) -> serde_json::Value {
        serde_json::json!({ "millis": self.millis, "iso": self.rfc3339(), "source": self.source })
    }

    /// A hint when the number given looks like seconds rather than milliseconds.
    pub fn seconds_hint(&self) -> Option<String> {
        (self.source == TimeSource::Argument
            && self.millis.abs() > 0
            && self.millis.abs() < 100_000_000_000)
            .then(|| {
                format!(
                    "--at {} is {}; Unix time here is in milliseconds (did you mean {}000?)",
                    self.millis,
                    self.rfc3339(),
                    self.millis
                )
            })
    }
}

/// Unix milliseconds as RFC 3339 UTC: `2026-12-01T12:00:00Z`, with `.mmm` when not whole
/// seconds. An instant outside years -9999 to 9999 (only a plan's metrics can give one:
/// `--at` refuses them) is written as its Unix milliseconds.
pub fn format_rfc3339(millis: i64) -> String {
    match jiff::Timestamp::from_millisecond(millis) {
        Ok(t) if t.subsec_millisecond() == 0 => format!("{t:.0}"),
        Ok(t) => format!("{t:.3}"),
        Err(_) => millis.to_string(),
    }
}

impl ContextArgs {
    /// A context with these attributes (no key yet); refuses an attribute given twice.
    /// The time is not part of it: evaluate with `config.at(time.millis)` ([`EvalTime`]).
    pub fn base_context(&self) -> Result<Context, CliError> {
        let mut ctx = Context::anonymous();
        let mut seen: Vec<&str> = Vec::new();
        for attr in self.attrs.iter().chain(self.attr_strs.iter()) {
            if seen.contains(&attr.name.as_str()) {
                return Err(CliError::Usage(format!(
                    "attribute {:?} is given more than once",
                    attr.name
                )));
            }
            seen.push(&attr.name);
            ctx.set(attr.name.clone(), attr.value.clone());
        }
        Ok(ctx)
    }

    /// The attributes as a JSON object (for `--json` output).
    pub fn attrs_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for attr in self.attrs.iter().chain(self.attr_strs.iter()) {
            map.insert(attr.name.clone(), attribute_json(&attr.value));
        }
        serde_json::Value::Object(map)
    }

    /// The attributes as `name=value` text (strings quoted), for human output.
    pub fn attrs_text(&self) -> String {
        self.attrs
            .iter()
            .chain(self.attr_strs.iter())
            .map(|a| format!("{}={}", a.name, attribute_json(&a.value)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An attribute value as JSON.
pub fn attribute_json(value: &AttributeValue) -> serde_json::Value {
    match value {
        AttributeValue::String(s) => serde_json::Value::String(s.clone()),
        AttributeValue::Bool(b) => serde_json::Value::Bool(*b),
        AttributeValue::Number(n) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        AttributeValue::List(items) => items.iter().map(attribute_json).collect(),
    }
}

/// Who is simulated: generated users or IDs from a file.
#[derive(Debug, Clone, clap::Args)]
pub struct PopulationArgs {
    /// How many users to generate, with keys `user-1` … `user-N` (deterministic).
    #[arg(long, value_name = "N", default_value_t = 100_000, conflicts_with = "ids",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub users: u64,

    /// Read the users' keys from FILE instead, one per line (blank lines skipped; `-`
    /// is stdin).
    #[arg(long, value_name = "FILE")]
    pub ids: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_types() {
        assert_eq!(infer("true"), AttributeValue::Bool(true));
        assert_eq!(infer("false"), AttributeValue::Bool(false));
        assert_eq!(infer("12"), AttributeValue::Number(12.0));
        assert_eq!(infer("-3.5"), AttributeValue::Number(-3.5));
        assert_eq!(infer("1e3"), AttributeValue::Number(1000.0));
        assert_eq!(infer("012"), AttributeValue::String("012".into()));
        assert_eq!(infer("2.4.0"), AttributeValue::String("2.4.0".into()));
        assert_eq!(infer("NaN"), AttributeValue::String("NaN".into()));
        assert_eq!(infer(" 1"), AttributeValue::String(" 1".into()));
        assert_eq!(infer(""), AttributeValue::String("".into()));
        assert_eq!(infer("True"), AttributeValue::String("True".into()));
    }

    #[test]
    fn parses_attrs() {
        let a = parse_attr("email=a=b@x").unwrap();
        assert_eq!(
            (a.name.as_str(), a.value),
            ("email", AttributeValue::String("a=b@x".into()))
        );
        let a = parse_attr("v:=\"2\"").unwrap();
        assert_eq!(a.value, AttributeValue::String("2".into()));
        assert_eq!(
            parse_attr("n:=5").unwrap().value,
            AttributeValue::Number(5.0)
        );
        assert_eq!(
            parse_attr_str("v=2").unwrap().value,
            AttributeValue::String("2".into())
        );
        assert!(parse_attr("novalue").is_err());
        assert!(parse_attr("=x").is_err());
        assert!(parse_attr("key=u1").is_err());
        assert!(parse_attr("o:={}").is_err());
        assert!(parse_attr("o:=bare").is_err());
    }

    #[test]
    fn parses_times() {
        assert_eq!(parse_at("2026-11-22T00:00:00Z"), Ok(1_795_305_600_000));
        assert_eq!(parse_at("1795305600000"), Ok(1_795_305_600_000));
        assert_eq!(parse_at("-5"), Ok(-5));
        assert!(parse_at("tomorrow").is_err());
        assert!(parse_at("99999999999999999999999").is_err());
        assert_eq!(parse_at("253402207200000"), Ok(253_402_207_200_000)); // 9999-12-30T22:00Z
        assert!(parse_at("253402300800000").is_err()); // 10000-01-01
        assert!(parse_at("-377705116800001").is_err());
    }

    #[test]
    fn formats_times() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_795_305_600_000), "2026-11-22T00:00:00Z");
        assert_eq!(format_rfc3339(951_827_696_789), "2000-02-29T12:34:56.789Z");
        assert_eq!(format_rfc3339(-500), "1969-12-31T23:59:59.500Z");
        assert_eq!(format_rfc3339(1_000), "1970-01-01T00:00:01Z");
        assert_eq!(format_rfc3339(1_010), "1970-01-01T00:00:01.010Z");
        assert_eq!(format_rfc3339(-62_167_219_200_000), "0000-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(253_402_207_200_000), "9999-12-30T22:00:00Z");
        assert_eq!(format_rfc3339(i64::MAX), i64::MAX.to_string());
        for ms in [
            0i64,
            1,
            86_399_999,
            951_827_696_789,
            4_102_444_800_000,
            -86_400_001,
        ] {
            assert_eq!(flagcore::parse_timestamp(&format_rfc3339(ms)), Some(ms));
        }
        // Years 0000 to 9999 (what the core reads) round-trip through the core's parser.
        let (first, last) = (-62_167_219_200_000i64, 253_402_207_200_000i64);
        for ms in (first..=last).step_by(86_134_567_891).chain([last]) {
            let text = format_rfc3339(ms);
            assert_eq!(flagcore::parse_timestamp(&text), Some(ms), "{text}");
        }
    }
}
