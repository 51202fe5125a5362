//! What a source reports: [`Event`]s as things happen, and its [`Status`] at any time.

use std::time::{SystemTime, UNIX_EPOCH};

use flagcore::Problem;
use serde_json::{json, Value};

/// Where the config serving now came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// The on-disk copy of the last good config (the source has not answered yet).
    Cache,
    /// The file or the server.
    Source,
    /// The store the source was attached to, before the source delivered anything.
    Store,
}

impl Origin {
    /// `cache`, `source` or `store`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Cache => "cache",
            Origin::Source => "source",
            Origin::Store => "store",
        }
    }
}

/// Something that happened to a source. Events arrive in order; [`crate::Source::next_event`]
/// returns them, and a callback given to the builder sees each one as it happens.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A config serves for the first time: from the on-disk copy (`origin` cache, served
    /// until the source answers) or from the source. Sent once.
    Ready {
        /// The revision serving.
        revision: u64,
        /// Where the config came from.
        origin: Origin,
    },
    /// A new config was accepted and serves now.
    Updated {
        /// The revision serving now.
        revision: u64,
        /// The keys of the flags added, removed or changed, in the new config's order
        /// (removed ones last). A change outside `flags` (a segment, `hashVersion`) can
        /// change any flag: then every flag of both configs is listed.
        changed: Vec<String>,
        /// Warnings about the new config (it loaded despite them).
        warnings: Vec<Problem>,
    },
    /// The source delivered a config that does not validate: it was not loaded, and the
    /// last good config keeps serving. Sent once per distinct refused config.
    Refused {
        /// One line: how many problems, and the first.
        message: String,
        /// Every problem, with its JSON path.
        problems: Vec<Problem>,
    },
    /// The source has failed for longer than `stale_after`: the config serving may be out
    /// of date. It keeps serving.
    Stale {
        /// When the source last answered, if ever.
        last_success: Option<SystemTime>,
        /// The last failure.
        error: String,
    },
    /// The source answers again after it was stale.
    Recovered {
        /// The revision serving.
        revision: Option<u64>,
    },
}

pub(crate) fn millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn problems_json(problems: &[Problem]) -> Value {
    serde_json::to_value(problems).unwrap_or(Value::Null)
}

impl Event {
    /// `ready`, `updated`, `refused`, `stale` or `recovered`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Ready { .. } => "ready",
            Event::Updated { .. } => "updated",
            Event::Refused { .. } => "refused",
            Event::Stale { .. } => "stale",
            Event::Recovered { .. } => "recovered",
        }
    }

    /// The event as JSON, the shape every binding uses: `{"type": "updated", "revision": 3,
    /// "changed": ["speechmatics-direct"], "warnings": []}`; times are Unix milliseconds.
    pub fn to_json(&self) -> Value {
        match self {
            Event::Ready { revision, origin } => {
                json!({"type": "ready", "revision": revision, "origin": origin.as_str()})
            }
            Event::Updated {
                revision,
                changed,
                warnings,
            } => json!({"type": "updated", "revision": revision, "changed": changed,
                        "warnings": problems_json(warnings)}),
            Event::Refused { message, problems } => {
                json!({"type": "refused", "message": message, "problems": problems_json(problems)})
            }
            Event::Stale {
                last_success,
                error,
            } => json!({"type": "stale", "lastSuccess": last_success.map(millis), "error": error}),
            Event::Recovered { revision } => json!({"type": "recovered", "revision": revision}),
        }
    }
}

/// A source's state at one moment ([`crate::Source::status`]).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Status {
    /// Whether a config serves (from the source, the on-disk copy or the attached store).
    pub ready: bool,
    /// The revision serving, once ready.
    pub revision: Option<u64>,
    /// Where the config serving came from.
    pub origin: Option<Origin>,
    /// When the source last answered (a config, or "not modified").
    pub last_success: Option<SystemTime>,
    /// The failure of the last attempt, if it failed.
    pub last_error: Option<String>,
    /// How many attempts in a row have failed.
    pub failures: u32,
    /// Whether the source has failed for longer than `stale_after`.
    pub stale: bool,
    /// The problems of the last refused config, until a good one is accepted.
    pub refused: Option<Vec<Problem>>,
    /// Why the on-disk copy could not be written, if the last write failed.
    pub cache_error: Option<String>,
    /// Events dropped because nobody read them (the queue keeps the latest 1024).
    pub dropped_events: u64,
}

impl Status {
    /// The status as JSON (camelCase keys, times in Unix milliseconds).
    pub fn to_json(&self) -> Value {
        json!({
            "ready": self.ready,
            "revision": self.revision,
            "origin": self.origin.map(Origin::as_str),
            "lastSuccess": self.last_success.map(millis),
            "lastError": self.last_error,
            "failures": self.failures,
            "stale": self.stale,
            "refused": self.refused.as_deref().map(problems_json),
            "cacheError": self.cache_error,
            "droppedEvents": self.dropped_events,
        })
    }
}
