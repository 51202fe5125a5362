//! Loads `examples/speech-migration.json` and prints what a few users get, and why.
//!
//! `cargo run -p flagcore --example who_gets_what [CONFIG] [TIME]`

use flagcore::{Context, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/speech-migration.json"
        )
        .to_owned()
    });
    let at = args
        .next()
        .unwrap_or_else(|| "2026-12-01T12:00:00Z".to_owned());
    let now = flagcore::parse_timestamp(&at).ok_or("TIME must be RFC 3339")?;
    let store = Store::from_json(&std::fs::read_to_string(&path)?)?;
    let snapshot = store.snapshot();
    let at_now = snapshot.at(now);
    println!("{path} at {at} (revision {})", snapshot.revision());
    let users = [
        Context::new("user-qa-001").with("appVersion", "2.4.0"),
        Context::new("user-1001")
            .with("appVersion", "2.4.0")
            .with("email", "li@company.example"),
        Context::new("user-1002").with("appVersion", "2.2.0"),
        Context::new("user-1003")
            .with("appVersion", "2.3.1")
            .with("platform", "ios-web"),
        Context::new("user-1004").with("appVersion", "2.5.0"),
        Context::new("user-1005").with("appVersion", "2.5.0"),
    ];
    for user in users {
        println!("\n{}", user.key().unwrap_or("(anonymous)"));
        for e in at_now.evaluate_all(&user) {
            let why = match (e.rule_id, e.bucket, e.prerequisite) {
                (Some(rule), _, _) => format!("rule {rule}"),
                (None, Some(b), _) => format!("bucket {b}"),
                (None, None, Some(p)) => format!("prerequisite {p}"),
                _ => String::new(),
            };
            println!(
                "  {:<24} {:<10} {:<14} {:<20} {}",
                e.flag_key,
                e.value_json.unwrap_or("null"),
                e.variant.unwrap_or("-"),
                e.reason,
                why
            );
        }
    }
    Ok(())
}
