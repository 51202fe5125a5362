// The config the OpenFeature tests evaluate (the same flags as flagcore-openfeature/tests/sdk.rs).
export const CONFIG = {
  schemaVersion: 1,
  flags: {
    "static-on": { enabled: true, default: { variant: "on" } },
    "off-flag": { enabled: false, default: { variant: "on" } },
    backend: {
      enabled: true,
      variants: { control: "modal", treatment: "speechmatics" },
      offVariant: "control",
      rules: [{ id: "beta", conditions: [{ attribute: "beta", op: "equals", value: true }], serve: { variant: "treatment" } }],
      default: { split: [{ variant: "control", weight: 70 }, { variant: "treatment", weight: 30 }] },
    },
    "ruled-default": {
      enabled: true,
      rules: [{ conditions: [{ attribute: "country", op: "in", values: ["DE"] }], serve: { variant: "on" } }],
      default: { variant: "off" },
    },
    "max-sessions": { enabled: true, variants: { low: 3, high: 10, ratio: 0.25 }, offVariant: "low", default: { variant: "high" } },
    limits: { enabled: true, variants: { small: { rps: 10, burst: [1, 2] }, odd: [1] }, offVariant: "small", default: { variant: "small" } },
    "needs-static": { enabled: true, prerequisites: [{ flag: "off-flag", variant: "on" }], default: { variant: "on" } },
    "needs-backend": { enabled: true, prerequisites: [{ flag: "backend", variant: "treatment" }], default: { variant: "on" } },
  },
};

/** The config with `static-on` serving `off`: only static-on changes. */
export function withStaticOff() {
  const c = structuredClone(CONFIG);
  c.flags["static-on"].default = { variant: "off" };
  return c;
}

export const BAD_CONFIG = '{"schemaVersion": 1, "flags": {"x": {"enabled": "yes"}}}';
