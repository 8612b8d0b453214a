/*
 * url.c — the one piece of a connection URL the program must never show: its password.
 */
#include "lib/url.h"

#include <stdio.h>
#include <string.h>

void tend_url_password(const char *url, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *auth = url ? strstr(url, "://") : NULL;
    if (!auth)
        return;
    auth += 3;
    size_t authlen = strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < auth + authlen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
        snprintf(out, outlen, "%.*s", (int)(at - colon - 1), colon + 1);
        return;
    }
    for (const char *p = strstr(url, "password="); p; p = strstr(p + 1, "password="))
        if (p[-1] == '?' || p[-1] == '&') {
            p += strlen("password=");
            snprintf(out, outlen, "%.*s", (int)strcspn(p, "&"), p);
            return;
        }
}
