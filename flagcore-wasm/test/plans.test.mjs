// Rollout plans from JavaScript: decidePlan / applyDecision, and the speech migration
// replayed minute by minute (as flagcore/tests/plan_simulation.rs does in Rust and
// test_plans.py in Python): a healthy canary reaches 100% on the runbook's schedule, a
// failing one is rolled back within the breached guardrail's window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagStore, FlagcorePlanError } from "flagcore-wasm/plans";
import * as evaluation from "flagcore-wasm";
import { exampleText, makeUsers } from "./support.mjs";

const FLAG = "speechmatics-direct";
const MIN = 60_000;
const DAY = 86_400_000;
const START = Date.parse("2026-11-23T09:00:00Z");
const TRAFFIC = 4_000; // requests a minute, both cohorts together
const USERS = 200_000;
const STAGES = [5, 20, 50, 100];
const NINE_DAYS = 9 * 1440;
const M64 = (1n << 64n) - 1n;

/** SplitMix64, as in the Rust and Python simulations. */
class Rng {
  constructor(seed) {
    this.state = BigInt(seed) & M64;
  }
  nextU64() {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & M64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }
  unit() {
    return Number((this.nextU64() >> 11n) + 1n) / 2 ** 53;
  }
  normal() {
    const u = this.unit();
    const v = this.unit();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  binomial(n, p) {
    if (p <= 0 || n === 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const logQ = Math.log(1 - p);
    let hits = 0;
    let position = 0;
    for (;;) {
      position += Math.floor(Math.log(this.unit()) / logQ) + 1;
      if (position > n) return hits;
      hits += 1;
    }
  }
}

const HEALTHY = [0.01, 0.02, 1_500]; // error rate, transcription failure rate, p95 ms

function observe(rng, n, [errors, transcription, p95]) {
  const spread = 0.1 * Math.sqrt(100 / Math.max(n, 1));
  return {
    error_rate: { count: n, failures: rng.binomial(n, errors) },
    response_time: { count: n, p95: p95 * Math.exp(spread * rng.normal()) },
    transcription_failures: { count: n, failures: rng.binomial(n, transcription) },
  };
}

function enabledShare(store, now, users) {
  let on = 0;
  for (let i = 0; i < users; i++) if (store.isEnabled(FLAG, { key: `user-${i}` }, { at: now })) on++;
  return on / users;
}

/** One sample and one decision a minute, every decision applied through the store. */
function replay(seed, minutes, canary) {
  const store = new FlagStore(exampleText);
  const rng = new Rng(seed);
  let stage = 0;
  let stageStart = START;
  let canaryRequests = 0;
  let window = [];
  const advances = [];
  let rollback = null;
  try {
    for (let minute = 1; minute <= minutes; minute++) {
      const now = START + minute * MIN;
      const share = STAGES[stage] * 1000;
      const n = Math.floor((TRAFFIC * share) / 100_000);
      window.push({ at: now, canary: observe(rng, n, canary(minute)), control: observe(rng, TRAFFIC - n, HEALTHY) });
      window = window.filter((s) => s.at > now - 5 * MIN);
      canaryRequests += n;
      const exposed = Math.min(Math.floor(canaryRequests / 3), Math.floor((USERS * share) / 100_000));
      const outcome = store.decidePlan(FLAG, { stageStartedAt: stageStart, exposed, samples: window }, { at: now, stage });
      if (outcome.decision === "ADVANCE") {
        advances.push([now, outcome.stage, outcome.percentage]);
        store.applyDecision(FLAG, outcome);
        const seen = enabledShare(store, now, 4000);
        assert.ok(Math.abs(seen - outcome.percentage / 100) < 0.025, `stage ${outcome.stage}: ${seen}`);
        stage = outcome.stage;
        stageStart = now;
        canaryRequests = 0;
      } else if (outcome.decision === "ROLL_BACK") {
        rollback = [now, outcome.breach.metric];
        store.applyDecision(FLAG, outcome);
        assert.equal(enabledShare(store, now, 200), 0, "a rolled-back flag is off for everyone");
        break;
      }
    }
  } finally {
    store.free();
  }
  return { advances, rollback };
}

test("decidePlan holds too early, advances when due; applyDecision serves the next stage", () => {
  const store = new FlagStore(exampleText);
  const sample = (at) => ({
    at,
    canary: {
      error_rate: { count: 400, failures: 2 },
      response_time: { count: 400, p95: 1200 },
      transcription_failures: { count: 400, failures: 4 },
    },
  });
  const early = START + 3_600_000;
  const hold = store.decidePlan(FLAG, { stageStartedAt: START, exposed: 5000, samples: [sample(early)] }, { at: early, stage: 0 });
  assert.equal(hold.decision, "HOLD");
  assert.equal(hold.stage, 0);
  assert.equal(typeof hold.message, "string");

  const due = START + DAY + MIN;
  const advance = store.decidePlan(FLAG, JSON.stringify({ stageStartedAt: START, exposed: 5000, samples: [sample(due)] }), { at: new Date(due), stage: 0 });
  assert.equal(advance.decision, "ADVANCE");
  assert.deepEqual([advance.stage, advance.percentage], [1, 20]);
  const revision = store.applyDecision(FLAG, advance);
  assert.equal(revision, store.revision);
  assert.equal(revision, 2);
  assert.ok(Math.abs(enabledShare(store, due, 4000) - 0.2) < 0.025);
  // Applying is a compare-and-swap on the stage: the same ADVANCE again, or a hand-written
  // jump to 100%, is refused with STALE_DECISION and changes nothing.
  for (const stale of [advance, { decision: "ADVANCE", fromStage: 0, stage: 1, percentage: 20 },
    { decision: "ADVANCE", fromStage: 1, stage: 3, percentage: 100 }]) {
    assert.throws(() => store.applyDecision(FLAG, stale), (e) => {
      assert.ok(e instanceof FlagcorePlanError, String(e));
      assert.equal(e.code, "STALE_DECISION");
      return true;
    });
  }
  assert.equal(store.revision, 2);
  // An override controls the flag: OVERRIDDEN, a FlagcorePlanError (as in C and Python).
  store.setOverride(FLAG, { kill: true });
  assert.throws(() => store.applyDecision(FLAG, { decision: "ADVANCE", fromStage: 1, stage: 2, percentage: 50 }), (e) => {
    assert.ok(e instanceof FlagcorePlanError, String(e));
    assert.equal(e.code, "OVERRIDDEN");
    return true;
  });
  store.free();
});

test("plan errors are FlagcorePlanError with a code", () => {
  const store = new FlagStore(exampleText);
  const input = { stageStartedAt: START, samples: [] };
  const expectCode = (fn, code) =>
    assert.throws(fn, (e) => {
      assert.ok(e instanceof FlagcorePlanError, String(e));
      assert.ok(e instanceof Error);
      assert.equal(e.code, code);
      return true;
    });
  expectCode(() => store.decidePlan("no-such-flag", input, { at: START }), "UNKNOWN_FLAG");
  expectCode(() => store.decidePlan("speech-backend-ab", input, { at: START }), "NO_PLAN");
  expectCode(() => store.decidePlan(FLAG, input, { at: START, stage: 9 }), "STAGE_OUT_OF_RANGE");
  expectCode(
    () => store.decidePlan(FLAG, { stageStartedAt: START, samples: [{ at: START, canary: { error_rate: { count: 1, failures: 5 } } }] }, { at: START, stage: 0 }),
    "INVALID_OBSERVATION",
  );
  store.free();
});

test("the evaluation entries leave plans out: PLANS_NOT_INCLUDED; the plans entry evaluates the same", () => {
  const small = new evaluation.FlagStore(exampleText);
  const full = new FlagStore(exampleText);
  const input = { stageStartedAt: START, samples: [] };
  for (const call of [() => small.decidePlan(FLAG, input, { at: START }), () => small.applyDecision(FLAG, { decision: "HOLD" })]) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof evaluation.FlagcorePlanError, String(e));
      assert.equal(e.code, "PLANS_NOT_INCLUDED");
      assert.match(e.message, /flagcore-wasm\/plans/);
      return true;
    });
  }
  assert.equal(small.revision, 1);
  for (const { context, at } of makeUsers(100)) {
    assert.deepEqual(full.evaluateAll(context, { at }), small.evaluateAll(context, { at }));
  }
  small.free();
  full.free();
});

test("a healthy canary reaches 100% on the runbook's schedule", () => {
  const trace = replay(1, NINE_DAYS + 60, () => HEALTHY);
  assert.equal(trace.rollback, null);
  assert.deepEqual(trace.advances, [
    [START + DAY, 1, 20],
    [START + 4 * DAY, 2, 50],
    [START + 9 * DAY, 3, 100],
  ]);
});

test("failing canaries are rolled back within their guardrail's window", () => {
  const failing = (seed, onset, bad) => {
    const trace = replay(seed, onset + 60, (m) => (m > onset ? bad : HEALTHY));
    assert.notEqual(trace.rollback, null, "the failing canary was not rolled back");
    return [trace.rollback[0] - (START + onset * MIN), trace.rollback[1]];
  };
  for (const onset of [3 * 60 + 7, 2 * 1440 + 11 * 60]) {
    const [after, metric] = failing(100 + onset, onset, [0.3, 0.02, 1_500]);
    assert.equal(metric, "error_rate");
    assert.ok(after > 0 && after <= 2 * MIN, `error spike rolled back ${after} ms after onset`);
  }
  let [after, metric] = failing(7, 187, [0.01, 0.02, 9_000]);
  assert.equal(metric, "response_time");
  assert.ok(after > 0 && after <= MIN, `slow responses rolled back ${after} ms after onset`);
  [after, metric] = failing(8, 187, [0.01, 0.25, 1_500]);
  assert.equal(metric, "transcription_failures");
  assert.ok(after > 0 && after <= 5 * MIN, `transcription failures rolled back ${after} ms after onset`);
});
