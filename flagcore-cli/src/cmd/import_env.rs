//! `flagcore import-env FILE`: the migration's `EXPO_PUBLIC_*` env flags as a flagcore
//! config.
//!
//! | Variable | Becomes |
//! |---|---|
//! | `EXPO_PUBLIC_FEATURE_FLAG_<NAME>=true\|false` | boolean flag `<name>` (lower-case, `_` → `-`) serving `on`/`off` to everyone |
//! | `EXPO_PUBLIC_CANARY_PERCENTAGE=N` | an N% `on` split, on the flag named by `--canary-flag`, else on a new flag `canary` |
//! | `EXPO_PUBLIC_MIGRATION_PHASE=<phase>` | string flag `migration-phase` serving `<phase>` (variants from `--phases`) |

use std::io::Write;

use serde::ser::SerializeMap;
use serde::Serialize;

use crate::error::{CliError, CmdResult, Exit};
use crate::input::read_text;
use crate::output::{paint, style, Output};

const FEATURE_PREFIX: &str = "EXPO_PUBLIC_FEATURE_FLAG_";
const CANARY: &str = "EXPO_PUBLIC_CANARY_PERCENTAGE";
const PHASE: &str = "EXPO_PUBLIC_MIGRATION_PHASE";
const CANARY_FLAG: &str = "canary";
const PHASE_FLAG: &str = "migration-phase";

/// Convert env-variable flags into a flagcore config.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Reads a dotenv file (NAME=VALUE lines, `export` and quotes allowed, # comments) and maps:
  EXPO_PUBLIC_FEATURE_FLAG_<NAME>=true|false  -> boolean flag <name> (lower-case, _ -> -), on/off for everyone
  EXPO_PUBLIC_CANARY_PERCENTAGE=N             -> an N% on / (100-N)% off split: on --canary-flag KEY
                                                 (which must be a FEATURE_FLAG set to true), else a new flag `canary`
  EXPO_PUBLIC_MIGRATION_PHASE=<phase>         -> string flag migration-phase serving <phase>
Other variables are skipped (listed on stderr). The config is validated before it is written.
flagcore buckets users with its own hash: the N% in the new config are not the same users as the app's old canary.

Examples:
  flagcore import-env examples/env/speech-migration.env
  flagcore import-env examples/env/speech-migration.env --canary-flag speechmatics-direct \\
      --phases modal,canary,speechmatics --out flags.json")]
pub struct Args {
    /// The env file (`-` reads stdin).
    #[arg(value_name = "FILE")]
    pub file: String,

    /// Write the config here instead of stdout.
    #[arg(long, short, value_name = "PATH")]
    pub out: Option<String>,

    /// Apply EXPO_PUBLIC_CANARY_PERCENTAGE to this imported flag instead of a new `canary` flag.
    #[arg(long, value_name = "KEY")]
    pub canary_flag: Option<String>,

    /// Every migration phase, in order (comma-separated): each becomes a variant of
    /// `migration-phase`; the first is its off variant. Default: only the current phase.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub phases: Vec<String>,
}

/// One `NAME=VALUE` line of the env file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// 1-based line number.
    pub line: usize,
    /// The variable name.
    pub name: String,
    /// The value, unquoted.
    pub value: String,
}

/// Parses a dotenv file: `NAME=VALUE`, optional `export `, single or double quotes,
/// `#` comments (whole-line, or after a space in unquoted values). Returns the variables
/// and one message per malformed line.
pub fn parse_env(text: &str) -> (Vec<EnvVar>, Vec<String>) {
    let mut vars = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            problems.push(format!("line {}: expected NAME=VALUE, got {raw:?}", i + 1));
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            problems.push(format!("line {}: {name:?} is not a variable name", i + 1));
            continue;
        }
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value[1..].find(q) {
                Some(end) => value[1..1 + end].to_owned(),
                None => {
                    problems.push(format!("line {}: the quote in {name} is not closed", i + 1));
                    continue;
                }
            },
            _ => match value.find(" #") {
                Some(at) => value[..at].trim_end().to_owned(),
                None => value.to_owned(),
            },
        };
        vars.push(EnvVar {
            line: i + 1,
            name: name.to_owned(),
            value,
        });
    }
    (vars, problems)
}

/// `SPEECHMATICS_DIRECT` → `speechmatics-direct`.
pub fn flag_key(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

/// A flag of the generated config (serialised in this field order).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct FlagOut {
    description: String,
    #[serde(rename = "type")]
    value_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    variants: Option<serde_json::Value>,
    enabled: bool,
    off_variant: String,
    default: serde_json::Value,
    metadata: serde_json::Value,
}

/// Flags in insertion order, serialised as a JSON object.
#[derive(Debug, Default)]
struct Flags(Vec<(String, FlagOut)>);

impl Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Flags {
    fn get_mut(&mut self, key: &str) -> Option<&mut FlagOut> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, f)| f)
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigOut {
    schema_version: u32,
    hash_version: u32,
    description: String,
    flags: Flags,
}

/// What the import did, variable by variable.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Mapping {
    line: usize,
    variable: String,
    value: String,
    /// The flag it became (or changed), or null when skipped.
    flag: Option<String>,
    note: String,
}

fn percentage(text: &str) -> Option<u32> {
    let v: f64 = text.trim_end_matches('%').parse().ok()?;
    if !(0.0..=100.0).contains(&v) {
        return None;
    }
    let thousandths = (v * 1000.0).round();
    ((v * 1000.0 - thousandths).abs() < 1e-6).then_some(thousandths as u32)
}

fn weight(thousandths: u32) -> serde_json::Value {
    if thousandths % 1000 == 0 {
        (thousandths / 1000).into()
    } else {
        (f64::from(thousandths) / 1000.0).into()
    }
}

fn split(on: u32) -> serde_json::Value {
    serde_json::json!({ "split": [
        { "variant": "on", "weight": weight(on) },
        { "variant": "off", "weight": weight(flagcore::BUCKETS - on) },
    ]})
}

/// Converts the variables; returns the config, the mapping, and the problems.
fn convert(args: &Args, vars: &[EnvVar]) -> (ConfigOut, Vec<Mapping>, Vec<String>) {
    let mut flags = Flags::default();
    let mut mapping = Vec::new();
    let mut problems = Vec::new();
    let mut canary: Option<(&EnvVar, u32)> = None;
    let mut phase: Option<&EnvVar> = None;
    // Later assignments win, as in dotenv; say so.
    let mut last: Vec<&EnvVar> = Vec::new();
    for v in vars {
        if let Some(i) = last.iter().position(|p| p.name == v.name) {
            mapping.push(Mapping {
                line: last[i].line,
                variable: last[i].name.clone(),
                value: last[i].value.clone(),
                flag: None,
                note: format!("overridden by line {}", v.line),
            });
            last.remove(i);
        }
        last.push(v);
    }
    last.sort_by_key(|v| v.line);
    for v in last {
        if let Some(rest) = v.name.strip_prefix(FEATURE_PREFIX) {
            if rest.is_empty() {
                problems.push(format!(
                    "line {}: {} has no flag name after the prefix",
                    v.line, v.name
                ));
                continue;
            }
            let on = match v.value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    problems.push(format!(
                        "line {}: {}={:?} is not true or false",
                        v.line, v.name, v.value
                    ));
                    continue;
                }
            };
            let key = flag_key(rest);
            flags.0.push((
                key.clone(),
                FlagOut {
                    description: format!("Imported from {}={} (line {}).", v.name, v.value, v.line),
                    value_type: "boolean",
                    variants: None,
                    enabled: true,
                    off_variant: "off".into(),
                    default: serde_json::json!({ "variant": if on { "on" } else { "off" } }),
                    metadata: serde_json::json!({ "importedFrom": { "file": args.file, "variable": v.name, "line": v.line } }),
                },
            ));
            mapping.push(Mapping {
                line: v.line,
                variable: v.name.clone(),
                value: v.value.clone(),
                flag: Some(key),
                note: format!(
                    "boolean flag, {} for everyone",
                    if on { "on" } else { "off" }
                ),
            });
        } else if v.name == CANARY {
            match percentage(&v.value) {
                Some(p) => canary = Some((v, p)),
                None => problems.push(format!(
                    "line {}: {CANARY}={:?} is not a percentage from 0 to 100 (at most 3 decimals)",
                    v.line, v.value
                )),
            }
        } else if v.name == PHASE {
            if v.value.is_empty() {
                problems.push(format!("line {}: {PHASE} is empty", v.line));
            } else {
                phase = Some(v);
            }
        } else {
            mapping.push(Mapping {
                line: v.line,
                variable: v.name.clone(),
                value: v.value.clone(),
                flag: None,
                note: "skipped: not a flag variable".into(),
            });
        }
    }

    if let Some((v, p)) = canary {
        let note = format!("{}% on, {}% off", weight(p), weight(flagcore::BUCKETS - p));
        match &args.canary_flag {
            Some(key) => match flags.get_mut(key) {
                Some(flag) if flag.default == serde_json::json!({ "variant": "on" }) => {
                    flag.default = split(p);
                    flag.description.push_str(&format!(" Canary from {}={} (line {}).", v.name, v.value, v.line));
                    mapping.push(Mapping {
                        line: v.line,
                        variable: v.name.clone(),
                        value: v.value.clone(),
                        flag: Some(key.clone()),
                        note: format!("canary split of {key}: {note}"),
                    });
                }
                Some(_) => problems.push(format!(
                    "--canary-flag {key}: its env variable is false, so the canary would reach nobody; set it to true or drop --canary-flag"
                )),
                None => problems.push(format!(
                    "--canary-flag {key}: no {FEATURE_PREFIX}* variable became a flag of that name; imported flags: {}",
                    flags.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
                )),
            },
            None => {
                if flags.0.iter().any(|(k, _)| k == CANARY_FLAG) {
                    problems.push(format!(
                        "line {}: a feature flag is already named {CANARY_FLAG:?}; use --canary-flag",
                        v.line
                    ));
                } else {
                    flags.0.push((
                        CANARY_FLAG.to_owned(),
                        FlagOut {
                            description: format!(
                                "Imported from {}={} (line {}): the share of users in the canary.",
                                v.name, v.value, v.line
                            ),
                            value_type: "boolean",
                            variants: None,
                            enabled: true,
                            off_variant: "off".into(),
                            default: split(p),
                            metadata: serde_json::json!({ "importedFrom": { "file": args.file, "variable": v.name, "line": v.line } }),
                        },
                    ));
                    mapping.push(Mapping {
                        line: v.line,
                        variable: v.name.clone(),
                        value: v.value.clone(),
                        flag: Some(CANARY_FLAG.into()),
                        note: format!("boolean flag, {note} (use --canary-flag to put the split on the flag it gates)"),
                    });
                }
            }
        }
    } else if let Some(key) = &args.canary_flag {
        problems.push(format!("--canary-flag {key}: the file has no {CANARY}"));
    }

    if let Some(v) = phase {
        let mut phases: Vec<String> = args
            .phases
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if phases.is_empty() {
            phases.push(v.value.clone());
        }
        if !phases.contains(&v.value) {
            problems.push(format!(
                "line {}: {PHASE}={:?} is not one of --phases {}",
                v.line,
                v.value,
                phases.join(",")
            ));
        } else if flags.0.iter().any(|(k, _)| k == PHASE_FLAG) {
            problems.push(format!(
                "line {}: a feature flag is already named {PHASE_FLAG:?}",
                v.line
            ));
        } else {
            let mut variants = serde_json::Map::new();
            for p in &phases {
                variants.insert(p.clone(), p.as_str().into());
            }
            flags.0.push((
                PHASE_FLAG.to_owned(),
                FlagOut {
                    description: format!("Imported from {}={} (line {}): the migration phase.", v.name, v.value, v.line),
                    value_type: "string",
                    variants: Some(serde_json::Value::Object(variants)),
                    enabled: true,
                    off_variant: phases[0].clone(),
                    default: serde_json::json!({ "variant": v.value }),
                    metadata: serde_json::json!({ "importedFrom": { "file": args.file, "variable": v.name, "line": v.line } }),
                },
            ));
            mapping.push(Mapping {
                line: v.line,
                variable: v.name.clone(),
                value: v.value.clone(),
                flag: Some(PHASE_FLAG.into()),
                note: format!("string flag serving {:?}", v.value),
            });
        }
    } else if !args.phases.is_empty() {
        problems.push(format!("--phases given, but the file has no {PHASE}"));
    }
    mapping.sort_by_key(|m| m.line);
    let config = ConfigOut {
        schema_version: 1,
        hash_version: 1,
        description: format!("Imported from {} by flagcore import-env.", args.file),
        flags,
    };
    (config, mapping, problems)
}

/// Runs `import-env`.
pub fn run(args: &Args, out: &mut Output) -> CmdResult {
    let text = read_text(&args.file)?;
    let (vars, mut problems) = parse_env(&text);
    let (config, mapping, more) = convert(args, &vars);
    problems.extend(more);
    if !problems.is_empty() {
        return Err(CliError::InvalidInput {
            message: format!(
                "{} does not convert ({} problem{})",
                args.file,
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ),
            details: problems,
        });
    }
    if config.flags.0.is_empty() {
        return Err(CliError::InvalidInput {
            message: format!(
                "{} has no EXPO_PUBLIC_FEATURE_FLAG_*, {CANARY} or {PHASE} variables",
                args.file
            ),
            details: Vec::new(),
        });
    }
    let mut json =
        serde_json::to_string_pretty(&config).map_err(|e| CliError::Internal(e.to_string()))?;
    json.push('\n');
    // The output must load: check it with the core before anyone deploys it.
    if let Err(e) = flagcore::Config::from_json(&json) {
        return Err(CliError::Internal(format!(
            "import-env produced a config that does not load: {e}"
        )));
    }
    if let Some(path) = &args.out {
        std::fs::write(path, &json).map_err(|e| CliError::Io {
            what: format!("cannot write {path}"),
            source: e,
        })?;
    }
    if out.json {
        let config_value: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| CliError::Internal(e.to_string()))?;
        out.json_value(&serde_json::json!({
            "file": args.file,
            "out": args.out,
            "config": config_value,
            "variables": mapping,
        }))?;
        return Ok(Exit::Ok);
    }
    if args.out.is_none() {
        out.write_all(json.as_bytes())?;
    }
    // The mapping goes to stderr so stdout stays a clean config.
    for m in &mapping {
        let target = match &m.flag {
            Some(f) => format!("-> {}", paint(style::FLAG, f)),
            None => paint(style::DIM, "-> (none)"),
        };
        anstream::eprintln!(
            "{}:{} {} {target}: {}",
            args.file,
            m.line,
            m.variable,
            m.note
        );
    }
    if let Some(path) = &args.out {
        anstream::eprintln!(
            "{} wrote {path} ({} flags)",
            paint(style::OK, "✓"),
            config.flags.0.len()
        );
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotenv() {
        let (vars, problems) = parse_env(
            "# comment\n\nexport A=1\nB=\"two words\" \nC='x # y'\nD=plain # note\nbroken line\n9X=1\nE=\"open\n",
        );
        let got: Vec<(&str, &str)> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "1"),
                ("B", "two words"),
                ("C", "x # y"),
                ("D", "plain"),
                ("9X", "1")
            ]
        );
        assert_eq!(vars[0].line, 3);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("line 7:"));
        assert!(problems[1].starts_with("line 9:"));
    }

    #[test]
    fn keys_and_percentages() {
        assert_eq!(flag_key("SPEECHMATICS_DIRECT"), "speechmatics-direct");
        assert_eq!(percentage("25"), Some(25_000));
        assert_eq!(percentage("12.5%"), Some(12_500));
        assert_eq!(percentage("0"), Some(0));
        assert_eq!(percentage("100"), Some(100_000));
        assert_eq!(percentage("101"), None);
        assert_eq!(percentage("-1"), None);
        assert_eq!(percentage("1.0001"), None);
        assert_eq!(percentage("abc"), None);
    }
}
