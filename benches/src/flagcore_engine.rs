//! flagcore, through its production entry points: a [`Store`] and a reusable [`Context`].
//! Every evaluation reads the store's current state (`Store::is_enabled`, `Store::read`:
//! through the per-thread cache; evaluate-all through `Store::snapshot`).

use flagcore::{Context, Store};

use crate::{
    countries_json, flags, json_str, many_flag_key, segment_keys_json, Engine, FlagKind, User,
};

/// flagcore.
#[derive(Debug)]
pub struct Flagcore;

fn flag_json(key: &str, kind: FlagKind) -> String {
    let body = match kind {
        FlagKind::On => r#"{"enabled": true, "default": {"variant": "on"}}"#.to_owned(),
        FlagKind::Rollout25 => {
            r#"{"enabled": true, "default": {"split": [{"variant": "on", "weight": 25}, {"variant": "off", "weight": 75}]}}"#
                .to_owned()
        }
        FlagKind::Split7030 => r#"{"enabled": true, "variants": {"control": "control", "treatment": "treatment"},
            "offVariant": "control",
            "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]}}"#
            .to_owned(),
        FlagKind::Rule => format!(
            r#"{{"enabled": true, "rules": [{{"conditions": [
                {{"attribute": "country", "op": "in", "values": {countries}}},
                {{"attribute": "appVersion", "op": "semverLt", "value": "{max}"}}],
              "serve": {{"variant": "on"}}}}],
              "default": {{"variant": "off"}}}}"#,
            countries = countries_json(),
            max = flags::MAX_VERSION
        ),
    };
    format!("{}: {body}", json_str(key))
}

impl Engine for Flagcore {
    const NAME: &'static str = "flagcore";
    type State = Store;
    type Context = Context;

    fn scenarios_config() -> String {
        format!(
            r#"{{"schemaVersion": 1,
  "segments": {{"{segment}": {{"keys": {keys}}}}},
  "flags": {{
    {bool_on},
    {rollout},
    {split},
    "{rule}": {{"enabled": true,
      "rules": [{{"conditions": [
          {{"attribute": "country", "op": "in", "values": {countries}}},
          {{"attribute": "appVersion", "op": "semverLt", "value": "{max}"}},
          {{"attribute": "seats", "op": "gte", "value": {seats}}},
          {{"attribute": "email", "op": "endsWith", "value": "{domain}"}},
          {{"op": "inSegment", "value": "{segment}"}}],
        "serve": {{"split": [{{"variant": "on", "weight": 50}}, {{"variant": "off", "weight": 50}}]}}}}],
      "default": {{"variant": "off"}}}},
    "{parent}": {{"enabled": true, "default": {{"variant": "on"}}}},
    "{child}": {{"enabled": true, "prerequisites": [{{"flag": "{parent}", "variant": "on"}}],
      "default": {{"variant": "on"}}}}
  }}}}"#,
            segment = flags::SEGMENT,
            keys = segment_keys_json(),
            bool_on = flag_json(flags::BOOL_ON, FlagKind::On),
            rollout = flag_json(flags::ROLLOUT_25, FlagKind::Rollout25),
            split = flag_json(flags::SPLIT_70_30, FlagKind::Split7030),
            rule = flags::RULE_5,
            countries = countries_json(),
            max = flags::MAX_VERSION,
            seats = flags::MIN_SEATS,
            domain = flags::EMAIL_DOMAIN,
            parent = flags::PARENT,
            child = flags::WITH_PREREQUISITE,
        )
    }

    fn many_flags_config(n: usize) -> String {
        let flags: Vec<String> = (0..n)
            .map(|i| flag_json(&many_flag_key(i), FlagKind::of(i)))
            .collect();
        format!(
            r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
            flags.join(",\n")
        )
    }

    fn load(text: &str) -> Result<Store, String> {
        Store::from_json(text).map_err(|e| e.to_string())
    }

    fn context(user: &User) -> Result<Context, String> {
        Ok(Context::new(user.key.as_str())
            .with("country", user.country.as_str())
            .with("appVersion", user.app_version.as_str())
            .with("seats", user.seats as f64)
            .with("email", user.email.as_str()))
    }

    #[inline]
    fn is_on(state: &Store, flag: &str, ctx: &Context) -> bool {
        state.is_enabled(flag, ctx)
    }

    #[inline]
    fn serves(state: &Store, flag: &str, ctx: &Context, variant: &str) -> bool {
        state.read(|now| now.evaluate(flag, ctx).variant == Some(variant))
    }

    #[inline]
    fn evaluate_all(state: &Store, ctx: &Context) -> usize {
        let snapshot = state.snapshot();
        let mut n = 0;
        for e in snapshot.evaluate_all(ctx) {
            std::hint::black_box(e.variant_index);
            n += 1;
        }
        n
    }
}
