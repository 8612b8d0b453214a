/*
 * config.h — tend.conf and the environment, read once at start.
 *
 * The file is INI (parsed by libinih). Every key can also be set as TEND_<SECTION>_<KEY> in the
 * environment (TEND_DISCORD_API_BASE, TEND_SIGNAL_ACCOUNT), which wins over the file; the tokens
 * also as DISCORD_TOKEN, MATRIX_ACCESS_TOKEN and TELEGRAM_TOKEN. Defaults serve the console demo
 * with no file. A platform with some but not all of its keys set is a problem, not a quiet fall
 * back to the console; problems name keys as written (`[discord] application_id`) and never
 * repeat a value.
 */
#ifndef TEND_CONFIG_H
#define TEND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"

typedef struct tend_config {
    /* [store] */
    char *database;            /* path of the SQLite file                                */
    char *store_url;           /* postgresql://... : the store is PostgreSQL; NULL = SQLite */
    bool database_is_default;  /* the per-user data folder: main creates its folder      */
    int synchronous;           /* 1 NORMAL (default), 2 FULL                             */
    /* [log] */
    char *log_level;           /* debug | info | warn | error                            */
    /* [bot] and [schedule] */
    tend_settings settings;
    char *locale_dir;          /* the translations (<lang>/LC_MESSAGES/tend.mo); NULL = the
                                  installed ones, else the build's                        */
    /* [console] */
    char *console_group;       /* group name of the console demo, default "demo"         */
    char *console_member;      /* who types first, default "you"                          */
    /* [discord] */
    char *discord_token;             /* secret                                         */
    char *discord_application_id;
    char *discord_api_base;          /* default https://discord.com/api/v10             */
    char *discord_gateway_url;       /* default: ask GET /gateway/bot                   */
    bool discord_global_commands;    /* register globally instead of per guild         */
    char *discord_shards;            /* "0-3/8", "8"; NULL: every shard Discord advises */
    /* [matrix] */
    char *matrix_homeserver;         /* https://matrix.example.org                       */
    char *matrix_user_id;            /* @tend:example.org                                */
    char *matrix_access_token;       /* secret                                           */
    char *matrix_password;           /* secret; exchanged once for a token              */
    char *matrix_device_id;
    char *matrix_allowed_inviters;   /* comma-separated user ids and/or :server names; */
                                     /* default: the bot's own server                    */
    char *matrix_pickle_key_file;    /* the key encryption state is kept under; NULL: the
                                        database's path + ".pickle-key"; made when absent  */
    /* [signal] */
    char *signal_rpc_url;            /* signal-cli daemon --http, default http://127.0.0.1:8080 */
    char *signal_account;            /* the bot's number, +15551234567; setting it turns Signal on;
                                        never logged                                      */
    /* [telegram] */
    char *telegram_token;            /* secret: "123456789:AA..." from BotFather        */
    char *telegram_api_base;         /* default https://api.telegram.org                 */
    /* [ops] */
    char *ops_listen;                /* "127.0.0.1:9464": health and metrics; NULL = off */
    /* what loading noticed */
    char *file;                      /* the file read, NULL when none (SIGHUP reads it again) */
    bool file_secret_exposed;        /* the file holds a secret and group/others can read it */
} tend_config;

/* Fills cfg with the defaults (strings are owned by cfg). 0, or -1 on OOM. */
int tend_config_defaults(tend_config *cfg);
/* Reads `path` (NULL = no file) then the environment over the defaults. On a bad file returns -1
 * and writes every problem, one per line with its line number, to err. Never echoes a secret. */
int tend_config_load(tend_config *cfg, const char *path, char *err, size_t errlen);
/* Frees every string; accepts NULL. */
void tend_config_free(tend_config *cfg);
/* The most shards one bot may be split into, as far as tend.conf is concerned. */
#define TEND_SHARDS_MAX 65535
/* Reads [discord] shards: "N" (shards 0 to N-1 of N) or "A-B/N" / "A/N" (shards A to B of N).
 * 0 with the range filled, -1 when the text is not one of those or the range does not fit. */
int tend_config_shards(const char *text, int *first, int *last, int *count);
/* True when Discord / Matrix / Signal / Telegram are configured enough to start. */
bool tend_config_has_discord(const tend_config *cfg);
bool tend_config_has_matrix(const tend_config *cfg);
bool tend_config_has_signal(const tend_config *cfg);
bool tend_config_has_telegram(const tend_config *cfg);

/* Splits an [ops] listen value: "127.0.0.1:9464", "[::1]:9464", or a bare "9464" (127.0.0.1).
 * Addresses are numeric (a name would need a lookup); port 0 asks the system for a free one.
 * 0 with host and port filled (either may be NULL), or -1 when the value is not one of those. */
int tend_config_listen_parse(const char *value, char *host, size_t hostlen, int *port);

/* Checks what start-up will touch on disk: the database's folder exists (or, for the default
 * path, can be made) and is writable, the database is a file tend can write. Each problem is one
 * line appended to err, each warning (a database other users can read) one line to warn.
 * Returns the number of problems. */
int tend_config_check_files(const tend_config *cfg, char *err, size_t errlen, char *warn, size_t warnlen);

#endif
