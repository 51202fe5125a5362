//! The results format every harness writes to `target/bench-results/<harness>.json`: a JSON
//! array of rows `{"scenario", "engine", "median_ns", "allocs", "note"}`.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One measured (or not expressible) scenario for one engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The scenario id (`"1-bool-on"`, ...).
    pub scenario: String,
    /// The engine (`"flagcore"`, `"unleash-yggdrasil"`, ...).
    pub engine: String,
    /// The median time of one operation, in nanoseconds; `null` when not measured (the
    /// engine cannot express the scenario, or the harness did not time it).
    pub median_ns: Option<f64>,
    /// Heap allocations per operation; `null` when not counted.
    #[serde(default)]
    pub allocs: Option<f64>,
    /// Anything a reader needs to interpret the row.
    #[serde(default)]
    pub note: String,
    /// Operations per second, for throughput rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_second: Option<f64>,
}

impl Row {
    /// A row with a scenario and an engine and nothing measured yet.
    pub fn new(scenario: &str, engine: &str) -> Row {
        Row {
            scenario: scenario.to_owned(),
            engine: engine.to_owned(),
            median_ns: None,
            allocs: None,
            note: String::new(),
            per_second: None,
        }
    }
}

/// Reads a results file.
pub fn read(path: &Path) -> Result<Vec<Row>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes a results file (creating its directory).
pub fn write(path: &Path, rows: &[Row]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(rows).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// Formats nanoseconds for a table: `23.4 ns`, `1.23 µs`, `12.3 ms`.
pub fn format_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1_000_000_000.0)
    }
}

/// Formats an allocation count: whole numbers without decimals.
pub fn format_allocs(allocs: f64) -> String {
    if (allocs - allocs.round()).abs() < 0.005 {
        format!("{}", allocs.round() as i64)
    } else {
        format!("{allocs:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_ns(23.44), "23.4 ns");
        assert_eq!(format_ns(1_234.0), "1.23 µs");
        assert_eq!(format_ns(12_345_678.0), "12.35 ms");
        assert_eq!(format_allocs(0.0), "0");
        assert_eq!(format_allocs(3.0), "3");
        assert_eq!(format_allocs(0.5), "0.50");
    }

    #[test]
    fn rows_read_what_other_harnesses_write() {
        let text = r#"[{"scenario": "1-bool-on", "engine": "flagcore", "median_ns": 210.5, "allocs": null, "note": "py"},
                      {"scenario": "2-rollout-25", "engine": "growthbook", "median_ns": 900, "allocs": 4, "note": ""}]"#;
        let rows: Vec<Row> = serde_json::from_str(text).unwrap();
        assert_eq!(rows[0].median_ns, Some(210.5));
        assert_eq!(rows[0].allocs, None);
        assert_eq!(rows[1].allocs, Some(4.0));
    }
}
