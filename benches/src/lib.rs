//! flagcore against the engines users would otherwise pick, side by side, in one run.
//!
//! Every scenario is built as an equivalent config for every engine that can express it
//! (see [`Engine`]), from one description in this crate, so the criterion benches
//! (`benches/compare.rs`), the allocation counter (`src/bin/allocs.rs`) and the tests
//! measure and check exactly the same thing. The peers are used through their own
//! evaluation APIs, in process, with no HTTP client:
//!
//! - [`unleash`]: `unleash-yggdrasil` (`EngineState::is_enabled` / `get_variant` /
//!   `resolve_all`),
//! - [`launchdarkly`]: `launchdarkly-server-sdk-evaluation` (`evaluate` over a [`Store`]
//!   implementation, as the LaunchDarkly Rust SDK does),
//! - [`growthbook`]: `growthbook-rust` (`GrowthBook::check`).
//!
//! `scripts/bench` runs everything; `src/bin/report.rs` turns the results into the tables
//! of `BENCHMARKS.md`.
//!
//! [`Store`]: launchdarkly_server_sdk_evaluation::Store
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod flagcore_engine;
pub mod growthbook;
pub mod launchdarkly;
pub mod results;
pub mod unleash;

/// A benchmark scenario. The ids are the ones every harness writes into
/// `target/bench-results/*.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// 1: a boolean flag that is simply on.
    BoolOn,
    /// 2: a 25% percentage rollout.
    Rollout25,
    /// 3: a 70/30 variant split.
    Split7030,
    /// 4: a rule with five conditions (string one-of, semver <, numeric >=, ends-with,
    /// segment of 10,000 keys) gating a 50% rollout.
    Rule5Conditions,
    /// 5: a flag with a prerequisite.
    Prerequisite,
    /// 6: evaluate all of 100 flags for one context.
    EvaluateAll100,
    /// 7: load and compile a config of 1,000 flags.
    Load1000,
    /// 7: load and compile a config of 10,000 flags.
    Load10000,
}

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Scenario; 8] = [
        Scenario::BoolOn,
        Scenario::Rollout25,
        Scenario::Split7030,
        Scenario::Rule5Conditions,
        Scenario::Prerequisite,
        Scenario::EvaluateAll100,
        Scenario::Load1000,
        Scenario::Load10000,
    ];

    /// The stable id used in results (`"1-bool-on"`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Scenario::BoolOn => "1-bool-on",
            Scenario::Rollout25 => "2-rollout-25",
            Scenario::Split7030 => "3-split-70-30",
            Scenario::Rule5Conditions => "4-rule-5-conditions",
            Scenario::Prerequisite => "5-prerequisite",
            Scenario::EvaluateAll100 => "6-evaluate-all-100",
            Scenario::Load1000 => "7-load-1000",
            Scenario::Load10000 => "7-load-10000",
        }
    }

    /// Whether the scenario loads a config (rather than evaluating one).
    pub fn is_load(self) -> bool {
        matches!(self, Scenario::Load1000 | Scenario::Load10000)
    }

    /// The flag evaluated by a single-flag scenario.
    pub fn flag(self) -> Option<&'static str> {
        Some(match self {
            Scenario::BoolOn => flags::BOOL_ON,
            Scenario::Rollout25 => flags::ROLLOUT_25,
            Scenario::Split7030 => flags::SPLIT_70_30,
            Scenario::Rule5Conditions => flags::RULE_5,
            Scenario::Prerequisite => flags::WITH_PREREQUISITE,
            _ => return None,
        })
    }
}

/// The flag keys of the scenarios config (the same in every engine).
pub mod flags {
    /// Scenario 1.
    pub const BOOL_ON: &str = "bool-on";
    /// Scenario 2.
    pub const ROLLOUT_25: &str = "rollout-25";
    /// Scenario 3.
    pub const SPLIT_70_30: &str = "split-70-30";
    /// Scenario 4.
    pub const RULE_5: &str = "rule-5-conditions";
    /// The flag scenario 5 depends on (simply on).
    pub const PARENT: &str = "parent";
    /// Scenario 5.
    pub const WITH_PREREQUISITE: &str = "with-prerequisite";
    /// The segment of scenario 4.
    pub const SEGMENT: &str = "beta-10k";
    /// The 70/30 split's variants.
    pub const CONTROL: &str = "control";
    /// The 70/30 split's variants.
    pub const TREATMENT: &str = "treatment";
    /// The countries of the one-of condition.
    pub const COUNTRIES: [&str; 3] = ["DE", "FR", "NL"];
    /// The semver condition: app versions below this.
    pub const MAX_VERSION: &str = "2.3.0";
    /// The numeric condition: at least this many seats.
    pub const MIN_SEATS: i64 = 10;
    /// The ends-with condition.
    pub const EMAIL_DOMAIN: &str = "@company.example";
    /// The number of keys in the segment.
    pub const SEGMENT_KEYS: usize = 10_000;
}

/// The kind of flag `i` in the many-flag configs (scenarios 6 and 7): a mix of the simple
/// scenarios, the same in every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// Simply on.
    On,
    /// A 25% rollout.
    Rollout25,
    /// A 70/30 split of two string variants.
    Split7030,
    /// A rule (country one-of and semver <) serving on; off otherwise.
    Rule,
}

impl FlagKind {
    /// The kind of the `i`th flag.
    pub fn of(i: usize) -> FlagKind {
        match i % 4 {
            0 => FlagKind::On,
            1 => FlagKind::Rollout25,
            2 => FlagKind::Split7030,
            _ => FlagKind::Rule,
        }
    }
}

/// The key of the `i`th flag of a many-flag config.
pub fn many_flag_key(i: usize) -> String {
    format!("flag-{i:05}")
}

/// The key of the `i`th member of the scenario-4 segment.
pub fn segment_key(i: usize) -> String {
    format!("user-{i}")
}

/// A user, described once and converted into each engine's context type.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// The targeting key (user ID).
    pub key: String,
    /// `country`.
    pub country: String,
    /// `appVersion`.
    pub app_version: String,
    /// `seats`.
    pub seats: i64,
    /// `email`.
    pub email: String,
}

impl User {
    /// The user every evaluation bench uses: matches all five conditions of scenario 4
    /// (and so evaluates all of them) and is in the middle of the 10,000-key segment.
    pub fn bench() -> User {
        User {
            key: segment_key(4217),
            country: "NL".to_owned(),
            app_version: "2.2.9".to_owned(),
            seats: 12,
            email: "ana@company.example".to_owned(),
        }
    }

    /// A deterministic population for the equivalence tests: `user-{i}` with attributes
    /// that match each condition of scenario 4 about half of the time.
    pub fn population(i: usize) -> User {
        User {
            key: segment_key(i * 3),
            country: ["DE", "US", "NL", "JP"][i % 4].to_owned(),
            app_version: ["2.2.9", "2.4.0", "1.9.0"][i % 3].to_owned(),
            seats: (i % 20) as i64,
            email: if i % 5 < 3 {
                format!("u{i}@company.example")
            } else {
                format!("u{i}@gmail.com")
            },
        }
    }

    /// Whether this user matches all five conditions of scenario 4 (the expected answer,
    /// computed independently of every engine).
    pub fn matches_rule_5(&self) -> bool {
        let in_segment = self
            .key
            .strip_prefix("user-")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n < flags::SEGMENT_KEYS && segment_key(n) == self.key);
        let version: Vec<u64> = self
            .app_version
            .split('.')
            .filter_map(|p| p.parse().ok())
            .collect();
        flags::COUNTRIES.contains(&self.country.as_str())
            && version < vec![2, 3, 0]
            && self.seats >= flags::MIN_SEATS
            && self.email.ends_with(flags::EMAIL_DOMAIN)
            && in_segment
    }
}

/// An engine, reduced to what the scenarios need. Each implementation builds its own
/// config format for the same scenarios and calls the engine's own evaluation API.
pub trait Engine {
    /// The engine's name in results (`"flagcore"`, `"unleash-yggdrasil"`, ...).
    const NAME: &'static str;
    /// A loaded, compiled config.
    type State;
    /// An evaluation context, built once and reused.
    type Context;

    /// Why the engine cannot express `scenario`, if it cannot.
    fn cannot_express(scenario: Scenario) -> Option<&'static str> {
        let _ = scenario;
        None
    }
    /// How the engine expresses something unusually (shown as a note), if it does.
    fn note(scenario: Scenario) -> Option<&'static str> {
        let _ = scenario;
        None
    }
    /// The config of scenarios 1-5 (all their flags and the segment), in the engine's format.
    fn scenarios_config() -> String;
    /// A config of `n` flags of the [`FlagKind`] mix, in the engine's format.
    fn many_flags_config(n: usize) -> String;
    /// Parses and compiles a config (what scenario 7 measures).
    fn load(text: &str) -> Result<Self::State, String>;
    /// Builds the engine's context for a user.
    fn context(user: &User) -> Result<Self::Context, String>;
    /// Whether a boolean flag is on (scenarios 1, 2, 4, 5).
    fn is_on(state: &Self::State, flag: &str, ctx: &Self::Context) -> bool;
    /// Whether a string flag serves the variant named `variant` (scenario 3).
    fn serves(state: &Self::State, flag: &str, ctx: &Self::Context, variant: &str) -> bool;
    /// Evaluates every flag for one context with the engine's evaluate-all API (or a loop
    /// over its flags where it has none); returns how many flags were evaluated.
    fn evaluate_all(state: &Self::State, ctx: &Self::Context) -> usize;
}

/// Everything one engine needs for every scenario, prepared before timing.
#[derive(Debug)]
pub struct Prepared<E: Engine> {
    /// The scenarios config (scenarios 1-5), loaded.
    pub scenarios: E::State,
    /// The 100-flag config (scenario 6), loaded.
    pub hundred: E::State,
    /// The 1,000-flag config text (scenario 7).
    pub text_1000: String,
    /// The 10,000-flag config text (scenario 7).
    pub text_10000: String,
    /// The bench user's context.
    pub ctx: E::Context,
}

impl<E: Engine> Prepared<E> {
    /// Builds and loads every config and the bench user's context.
    pub fn new() -> Result<Self, String> {
        Ok(Prepared {
            scenarios: E::load(&E::scenarios_config())
                .map_err(|e| format!("{}: scenarios config: {e}", E::NAME))?,
            hundred: E::load(&E::many_flags_config(100))
                .map_err(|e| format!("{}: 100 flags: {e}", E::NAME))?,
            text_1000: E::many_flags_config(1_000),
            text_10000: E::many_flags_config(10_000),
            ctx: E::context(&User::bench()).map_err(|e| format!("{}: context: {e}", E::NAME))?,
        })
    }

    /// Runs one operation of an evaluation scenario and returns something derived from
    /// its answer (for `black_box`). Load scenarios are run by [`Prepared::load`].
    #[inline]
    pub fn evaluate(&self, scenario: Scenario) -> usize {
        match scenario {
            Scenario::BoolOn => usize::from(E::is_on(&self.scenarios, flags::BOOL_ON, &self.ctx)),
            Scenario::Rollout25 => {
                usize::from(E::is_on(&self.scenarios, flags::ROLLOUT_25, &self.ctx))
            }
            Scenario::Split7030 => usize::from(E::serves(
                &self.scenarios,
                flags::SPLIT_70_30,
                &self.ctx,
                flags::TREATMENT,
            )),
            Scenario::Rule5Conditions => {
                usize::from(E::is_on(&self.scenarios, flags::RULE_5, &self.ctx))
            }
            Scenario::Prerequisite => usize::from(E::is_on(
                &self.scenarios,
                flags::WITH_PREREQUISITE,
                &self.ctx,
            )),
            Scenario::EvaluateAll100 => E::evaluate_all(&self.hundred, &self.ctx),
            Scenario::Load1000 | Scenario::Load10000 => 0,
        }
    }

    /// The config text a load scenario parses.
    pub fn load_text(&self, scenario: Scenario) -> &str {
        match scenario {
            Scenario::Load10000 => &self.text_10000,
            _ => &self.text_1000,
        }
    }

    /// Runs one load of a load scenario.
    pub fn load(&self, scenario: Scenario) -> Result<E::State, String> {
        E::load(self.load_text(scenario))
    }
}

/// Escapes a string as a JSON string literal.
pub(crate) fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// The segment's keys as a JSON array.
pub(crate) fn segment_keys_json() -> String {
    let keys: Vec<String> = (0..flags::SEGMENT_KEYS).map(segment_key).collect();
    serde_json::Value::from(keys).to_string()
}

/// The countries as a JSON array.
pub(crate) fn countries_json() -> String {
    serde_json::Value::from(flags::COUNTRIES.to_vec()).to_string()
}
