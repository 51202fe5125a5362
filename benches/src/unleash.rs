//! Unleash's engine, `unleash-yggdrasil` (the core of Unleash's Rust, .NET, Ruby, Python,
//! Java and Go SDKs), through `EngineState`: `is_enabled`, `get_variant`, `resolve_all`.
//!
//! The config is Unleash's client-features payload. A percentage rollout is a
//! `flexibleRollout` strategy, a 70/30 split is weighted feature variants, the 10,000-key
//! segment is a segment whose constraint is `userId IN [...]`, a prerequisite is a
//! feature dependency.

use unleash_yggdrasil::{ClientFeatures, Context, EngineState};

use crate::{
    countries_json, flags, json_str, many_flag_key, segment_keys_json, Engine, FlagKind, User,
};

/// Unleash Yggdrasil.
#[derive(Debug)]
pub struct Unleash;

fn rollout(percent: u32, group: &str, constraints: &str, segments: &str) -> String {
    format!(
        r#"{{"name": "flexibleRollout", "parameters": {{"rollout": "{percent}", "stickiness": "default", "groupId": {group}}},
            "constraints": [{constraints}], "segments": [{segments}]}}"#,
        group = json_str(group)
    )
}

fn feature_json(key: &str, kind: FlagKind) -> String {
    let name = json_str(key);
    match kind {
        FlagKind::On => format!(
            r#"{{"name": {name}, "enabled": true, "strategies": [{}]}}"#,
            rollout(100, key, "", "")
        ),
        FlagKind::Rollout25 => format!(
            r#"{{"name": {name}, "enabled": true, "strategies": [{}]}}"#,
            rollout(25, key, "", "")
        ),
        FlagKind::Split7030 => format!(
            r#"{{"name": {name}, "enabled": true, "strategies": [{}],
                "variants": [{{"name": "control", "weight": 700, "weightType": "variable", "stickiness": "default"}},
                             {{"name": "treatment", "weight": 300, "weightType": "variable", "stickiness": "default"}}]}}"#,
            rollout(100, key, "", "")
        ),
        FlagKind::Rule => format!(
            r#"{{"name": {name}, "enabled": true, "strategies": [{}]}}"#,
            rollout(
                100,
                key,
                &format!(
                    r#"{{"contextName": "country", "operator": "IN", "values": {}}},
                       {{"contextName": "appVersion", "operator": "SEMVER_LT", "value": "{}"}}"#,
                    countries_json(),
                    flags::MAX_VERSION
                ),
                ""
            )
        ),
    }
}

impl Engine for Unleash {
    const NAME: &'static str = "unleash-yggdrasil";
    type State = EngineState;
    type Context = Context;

    fn note(scenario: crate::Scenario) -> Option<&'static str> {
        match scenario {
            crate::Scenario::EvaluateAll100 => Some("resolve_all (builds a HashMap of results)"),
            crate::Scenario::Load1000 | crate::Scenario::Load10000 => {
                Some("serde_json into ClientFeatures + apply_client_features")
            }
            crate::Scenario::Rule5Conditions => {
                Some("segment = constraint userId IN [10,000 keys]")
            }
            _ => None,
        }
    }

    fn scenarios_config() -> String {
        let conditions = format!(
            r#"{{"contextName": "country", "operator": "IN", "values": {countries}}},
               {{"contextName": "appVersion", "operator": "SEMVER_LT", "value": "{max}"}},
               {{"contextName": "seats", "operator": "NUM_GTE", "value": "{seats}"}},
               {{"contextName": "email", "operator": "STR_ENDS_WITH", "values": ["{domain}"]}}"#,
            countries = countries_json(),
            max = flags::MAX_VERSION,
            seats = flags::MIN_SEATS,
            domain = flags::EMAIL_DOMAIN,
        );
        let features = [
            feature_json(flags::BOOL_ON, FlagKind::On),
            feature_json(flags::ROLLOUT_25, FlagKind::Rollout25),
            feature_json(flags::SPLIT_70_30, FlagKind::Split7030),
            format!(
                r#"{{"name": "{}", "enabled": true, "strategies": [{}]}}"#,
                flags::RULE_5,
                rollout(50, flags::RULE_5, &conditions, "1")
            ),
            feature_json(flags::PARENT, FlagKind::On),
            format!(
                r#"{{"name": "{}", "enabled": true, "strategies": [{}],
                    "dependencies": [{{"feature": "{}", "enabled": true}}]}}"#,
                flags::WITH_PREREQUISITE,
                rollout(100, flags::WITH_PREREQUISITE, "", ""),
                flags::PARENT
            ),
        ];
        format!(
            r#"{{"version": 2, "features": [{}],
                "segments": [{{"id": 1, "constraints": [{{"contextName": "userId", "operator": "IN", "values": {}}}]}}]}}"#,
            features.join(",\n"),
            segment_keys_json()
        )
    }

    fn many_flags_config(n: usize) -> String {
        let features: Vec<String> = (0..n)
            .map(|i| feature_json(&many_flag_key(i), FlagKind::of(i)))
            .collect();
        format!(
            r#"{{"version": 2, "features": [{}]}}"#,
            features.join(",\n")
        )
    }

    fn load(text: &str) -> Result<EngineState, String> {
        let features: ClientFeatures = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let engine = EngineState::default();
        if let Some(warnings) = engine.apply_client_features(features) {
            return Err(format!("{} compile warnings", warnings.len()));
        }
        Ok(engine)
    }

    fn context(user: &User) -> Result<Context, String> {
        let properties = [
            ("country", user.country.clone()),
            ("appVersion", user.app_version.clone()),
            ("seats", user.seats.to_string()),
            ("email", user.email.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Ok(Context {
            user_id: Some(user.key.clone()),
            properties: Some(properties),
            ..Context::default()
        })
    }

    #[inline]
    fn is_on(state: &EngineState, flag: &str, ctx: &Context) -> bool {
        state.is_enabled(flag, ctx, &None)
    }

    #[inline]
    fn serves(state: &EngineState, flag: &str, ctx: &Context, variant: &str) -> bool {
        state.get_variant(flag, ctx, &None).name == variant
    }

    #[inline]
    fn evaluate_all(state: &EngineState, ctx: &Context) -> usize {
        state
            .resolve_all(ctx, &None)
            .map(|all| all.len())
            .unwrap_or(0)
    }
}
