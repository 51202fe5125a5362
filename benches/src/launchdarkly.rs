//! LaunchDarkly's evaluation engine, `launchdarkly-server-sdk-evaluation` (what the
//! LaunchDarkly Rust server SDK calls), through `evaluate(store, flag, context, None)`.
//!
//! The config is LaunchDarkly's flag and segment data model (the SDK's streaming payload,
//! `{"flags": {...}, "segments": {...}}`). The engine's `Store` trait returns flags and
//! segments by value, so prerequisites and segment rules clone what they look up, as
//! they do in the LaunchDarkly SDK's in-memory store.

use std::collections::HashMap;

use launchdarkly_server_sdk_evaluation::{
    evaluate, Context, ContextBuilder, Flag, FlagValue, Segment, Store,
};
use serde::Deserialize;

use crate::{
    countries_json, flags, json_str, many_flag_key, segment_keys_json, Engine, FlagKind, User,
};

/// LaunchDarkly.
#[derive(Debug)]
pub struct LaunchDarkly;

/// Flags and segments by key: the SDK's in-memory data store.
#[derive(Debug, Default, Deserialize)]
pub struct Data {
    flags: HashMap<String, Flag>,
    #[serde(default)]
    segments: HashMap<String, Segment>,
}

impl Store for Data {
    fn flag(&self, flag_key: &str) -> Option<Flag> {
        self.flags.get(flag_key).cloned()
    }

    fn segment(&self, segment_key: &str) -> Option<Segment> {
        self.segments.get(segment_key).cloned()
    }
}

impl Data {
    #[inline]
    fn value<'a>(&'a self, flag: &str, ctx: &'a Context) -> Option<&'a FlagValue> {
        let flag = self.flags.get(flag)?;
        evaluate(self, flag, ctx, None).value
    }
}

fn rollout(variations: &[(u32, u32)]) -> String {
    let parts: Vec<String> = variations
        .iter()
        .map(|(v, w)| format!(r#"{{"variation": {v}, "weight": {w}}}"#))
        .collect();
    format!(r#"{{"rollout": {{"variations": [{}]}}}}"#, parts.join(", "))
}

fn flag(
    key: &str,
    variations: &str,
    rules: &str,
    fallthrough: &str,
    prerequisites: &str,
) -> String {
    format!(
        r#"{name}: {{"key": {name}, "version": 1, "on": true, "targets": [], "rules": [{rules}],
            "prerequisites": [{prerequisites}], "fallthrough": {fallthrough}, "offVariation": 1,
            "variations": {variations}, "salt": {name}, "clientSide": false}}"#,
        name = json_str(key)
    )
}

const BOOL: &str = "[true, false]";

fn flag_json(key: &str, kind: FlagKind) -> String {
    match kind {
        FlagKind::On => flag(key, BOOL, "", r#"{"variation": 0}"#, ""),
        FlagKind::Rollout25 => flag(key, BOOL, "", &rollout(&[(0, 25_000), (1, 75_000)]), ""),
        FlagKind::Split7030 => flag(
            key,
            r#"["treatment", "control"]"#,
            "",
            &rollout(&[(1, 70_000), (0, 30_000)]),
            "",
        ),
        FlagKind::Rule => flag(
            key,
            BOOL,
            &format!(
                r#"{{"id": "r", "clauses": [
                    {{"attribute": "country", "op": "in", "values": {}, "negate": false}},
                    {{"attribute": "appVersion", "op": "semVerLessThan", "values": ["{}"], "negate": false}}],
                   "variation": 0, "trackEvents": false}}"#,
                countries_json(),
                flags::MAX_VERSION
            ),
            r#"{"variation": 1}"#,
            "",
        ),
    }
}

impl Engine for LaunchDarkly {
    const NAME: &'static str = "launchdarkly";
    type State = Data;
    type Context = Context;

    fn note(scenario: crate::Scenario) -> Option<&'static str> {
        match scenario {
            crate::Scenario::Rule5Conditions => {
                Some("segmentMatch: the Store trait clones the 10,000-key segment, then scans its key list")
            }
            crate::Scenario::Prerequisite => Some("the Store trait clones the prerequisite flag"),
            crate::Scenario::EvaluateAll100 => Some("no evaluate-all API: a loop of evaluate over the flags"),
            crate::Scenario::Load1000 | crate::Scenario::Load10000 => {
                Some("serde_json into the data model (no separate compile step)")
            }
            _ => None,
        }
    }

    fn scenarios_config() -> String {
        let rule = format!(
            r#"{{"id": "five", "clauses": [
                {{"attribute": "country", "op": "in", "values": {countries}, "negate": false}},
                {{"attribute": "appVersion", "op": "semVerLessThan", "values": ["{max}"], "negate": false}},
                {{"attribute": "seats", "op": "greaterThanOrEqual", "values": [{seats}], "negate": false}},
                {{"attribute": "email", "op": "endsWith", "values": ["{domain}"], "negate": false}},
                {{"attribute": "key", "op": "segmentMatch", "values": ["{segment}"], "negate": false}}],
               {rollout}, "trackEvents": false}}"#,
            countries = countries_json(),
            max = flags::MAX_VERSION,
            seats = flags::MIN_SEATS,
            domain = flags::EMAIL_DOMAIN,
            segment = flags::SEGMENT,
            rollout = r#""rollout": {"variations": [{"variation": 0, "weight": 50000}, {"variation": 1, "weight": 50000}]}"#,
        );
        let flags_json = [
            flag_json(flags::BOOL_ON, FlagKind::On),
            flag_json(flags::ROLLOUT_25, FlagKind::Rollout25),
            flag_json(flags::SPLIT_70_30, FlagKind::Split7030),
            flag(flags::RULE_5, BOOL, &rule, r#"{"variation": 1}"#, ""),
            flag_json(flags::PARENT, FlagKind::On),
            flag(
                flags::WITH_PREREQUISITE,
                BOOL,
                "",
                r#"{"variation": 0}"#,
                &format!(r#"{{"key": "{}", "variation": 0}}"#, flags::PARENT),
            ),
        ];
        format!(
            r#"{{"flags": {{{}}},
                "segments": {{"{segment}": {{"key": "{segment}", "included": {keys}, "excluded": [],
                    "rules": [], "salt": "{segment}", "version": 1}}}}}}"#,
            flags_json.join(",\n"),
            segment = flags::SEGMENT,
            keys = segment_keys_json(),
        )
    }

    fn many_flags_config(n: usize) -> String {
        let flags_json: Vec<String> = (0..n)
            .map(|i| flag_json(&many_flag_key(i), FlagKind::of(i)))
            .collect();
        format!(
            r#"{{"flags": {{{}}}, "segments": {{}}}}"#,
            flags_json.join(",\n")
        )
    }

    fn load(text: &str) -> Result<Data, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    fn context(user: &User) -> Result<Context, String> {
        let mut builder = ContextBuilder::new(user.key.as_str());
        builder
            .set_string("country", user.country.as_str())
            .set_string("appVersion", user.app_version.as_str())
            .set_float("seats", user.seats as f64)
            .set_string("email", user.email.as_str());
        builder.build()
    }

    #[inline]
    fn is_on(state: &Data, flag: &str, ctx: &Context) -> bool {
        matches!(state.value(flag, ctx), Some(FlagValue::Bool(true)))
    }

    #[inline]
    fn serves(state: &Data, flag: &str, ctx: &Context, variant: &str) -> bool {
        matches!(state.value(flag, ctx), Some(FlagValue::Str(s)) if s == variant)
    }

    #[inline]
    fn evaluate_all(state: &Data, ctx: &Context) -> usize {
        let mut n = 0;
        for flag in state.flags.values() {
            std::hint::black_box(evaluate(state, flag, ctx, None));
            n += 1;
        }
        n
    }
}
