#include "json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct parser {
  const char *p;
  const char *error;
};

static struct json *parse_value(struct parser *ps);

static void skip_space(struct parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static struct json *node(enum json_type type) {
  struct json *n = calloc(1, sizeof(*n));
  n->type = type;
  return n;
}

/* Strings keep \uXXXX escapes below 0x80 only; config.json values the checker compares are ASCII. */
static char *parse_string(struct parser *ps) {
  if (*ps->p != '"') {
    ps->error = "expected a string";
    return NULL;
  }
  ps->p++;
  size_t cap = 64, len = 0;
  char *out = malloc(cap);
  while (*ps->p && *ps->p != '"') {
    char c = *ps->p++;
    if (c == '\\') {
      char e = *ps->p++;
      switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u': {
          char hex[5] = {0};
          for (int i = 0; i < 4 && *ps->p; i++) hex[i] = *ps->p++;
          c = (char)strtol(hex, NULL, 16);
          break;
        }
        default: c = e;
      }
    }
    if (len + 2 > cap) out = realloc(out, cap *= 2);
    out[len++] = c;
  }
  if (*ps->p != '"') {
    ps->error = "unterminated string";
    free(out);
    return NULL;
  }
  ps->p++;
  out[len] = 0;
  return out;
}

static struct json *parse_container(struct parser *ps, char close, enum json_type type) {
  struct json *n = node(type), **tail = &n->child;
  ps->p++;
  skip_space(ps);
  if (*ps->p == close) {
    ps->p++;
    return n;
  }
  for (;;) {
    skip_space(ps);
    char *key = NULL;
    if (type == JSON_OBJECT) {
      key = parse_string(ps);
      if (!key) return NULL;
      skip_space(ps);
      if (*ps->p++ != ':') {
        ps->error = "expected ':'";
        return NULL;
      }
    }
    struct json *v = parse_value(ps);
    if (!v) return NULL;
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
      return n;
    }
    ps->error = "expected ',' or a closing bracket";
    return NULL;
  }
}

static struct json *parse_value(struct parser *ps) {
  skip_space(ps);
  char c = *ps->p;
  if (c == '{') return parse_container(ps, '}', JSON_OBJECT);
  if (c == '[') return parse_container(ps, ']', JSON_ARRAY);
  if (c == '"') {
    char *s = parse_string(ps);
    if (!s) return NULL;
    struct json *n = node(JSON_STRING);
    n->string = s;
    return n;
  }
  if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
    struct json *n = node(JSON_BOOL);
    n->boolean = c == 't';
    ps->p += n->boolean ? 4 : 5;
    return n;
  }
  if (strncmp(ps->p, "null", 4) == 0) {
    ps->p += 4;
    return node(JSON_NULL);
  }
  char *end;
  double d = strtod(ps->p, &end);
  if (end == ps->p) {
    ps->error = "unexpected character";
    return NULL;
  }
  ps->p = end;
  struct json *n = node(JSON_NUMBER);
  n->number = d;
  return n;
}

struct json *json_parse(const char *text, const char **error) {
  struct parser ps = {text, NULL};
  struct json *root = parse_value(&ps);
  if (root) {
    skip_space(&ps);
    if (*ps.p) {
      ps.error = "trailing characters";
      root = NULL;
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
