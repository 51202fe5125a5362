"""flagcore.openfeature through the openfeature-sdk API (never the provider directly):
registration, every value type, defaults on errors, reasons, metadata, events, hooks."""

import datetime
import json
import math
import time

import pytest

openfeature = pytest.importorskip("openfeature")

from openfeature import api  # noqa: E402
from openfeature.evaluation_context import EvaluationContext  # noqa: E402
from openfeature.event import ProviderEvent  # noqa: E402
from openfeature.exception import ErrorCode  # noqa: E402
from openfeature.flag_evaluation import Reason  # noqa: E402
from openfeature.provider import ProviderStatus  # noqa: E402

import flagcore  # noqa: E402
from flagcore.openfeature import ExposureHook, FlagcoreProvider  # noqa: E402

CONFIG = {
    "schemaVersion": 1,
    "flags": {
        "static-on": {"enabled": True, "default": {"variant": "on"}},
        "off-flag": {"enabled": False, "default": {"variant": "on"}},
        "backend": {
            "enabled": True,
            "variants": {"control": "modal", "treatment": "speechmatics"},
            "offVariant": "control",
            "rules": [{"id": "beta", "conditions": [{"attribute": "beta", "op": "equals", "value": True}],
                       "serve": {"variant": "treatment"}}],
            "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]},
        },
        "ruled-default": {
            "enabled": True,
            "rules": [{"conditions": [{"attribute": "country", "op": "in", "values": ["DE"]}], "serve": {"variant": "on"}}],
            "default": {"variant": "off"},
        },
        "max-sessions": {"enabled": True, "variants": {"low": 3, "high": 10, "ratio": 0.25},
                         "offVariant": "low", "default": {"variant": "high"}},
        "ratio": {"enabled": True, "variants": {"a": 0.25, "b": 1}, "offVariant": "b", "default": {"variant": "a"}},
        "limits": {"enabled": True, "variants": {"small": {"rps": 10, "burst": [1, 2]}, "odd": [1]},
                   "offVariant": "small", "default": {"variant": "small"}},
        "needs-static": {"enabled": True, "prerequisites": [{"flag": "off-flag", "variant": "on"}],
                         "default": {"variant": "on"}},
        "needs-backend": {"enabled": True, "prerequisites": [{"flag": "backend", "variant": "treatment"}],
                          "default": {"variant": "on"}},
    },
}
BAD = '{"schemaVersion": 1, "flags": {"x": {"enabled": "yes"}}}'
USER = EvaluationContext("user-1")


@pytest.fixture
def setup(request):
    domain = request.node.name
    provider = FlagcoreProvider(CONFIG)
    api.set_provider(provider, domain)
    yield provider, api.get_client(domain)
    api.clear_providers()


def test_registration(setup):
    provider, client = setup
    assert client.get_provider_status() == ProviderStatus.READY
    assert client.get_metadata().domain and provider.get_metadata().name == "flagcore"
    assert api.get_provider_metadata(client.get_metadata().domain).name == "flagcore"


def test_every_value_type(setup):
    _, client = setup
    assert client.get_boolean_value("static-on", False, USER) is True
    assert client.get_string_value("backend", "x", USER) in ("modal", "speechmatics")
    assert client.get_integer_value("max-sessions", 0, USER) == 10
    assert client.get_float_value("max-sessions", 0.0, USER) == 10.0
    assert client.get_float_value("ratio", 0.0, USER) == 0.25
    assert client.get_object_value("limits", {}, USER) == {"rps": 10, "burst": [1, 2]}


def test_defaults_and_error_codes(setup):
    _, client = setup
    cases = [
        (client.get_boolean_details("nope", True, USER), ErrorCode.FLAG_NOT_FOUND),
        (client.get_boolean_details("backend", True, USER), ErrorCode.TYPE_MISMATCH),
        (client.get_integer_details("ratio", 7, USER), ErrorCode.TYPE_MISMATCH),
        (client.get_object_details("backend", {"d": 1}, USER), ErrorCode.TYPE_MISMATCH),
        (client.get_string_details("backend", "fallback", EvaluationContext()), ErrorCode.TARGETING_KEY_MISSING),
        (client.get_boolean_details("static-on", True, EvaluationContext("u", {"score": math.nan})), ErrorCode.PARSE_ERROR),
        (client.get_boolean_details("static-on", True, EvaluationContext("u", {"plan": {"tier": "pro"}})),
         ErrorCode.INVALID_CONTEXT),
        (client.get_boolean_details("static-on", True, EvaluationContext("u", {"tags": [{"a": 1}]})), ErrorCode.INVALID_CONTEXT),
    ]
    for details, code in cases:
        assert details.error_code == code, details
        assert details.reason == Reason.ERROR
        assert details.value in (True, 7, {"d": 1}, "fallback")


def test_reasons_and_metadata(setup):
    provider, client = setup
    d = client.get_boolean_details("static-on", False, USER)
    assert (d.reason, d.variant) == (Reason.STATIC, "on")
    assert d.flag_metadata == {"flagcoreReason": "DEFAULT", "variantIndex": 0}
    assert client.get_boolean_details("ruled-default", True, USER).reason == Reason.DEFAULT
    de = EvaluationContext("user-1", {"country": "DE", "beta": True})
    d = client.get_boolean_details("ruled-default", False, de)
    assert d.reason == Reason.TARGETING_MATCH and d.flag_metadata["ruleIndex"] == 0
    assert client.get_boolean_details("off-flag", True, USER).reason == Reason.DISABLED
    d = client.get_boolean_details("needs-static", True, USER)
    assert d.reason == Reason.DISABLED and d.flag_metadata["prerequisite"] == "off-flag"

    d = client.get_string_details("backend", "x", USER)
    native = flagcore.Store(json.dumps(CONFIG)).evaluate("backend", {"key": "user-1"})
    assert d.reason == Reason.SPLIT
    assert (d.variant, d.flag_metadata["bucket"]) == (native.variant, native.bucket)
    assert d.flag_metadata["variantIndex"] == ["control", "treatment"].index(native.variant)
    d = client.get_string_details("backend", "x", de)
    assert (d.reason, d.flag_metadata["ruleId"]) == (Reason.TARGETING_MATCH, "beta")

    provider.set_override("backend", kill=True)
    d = client.get_string_details("backend", "x", de)
    assert (d.reason, d.value) == ("OVERRIDE", "modal")


def test_datetime_attributes_are_rfc3339(setup):
    provider, client = setup
    config = json.loads(json.dumps(CONFIG))
    config["flags"]["after-launch"] = {
        "enabled": True,
        "rules": [{"conditions": [{"attribute": "signedUp", "op": "after", "value": "2026-01-01T00:00:00Z"}],
                   "serve": {"variant": "on"}}],
        "default": {"variant": "off"}}
    provider.update(config)
    late = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
    early = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
    assert client.get_boolean_value("after-launch", False, EvaluationContext("u", {"signedUp": late})) is True
    assert client.get_boolean_value("after-launch", True, EvaluationContext("u", {"signedUp": early})) is False


def _wait(events, n):
    """The SDK runs event handlers on a thread pool: wait until `n` events have arrived."""
    deadline = time.monotonic() + 5
    while len(events) < n and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.02)  # and no more than that
    return list(events)


def test_events_on_update_override_rollback_and_refused_update(setup):
    provider, client = setup
    events = []
    for event in (ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, ProviderEvent.PROVIDER_ERROR):
        client.add_handler(event, lambda d, e=event: events.append((e, d.flags_changed)))

    changed = json.loads(json.dumps(CONFIG))
    changed["flags"]["static-on"]["default"] = {"variant": "off"}
    provider.update(changed)
    assert client.get_boolean_value("static-on", True, USER) is False
    assert _wait(events, 1) == [(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, ["static-on"])]

    with pytest.raises(flagcore.ConfigError):
        provider.update(BAD)
    assert _wait(events, 2)[1:] == [(ProviderEvent.PROVIDER_ERROR, None)]
    assert client.get_provider_status() == ProviderStatus.ERROR
    assert client.get_boolean_value("static-on", True, USER) is False, "the last good config serves on"

    ready = []
    client.add_handler(ProviderEvent.PROVIDER_READY, lambda d: ready.append(d))
    provider.set_override("backend", kill=True)
    assert _wait(events, 3)[2:] == [(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, ["backend", "needs-backend"])]
    assert len(_wait(ready, 1)) == 1, "READY again after the refused config"
    assert client.get_provider_status() == ProviderStatus.READY
    provider.rollback()
    assert _wait(events, 4)[3:] == [(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, ["static-on"])]
    assert client.get_boolean_value("static-on", False, USER) is True


def test_exposure_hook(setup):
    _, client = setup
    seen = []
    client.add_hooks([ExposureHook(seen.append)])
    d = client.get_string_details("backend", "x", EvaluationContext("user-7"))
    client.get_boolean_value("nope", False, EvaluationContext("user-7"))
    assert seen == [
        {"flag_key": "backend", "variant": d.variant, "reason": "SPLIT", "targeting_key": "user-7"},
        {"flag_key": "nope", "variant": None, "reason": "ERROR", "targeting_key": "user-7"},
    ]


def test_opentelemetry_hook_from_pypi(setup):
    otel = pytest.importorskip("openfeature.contrib.hook.opentelemetry")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    _, client = setup
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = tracer_provider.get_tracer("test")
    client.add_hooks([otel.TracingHook()])
    with tracer.start_as_current_span("request"):
        d = client.get_string_details("backend", "x", EvaluationContext("user-7"))
    (span,) = exporter.get_finished_spans()
    (event,) = span.events
    assert event.name == "feature_flag.evaluation"
    assert event.attributes["feature_flag.key"] == "backend"
    assert event.attributes["feature_flag.result.variant"] == d.variant
    assert event.attributes["feature_flag.result.reason"] == "split"
    assert event.attributes["feature_flag.provider.name"] == "flagcore"
    assert event.attributes["feature_flag.context.id"] == "user-7"
