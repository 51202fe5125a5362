"""The JSON Schema of the config format must not drift from the validator.

Run by scripts/test-schema (which installs `jsonschema` and builds the CLI):

    python tests/schema/test_schema.py --flagcore target/debug/flagcore

Checks, each of which fails on a drift in either direction:

1. the schema is a valid JSON Schema 2020-12 document, and its objects' fields and its
   enumerations are exactly the core's (`*_FIELDS`, `OPERATORS`, ... in flagcore/src);
2. every valid config among the golden vectors (validation.json, the eval-*.json configs)
   and the examples passes it; every vector the validator refuses for a structural reason
   fails it, and every other refused vector passes it unless listed in ALSO_REFUSED;
3. mutations of those valid configs, judged by both the schema and `flagcore validate`:
   what the validator accepts, the schema accepts; what the validator refuses with a
   structural code, the schema refuses. Every object kind gets a misspelt field;
4. hand-written edge cases the vectors do not cover (EXTRA_INVALID, EXTRA_VALID): the
   cross-field rules of guardrails and plans, ranges, `$schema` itself;
5. `flagcore validate --schema` prints the schema file byte for byte, and the example
   names the schema with a `$schema` path that resolves to it.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "schema" / "flagcore.schema.json"

# Problem codes that only say something about structure: the schema must refuse a config
# the validator refuses with any of them.
STRUCTURAL = {
    "wrong_type",
    "missing_field",
    "unknown_field",
    "unknown_operator",
    "unsupported_schema_version",
    "unsupported_hash_version",
    "invalid_condition",
    "percentage_out_of_range",
}
# Codes a schema cannot check in general, but can in some cases (an empty list, an
# unknown type name, a malformed duration, a declared type): the vectors list which.
# Cases the schema cannot see at all: JSON syntax and the byte limit.
NOT_JSON = {"json_syntax", "too_large"}

# Refused vectors without a structural code that the schema refuses too (it is stricter
# than "structural": these are expressible).
ALSO_REFUSED = {
    "invalid_timestamp/fractional-millis": "Unix milliseconds are an integer",
    "variant_type_mismatch/declared": "variants of a declared type",
    "variant_type_mismatch/number-flag": "variants of a declared type",
    "invalid_value/empty-flag-key": "propertyNames minLength",
    "invalid_value/empty-segment-name": "propertyNames minLength",
    "invalid_value/empty-variant-name": "propertyNames minLength",
    "invalid_value/no-variants": "minProperties",
    "invalid_value/unknown-type": "the type enumeration",
    "invalid_value/empty-bucket-by": "minLength",
    "invalid_value/serve-two-kinds": "oneOf variant / split / stages",
    "invalid_value/serve-nothing": "oneOf variant / split / stages",
    "invalid_value/empty-split": "minItems",
    "invalid_value/empty-stages": "minItems",
    "invalid_value/stage-two-kinds": "oneOf variant / split",
    "invalid_value/prerequisite-empty-variants": "minItems",
    "invalid_value/prerequisite-variant-and-variants": "oneOf variant / variants",
    "plan/invalid-duration": "the duration pattern",
    "plan/guardrail-window": "the duration pattern",
}

# Where the validator is more lenient than the documented format (and the schema, which
# follows the documentation): it does not check these fields' type. Mutations there must
# be accepted by the validator and refused by the schema; when the validator starts
# checking them, this test fails: remove the entry. (Empty since `description` is checked
# in segments, segment rules, rules and stages too.)
VALIDATOR_LENIENT: set = set()

# Each object kind of the config: the `$defs` entry of the schema and the core's list of
# its fields.
KINDS = {
    "root": (None, "CONFIG_FIELDS"),
    "segment": ("segment", "SEGMENT_FIELDS"),
    "layer": ("layer", "LAYER_FIELDS"),
    "flagLayer": ("flagLayer", "FLAG_LAYER_FIELDS"),
    "segmentRule": ("segmentRule", "SEGMENT_RULE_FIELDS"),
    "flag": ("flag", "FLAG_FIELDS"),
    "rule": ("rule", "RULE_FIELDS"),
    "serve": ("serve", "SERVE_FIELDS"),
    "stage": ("stage", "STAGE_FIELDS"),
    "splitShare": ("splitShare", "SPLIT_FIELDS"),
    "prerequisite": ("prerequisite", "PREREQ_FIELDS"),
    "condition": ("condition", "CONDITION_FIELDS"),
    "plan": ("plan", "PLAN_FIELDS"),
    "planStage": ("planStage", "PLAN_STAGE_FIELDS"),
    "guardrail": ("guardrail", "GUARDRAIL_FIELDS"),
    "threshold": ("threshold", "THRESHOLD_FIELDS"),
}

failures: list[str] = []


def _plan_config(guardrail=None, stage=None, plan=None, flag=None) -> dict:
    """A small valid config with a plan, changed by the given fields."""
    g = {"metric": "errors", "kind": "proportion", "threshold": {"absolute": 0.05}, "window": "2m"}
    p = {
        "stages": [{"percentage": 5, **(stage or {})}, {"percentage": 100}],
        "guardrails": [{**g, **(guardrail or {})}],
    }
    f = {"enabled": True, "default": {"variant": "off"}, "plan": {**p, **(plan or {})}}
    return {"schemaVersion": 1, "flags": {"f": {**f, **(flag or {})}}}


# Cross-field and range rules the vectors do not exercise: (what, config, the code
# `flagcore validate` reports). Both must refuse each.
EXTRA_INVALID = [
    ("a statistic on a proportion guardrail", _plan_config(guardrail={"statistic": "p95"}), "invalid_value"),
    (
        "a proportion threshold above 1",
        _plan_config(guardrail={"threshold": {"absolute": 5}}),
        "invalid_value",
    ),
    (
        "a latency threshold that is not a duration",
        _plan_config(guardrail={"kind": "latency", "threshold": {"absolute": "fast"}}),
        "invalid_duration",
    ),
    ("relativeToControl 0", _plan_config(guardrail={"threshold": {"relativeToControl": 0}}), "invalid_value"),
    (
        "both absolute and relativeToControl",
        _plan_config(guardrail={"threshold": {"absolute": 0.05, "relativeToControl": 1.5}}),
        "invalid_value",
    ),
    ("confidence 1", _plan_config(guardrail={"confidence": 1}), "invalid_value"),
    ("minSamples 0", _plan_config(guardrail={"minSamples": 0}), "invalid_value"),
    ("an unknown severity", _plan_config(guardrail={"severity": "urgent"}), "invalid_value"),
    ("a plan stage at 0%", _plan_config(stage={"percentage": 0}), "invalid_value"),
    ("a negative minExposed", _plan_config(stage={"minExposed": -1}), "invalid_value"),
    (
        "a plan without variant on a flag without an on variant",
        _plan_config(flag={"type": "string", "variants": {"a": "x", "off": "y"}}),
        "missing_field",
    ),
    (
        "a boolean flag with a string variant",
        {
            "schemaVersion": 1,
            "flags": {
                "f": {
                    "type": "boolean",
                    "variants": {"on": "yes", "off": False},
                    "enabled": True,
                    "default": {"variant": "on"},
                }
            },
        },
        "variant_type_mismatch",
    ),
    ("$schema that is not a string", {"$schema": 5, "schemaVersion": 1, "flags": {}}, "wrong_type"),
]

# Valid configs at the edges of the schema's rules: both must accept each.
EXTRA_VALID = [
    (
        "$schema with a URL",
        {"$schema": "https://example.invalid/flagcore.schema.json", "schemaVersion": 1, "flags": {}},
    ),
    (
        "exists with an empty values list",
        {
            "schemaVersion": 1,
            "flags": {
                "f": {
                    "enabled": True,
                    "default": {"variant": "on"},
                    "rules": [
                        {
                            "conditions": [{"attribute": "a", "op": "exists", "values": []}],
                            "serve": {"variant": "off"},
                        }
                    ],
                }
            },
        },
    ),
    (
        "a latency guardrail with a statistic and a millisecond threshold",
        _plan_config(
            guardrail={
                "kind": "latency",
                "statistic": "p99",
                "threshold": {"absolute": 5000},
                "window": 60000,
            }
        ),
    ),
    (
        "a plan on a flag with an on variant and no plan variant",
        _plan_config(flag={"type": "string", "variants": {"on": "x", "off": "y"}}),
    ),
    (
        "a json flag with mixed values",
        {
            "schemaVersion": 1,
            "flags": {
                "f": {
                    "type": "json",
                    "variants": {"a": 1, "b": "x", "c": None},
                    "offVariant": "a",
                    "enabled": True,
                    "default": {"variant": "b"},
                }
            },
        },
    ),
]


def check_extra(validator, flagcore: str) -> int:
    cases = [(w, c, code) for w, c, code in EXTRA_INVALID] + [(w, c, None) for w, c in EXTRA_VALID]
    reports = run_validator(flagcore, [c for _, c, _ in cases])
    for (what, config, code), report in zip(cases, reports):
        codes = {p["code"] for p in report["errors"]}
        refused = next(validator.iter_errors(config), None) is not None
        if code is None:
            if report["status"] != "valid" or refused:
                fail(
                    f"{what}: expected both to accept it; flagcore validate: {sorted(codes) or 'valid'}, schema: {'refuses' if refused else 'accepts'}"
                )
        elif code not in codes or not refused:
            fail(
                f"{what}: expected both to refuse it; flagcore validate: {sorted(codes) or 'valid'} (expected {code}), schema: {'refuses' if refused else 'accepts'}"
            )
    return len(cases)


def fail(message: str) -> None:
    failures.append(message)
    if len(failures) <= 40:
        print(f"FAIL {message}", file=sys.stderr)


def parse(text: str):
    """Parses like the core: NaN and Infinity are not JSON."""

    def reject(token):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=reject)


# ---------------------------------------------------------------------------------------
# 1. The schema's fields and enumerations are the core's
# ---------------------------------------------------------------------------------------


def rust_sources() -> str:
    # Every file: the constants may move between files (config.rs is being split).
    return "\n".join(p.read_text() for p in sorted((ROOT / "flagcore" / "src").rglob("*.rs")))


def string_list(src: str, pattern: str, what: str) -> list[str]:
    m = re.search(pattern + r"\s*=\s*&\[(.*?)\];", src, re.S)
    if not m:
        fail(f"cannot find {what} in flagcore/src")
        return []
    return re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))


def check_fields(schema: dict) -> None:
    src = rust_sources()
    defs = schema["$defs"]
    covered = set()
    for kind, (name, const) in KINDS.items():
        node = schema if name is None else defs[name]
        covered.add(name)
        fields = string_list(src, rf"const {const}: &\[&str\]", const)
        props = list(node.get("properties", {}))
        if sorted(fields) != sorted(props):
            fail(f"{kind}: the core allows {sorted(fields)}, the schema {sorted(props)}")
        if node.get("additionalProperties") is not False:
            fail(f"{kind}: the validator refuses unknown fields; the schema must too")
    for name, node in defs.items():
        if node.get("type") == "object" and name not in covered:
            fail(f"$defs.{name} is an object the test does not compare with the core")

    def enum(node: dict) -> list:
        return sorted(node["enum"])

    checks = [
        ("OPERATORS", r"const OPERATORS: &\[&str\]", defs["condition"]["properties"]["op"]),
        ("KINDS", r"const KINDS: &\[&str\]", defs["guardrail"]["properties"]["kind"]),
        ("ACTIONS", r"const ACTIONS: &\[&str\]", defs["guardrail"]["properties"]["action"]),
        (
            "Statistic::NAMES",
            r"impl Statistic \{\s*(?:pub\(crate\) )?const NAMES: &'static \[&'static str\]",
            defs["guardrail"]["properties"]["statistic"],
        ),
        (
            "GuardrailSeverity::NAMES",
            r"impl GuardrailSeverity \{\s*(?:pub\(crate\) )?const NAMES: &'static \[&'static str\]",
            defs["guardrail"]["properties"]["severity"],
        ),
    ]
    for what, pattern, node in checks:
        core = sorted(string_list(src, pattern, what))
        if core != enum(node):
            fail(f"{what}: the core has {core}, the schema {enum(node)}")
    m = re.search(r"fn parse\(name: &str\) -> Option<ValueType> \{(.*?)\n    \}", src, re.S)
    types = sorted(re.findall(r'"(\w+)"', m.group(1))) if m else []
    if not types or types != enum(defs["flag"]["properties"]["type"]):
        fail(f"flag types: the core reads {types}, the schema {enum(defs['flag']['properties']['type'])}")
    m = re.search(r"SUPPORTED_SCHEMA_VERSIONS: &\[u32\] = &\[(.*?)\]", src)
    if not m or [int(v) for v in m.group(1).split(",")] != [schema["properties"]["schemaVersion"]["const"]]:
        fail("schemaVersion: the schema's const is not the versions the core reads")
    m = re.search(r"SUPPORTED_HASH_VERSIONS: &\[u32\] = &\[(.*?)\]", src)
    if not m or [int(v) for v in m.group(1).split(",")] != [schema["properties"]["hashVersion"]["const"]]:
        fail("hashVersion: the schema's const is not the versions the core implements")


# ---------------------------------------------------------------------------------------
# 2. Vectors and examples
# ---------------------------------------------------------------------------------------


def valid_sources() -> list[tuple[str, object]]:
    """Every valid config: (name, parsed config)."""
    out = []
    vectors = ROOT / "tests" / "vectors"
    for case in json.loads((vectors / "validation.json").read_text())["cases"]:
        if case["valid"]:
            out.append((f"validation.json {case['id']}", parse(case["config"])))
    for path in sorted(vectors.glob("eval-*.json")):
        for group in json.loads(path.read_text())["groups"]:
            out.append((f"{path.name} {group['name']}", parse(group["config"])))
    for path in sorted((ROOT / "examples").rglob("*.json")):
        if "node_modules" in path.parts:
            continue
        config = parse(path.read_text())
        if isinstance(config, dict) and "schemaVersion" in config:
            out.append((str(path.relative_to(ROOT)), config))
    return out


def check_vectors(validator) -> int:
    n = 0
    cases = json.loads((ROOT / "tests" / "vectors" / "validation.json").read_text())["cases"]
    ids = {c["id"] for c in cases}
    for stale in sorted(set(ALSO_REFUSED) - ids):
        fail(f"ALSO_REFUSED names {stale}, which is not a vector")
    for case in cases:
        codes = {p["code"] for p in case["errors"]}
        if case["valid"] or codes & NOT_JSON:
            continue
        n += 1
        refused = next(validator.iter_errors(parse(case["config"])), None) is not None
        expected = bool(codes & STRUCTURAL) or case["id"] in ALSO_REFUSED
        if refused != expected:
            fail(
                f"validation.json {case['id']} ({', '.join(sorted(codes))}): the schema "
                f"{'refuses' if refused else 'accepts'} it; expected it to "
                f"{'refuse' if expected else 'accept'} it"
            )
    return n


def check_example_names_schema() -> None:
    path = ROOT / "examples" / "speech-migration.json"
    ref = parse(path.read_text()).get("$schema")
    if not isinstance(ref, str) or (path.parent / ref).resolve() != SCHEMA_PATH:
        fail(f'{path.relative_to(ROOT)}: "$schema" is {ref!r}, not a path to {SCHEMA_PATH.relative_to(ROOT)}')


# ---------------------------------------------------------------------------------------
# 3. Mutations, judged by the schema and by `flagcore validate`
# ---------------------------------------------------------------------------------------


def kind_of(path: tuple) -> str | None:
    """The object kind at a generalised path (indices as '#', map keys as '*')."""
    if path == ():
        return "root"
    if path == ("segments", "*"):
        return "segment"
    if path == ("segments", "*", "rules", "#"):
        return "segmentRule"
    if path == ("layers", "*"):
        return "layer"
    if path == ("flags", "*", "layer"):
        return "flagLayer"
    if path == ("flags", "*"):
        return "flag"
    if path == ("flags", "*", "rules", "#"):
        return "rule"
    if path[-2:] == ("conditions", "#"):
        return "condition"
    if path[-2:] == ("prerequisites", "#"):
        return "prerequisite"
    if path[-1] in ("default", "serve"):
        return "serve"
    if path[-2:] == ("split", "#"):
        return "splitShare"
    if path[-2:] == ("stages", "#"):
        return "planStage" if "plan" in path else "stage"
    if path[-1] == "plan":
        return "plan"
    if path[-2:] == ("guardrails", "#"):
        return "guardrail"
    if path[-1] == "threshold":
        return "threshold"
    return None


def is_map(path: tuple) -> bool:
    """Objects whose keys are names (flags, segments, variants), not fields."""
    return path in (("flags",), ("segments",), ("layers",)) or path[-3:-1] == ("flags", "*") and path[-1] == "variants"


def walk(value, path=(), gen=()):
    """(path, generalised path, value) of every node worth mutating."""
    yield path, gen, value
    if gen[-1:] == ("metadata",) or gen[-2:-1] == ("variants",):
        return  # any JSON: nothing structural inside
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, path + (k,), gen + ("*" if is_map(gen) else k,))
    elif isinstance(value, list):
        picks = sorted({0, 1, len(value) - 1} & set(range(len(value))))
        for i in picks:
            yield from walk(value[i], path + (i,), gen + ("#",))


def json_type(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(v)]


REPLACEMENTS = [None, True, 7, "x", [], {}]


def typo(word: str) -> str:
    return word + word[-1]


def mutations(name: str, config, seen: set):
    """(description, kind, field, mutation, mutated config) for each site not seen yet.

    A site is its generalised path plus the discriminators that change what is expected of
    it (a condition's `op`, a guardrail's `kind`, a flag's `type`): one mutation per site,
    mutation and replacement, taken from the first config that has it.
    """
    for path, gen, value in walk(config):
        where = f"{name} {format_path(path)}"
        parent = _at(config, path[:-1]) if path else None
        parent_kind = kind_of(gen[:-1]) if path else None
        field = gen[-1] if parent_kind else None
        todo = []
        kind = kind_of(gen) if isinstance(value, dict) and not is_map(gen) else None
        if kind:
            first = next(iter(value), "schemaVersion")
            for extra in (typo(first), "comment"):
                todo.append(
                    (
                        f"add {extra!r}",
                        kind,
                        extra,
                        "unknown field",
                        lambda c, e=extra, f=first: _add(c, path, e, value.get(f, 1)),
                    )
                )
            for k in value:
                todo.append((f"remove {k!r}", kind, k, "remove", lambda c, k=k: _remove(c, path, k)))
        # Leaves of known objects, and values of maps (a flag, a segment, a variant).
        if path and (parent_kind or is_map(gen[:-1])):
            for r in REPLACEMENTS:
                if json_type(r) != json_type(value):
                    todo.append(
                        (f"= {json.dumps(r)}", parent_kind, field, "retype", lambda c, r=r: _set(c, path, r))
                    )
            if isinstance(value, str) and len(value) > 1:
                todo.append(
                    (f"= {value[:-1]!r}", parent_kind, field, "misspell", lambda c: _set(c, path, value[:-1]))
                )
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                for r in (-1, 1000):
                    todo.append(
                        (f"= {r}", parent_kind, field, "out of range", lambda c, r=r: _set(c, path, r))
                    )
        node = value if kind else parent
        disc = tuple(node.get(d) for d in ("op", "kind", "type")) if isinstance(node, dict) else ()
        for what, k, f, mkind, make in todo:
            sig = (gen, what if mkind != "misspell" else "misspell", disc)
            if sig in seen:
                continue
            seen.add(sig)
            yield f"{where}: {what}", k, f, mkind, make(config)


def _at(cfg, path):
    for k in path:
        cfg = cfg[k]
    return cfg


def _set(config, path, value):
    cfg = copy.deepcopy(config)
    _at(cfg, path[:-1])[path[-1]] = copy.deepcopy(value)
    return cfg


def _add(config, path, key, value):
    cfg = copy.deepcopy(config)
    _at(cfg, path)[key] = copy.deepcopy(value)
    return cfg


def _remove(config, path, key):
    cfg = copy.deepcopy(config)
    del _at(cfg, path)[key]
    return cfg


def format_path(path: tuple) -> str:
    out = "$"
    for k in path:
        out += f"[{k}]" if isinstance(k, int) else f".{k}"
    return out


def run_validator(flagcore: str, configs: list) -> list[dict]:
    """`flagcore validate --json` over every config (in batches): one report per config."""
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, len(configs), 400):
            files = []
            for i, cfg in enumerate(configs[start : start + 400]):
                f = Path(tmp) / f"m{start + i}.json"
                f.write_text(json.dumps(cfg))
                files.append(str(f))
            proc = subprocess.run([flagcore, "validate", "--json", *files], capture_output=True, text=True)
            if proc.returncode not in (0, 1):
                raise SystemExit(
                    f"flagcore validate failed ({proc.returncode}): {proc.stderr}{proc.stdout[:2000]}"
                )
            reports.extend(json.loads(proc.stdout)["files"])
    return reports


def check_mutations(validator, sources, flagcore: str) -> dict:
    # Smallest configs first: each site is mutated in the smallest config that has it.
    seen: set = set()
    unique = []
    for name, config in sorted(sources, key=lambda s: len(json.dumps(s[1]))):
        unique.extend(mutations(name, config, seen))
    reports = run_validator(flagcore, [c[4] for c in unique])
    stats = {
        "mutations": len(unique),
        "both accept": 0,
        "both refuse (structural)": 0,
        "semantic only": 0,
        "validator lenient (listed)": 0,
    }
    typo_kinds = set()
    for (desc, kind, field, mkind, cfg), report in zip(unique, reports):
        schema_refuses = next(validator.iter_errors(cfg), None) is not None
        codes = {p["code"] for p in report["errors"]}
        if report["status"] == "valid":
            if (kind, field) in VALIDATOR_LENIENT and mkind == "retype":
                stats["validator lenient (listed)"] += 1
                if not schema_refuses:
                    fail(f"{desc}: the schema accepts a non-string {field}")
            elif schema_refuses:
                err = next(validator.iter_errors(cfg))
                fail(f"{desc}: flagcore validate accepts it, the schema refuses it: {err.message[:160]}")
            else:
                stats["both accept"] += 1
        elif codes & STRUCTURAL:
            if not schema_refuses:
                fail(
                    f"{desc}: flagcore validate refuses it ({', '.join(sorted(codes))}), the schema accepts it"
                )
            else:
                stats["both refuse (structural)"] += 1
                if mkind == "unknown field" and "unknown_field" in codes:
                    typo_kinds.add(kind)
        else:
            stats["semantic only"] += 1
        if (kind, field) in VALIDATOR_LENIENT and mkind == "retype" and report["status"] != "valid":
            fail(f"{desc}: the validator now checks {kind}.{field}: remove it from VALIDATOR_LENIENT")
    for kind in sorted(set(KINDS) - typo_kinds):
        fail(f"no misspelt field was tested (and refused by both) in a {kind} object")
    return stats


# ---------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flagcore", required=True, help="the flagcore binary")
    args = ap.parse_args()

    text = SCHEMA_PATH.read_text()
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    printed = subprocess.run(
        [args.flagcore, "validate", "--schema"], capture_output=True, text=True, check=True
    )
    if printed.stdout != text:
        fail("`flagcore validate --schema` does not print schema/flagcore.schema.json")

    check_fields(schema)
    check_example_names_schema()

    sources = valid_sources()
    for name, config in sources:
        for err in list(validator.iter_errors(config))[:3]:
            fail(
                f"{name}: valid, but the schema refuses it at {format_path(tuple(err.absolute_path))}: {err.message[:160]}"
            )
    reports = run_validator(args.flagcore, [c for _, c in sources])
    for (name, _), report in zip(sources, reports):
        if report["status"] != "valid":
            fail(f"{name}: flagcore validate refuses it: {report['errors'][:3]}")
    refused = check_vectors(validator)
    stats = check_mutations(validator, sources, args.flagcore)
    extra = check_extra(validator, args.flagcore)

    print(
        f"schema: {len(sources)} valid configs pass; {refused} refused vectors judged as expected; {extra} edge cases"
    )
    print("mutations: " + ", ".join(f"{v} {k}" for k, v in stats.items()))
    if failures:
        print(f"schema drift: {len(failures)} failures", file=sys.stderr)
        return 1
    print("schema: no drift")
    return 0


if __name__ == "__main__":
    sys.exit(main())
