//! GrowthBook's Rust SDK, `growthbook-rust`, through its evaluation struct
//! `GrowthBook::check` (what `GrowthBookClient::is_on` / `feature_result` call, without the
//! HTTP client around it).
//!
//! The config is GrowthBook's SDK payload (`{"features": {...}, "savedGroups": {...}}`).
//! A percentage rollout is a rollout rule with `coverage`, a 70/30 split an experiment
//! rule, the 10,000-key segment a saved group used with `$inGroup`, a prerequisite a rule
//! with `parentConditions`. GrowthBook has no ends-with operator: `$regex` expresses it.

use std::collections::HashMap;

use growthbook_rust::dto::GrowthBookFeature;
use growthbook_rust::growthbook::GrowthBook;
use growthbook_rust::model_public::{GrowthBookAttribute, SavedGroup};
use serde::Deserialize;

use crate::{
    countries_json, flags, json_str, many_flag_key, segment_keys_json, Engine, FlagKind, User,
};

/// GrowthBook.
#[derive(Debug)]
pub struct Growthbook;

/// What `GrowthBook::check` takes for a context: the user's attributes.
pub type Attributes = Option<Vec<GrowthBookAttribute>>;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    features: HashMap<String, GrowthBookFeature>,
    #[serde(default)]
    saved_groups: HashMap<String, serde_json::Value>,
}

fn feature_json(key: &str, kind: FlagKind) -> String {
    let body = match kind {
        FlagKind::On => r#"{"defaultValue": true}"#.to_owned(),
        FlagKind::Rollout25 => {
            r#"{"defaultValue": false, "rules": [{"force": true, "coverage": 0.25, "hashAttribute": "id"}]}"#.to_owned()
        }
        FlagKind::Split7030 => format!(
            r#"{{"defaultValue": "control", "rules": [{{"key": {}, "variations": ["control", "treatment"],
                "weights": [0.7, 0.3], "coverage": 1, "hashAttribute": "id"}}]}}"#,
            json_str(key)
        ),
        FlagKind::Rule => format!(
            r#"{{"defaultValue": false, "rules": [{{"force": true,
                "condition": {{"country": {{"$in": {}}}, "appVersion": {{"$vlt": "{}"}}}}}}]}}"#,
            countries_json(),
            flags::MAX_VERSION
        ),
    };
    format!("{}: {body}", json_str(key))
}

impl Engine for Growthbook {
    const NAME: &'static str = "growthbook";
    type State = GrowthBook;
    type Context = Attributes;

    fn note(scenario: crate::Scenario) -> Option<&'static str> {
        match scenario {
            crate::Scenario::Rule5Conditions => {
                Some("ends-with as $regex (compiled on every evaluation); segment = saved group with $inGroup (a list scan)")
            }
            crate::Scenario::EvaluateAll100 => Some("no evaluate-all API: a loop of check over the features"),
            crate::Scenario::Load1000 | crate::Scenario::Load10000 => Some("serde_json into the SDK's feature model"),
            _ => None,
        }
    }

    fn scenarios_config() -> String {
        let features = [
            feature_json(flags::BOOL_ON, FlagKind::On),
            feature_json(flags::ROLLOUT_25, FlagKind::Rollout25),
            feature_json(flags::SPLIT_70_30, FlagKind::Split7030),
            format!(
                r#""{rule}": {{"defaultValue": false, "rules": [{{"force": true, "coverage": 0.5, "hashAttribute": "id",
                    "condition": {{"country": {{"$in": {countries}}}, "appVersion": {{"$vlt": "{max}"}},
                        "seats": {{"$gte": {seats}}}, "email": {{"$regex": "{domain}$"}},
                        "id": {{"$inGroup": "{segment}"}}}}}}]}}"#,
                rule = flags::RULE_5,
                countries = countries_json(),
                max = flags::MAX_VERSION,
                seats = flags::MIN_SEATS,
                domain = flags::EMAIL_DOMAIN.replace('.', "\\\\."),
                segment = flags::SEGMENT,
            ),
            feature_json(flags::PARENT, FlagKind::On),
            format!(
                r#""{child}": {{"defaultValue": false, "rules": [{{"force": true,
                    "parentConditions": [{{"id": "{parent}", "condition": {{"value": true}}, "gate": true}}]}}]}}"#,
                child = flags::WITH_PREREQUISITE,
                parent = flags::PARENT,
            ),
        ];
        format!(
            r#"{{"features": {{{}}}, "savedGroups": {{"{}": {}}}}}"#,
            features.join(",\n"),
            flags::SEGMENT,
            segment_keys_json()
        )
    }

    fn many_flags_config(n: usize) -> String {
        let features: Vec<String> = (0..n)
            .map(|i| feature_json(&many_flag_key(i), FlagKind::of(i)))
            .collect();
        format!(r#"{{"features": {{{}}}}}"#, features.join(",\n"))
    }

    fn load(text: &str) -> Result<GrowthBook, String> {
        let payload: Payload = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Ok(GrowthBook {
            forced_variations: None,
            features: payload.features,
            attributes: None,
            sticky_bucket_service: None,
            saved_groups: payload
                .saved_groups
                .iter()
                .map(|(k, v)| (k.clone(), SavedGroup::from(v)))
                .collect(),
        })
    }

    fn context(user: &User) -> Result<Attributes, String> {
        let attributes = GrowthBookAttribute::from(serde_json::json!({
            "id": user.key,
            "country": user.country,
            "appVersion": user.app_version,
            "seats": user.seats,
            "email": user.email,
        }))
        .map_err(|e| e.to_string())?;
        Ok(Some(attributes))
    }

    #[inline]
    fn is_on(state: &GrowthBook, flag: &str, ctx: &Attributes) -> bool {
        state.check(flag, ctx).on
    }

    #[inline]
    fn serves(state: &GrowthBook, flag: &str, ctx: &Attributes, variant: &str) -> bool {
        state.check(flag, ctx).value.as_str() == Some(variant)
    }

    #[inline]
    fn evaluate_all(state: &GrowthBook, ctx: &Attributes) -> usize {
        let mut n = 0;
        for key in state.features.keys() {
            std::hint::black_box(state.check(key, ctx));
            n += 1;
        }
        n
    }
}
