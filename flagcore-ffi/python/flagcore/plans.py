"""Rollout-plan decisions: ``PlanDecision``, breaches and guardrail checks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple



# ---------------------------------------------------------------------------------------
# Rollout plans
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """A guardrail's breach: what the canary showed against what limit."""

    #: The guardrail's index in the plan.
    guardrail: int
    #: Its metric (``error_rate``, ``response_time``, ...).
    metric: str
    #: ``"critical"``, ``"high"``, ``"medium"`` or ``"low"``.
    severity: str
    #: ``"rollback"`` or ``"hold"``.
    action: str
    #: The canary's value over the window: a fraction, or milliseconds.
    observed: float
    #: The limit it crossed (for relative guardrails: the ratio times the control's value).
    threshold: float
    #: The control's value over the window (relative guardrails).
    control: Optional[float]
    #: Canary observations in the window.
    samples: int
    #: The test statistic (proportion guardrails).
    z: Optional[float]
    #: The guardrail's window in milliseconds.
    window_ms: int

    @classmethod
    def _of(cls, d: Mapping[str, Any]) -> "Breach":
        return cls(
            guardrail=int(d["guardrail"]),
            metric=str(d["metric"]),
            severity=str(d["severity"]),
            action=str(d["action"]),
            observed=float(d["observed"]),
            threshold=float(d["threshold"]),
            control=None if d.get("control") is None else float(d["control"]),
            samples=int(d["samples"]),
            z=None if d.get("z") is None else float(d["z"]),
            window_ms=int(d["windowMs"]),
        )


@dataclass(frozen=True)
class CohortSummary:
    """One cohort's numbers over a guardrail's window."""

    #: Observations in the window.
    samples: int
    #: Failures among them (proportion guardrails).
    failures: Optional[int]
    #: The failure rate or the latency statistic; None without observations.
    value: Optional[float]

    @classmethod
    def _of(cls, d: Optional[Mapping[str, Any]]) -> "Optional[CohortSummary]":
        if d is None:
            return None
        return cls(samples=int(d["samples"]), failures=d.get("failures"), value=d.get("value"))


@dataclass(frozen=True)
class GuardrailCheck:
    """How one guardrail looked at the decision."""

    guardrail: int
    metric: str
    #: ``"proportion"`` or ``"latency"``.
    kind: str
    #: ``"HEALTHY"``, ``"BREACHED"`` or ``"INSUFFICIENT"`` (too few observations).
    status: str
    canary: CohortSummary
    #: The control cohort (relative guardrails).
    control: Optional[CohortSummary]
    #: The limit in force (None when a relative limit lacks control data).
    threshold: Optional[float]
    #: The test statistic (proportion guardrails).
    z: Optional[float]


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


@dataclass(frozen=True)
class PlanDecision:
    """What a rollout plan decides (see ``docs/rollouts.md``): ``kind`` is ``"ADVANCE"``
    (to ``stage`` / ``percentage``), ``"HOLD"`` (why: ``hold_reason``) or ``"ROLL_BACK"``
    (which guardrail: ``breach``). Pass it to :meth:`Store.apply_decision` to act on it.
    """

    #: ``"ADVANCE"``, ``"HOLD"`` or ``"ROLL_BACK"``.
    kind: str
    #: ADVANCE: the stage to move to; HOLD and ROLL_BACK: the current stage.
    stage: int
    #: That stage's percentage (0 to 100).
    percentage: float
    #: Why, in one sentence.
    message: str
    #: ADVANCE: the stage the rollout was at.
    from_stage: Optional[int] = None
    #: HOLD: ``"COMPLETE"``, ``"TOO_EARLY"``, ``"TOO_FEW_EXPOSED"``, ``"TOO_FEW_SAMPLES"``
    #: or ``"BREACH"`` (a guardrail whose action is hold).
    hold_reason: Optional[str] = None
    #: HOLD: the reason's numbers, snake_case (``elapsed_ms``, ``min_duration_ms``,
    #: ``exposed``, ``required``, ``metric``, ``cohort``, ``samples``, ...).
    hold_details: Mapping[str, Any] = field(default_factory=dict)
    #: ROLL_BACK, or HOLD with reason ``"BREACH"``: the breach.
    breach: Optional[Breach] = None
    #: Every guardrail, in plan order.
    checks: Tuple[GuardrailCheck, ...] = ()
    #: The decision as the engine wrote it (JSON), what :meth:`Store.apply_decision` sends.
    raw_json: str = field(default="", repr=False)

    @property
    def advance(self) -> bool:
        """Whether the plan advances."""
        return self.kind == "ADVANCE"

    @property
    def rolled_back(self) -> bool:
        """Whether the plan rolls back."""
        return self.kind == "ROLL_BACK"

    @classmethod
    def from_json(cls, text: str) -> "PlanDecision":
        """A decision from the engine's JSON (``flagcore plan --json``, the C ABI)."""
        d = json.loads(text)
        reason = d.get("reason") or {}
        breach = d.get("breach") or reason.get("breach")
        return cls(
            kind=str(d["decision"]),
            stage=int(d["stage"]),
            percentage=d["percentage"],
            message=str(d.get("message", "")),
            from_stage=d.get("fromStage"),
            hold_reason=reason.get("code"),
            hold_details={_snake(k): v for k, v in reason.items() if k not in ("code", "breach")},
            breach=None if breach is None else Breach._of(breach),
            checks=tuple(
                GuardrailCheck(
                    guardrail=int(c["guardrail"]),
                    metric=str(c["metric"]),
                    kind=str(c["kind"]),
                    status=str(c["status"]),
                    canary=CohortSummary._of(c["canary"]),  # type: ignore[arg-type]
                    control=CohortSummary._of(c.get("control")),
                    threshold=c.get("threshold"),
                    z=c.get("z"),
                )
                for c in d.get("checks", ())
            ),
            raw_json=text,
        )


def _json_default(o: Any) -> Any:
    """Times in plan inputs may be datetimes: they become Unix milliseconds."""
    import datetime as _dt

    if isinstance(o, _dt.datetime):
        if o.tzinfo is None:
            raise TypeError("plan input datetimes must be timezone-aware")
        return int(o.timestamp() * 1000)
    raise TypeError(f"{type(o).__name__} is not JSON serializable")
