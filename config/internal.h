/*
 * internal.h — what config.c, values.c and check.c share: the kinds of values a key can hold and
 * the table entry that describes one key. Nothing outside config/ includes it.
 */
#ifndef TEND_CONFIG_INTERNAL_H
#define TEND_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    K_TEXT,      /* any non-empty text                                  */
    K_SECRET,    /* text that is never echoed                           */
    K_INT,       /* whole number in [min, max]                          */
    K_BOOL,      /* true/false, yes/no, on/off, 1/0                     */
    K_SYNC,      /* normal | full                                       */
    K_LEVEL,     /* debug | info | warn | error                         */
    K_HTTP,      /* http:// or https:// URL                             */
    K_WS,        /* ws:// or wss:// URL                                 */
    K_SNOWFLAKE, /* Discord id: digits                                  */
    K_SHARDS,    /* a shard count "8" or a range "0-3/8"                */
    K_MXID,      /* @user:server                                        */
    K_INVITERS,  /* comma-separated @user:server or :server             */
    K_PHONE,     /* +<digits>, never echoed (an account number)         */
    K_TGTOKEN,   /* a Telegram bot token: digits ':' then 30+ [A-Za-z0-9_-]; secret */
    K_LISTEN,    /* ADDRESS:PORT with a numeric address, or just PORT   */
    K_PGURL      /* postgresql:// or postgres:// URL; may hold a password */
} key_kind;

typedef struct {
    const char *section;
    const char *key;
    key_kind kind;
    size_t offset;
    int min, max;
} key_spec;

/* Whether v is a valid value of k; numbers (ints, booleans, synchronous) are stored in *number. */
bool tend_config_value_ok(const key_spec *k, const char *v, int *number);
/* What a value of this kind should look like, for the message when it does not. */
void tend_config_describe(const key_spec *k, char *buf, size_t len);
/* The closest candidate when it is close enough to be a typo, else NULL. */
const char *tend_config_nearest(const char *word, const char *const *candidates, size_t n);

#endif
