#include "json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting than any config.json needs is refused rather than overflowing the stack. */
#define MAX_DEPTH 256

struct parser {
  const char *p;
  const char *error;
  int depth;
};

static struct json *parse_value(struct parser *ps);

static void *fail(struct parser *ps, const char *error) {
  if (!ps->error) ps->error = error;
  return NULL;
}

static void skip_space(struct parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static struct json *node(enum json_type type) {
  struct json *n = calloc(1, sizeof(*n));
  if (n) n->type = type;
  return n;
}

void json_free(struct json *n) {
  while (n) {
    struct json *next = n->next;
    json_free(n->child);
    free(n->string);
    free(n->key);
    free(n);
    n = next;
  }
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Four hex digits of a \u escape; -1 when they are not there (the NUL terminator stops the scan). */
static long hex4(struct parser *ps) {
  long value = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(ps->p[i]);
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  ps->p += 4;
  return value;
}

/* A \uXXXX escape (with its low surrogate when it is a high one) as a code point; -1 when malformed. */
static long unicode_escape(struct parser *ps) {
  long code = hex4(ps);
  if (code >= 0xdc00 && code <= 0xdfff) return -1;
  if (code >= 0xd800 && code <= 0xdbff) {
    if (ps->p[0] != '\\' || ps->p[1] != 'u') return -1;
    ps->p += 2;
    long low = hex4(ps);
    if (low < 0xdc00 || low > 0xdfff) return -1;
    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
  }
  return code;
}

/* Appends a code point as UTF-8; out has room for 4 more bytes. */
static size_t put_utf8(char *out, long code) {
  if (code < 0x80) {
    out[0] = (char)code;
    return 1;
  }
  if (code < 0x800) {
    out[0] = (char)(0xc0 | (code >> 6));
    out[1] = (char)(0x80 | (code & 0x3f));
    return 2;
  }
  if (code < 0x10000) {
    out[0] = (char)(0xe0 | (code >> 12));
    out[1] = (char)(0x80 | ((code >> 6) & 0x3f));
    out[2] = (char)(0x80 | (code & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (code >> 18));
  out[1] = (char)(0x80 | ((code >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((code >> 6) & 0x3f));
  out[3] = (char)(0x80 | (code & 0x3f));
  return 4;
}

/* A string as a C string: \u0000 is refused, since the checker compares C strings. */
static char *parse_string(struct parser *ps) {
  if (*ps->p != '"') return fail(ps, "expected a string");
  ps->p++;
  size_t cap = 64, len = 0;
  char *out = malloc(cap);
  if (!out) return fail(ps, "out of memory");
  for (;;) {
    unsigned char c = (unsigned char)*ps->p;
    if (c == '"') break;
    if (c == 0) {
      free(out);
      return fail(ps, "unterminated string");
    }
    if (c < 0x20) {
      free(out);
      return fail(ps, "control character in a string");
    }
    if (len + 5 > cap) {
      char *bigger = realloc(out, cap *= 2);
      if (!bigger) {
        free(out);
        return fail(ps, "out of memory");
      }
      out = bigger;
    }
    ps->p++;
    if (c != '\\') {
      out[len++] = (char)c;
      continue;
    }
    char e = *ps->p;
    if (e == 0) {
      free(out);
      return fail(ps, "unterminated string");
    }
    ps->p++;
    switch (e) {
      case '"': case '\\': case '/': out[len++] = e; break;
      case 'b': out[len++] = '\b'; break;
      case 'f': out[len++] = '\f'; break;
      case 'n': out[len++] = '\n'; break;
      case 'r': out[len++] = '\r'; break;
      case 't': out[len++] = '\t'; break;
      case 'u': {
        long code = unicode_escape(ps);
        if (code <= 0) {
          free(out);
          return fail(ps, code == 0 ? "\\u0000 in a string" : "malformed \\u escape");
        }
        len += put_utf8(out + len, code);
        break;
      }
      default:
        free(out);
        return fail(ps, "unknown escape in a string");
    }
  }
  ps->p++;
  out[len] = 0;
  return out;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* JSON's number grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (no nan, inf, hex, +). */
static struct json *parse_number(struct parser *ps) {
  const char *start = ps->p, *q = ps->p;
  if (*q == '-') q++;
  if (*q == '0') {
    q++;
  } else if (is_digit(*q)) {
    while (is_digit(*q)) q++;
  } else {
    return fail(ps, "unexpected character");
  }
  if (*q == '.') {
    if (!is_digit(*++q)) return fail(ps, "malformed number");
    while (is_digit(*q)) q++;
  }
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-') q++;
    if (!is_digit(*q)) return fail(ps, "malformed number");
    while (is_digit(*q)) q++;
  }
  struct json *n = node(JSON_NUMBER);
  if (!n) return fail(ps, "out of memory");
  n->number = strtod(start, NULL);
  ps->p = q;
  return n;
}

/* true, false or null, which must end there (not "trueX"). */
static struct json *parse_literal(struct parser *ps, const char *word, enum json_type type, int boolean) {
  size_t n = strlen(word);
  if (strncmp(ps->p, word, n) != 0) return fail(ps, "unexpected character");
  char after = ps->p[n];
  if ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || is_digit(after) || after == '_') return fail(ps, "unexpected character");
  struct json *v = node(type);
  if (!v) return fail(ps, "out of memory");
  v->boolean = boolean;
  ps->p += n;
  return v;
}

static struct json *parse_container(struct parser *ps, char close, enum json_type type) {
  if (++ps->depth > MAX_DEPTH) return fail(ps, "nested too deeply");
  struct json *n = node(type);
  if (!n) return fail(ps, "out of memory");
  struct json **tail = &n->child;
  ps->p++;
  skip_space(ps);
  if (*ps->p == close) {
    ps->p++;
    ps->depth--;
    return n;
  }
  for (;;) {
    skip_space(ps);
    char *key = NULL;
    if (type == JSON_OBJECT) {
      key = parse_string(ps);
      if (!key) break;
      skip_space(ps);
      if (*ps->p != ':') {
        free(key);
        fail(ps, "expected ':'");
        break;
      }
      ps->p++;
    }
    struct json *v = parse_value(ps);
    if (!v) {
      free(key);
      break;
    }
    v->key = key;
    *tail = v;
    tail = &v->next;
    skip_space(ps);
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == close) {
      ps->p++;
      ps->depth--;
      return n;
    }
    fail(ps, "expected ',' or a closing bracket");
    break;
  }
  json_free(n);
  return NULL;
}

static struct json *parse_value(struct parser *ps) {
  skip_space(ps);
  switch (*ps->p) {
    case '{': return parse_container(ps, '}', JSON_OBJECT);
    case '[': return parse_container(ps, ']', JSON_ARRAY);
    case '"': {
      char *s = parse_string(ps);
      if (!s) return NULL;
      struct json *n = node(JSON_STRING);
      if (!n) {
        free(s);
        return fail(ps, "out of memory");
      }
      n->string = s;
      return n;
    }
    case 't': return parse_literal(ps, "true", JSON_BOOL, 1);
    case 'f': return parse_literal(ps, "false", JSON_BOOL, 0);
    case 'n': return parse_literal(ps, "null", JSON_NULL, 0);
    default: return parse_number(ps);
  }
}

struct json *json_parse(const char *text, const char **error) {
  struct parser ps = {text, NULL, 0};
  struct json *root = parse_value(&ps);
  if (root) {
    skip_space(&ps);
    if (*ps.p) {
      json_free(root);
      root = fail(&ps, "trailing characters");
    }
  }
  if (!root) *error = ps.error;
  return root;
}

const struct json *json_get(const struct json *object, const char *key) {
  if (!object || object->type != JSON_OBJECT) return NULL;
  for (const struct json *m = object->child; m; m = m->next)
    if (strcmp(m->key, key) == 0) return m;
  return NULL;
}

const struct json *json_path(const struct json *root, ...) {
  va_list ap;
  va_start(ap, root);
  const char *key;
  while (root && (key = va_arg(ap, const char *)) != NULL) root = json_get(root, key);
  va_end(ap);
  return root;
}

size_t json_length(const struct json *array) {
  size_t n = 0;
  for (const struct json *e = array ? array->child : NULL; e; e = e->next) n++;
  return n;
}
