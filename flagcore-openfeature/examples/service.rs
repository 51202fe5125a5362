//! A service that reads its flags through OpenFeature, with flagcore as the provider:
//! `cargo run -p flagcore-openfeature --example service [config.json]`.
//!
//! The request handler only knows OpenFeature's client; the provider, the exposure hook
//! (who saw which variant, for A/B analysis) and the config reload are set up in `main`.

use std::sync::Arc;

use flagcore_openfeature::{ExposureHook, FlagcoreProvider};
use open_feature::{Client, EvaluationContext, OpenFeature};

/// What one request does with its flags: only the OpenFeature API.
async fn handle(client: &Client, user_id: &str, app_version: &str) -> String {
    let ctx = EvaluationContext::default()
        .with_targeting_key(user_id)
        .with_custom_field("appVersion", app_version);
    let direct = client
        .get_bool_value("speechmatics-direct", Some(&ctx), None)
        .await
        .unwrap_or(false);
    let backend = client
        .get_string_value("speech-backend-ab", Some(&ctx), None)
        .await
        .unwrap_or_else(|_| "modal".into());
    format!("{user_id:>10} app {app_version}: backend {backend:<13} speechmatics-direct {direct}")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/speech-migration.json"
        )
        .into()
    });
    let store = Arc::new(flagcore::Store::from_json(&std::fs::read_to_string(
        &path,
    )?)?);

    let mut api = OpenFeature::singleton_mut().await;
    api.set_provider(FlagcoreProvider::new(store.clone())).await;
    api.add_hook(ExposureHook::new(|e| {
        eprintln!(
            "exposure: {} {:?} {} {:?}",
            e.flag_key, e.variant, e.reason, e.targeting_key
        );
    }))
    .await;
    let client = api.create_client();
    drop(api);

    for (user, version) in [
        ("user-1", "2.4.0"),
        ("user-2", "2.2.0"),
        ("user-qa-001", "2.4.0"),
    ] {
        println!("{}", handle(&client, user, version).await);
    }
    // An incident: kill the canary. The same client answers from the new state at once.
    store.set_override("speechmatics-direct", flagcore::Override::Kill)?;
    println!(
        "after the kill:\n{}",
        handle(&client, "user-qa-001", "2.4.0").await
    );
    Ok(())
}
