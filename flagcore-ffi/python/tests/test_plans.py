"""Rollout plans from Python: Store.decide_plan / Store.apply_decision, and the speech
migration replayed minute by minute (as flagcore/tests/plan_simulation.rs does in Rust):
a healthy canary reaches 100% on the runbook's schedule, a failing one is rolled back
within the breached guardrail's window."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import deque
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import flagcore
from flagcore import Context, PlanDecision, PlanError, Reason, Store

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "speech-migration.json"
FLAG = "speechmatics-direct"
MIN = 60_000
DAY = 86_400_000
#: 2026-11-23T09:00:00Z, a Monday: the rollout starts.
START = 1_795_424_400_000
#: Requests a minute, both cohorts together (the canary gets its percentage of them).
TRAFFIC = 4_000
#: Distinct users: exposure grows with canary requests, capped by the canary's share.
USERS = 200_000
#: The plan's stages (percent), as in the example config.
STAGES = (5, 20, 50, 100)
NINE_DAYS = 9 * 1440
M64 = (1 << 64) - 1


def sample(at: int, errors: int = 2, n: int = 400, p95: float = 1200.0, transcription: int = 4) -> Dict[str, Any]:
    return {
        "at": at,
        "canary": {
            "error_rate": {"count": n, "failures": errors},
            "response_time": {"count": n, "p95": p95},
            "transcription_failures": {"count": n, "failures": transcription},
        },
    }


@pytest.fixture()
def store():
    with Store.from_file(EXAMPLE) as s:
        yield s


# -- the API --------------------------------------------------------------------------


def test_too_early_holds_and_holding_changes_nothing(store):
    now = START + 3_600_000
    d = store.decide_plan(FLAG, {"stageStartedAt": START, "exposed": 5000, "samples": [sample(now)]}, at=now, stage=0)
    assert isinstance(d, PlanDecision)
    assert (d.kind, d.stage, d.percentage, d.hold_reason) == ("HOLD", 0, 5, "TOO_EARLY")
    assert d.hold_details == {"elapsed_ms": 3_600_000, "min_duration_ms": DAY}
    assert d.breach is None and not d.advance and not d.rolled_back
    assert "hold at 5%" in d.message
    assert [c.metric for c in d.checks] == ["error_rate", "response_time", "transcription_failures"]
    assert all(c.status == "HEALTHY" for c in d.checks)
    assert d.checks[0].canary.samples == 400 and d.checks[0].canary.failures == 2
    assert d.checks[1].canary.value == 1200
    with pytest.raises(FrozenInstanceError):
        d.kind = "ADVANCE"  # type: ignore[misc]
    assert store.apply_decision(FLAG, d) == 1
    assert store.revision == 1


def test_advance_then_apply_serves_the_next_stage(store):
    now = START + DAY
    metrics = {"stageStartedAt": START, "now": now, "exposed": 1000, "samples": [sample(now)]}
    # The time comes from the input's "now"; the stage from the config (5% now).
    d = store.decide_plan(FLAG, json.dumps(metrics))
    assert (d.kind, d.from_stage, d.stage, d.percentage) == ("ADVANCE", 0, 1, 20)
    assert store.apply_decision(FLAG, d) == 2
    on = sum(store.is_enabled(FLAG, Context(f"user-{i}"), at=now) for i in range(4000))
    assert 0.17 < on / 4000 < 0.23
    # The previous config stays in history.
    assert store.rollback() == 1


def test_too_few_exposed_and_too_few_samples_hold(store):
    now = START + DAY
    d = store.decide_plan(FLAG, {"stageStartedAt": START, "exposed": 10, "samples": [sample(now)]}, at=now, stage=0)
    assert (d.kind, d.hold_reason, d.hold_details) == ("HOLD", "TOO_FEW_EXPOSED", {"exposed": 10, "required": 1000})
    d = store.decide_plan(FLAG, {"stageStartedAt": START, "exposed": 5000, "samples": [sample(now, n=20, errors=0)]},
                          at=now, stage=0)
    assert (d.kind, d.hold_reason) == ("HOLD", "TOO_FEW_SAMPLES")
    assert d.hold_details["cohort"] == "canary" and d.hold_details["required"] == 100
    assert d.checks[0].status == "INSUFFICIENT"


def test_roll_back_kills_the_flag_until_cleared(store):
    started = START + DAY
    now = started + 10 * MIN
    store.apply_decision(FLAG, {"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 20, "at": START})
    d = store.decide_plan(FLAG, {"stageStartedAt": started, "samples": [sample(now, errors=60)]}, at=now, stage=1)
    assert (d.kind, d.stage, d.percentage) == ("ROLL_BACK", 1, 20)
    assert d.rolled_back and d.breach is not None
    b = d.breach
    assert (b.guardrail, b.metric, b.severity, b.action) == (0, "error_rate", "critical", "rollback")
    assert b.observed == pytest.approx(0.15) and b.threshold == 0.05 and b.samples == 400
    assert b.window_ms == 2 * MIN and b.z is not None and b.z > 3
    assert d.checks[0].status == "BREACHED"
    assert "roll back at 20%" in d.message
    revision = store.revision
    assert store.apply_decision(FLAG, d) == revision
    assert not any(store.is_enabled(FLAG, Context(f"user-{i}"), at=now) for i in range(500))
    assert store.evaluate(FLAG, Context("user-1"), at=now).reason is Reason.OVERRIDE
    # Advancing a killed flag is refused until the override is cleared.
    advance = {"decision": "ADVANCE", "fromStage": 1, "stage": 2, "percentage": 50}
    with pytest.raises(PlanError) as e:
        store.apply_decision(FLAG, advance)
    assert e.value.code == "OVERRIDDEN" and "override" in str(e.value)
    assert store.clear_override(FLAG)
    assert store.apply_decision(FLAG, advance) == revision + 1


def test_plan_errors(store):
    metrics = {"stageStartedAt": START, "samples": []}
    cases: List[Tuple[Callable[[], Any], str]] = [
        (lambda: store.decide_plan("no-such-flag", metrics, at=START), "UNKNOWN_FLAG"),
        (lambda: store.decide_plan("live-captions-ui", metrics, at=START), "NO_PLAN"),
        (lambda: store.decide_plan(FLAG, "{not json", at=START), "INVALID_PLAN_INPUT"),
        (lambda: store.decide_plan(FLAG, "[1, 2]", at=START), "INVALID_PLAN_INPUT"),
        (lambda: store.decide_plan(FLAG, {"samples": []}, at=START), "INVALID_PLAN_INPUT"),
        (lambda: store.decide_plan(FLAG, metrics, at=START, stage=9), "STAGE_OUT_OF_RANGE"),
        (lambda: store.decide_plan(FLAG, {**metrics, "samples": [{"at": START, "canary": {
            "error_rate": {"count": 10, "failures": 11}}}]}, at=START, stage=0), "INVALID_OBSERVATION"),
        (lambda: store.apply_decision(FLAG, {"decision": "ADVANCE", "fromStage": 1, "stage": 2,
                                              "percentage": 50, "at": START}), "STALE_DECISION"),
        (lambda: store.apply_decision(FLAG, {"decision": "ADVANCE", "fromStage": 0, "stage": 3,
                                              "percentage": 100}), "STALE_DECISION"),
        (lambda: store.apply_decision(FLAG, '{"decision": "MAYBE"}'), "INVALID_PLAN_INPUT"),
        (lambda: store.apply_decision("live-captions-ui", {"decision": "ADVANCE", "fromStage": 0, "stage": 1,
                                                           "percentage": 20}), "NO_PLAN"),
    ]
    for call, code in cases:
        with pytest.raises(PlanError) as e:
            call()
        assert e.value.code == code, (code, str(e.value))
        assert isinstance(e.value, flagcore.FlagcoreError) and str(e.value)
    with pytest.raises(TypeError):
        store.decide_plan(FLAG, 42, at=START)  # type: ignore[arg-type]
    store.close()
    with pytest.raises(flagcore.StoreClosedError):
        store.decide_plan(FLAG, metrics, at=START)


def test_times_default_to_now_and_accept_datetimes(store):
    # No "now" and no `at`: the current time. Two days after the stage started it has run
    # its day (not TOO_EARLY); an hour after, it has not.
    wall = dt.datetime.now(dt.timezone.utc)
    metrics = {"stageStartedAt": wall - dt.timedelta(days=2), "exposed": 5000, "samples": []}
    assert store.decide_plan(FLAG, metrics, stage=0).hold_reason == "TOO_FEW_SAMPLES"
    recent = {**metrics, "stageStartedAt": wall - dt.timedelta(hours=1)}
    assert store.decide_plan(FLAG, recent, stage=0).hold_reason == "TOO_EARLY"
    # An explicit time wins over the input's "now".
    d = store.decide_plan(FLAG, {**metrics, "stageStartedAt": START, "now": START + 2 * DAY}, at=START + 60_000,
                          stage=0)
    assert d.hold_reason == "TOO_EARLY"
    with pytest.raises(PlanError):
        store.decide_plan(FLAG, {"stageStartedAt": dt.datetime(2026, 11, 23)}, stage=0)  # naive


def test_decision_round_trips_through_json(store):
    now = START + DAY
    d = store.decide_plan(FLAG, {"stageStartedAt": START, "exposed": 1000, "samples": [sample(now)]}, at=now, stage=0)
    again = PlanDecision.from_json(d.raw_json)
    assert again == d


# -- the simulated migration ------------------------------------------------------------


class Rng:
    """SplitMix64, as in the Rust simulation: small, fast, the same everywhere."""

    def __init__(self, seed: int) -> None:
        self.state = seed & M64

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def unit(self) -> float:
        """Uniform in (0, 1]."""
        return ((self.next_u64() >> 11) + 1) / float(1 << 53)

    def normal(self) -> float:
        u, v = self.unit(), self.unit()
        return math.sqrt(-2.0 * math.log(u)) * math.cos(math.tau * v)

    def binomial(self, n: int, p: float) -> int:
        """An exact Binomial(n, p) draw by geometric skipping."""
        if p <= 0.0 or n == 0:
            return 0
        if p >= 1.0:
            return n
        if p > 0.5:
            return n - self.binomial(n, 1.0 - p)
        log_q = math.log(1.0 - p)
        hits = position = 0
        while True:
            position += int(math.floor(math.log(self.unit()) / log_q)) + 1
            if position > n:
                return hits
            hits += 1


#: (error rate, transcription failure rate, p95 latency ms)
Health = Tuple[float, float, float]
HEALTHY: Health = (0.01, 0.02, 1_500.0)


def observe(rng: Rng, n: int, health: Health) -> Dict[str, Dict[str, Any]]:
    errors, transcription, p95 = health
    # The p95 of n requests scatters around the true p95, less so with more requests.
    spread = 0.10 * math.sqrt(100.0 / max(n, 1))
    p95_seen = p95 * math.exp(spread * rng.normal())
    return {
        "error_rate": {"count": n, "failures": rng.binomial(n, errors)},
        "response_time": {"count": n, "p95": p95_seen},
        "transcription_failures": {"count": n, "failures": rng.binomial(n, transcription)},
    }


def replay(seed: int, minutes: int, canary: Callable[[int], Health]) -> Dict[str, Any]:
    """Replays `minutes` of the rollout from START through a Store serving the example
    config: one sample and one decision a minute, every decision applied."""
    store = Store.from_file(EXAMPLE)
    rng = Rng(seed)
    longest = 5 * MIN  # the widest guardrail window of the plan
    stage, stage_start, canary_requests = 0, START, 0
    window: deque = deque()
    advances: List[Tuple[int, int, float]] = []
    rollback: Optional[Tuple[int, str]] = None
    for minute in range(1, minutes + 1):
        now = START + minute * MIN
        share = STAGES[stage] * 1000  # thousandths of a percent, as the Rust test counts
        n = TRAFFIC * share // 100_000
        window.append({"at": now, "canary": observe(rng, n, canary(minute)),
                       "control": observe(rng, TRAFFIC - n, HEALTHY)})
        while window and window[0]["at"] <= now - longest:
            window.popleft()
        canary_requests += n
        exposed = min(canary_requests // 3, USERS * share // 100_000)
        metrics = {"stageStartedAt": stage_start, "exposed": exposed, "samples": list(window)}
        d = store.decide_plan(FLAG, metrics, at=now, stage=stage)
        if d.kind == "ADVANCE":
            advances.append((now, d.stage, d.percentage))
            store.apply_decision(FLAG, d)
            on = sum(store.is_enabled(FLAG, Context(f"user-{i}"), at=now) for i in range(4000))
            assert abs(on / 4000 - d.percentage / 100) < 0.025, (on, d.stage)
            stage, stage_start, canary_requests = d.stage, now, 0
        elif d.kind == "ROLL_BACK":
            assert d.breach is not None
            rollback = (now, d.breach.metric)
            store.apply_decision(FLAG, d)
            assert not any(store.is_enabled(FLAG, Context(f"user-{i}"), at=now) for i in range(200))
            break
    store.close()
    return {"advances": advances, "rollback": rollback}


def test_a_healthy_canary_reaches_100_percent_on_schedule():
    trace = replay(1, NINE_DAYS + 60, lambda _: HEALTHY)
    assert trace["rollback"] is None
    # 5% for a day, 20% for three, 50% for five, then 100%.
    assert trace["advances"] == [(START + DAY, 1, 20), (START + 4 * DAY, 2, 50), (START + 9 * DAY, 3, 100)]


def failing(seed: int, onset: int, bad: Health) -> Tuple[int, str]:
    """The canary turns bad at minute `onset`; returns how long after the onset it was
    rolled back, and which metric did it."""
    trace = replay(seed, onset + 60, lambda m: bad if m > onset else HEALTHY)
    assert trace["rollback"] is not None, "the failing canary was not rolled back"
    at, metric = trace["rollback"]
    return at - (START + onset * MIN), metric


@pytest.mark.parametrize(
    "onset",
    [3 * 60 + 7, 2 * 1440 + 11 * 60, 6 * 1440 + 5, NINE_DAYS + 17],
    ids=["at-5%", "at-20%", "at-50%", "at-100%"],
)
def test_an_error_spike_is_rolled_back_within_the_guardrail_window(onset):
    after, metric = failing(100 + onset, onset, (0.30, 0.02, 1_500.0))
    assert metric == "error_rate"
    assert 0 < after <= 2 * MIN, f"rolled back {after} ms after the onset"


def test_slow_responses_and_transcription_failures_are_rolled_back_in_their_windows():
    onset = 3 * 60 + 7  # at 5%: the fewest canary requests
    after, metric = failing(7, onset, (0.01, 0.02, 9_000.0))
    assert metric == "response_time" and 0 < after <= MIN
    after, metric = failing(8, onset, (0.01, 0.25, 1_500.0))
    assert metric == "transcription_failures" and 0 < after <= 5 * MIN
