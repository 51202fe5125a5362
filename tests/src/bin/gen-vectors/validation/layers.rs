//! Validation cases for layers (appended to `validation.json`).

/// (case id, config, byte limit).
pub(super) fn cases() -> Vec<(&'static str, String, Option<usize>)> {
    let layer = |flag: &str, range: &str| {
        format!(
            r#"{{"enabled": true, "layer": {{"name": "exp", "range": {range}}}, "default": {{"variant": "on"}}, "description": "{flag}"}}"#
        )
    };
    let config = |flags: &[(&str, String)]| {
        let flags: Vec<String> = flags
            .iter()
            .map(|(k, f)| format!(r#""{k}": {f}"#))
            .collect();
        format!(
            r#"{{"schemaVersion": 1, "layers": {{"exp": {{"description": "one experiment per user"}}}}, "flags": {{{}}}}}"#,
            flags.join(", ")
        )
    };
    vec![
        ("layer/valid-adjacent-ranges", config(&[("a", layer("a", "[0, 30]")), ("b", layer("b", "[30, 60]")), ("c", layer("c", "[60, 60]"))]), None),
        ("layer_overlap/two-flags", config(&[("a", layer("a", "[0, 30]")), ("b", layer("b", "[29.999, 60]"))]), None),
        ("layer_overlap/inside-another", config(&[("a", layer("a", "[0, 100]")), ("b", layer("b", "[10, 20]")), ("c", layer("c", "[20, 30]"))]), None),
        ("unknown_layer/typo", config(&[("a", r#"{"enabled": true, "layer": {"name": "exq", "range": [0, 10]}, "default": {"variant": "on"}}"#.to_owned())]), None),
        ("unknown_layer/no-layers", r#"{"schemaVersion": 1, "flags": {"a": {"enabled": true, "layer": {"name": "exp", "range": [0, 10]}, "default": {"variant": "on"}}}}"#.to_owned(), None),
        ("unused_layer/warning", config(&[]), None),
        ("layer/bad-ranges", config(&[("a", layer("a", "[30, 20]")), ("b", layer("b", "[0, 100.001]")), ("c", layer("c", "[0.0005, 1]")), ("d", layer("d", "[1]")), ("e", layer("e", "\"0-10\""))]), None),
        ("layer/bucket-by-and-salt", r#"{"schemaVersion": 1, "layers": {"exp": {"bucketBy": "deviceId"}}, "flags": {"a": {"enabled": true, "bucketBy": "key", "layer": {"name": "exp", "range": [0, 10]}, "default": {"variant": "on"}}, "b": {"enabled": true, "bucketBy": "deviceId", "salt": "exp", "layer": {"name": "exp", "range": [10, 20]}, "default": {"variant": "on"}}}}"#.to_owned(), None),
        ("layer/unknown-fields", r#"{"schemaVersion": 1, "layers": {"exp": {"salt": "x"}, "": {}}, "flags": {"a": {"enabled": true, "layer": {"name": "exp", "range": [0, 10], "weight": 10}, "default": {"variant": "on"}}, "b": {"enabled": true, "layer": "exp", "default": {"variant": "on"}}}}"#.to_owned(), None),
    ]
}
