//! A service that keeps its flags up to date from a URL, as the fleet test runs it
//! (scripts/test-fleet): it prints one JSON line per source event and one every 200 ms
//! with what it serves.
//!
//! ```sh
//! cargo run -p flagcore-source --example service -- http://127.0.0.1:8080/flags.json /tmp/flags-copy.json
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flagcore::{Context, Store};
use flagcore_source::{Event, HttpSource};
use serde_json::{json, Value};

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What the service serves now: the kill-switch flag for an internal tester, and the
/// config's sequence number (a number flag the fleet test adds).
fn serving(store: Option<&Store>, user: &Context) -> Value {
    match store {
        None => json!({"on": null, "seq": null, "revision": null}),
        Some(store) => {
            let snapshot = store.snapshot();
            let seq = snapshot.number_value("fleet-seq", user, -1.0).value;
            json!({
                "on": snapshot.is_enabled("speechmatics-direct", user),
                "seq": seq,
                "revision": snapshot.revision(),
            })
        }
    }
}

fn print(kind: &str, event: Option<&Event>, served: Value, stale: bool) {
    let mut line = json!({"proc": "rust", "t": now_ms() as u64, "kind": kind, "stale": stale,
                          "rss": rss_kb(), "event": event.map(Event::to_json)});
    if let (Some(line), Value::Object(served)) = (line.as_object_mut(), served) {
        line.extend(served);
    }
    println!("{line}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: service <url> [cache file]")?;
    let mut source = HttpSource::new(url)
        .interval(Duration::from_secs(1))
        .timeout(Duration::from_secs(2))
        .max_backoff(Duration::from_secs(2))
        .stale_after(Duration::from_secs(3));
    if let Some(cache) = args.next() {
        source = source.cache_file(cache);
    }
    let source = source.start()?;
    let user = Context::new("user-qa-001");
    let mut last_tick = std::time::Instant::now();
    loop {
        if let Some(event) = source.next_event(Duration::from_millis(50)) {
            let store = source.store();
            print(
                "event",
                Some(&event),
                serving(store.as_deref(), &user),
                source.status().stale,
            );
        }
        if last_tick.elapsed() >= Duration::from_millis(200) {
            last_tick = std::time::Instant::now();
            let store = source.store();
            print(
                "tick",
                None,
                serving(store.as_deref(), &user),
                source.status().stale,
            );
        }
    }
}
