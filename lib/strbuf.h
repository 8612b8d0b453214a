/*
 * strbuf.h — a growing string, for the few places that build text piece by piece (rendering a
 * message, escaping HTML). Appends after a failed allocation are ignored, so callers check once,
 * at tend_strbuf_finish().
 */
#ifndef TEND_STRBUF_H
#define TEND_STRBUF_H

#include <stddef.h>

typedef struct {
    char *buf;
    size_t len;
    size_t cap;
    int failed;
} tend_strbuf;

#define TEND_STRBUF_INIT {NULL, 0, 0, 0}

/* Appends n bytes of s. */
void tend_strbuf_put(tend_strbuf *sb, const char *s, size_t n);
/* Appends the string s. */
void tend_strbuf_puts(tend_strbuf *sb, const char *s);
/* The built string (malloc'd, "" when nothing was added; the caller frees it), or NULL when an
 * allocation failed along the way (everything is freed then). */
char *tend_strbuf_finish(tend_strbuf *sb);

#endif
