/*
 * A small JSON reader for the conformance checker: parses a whole NUL-terminated document into a
 * tree, strictly (RFC 8259: no nan, hex or trailing garbage; strings are UTF-8 C strings, so
 * \u0000 is refused). test/unit/checker/json.test.ts runs it under AddressSanitizer.
 */
#ifndef CISTA_CHECKER_JSON_H
#define CISTA_CHECKER_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
  enum json_type type;
  double number;
  int boolean;
  char *string;         /* JSON_STRING */
  char *key;            /* set on members of an object */
  struct json *child;   /* first element or member */
  struct json *next;    /* next sibling */
};

/* Returns NULL (and a message in *error) when the text is not valid JSON. */
struct json *json_parse(const char *text, const char **error);
void json_free(struct json *tree);
/* Member of an object by key, or NULL. */
const struct json *json_get(const struct json *object, const char *key);
/* Follows a path of keys, e.g. json_path(root, "process", "user", NULL). */
const struct json *json_path(const struct json *root, ...);
size_t json_length(const struct json *array);

#endif
