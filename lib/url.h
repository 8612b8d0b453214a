/*
 * url.h — reading a connection URL ("postgresql://user:secret@host/db", "...?password=secret")
 * for its password, so whatever prints or logs the URL can mask it.
 */
#ifndef TEND_URL_H
#define TEND_URL_H

#include <stddef.h>

/* The password url carries, as written (after "user:" or as password=); "" when none (url NULL
 * too). Always NUL-terminates out. */
void tend_url_password(const char *url, char *out, size_t outlen);

#endif
