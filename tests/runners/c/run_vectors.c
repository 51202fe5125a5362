/* Replays tests/vectors/ through the C ABI (flagcore-ffi/include/flagcore.h).
 *
 *   run_vectors VECTORS_DIR
 *
 * Contexts are built attribute by attribute (flagcore_context_set_string/number/bool and
 * _string_list/_number_list; a list mixing strings and numbers: flagcore_context_set_json), the
 * evaluation time passed explicitly (FLAGCORE_TIME_UNSET for cases without `at`, so the
 * `noTime` cases run too). Prints "c: N vectors replayed, M mismatches" and exits 1 on any
 * mismatch. A small JSON reader is included: strings keep their length (they may hold NUL).
 * The format is described in tests/vectors/README.md. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagcore.h"

/* ------------------------------------------------------------------------------------ */
/* JSON                                                                                   */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jv {
  jtype t;
  bool b;
  double n;
  char *s; /* J_STR: bytes (NUL-terminated too, but may contain NUL) */
  size_t len;
  struct jv **items; /* J_ARR items, J_OBJ values */
  struct jv **keys;  /* J_OBJ keys (J_STR) */
  size_t count;
} jv;

typedef struct {
  const char *p, *end;
  const char *error;
} reader;

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static jv *jnew(jtype t) {
  jv *v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->t = t;
  return v;
}

static void jfree(jv *v) {
  if (!v) return;
  for (size_t i = 0; i < v->count; i++) {
    jfree(v->items[i]);
    if (v->keys) jfree(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->s);
  free(v);
}

static void ws(reader *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')) r->p++;
}

static jv *parse_value(reader *r);

static int hex4(reader *r, unsigned *out) {
  if (r->end - r->p < 4) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = r->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  r->p += 4;
  *out = v;
  return 1;
}

static size_t put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static jv *parse_string(reader *r) {
  r->p++; /* opening quote */
  const char *start = r->p;
  size_t cap = 16;
  while (r->p < r->end && *r->p != '"') r->p += (*r->p == '\\') ? 2 : 1;
  cap = (size_t)(r->p - start) + 1;
  r->p = start;
  jv *v = jnew(J_STR);
  v->s = xmalloc(cap);
  size_t n = 0;
  while (r->p < r->end && *r->p != '"') {
    char c = *r->p++;
    if (c != '\\') { v->s[n++] = c; continue; }
    if (r->p >= r->end) break;
    char e = *r->p++;
    switch (e) {
      case '"': v->s[n++] = '"'; break;
      case '\\': v->s[n++] = '\\'; break;
      case '/': v->s[n++] = '/'; break;
      case 'b': v->s[n++] = '\b'; break;
      case 'f': v->s[n++] = '\f'; break;
      case 'n': v->s[n++] = '\n'; break;
      case 'r': v->s[n++] = '\r'; break;
      case 't': v->s[n++] = '\t'; break;
      case 'u': {
        unsigned cp, lo;
        if (!hex4(r, &cp)) { r->error = "bad \\u escape"; return v; }
        if (cp >= 0xD800 && cp < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
          r->p += 2;
          if (!hex4(r, &lo)) { r->error = "bad \\u escape"; return v; }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        n += put_utf8(v->s + n, cp); /* a \uXXXX escape is 6 bytes: room for 3 (4 for pairs) */
        break;
      }
      default: r->error = "bad escape"; return v;
    }
  }
  if (r->p >= r->end) { r->error = "unterminated string"; return v; }
  r->p++;
  v->s[n] = '\0';
  v->len = n;
  return v;
}

static void push(jv *v, jv *key, jv *item, size_t *cap) {
  if (v->count == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    jv **items = xmalloc(*cap * sizeof *items);
    if (v->count) memcpy(items, v->items, v->count * sizeof *items);
    free(v->items);
    v->items = items;
    if (v->t == J_OBJ) {
      jv **keys = xmalloc(*cap * sizeof *keys);
      if (v->count) memcpy(keys, v->keys, v->count * sizeof *keys);
      free(v->keys);
      v->keys = keys;
    }
  }
  if (key) v->keys[v->count] = key;
  v->items[v->count++] = item;
}

static jv *parse_value(reader *r) {
  ws(r);
  if (r->p >= r->end) { r->error = "unexpected end"; return jnew(J_NULL); }
  char c = *r->p;
  if (c == '"') return parse_string(r);
  if (c == '{' || c == '[') {
    jv *v = jnew(c == '{' ? J_OBJ : J_ARR);
    size_t cap = 0;
    char close = c == '{' ? '}' : ']';
    r->p++;
    ws(r);
    if (r->p < r->end && *r->p == close) { r->p++; return v; }
    while (!r->error) {
      jv *key = NULL;
      if (v->t == J_OBJ) {
        ws(r);
        if (r->p >= r->end || *r->p != '"') { r->error = "expected a key"; break; }
        key = parse_string(r);
        ws(r);
        if (r->p >= r->end || *r->p != ':') { r->error = "expected ':'"; jfree(key); break; }
        r->p++;
      }
      push(v, key, parse_value(r), &cap);
      ws(r);
      if (r->p < r->end && *r->p == ',') { r->p++; continue; }
      if (r->p < r->end && *r->p == close) { r->p++; break; }
      r->error = "expected ',' or a closing bracket";
    }
    return v;
  }
  if (r->end - r->p >= 4 && !strncmp(r->p, "true", 4)) { r->p += 4; jv *v = jnew(J_BOOL); v->b = true; return v; }
  if (r->end - r->p >= 5 && !strncmp(r->p, "false", 5)) { r->p += 5; return jnew(J_BOOL); }
  if (r->end - r->p >= 4 && !strncmp(r->p, "null", 4)) { r->p += 4; return jnew(J_NULL); }
  /* strtod stops at the first byte that is not part of a number, which may be past
     `end`: the text is pointer + length (an evaluation's value_json is not NUL-terminated),
     so the number is copied out first. */
  char num[64];
  size_t n = 0;
  while (r->p + n < r->end && n < sizeof num - 1 && r->p[n] && strchr("+-0123456789.eE", r->p[n])) n++;
  memcpy(num, r->p, n);
  num[n] = 0;
  char *after;
  jv *v = jnew(J_NUM);
  v->n = strtod(num, &after);
  if (after == num) r->error = "bad value";
  r->p += after - num;
  return v;
}

static jv *parse_json(const char *text, size_t len, const char **error) {
  reader r = {text, text + len, NULL};
  jv *v = parse_value(&r);
  ws(&r);
  if (!r.error && r.p != r.end) r.error = "trailing characters";
  *error = r.error;
  return v;
}

static jv *get(const jv *obj, const char *name) {
  if (!obj || obj->t != J_OBJ) return NULL;
  size_t n = strlen(name);
  for (size_t i = 0; i < obj->count; i++)
    if (obj->keys[i]->len == n && !memcmp(obj->keys[i]->s, name, n)) return obj->items[i];
  return NULL;
}

static bool jsame(const jv *a, const jv *b) {
  if (a->t != b->t) return false;
  switch (a->t) {
    case J_NULL: return true;
    case J_BOOL: return a->b == b->b;
    case J_NUM: return a->n == b->n;
    case J_STR: return a->len == b->len && !memcmp(a->s, b->s, a->len);
    case J_ARR:
      if (a->count != b->count) return false;
      for (size_t i = 0; i < a->count; i++)
        if (!jsame(a->items[i], b->items[i])) return false;
      return true;
    case J_OBJ:
      if (a->count != b->count) return false;
      for (size_t i = 0; i < a->count; i++) {
        const jv *other = NULL;
        for (size_t j = 0; j < b->count; j++)
          if (b->keys[j]->len == a->keys[i]->len && !memcmp(b->keys[j]->s, a->keys[i]->s, a->keys[i]->len)) other = b->items[j];
        if (!other || !jsame(a->items[i], other)) return false;
      }
      return true;
  }
  return false;
}

/* ------------------------------------------------------------------------------------ */
/* Replay                                                                                 */

static size_t replayed, skipped_limit, mismatches;

static void mismatch(const char *id, const char *fmt, ...) {
  mismatches++;
  if (mismatches > 30) return;
  va_list ap;
  va_start(ap, fmt);
  printf("  mismatch: %s: ", id);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
}

static bool str_is(flagcore_str s, const jv *want) {
  if (!want || want->t == J_NULL) return s.ptr == NULL;
  return want->t == J_STR && s.ptr != NULL && s.len == want->len && !memcmp(s.ptr, want->s, s.len);
}

static bool u32_is(uint32_t v, const jv *want) {
  if (!want || want->t == J_NULL) return v == FLAGCORE_NONE;
  return want->t == J_NUM && v != FLAGCORE_NONE && (double)v == want->n;
}

static bool name_is(const char *name, const jv *want) {
  if (!want || want->t == J_NULL) return name[0] == '\0';
  return want->t == J_STR && strlen(name) == want->len && !memcmp(name, want->s, want->len);
}

/* The served value as JSON (absent -> null). */
static bool value_is(const flagcore_evaluation *e, const jv *want) {
  if (e->value_json.ptr == NULL) return !want || want->t == J_NULL;
  const char *err = NULL;
  jv *got = parse_json(e->value_json.ptr, e->value_json.len, &err);
  bool ok = !err && want && jsame(got, want);
  jfree(got);
  return ok;
}

/* Compares every field of an evaluation but `value` (checked by the caller). */
static void check_details(const char *id, const flagcore_evaluation *e, const jv *expect) {
  if (!str_is(e->flag_key, get(expect, "flagKey"))) mismatch(id, "flagKey");
  if (!str_is(e->variant, get(expect, "variant"))) mismatch(id, "variant %.*s", (int)e->variant.len, e->variant.ptr ? e->variant.ptr : "");
  if (!name_is(flagcore_reason_name((uint32_t)e->reason), get(expect, "reason")))
    mismatch(id, "reason %s, expected %s", flagcore_reason_name((uint32_t)e->reason), get(expect, "reason")->s);
  if (!name_is(flagcore_error_code_name((uint32_t)e->error_code), get(expect, "errorCode")))
    mismatch(id, "errorCode %s", flagcore_error_code_name((uint32_t)e->error_code));
  if (!u32_is(e->rule_index, get(expect, "ruleIndex"))) mismatch(id, "ruleIndex %u", e->rule_index);
  if (!str_is(e->rule_id, get(expect, "ruleId"))) mismatch(id, "ruleId");
  if (!u32_is(e->bucket, get(expect, "bucket"))) mismatch(id, "bucket %u", e->bucket);
  if (!str_is(e->prerequisite, get(expect, "prerequisite"))) mismatch(id, "prerequisite");
}

/* A list is "strings" (every item a string; an empty list too), "numbers", or mixed. */
static jtype list_kind(const jv *list) {
  jtype kind = J_STR;
  for (size_t i = 0; i < list->count; i++) {
    if (i == 0) kind = list->items[i]->t;
    else if (list->items[i]->t != kind) return J_ARR;
  }
  return kind == J_STR || kind == J_NUM ? kind : J_ARR;
}

/* Appends `v` as JSON to buf (strings, numbers, booleans, null, arrays, objects). */
static void to_json(const jv *v, char **buf, size_t *len, size_t *cap) {
  char tmp[64];
#define PUT(ptr, n) do { size_t n_ = (n); while (*len + n_ + 1 > *cap) { *cap = *cap ? 2 * *cap : 256; *buf = realloc(*buf, *cap); if (!*buf) abort(); } memcpy(*buf + *len, (ptr), n_); *len += n_; (*buf)[*len] = 0; } while (0)
  switch (v->t) {
    case J_NULL: PUT("null", 4); break;
    case J_BOOL: PUT(v->b ? "true" : "false", v->b ? 4 : 5); break;
    case J_NUM: { int n = snprintf(tmp, sizeof tmp, "%.17g", v->n); PUT(tmp, (size_t)n); break; }
    case J_STR:
      PUT("\"", 1);
      for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->s[i];
        if (c == '"' || c == '\\') { tmp[0] = '\\'; tmp[1] = (char)c; PUT(tmp, 2); }
        else if (c < 0x20) { int n = snprintf(tmp, sizeof tmp, "\\u%04x", c); PUT(tmp, (size_t)n); }
        else PUT(&v->s[i], 1);
      }
      PUT("\"", 1);
      break;
    case J_ARR:
    case J_OBJ:
      PUT(v->t == J_ARR ? "[" : "{", 1);
      for (size_t i = 0; i < v->count; i++) {
        if (i) PUT(",", 1);
        if (v->t == J_OBJ) { to_json(v->keys[i], buf, len, cap); PUT(":", 1); }
        to_json(v->items[i], buf, len, cap);
      }
      PUT(v->t == J_ARR ? "]" : "}", 1);
      break;
  }
#undef PUT
}

static flagcore_context *build_context(const jv *obj) {
  flagcore_context *ctx = NULL;
  if (flagcore_context_new(NULL, 0, &ctx) != FLAGCORE_RESULT_OK) return NULL;
  /* A list mixing strings and numbers has no typed setter: the whole context as JSON. */
  for (size_t i = 0; i < obj->count; i++) {
    if (obj->items[i]->t == J_ARR && list_kind(obj->items[i]) == J_ARR) {
      char *buf = NULL;
      size_t len = 0, cap = 0;
      to_json(obj, &buf, &len, &cap);
      flagcore_result rc = flagcore_context_set_json(ctx, buf, len);
      free(buf);
      if (rc != FLAGCORE_RESULT_OK) {
        flagcore_context_free(ctx);
        return NULL;
      }
      return ctx;
    }
  }
  for (size_t i = 0; i < obj->count; i++) {
    const jv *k = obj->keys[i], *v = obj->items[i];
    bool is_key = k->len == 3 && !memcmp(k->s, "key", 3);
    flagcore_result rc = FLAGCORE_RESULT_OK;
    if (v->t == J_NULL) continue;
    if (is_key && v->t == J_STR) rc = flagcore_context_set_key(ctx, v->s, v->len);
    else if (v->t == J_STR) rc = flagcore_context_set_string(ctx, k->s, k->len, v->s, v->len);
    else if (v->t == J_NUM) rc = flagcore_context_set_number(ctx, k->s, k->len, v->n);
    else if (v->t == J_BOOL) rc = flagcore_context_set_bool(ctx, k->s, k->len, v->b);
    else if (v->t == J_ARR && list_kind(v) == J_NUM) {
      double *items = xmalloc((v->count + 1) * sizeof *items);
      for (size_t j = 0; j < v->count; j++) items[j] = v->items[j]->n;
      rc = flagcore_context_set_number_list(ctx, k->s, k->len, items, v->count);
      free(items);
    } else if (v->t == J_ARR) {
      flagcore_str *items = xmalloc((v->count + 1) * sizeof *items);
      for (size_t j = 0; j < v->count; j++) items[j] = (flagcore_str){v->items[j]->s, v->items[j]->len};
      rc = flagcore_context_set_string_list(ctx, k->s, k->len, v->count ? items : NULL, v->count);
      free(items);
    }
    if (rc != FLAGCORE_RESULT_OK) {
      flagcore_context_free(ctx);
      return NULL;
    }
  }
  return ctx;
}

static void replay_buckets(const char *name, const jv *doc) {
  const jv *cases = get(doc, "cases");
  for (size_t i = 0; i < cases->count; i++) {
    const jv *c = cases->items[i];
    uint32_t b = 0;
    replayed++;
    flagcore_result rc = flagcore_bucket(c->items[0]->s, c->items[0]->len, c->items[1]->s, c->items[1]->len, &b);
    if (rc != FLAGCORE_RESULT_OK || (double)b != c->items[2]->n) {
      mismatch(name, "case %zu: bucket %u, expected %.0f", i, b, c->items[2]->n);
    }
  }
}

static void replay_case(flagcore_store *store, flagcore_snapshot *snap, const jv *c) {
  const char *id = get(c, "id")->s;
  const jv *call = get(c, "call"), *flag = get(c, "flag"), *at = get(c, "at"), *expect = get(c, "expect");
  const jv *deflt = get(c, "default");
  uint32_t has_time = at != NULL ? FLAGCORE_TIME_AT : FLAGCORE_TIME_UNSET;
  int64_t at_ms = at ? (int64_t)at->n : 0;
  flagcore_context *ctx = build_context(get(c, "context"));
  replayed++;
  if (!ctx) {
    mismatch(id, "context refused");
    return;
  }
  flagcore_evaluation e;
  if (!strcmp(call->s, "evaluateAll")) {
    flagcore_evaluation all[64];
    size_t n = 0;
    if (flagcore_snapshot_evaluate_all(snap, ctx, has_time, at_ms, all, 64, &n) != FLAGCORE_RESULT_OK || n != expect->count) {
      mismatch(id, "evaluate_all gave %zu evaluations, expected %zu", n, expect->count);
    } else {
      for (size_t i = 0; i < n; i++) {
        check_details(id, &all[i], expect->items[i]);
        if (!value_is(&all[i], get(expect->items[i], "value"))) mismatch(id, "value of %zu", i);
      }
    }
    flagcore_context_free(ctx);
    return;
  }
  uint32_t type = FLAGCORE_VALUE_TYPE_NONE;
  if (!strcmp(call->s, "getBoolean")) type = FLAGCORE_VALUE_TYPE_BOOLEAN;
  else if (!strcmp(call->s, "getString")) type = FLAGCORE_VALUE_TYPE_STRING;
  else if (!strcmp(call->s, "getNumber")) type = FLAGCORE_VALUE_TYPE_NUMBER;
  else if (!strcmp(call->s, "getJson")) type = FLAGCORE_VALUE_TYPE_JSON;
  if (flagcore_snapshot_evaluate(snap, flag->s, flag->len, ctx, has_time, at_ms, type, &e) != FLAGCORE_RESULT_OK) {
    mismatch(id, "evaluate failed");
    flagcore_context_free(ctx);
    return;
  }
  check_details(id, &e, expect);
  const jv *want = get(expect, "value");
  if (type == FLAGCORE_VALUE_TYPE_NONE) {
    if (!value_is(&e, want)) mismatch(id, "value %.*s", (int)e.value_json.len, e.value_json.ptr ? e.value_json.ptr : "null");
    bool enabled = flagcore_store_is_enabled(store, flag->s, flag->len, ctx, has_time, at_ms);
    bool expected = !name_is("ERROR", get(expect, "reason")) && want && want->t == J_BOOL && want->b;
    if (enabled != expected) mismatch(id, "is_enabled %d", enabled);
  } else {
    /* The typed getter's value: the default on an error, else the value served. */
    bool err = e.reason == FLAGCORE_REASON_ERROR;
    if (err ? !jsame(deflt, want) : !value_is(&e, want)) mismatch(id, "typed value");
    if (type == FLAGCORE_VALUE_TYPE_BOOLEAN) {
      bool out = false;
      if (flagcore_store_get_bool(store, flag->s, flag->len, ctx, has_time, at_ms, deflt->b, &out) != FLAGCORE_RESULT_OK ||
          want->t != J_BOOL || out != want->b)
        mismatch(id, "get_bool %d", out);
    } else if (type == FLAGCORE_VALUE_TYPE_NUMBER) {
      double out = 0;
      if (flagcore_store_get_number(store, flag->s, flag->len, ctx, has_time, at_ms, deflt->n, &out) != FLAGCORE_RESULT_OK ||
          want->t != J_NUM || out != want->n)
        mismatch(id, "get_number %g", out);
    }
  }
  flagcore_context_free(ctx);
}

static void replay_evaluations(const jv *doc) {
  const jv *groups = get(doc, "groups");
  for (size_t g = 0; g < groups->count; g++) {
    const jv *group = groups->items[g], *config = get(group, "config"), *overrides = get(group, "overrides");
    flagcore_store *store = NULL;
    if (flagcore_store_new(config->s, config->len, NULL, &store) != FLAGCORE_RESULT_OK) {
      mismatch(get(group, "name")->s, "config refused");
      continue;
    }
    for (size_t i = 0; i < overrides->count; i++) {
      const jv *o = overrides->items[i], *f = get(o, "flag"), *variant = get(o, "variant");
      flagcore_result rc = variant ? flagcore_store_set_override_variant(store, f->s, f->len, variant->s, variant->len)
                                   : flagcore_store_set_override_kill(store, f->s, f->len);
      if (rc != FLAGCORE_RESULT_OK) mismatch(get(group, "name")->s, "override refused");
    }
    flagcore_snapshot *snap = NULL;
    if (flagcore_store_snapshot(store, &snap) == FLAGCORE_RESULT_OK) {
      const jv *cases = get(group, "cases");
      for (size_t i = 0; i < cases->count; i++) replay_case(store, snap, cases->items[i]);
      flagcore_snapshot_free(snap);
    }
    flagcore_store_free(store);
  }
}

static void check_report(const char *id, flagcore_report *report, const jv *want) {
  size_t n = flagcore_report_len(report);
  if (n != want->count) {
    mismatch(id, "%zu problems, expected %zu", n, want->count);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    flagcore_problem p;
    if (flagcore_report_get(report, i, &p) != FLAGCORE_RESULT_OK || !str_is(p.code, get(want->items[i], "code")) ||
        !str_is(p.path, get(want->items[i], "path")))
      mismatch(id, "problem %zu is %.*s at %.*s", i, (int)p.code.len, p.code.ptr, (int)p.path.len, p.path.ptr);
  }
}

static void replay_validations(const jv *doc) {
  const jv *cases = get(doc, "cases");
  static const char empty[] = "{\"schemaVersion\": 1, \"flags\": {}}";
  for (size_t i = 0; i < cases->count; i++) {
    const jv *c = cases->items[i], *config = get(c, "config");
    const char *id = get(c, "id")->s;
    if (get(c, "maxBytes")) {
      skipped_limit++;
      continue;
    }
    replayed++;
    /* Expected problems: errors then warnings. */
    const jv *errors = get(c, "errors"), *warnings = get(c, "warnings");
    jv all = {.t = J_ARR, .count = errors->count + warnings->count};
    all.items = xmalloc((all.count + 1) * sizeof *all.items);
    for (size_t k = 0; k < errors->count; k++) all.items[k] = errors->items[k];
    for (size_t k = 0; k < warnings->count; k++) all.items[errors->count + k] = warnings->items[k];
    flagcore_report *report = flagcore_report_new();
    flagcore_store *store = NULL;
    bool valid = get(c, "valid")->b;
    if (valid) {
      uint64_t revision = 0;
      if (flagcore_store_new(empty, sizeof empty - 1, NULL, &store) != FLAGCORE_RESULT_OK) mismatch(id, "empty config refused");
      else if (flagcore_store_update(store, config->s, config->len, report, &revision) != FLAGCORE_RESULT_OK) mismatch(id, "refused");
      else check_report(id, report, &all);
    } else {
      flagcore_result rc = flagcore_store_new(config->s, config->len, report, &store);
      if (rc != FLAGCORE_RESULT_INVALID_CONFIG) mismatch(id, "result %s", flagcore_result_name(rc));
      else check_report(id, report, &all);
    }
    flagcore_store_free(store);
    flagcore_report_free(report);
    free(all.items);
  }
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = xmalloc((size_t)n + 1);
  *len = fread(buf, 1, (size_t)n, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  struct dirent **names;
  int n = scandir(argv[1], &names, NULL, by_name);
  if (n < 0) {
    perror(argv[1]);
    return 2;
  }
  size_t files = 0;
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    size_t nl = strlen(name);
    if (nl < 5 || strcmp(name + nl - 5, ".json")) {
      free(names[i]);
      continue;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], name);
    size_t len = 0;
    char *text = read_file(path, &len);
    const char *err = NULL;
    jv *doc = text ? parse_json(text, len, &err) : NULL;
    if (!doc || err) {
      fprintf(stderr, "%s: %s\n", path, err ? err : "unreadable");
      return 2;
    }
    files++;
    size_t before = replayed + skipped_limit;
    const jv *format = get(doc, "format");
    if (!strcmp(format->s, "flagcore-vectors/bucket/1")) replay_buckets(name, doc);
    else if (!strcmp(format->s, "flagcore-vectors/evaluation/1")) replay_evaluations(doc);
    else if (!strcmp(format->s, "flagcore-vectors/validation/1")) replay_validations(doc);
    else mismatch(name, "unknown format %s", format->s);
    if ((double)(replayed + skipped_limit - before) != get(doc, "count")->n) mismatch(name, "case count differs from count");
    jfree(doc);
    free(text);
    free(names[i]);
  }
  free(names);
  if (!files) {
    fprintf(stderr, "c: no vectors in %s\n", argv[1]);
    return 1;
  }
  printf("c: %zu vectors replayed, %zu mismatches", replayed, mismatches);
  if (skipped_limit) printf("; %zu skipped (need a byte limit)", skipped_limit);
  printf("\n");
  return mismatches ? 1 : 0;
}
