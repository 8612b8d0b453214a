/* strbuf.c — see strbuf.h. */
#include "lib/strbuf.h"

#include <stdlib.h>
#include <string.h>

void tend_strbuf_put(tend_strbuf *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 128;
        while (sb->len + n + 1 > cap)
            cap *= 2;
        char *b = realloc(sb->buf, cap);
        if (!b) {
            sb->failed = 1;
            return;
        }
        sb->buf = b;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void tend_strbuf_puts(tend_strbuf *sb, const char *s)
{
    tend_strbuf_put(sb, s, strlen(s));
}

char *tend_strbuf_finish(tend_strbuf *sb)
{
    if (sb->failed) {
        free(sb->buf);
        return NULL;
    }
    return sb->buf ? sb->buf : strdup("");
}
