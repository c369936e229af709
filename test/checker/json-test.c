/*
 * Test driver for json.c (test/unit/checker/json.test.ts builds it with -fsanitize=address): reads
 * a document from stdin into a buffer of exactly its size plus the terminator, so that reading past
 * it is caught, and prints the parsed tree in a canonical form, or "error: " and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void dump(const struct json *n) {
  switch (n->type) {
    case JSON_NULL: printf("null"); break;
    case JSON_BOOL: printf(n->boolean ? "true" : "false"); break;
    case JSON_NUMBER: printf("%.17g", n->number); break;
    case JSON_STRING: printf("\"%s\"", n->string); break;
    case JSON_ARRAY:
    case JSON_OBJECT:
      putchar(n->type == JSON_ARRAY ? '[' : '{');
      for (const struct json *c = n->child; c; c = c->next) {
        if (n->type == JSON_OBJECT) printf("\"%s\":", c->key);
        dump(c);
        if (c->next) putchar(',');
      }
      putchar(n->type == JSON_ARRAY ? ']' : '}');
      break;
  }
}

int main(void) {
  size_t len = 0, cap = 1;
  char *data = malloc(cap);
  size_t n;
  while ((n = fread(data + len, 1, cap - len, stdin)) > 0) {
    len += n;
    if (len == cap) data = realloc(data, cap *= 2);
  }
  char *text = malloc(len + 1);
  memcpy(text, data, len);
  text[len] = 0;
  free(data);
  const char *error = NULL;
  struct json *tree = json_parse(text, &error);
  if (tree) {
    dump(tree);
    putchar('\n');
  } else {
    printf("error: %s\n", error);
  }
  json_free(tree);
  free(text);
  return 0;
}
