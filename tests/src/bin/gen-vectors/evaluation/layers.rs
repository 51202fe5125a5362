//! Layers (mutually exclusive experiments): `eval-layers.json`.

use serde_json::json;

use super::{ctx, file, user, Group, NOV22};
use crate::VectorFile;

const CONFIG: &str = r#"{
  "schemaVersion": 1,
  "layers": {
    "stt-experiments": { "description": "competing transcription tweaks: a user is in at most one" },
    "devices": { "bucketBy": "deviceId" }
  },
  "flags": {
    "gate": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 80 }, { "variant": "off", "weight": 20 }] } },
    "chunking": { "enabled": true, "layer": { "name": "stt-experiments", "range": [0, 30] },
      "default": { "variant": "on" } },
    "vad-tweak": { "type": "string", "variants": { "none": "-", "control": "webrtc", "treatment": "silero" },
      "offVariant": "none", "enabled": true, "layer": { "name": "stt-experiments", "range": [30, 70] },
      "rules": [{ "id": "staff", "conditions": [{ "attribute": "staff", "op": "equals", "value": true }], "serve": { "variant": "treatment" } }],
      "default": { "split": [{ "variant": "control", "weight": 50 }, { "variant": "treatment", "weight": 50 }] } },
    "punctuation": { "enabled": true, "layer": { "name": "stt-experiments", "range": [70, 80] },
      "prerequisites": [{ "flag": "gate", "variant": "on" }], "default": { "variant": "on" } },
    "paused": { "enabled": false, "layer": { "name": "stt-experiments", "range": [90, 100] }, "default": { "variant": "on" } },
    "empty": { "enabled": true, "layer": { "name": "stt-experiments", "range": [80, 80] }, "default": { "variant": "on" } },
    "device-canary": { "enabled": true, "layer": { "name": "devices", "range": [25, 75] },
      "default": { "split": [{ "variant": "on", "weight": 20 }, { "variant": "off", "weight": 80 }] } },
    "unlayered": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } }
  }
}"#;

const FLAGS: [&str; 7] = [
    "chunking",
    "vad-tweak",
    "punctuation",
    "paused",
    "empty",
    "device-canary",
    "unlayered",
];

fn layers() -> Group {
    let mut g = Group::new(
        "layers",
        "Layers: flags of one layer take disjoint ranges of the layer's bucket, bucket(layer name, bucketBy value); outside its range a flag serves its off variant with reason DEFAULT and the layer's bucket, before prerequisites and rules; inside, rules, prerequisites and splits apply as without a layer, splits by the flag's own bucket (reason SPLIT with that bucket). A layer's bucketBy (deviceId here) is its flags'; without it, TARGETING_KEY_MISSING. A switched-off flag is OFF; an empty range reaches nobody.",
        CONFIG,
    );
    for n in 0..60 {
        let key = format!("user-{n}");
        let device = format!("device-{}", n * 7);
        for f in FLAGS {
            g.eval(f, ctx(Some(&key), &[("deviceId", json!(device))]), None);
        }
    }
    for n in 0..20 {
        let key = format!("user-{n}");
        g.eval(
            "vad-tweak",
            ctx(Some(&key), &[("staff", json!(true))]),
            None,
        );
        let device = format!("device-{n}");
        g.eval(
            "device-canary",
            ctx(Some("one-user"), &[("deviceId", json!(device))]),
            None,
        );
    }
    g.eval(
        "device-canary",
        ctx(Some("u"), &[("deviceId", json!(123_456))]),
        None,
    );
    g.eval(
        "device-canary",
        ctx(Some("u"), &[("deviceId", json!("123456"))]),
        None,
    );
    g.eval("device-canary", ctx(Some("u"), &[]), None);
    g.eval("chunking", ctx(None, &[]), None);
    g.eval("chunking", ctx(Some(""), &[]), None);
    for n in 0..5 {
        g.all(user(n), Some(NOV22));
    }
    g
}

fn overrides() -> Group {
    let mut g = Group::new(
        "layers-overrides",
        "Store overrides win over a layer: a forced variant reaches users outside the flag's range (reason OVERRIDE), a kill serves the off variant to everyone.",
        CONFIG,
    )
    .force("chunking", "on")
    .kill("vad-tweak");
    for n in 0..10 {
        g.eval("chunking", user(n), None);
        g.eval("vad-tweak", user(n), None);
    }
    g
}

pub(in super::super) fn files() -> Vec<VectorFile> {
    vec![file(
        "eval-layers.json",
        "Layers (mutually exclusive experiments): ranges of a layer's bucket, what is served outside them, rules, prerequisites and splits inside, bucketing attributes, overrides.",
        vec![layers(), overrides()],
    )]
}
