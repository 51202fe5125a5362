//! Which flags a config change touches (for [`crate::Event::Updated`]).

use serde_json::{Map, Value};

fn parse(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn flags(doc: &Map<String, Value>) -> Option<&Map<String, Value>> {
    doc.get("flags").and_then(Value::as_object)
}

/// Whether anything that can change an evaluation, outside `flags`, differs (segments,
/// hashVersion, ...). Descriptions and `$schema` do not count.
fn shared_parts_differ(old: &Map<String, Value>, new: &Map<String, Value>) -> bool {
    let skip = |k: &String| !matches!(k.as_str(), "flags" | "description" | "$schema");
    let a: Vec<_> = old.iter().filter(|(k, _)| skip(k)).collect();
    let b: Vec<_> = new.iter().filter(|(k, _)| skip(k)).collect();
    a.len() != b.len() || a.iter().any(|(k, v)| new.get(*k) != Some(v))
}

/// The flags added, changed or removed between two valid configs: in the new config's
/// order, removed ones last. Linear in the size of the configs.
pub(crate) fn changed_flags(old: Option<&str>, new: &str) -> Vec<String> {
    let Some(new_doc) = parse(new) else {
        return Vec::new();
    };
    let empty = Map::new();
    let new_flags = flags(&new_doc).unwrap_or(&empty);
    let old_doc = old.and_then(parse);
    let Some(old_doc) = old_doc else {
        return new_flags.keys().cloned().collect();
    };
    let old_flags = flags(&old_doc).unwrap_or(&empty);
    let everything = shared_parts_differ(&old_doc, &new_doc);
    let mut changed: Vec<String> = new_flags
        .iter()
        .filter(|(k, v)| everything || old_flags.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    changed.extend(
        old_flags
            .keys()
            .filter(|k| !new_flags.contains_key(*k))
            .cloned(),
    );
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_added_changed_and_removed_flags() {
        let old = r#"{"flags": {"a": {"enabled": true}, "b": {"enabled": true}, "c": {}}}"#;
        let new = r#"{"flags": {"d": {}, "a": {"enabled": false}, "b": {"enabled": true}}}"#;
        assert_eq!(changed_flags(Some(old), new), ["d", "a", "c"]);
    }

    #[test]
    fn a_segment_change_lists_every_flag() {
        let old = r#"{"segments": {"s": {"keys": ["x"]}}, "flags": {"a": {}, "b": {}}}"#;
        let new = r#"{"segments": {"s": {"keys": ["y"]}}, "flags": {"a": {}, "b": {}}}"#;
        assert_eq!(changed_flags(Some(old), new), ["a", "b"]);
        let described = r#"{"description": "new words", "segments": {"s": {"keys": ["x"]}}, "flags": {"a": {}, "b": {}}}"#;
        assert!(changed_flags(Some(old), described).is_empty());
    }
}
