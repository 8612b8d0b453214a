/* test_config.c — tend.conf and the environment: what a coordinator writes is what tend runs with,
 * and every mistake is named with its line, never with a secret in it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/log.h"

static const char *const env_names[] = {
    "TEND_STORE_DATABASE", "TEND_BOT_GRACE_HOURS", "TEND_DISCORD_TOKEN", "DISCORD_TOKEN",
    "MATRIX_ACCESS_TOKEN", "TEND_MATRIX_ACCESS_TOKEN", "TEND_DISCORD_API_BASE", "TEND_LOG_LEVEL",
    "TEND_MATRIX_HOMESERVER", "TEND_MATRIX_USER_ID", "TEND_CONSOLE_GROUP", "XDG_DATA_HOME",
    "TEND_DISCORD_APPLICATION_ID", "TEND_MATRIX_PASSWORD", "TEND_OPS_LISTEN", "TEND_DISCORD_SHARDS",
    "TEND_SIGNAL_ACCOUNT", "TEND_SIGNAL_RPC_URL",
    "TELEGRAM_TOKEN", "TEND_TELEGRAM_TOKEN", "TEND_TELEGRAM_API_BASE",
};

static char conf_path[64];

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
    snprintf(conf_path, sizeof conf_path, "/tmp/tend-test-config-%d.conf", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(conf_path);
    return 0;
}

static void write_conf(const char *text, mode_t mode)
{
    FILE *f = fopen(conf_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(conf_path, mode);
}

/* Loads conf_path (or no file) over the defaults; returns the load's result. */
static int load(tend_config *cfg, const char *text, char *err, size_t errlen)
{
    assert_int_equal(tend_config_defaults(cfg), 0);
    if (text)
        write_conf(text, 0600);
    return tend_config_load(cfg, text ? conf_path : NULL, err, errlen);
}

static void defaults_serve_the_console_demo(void **state)
{
    (void)state;
    setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.database, "/tmp/xdg-test/tend/tend.db");
    assert_true(cfg.database_is_default);
    assert_string_equal(cfg.console_group, "demo");
    assert_int_equal(cfg.settings.default_capacity, 3);
    assert_int_equal(cfg.settings.stale_claim_days, 5);
    assert_int_equal(cfg.synchronous, 1);
    assert_string_equal(cfg.discord_api_base, "https://discord.com/api/v10");
    assert_false(tend_config_has_discord(&cfg));
    assert_false(tend_config_has_matrix(&cfg));
    tend_config_free(&cfg);
}

static void home_data_folder_when_no_xdg(void **state)
{
    (void)state;
    const char *home = getenv("HOME");
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    if (home && home[0] == '/') {
        char want[4200];
        snprintf(want, sizeof want, "%s/.local/share/tend/tend.db", home);
        assert_string_equal(cfg.database, want);
    } else {
        assert_string_equal(cfg.database, "tend.db");
    }
    tend_config_free(&cfg);
}

static void file_values_are_used(void **state)
{
    (void)state;
    tend_config cfg;
    char err[512];
    int rc = load(&cfg,
                  "; a comment\n"
                  "[store]\ndatabase = /srv/tend/groups.db\nsynchronous = full\n"
                  "[bot]\n  grace_hours = 12\ndefault_capacity=4\n"
                  "[console]\ngroup = kitchen\n"
                  "[discord]\ntoken = abcdefghijklmnop.secret\napplication_id = 123456789012345678\n"
                  "global_commands = yes\n"
                  "[matrix]\nhomeserver = https://matrix.example.org\nuser_id = @tend:example.org\n"
                  "password = hunter2hunter2\nallowed_inviters = @ana:example.org, :example.org\n",
                  err, sizeof err);
    assert_int_equal(rc, 0);
    assert_string_equal(cfg.database, "/srv/tend/groups.db");
    assert_false(cfg.database_is_default);
    assert_int_equal(cfg.synchronous, 2);
    assert_int_equal(cfg.settings.grace_hours, 12);
    assert_int_equal(cfg.settings.default_capacity, 4);
    assert_int_equal(cfg.settings.thanks_per_day, 5); /* untouched keys keep their default */
    assert_string_equal(cfg.console_group, "kitchen");
    assert_true(cfg.discord_global_commands);
    assert_true(tend_config_has_discord(&cfg));
    assert_true(tend_config_has_matrix(&cfg));
    assert_false(cfg.file_secret_exposed);
    tend_config_free(&cfg);
}

static void environment_wins_over_the_file(void **state)
{
    (void)state;
    setenv("TEND_BOT_GRACE_HOURS", "2", 1);
    setenv("TEND_STORE_DATABASE", "/data/tend.db", 1);
    setenv("DISCORD_TOKEN", "token-from-plain-env", 1);
    setenv("TEND_DISCORD_APPLICATION_ID", "123456789012345678", 1);
    setenv("TEND_DISCORD_API_BASE", "http://127.0.0.1:8080/api/v10", 1);
    tend_config cfg;
    char err[512];
    int rc = load(&cfg, "[bot]\ngrace_hours = 12\n[store]\ndatabase = /elsewhere.db\n", err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(cfg.settings.grace_hours, 2);
    assert_string_equal(cfg.database, "/data/tend.db");
    assert_string_equal(cfg.discord_token, "token-from-plain-env");
    assert_string_equal(cfg.discord_api_base, "http://127.0.0.1:8080/api/v10");
    tend_config_free(&cfg);

    /* TEND_DISCORD_TOKEN is the more specific name and wins over DISCORD_TOKEN */
    setenv("TEND_DISCORD_TOKEN", "token-from-tend-env", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.discord_token, "token-from-tend-env");
    tend_config_free(&cfg);

    setenv("MATRIX_ACCESS_TOKEN", "syt_matrix_token_value", 1);
    setenv("TEND_MATRIX_HOMESERVER", "https://m.example.org", 1);
    setenv("TEND_MATRIX_USER_ID", "@tend:m.example.org", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.matrix_access_token, "syt_matrix_token_value");
    assert_true(tend_config_has_matrix(&cfg));
    tend_config_free(&cfg);
}

static void typo_names_the_line_and_the_nearest_key(void **state)
{
    (void)state;
    tend_config cfg;
    char err[1024];
    int rc = load(&cfg, "[discord]\n\n# my bot\ntokn = very-secret-token-value\n", err, sizeof err);
    assert_int_equal(rc, -1);
    char want[200];
    snprintf(want, sizeof want, "%s:4: unknown key 'tokn' in [discord] (did you mean 'token'?)", conf_path);
    assert_string_equal(err, want);
    assert_null(strstr(err, "very-secret"));
    assert_false(tend_config_has_discord(&cfg));
    tend_config_free(&cfg);
}

static void every_problem_is_reported_at_once(void **state)
{
    (void)state;
    tend_config cfg;
    char err[2048];
    int rc = load(&cfg,
                  "[bot]\n"
                  "grace_hours = soon\n"          /* 2 */
                  "default_capacity = 0\n"        /* 3 */
                  "[dicsord]\n"                   /* 4 */
                  "token = whatever-secret-1\n"   /* 5: reported with its section */
                  "[store]\n"
                  "synchronous = fast\n"          /* 7 */
                  "this line has no equals\n"     /* 8 */
                  "[log]\nlevel = loud\n"         /* 10 */
                  "[matrix]\nuser_id = tend\n"    /* 12 */
                  "homeserver = matrix.org\n"     /* 13 */
                  "zzzzzz = 1\n",                 /* 14: nothing near */
                  err, sizeof err);
    assert_int_equal(rc, -1);
    const char *lines[] = {
        ":2: [bot] grace_hours must be a whole number from 0 to 168",
        ":3: [bot] default_capacity must be a whole number from 1 to 50",
        ":4: unknown section [dicsord] (did you mean [discord]?)",
        ":7: [store] synchronous must be normal or full",
        ":8: expected 'key = value'",
        ":10: [log] level must be debug, info, warn or error",
        ":12: [matrix] user_id must be a Matrix user id like @tend:example.org",
        ":13: [matrix] homeserver must be an http:// or https:// address",
        ":14: unknown key in [matrix] (its name is not repeated here)",
        /* user_id and homeserver were reported as bad; only the one truly absent is "missing" */
        "Matrix is half set up ([matrix] homeserver is set): [matrix] access_token or [matrix] password is missing",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (!strstr(err, lines[i]))
            fail_msg("missing line: %s\nin:\n%s", lines[i], err);
    }
    assert_null(strstr(err, "did you mean 'zz")); /* nothing near: no made-up suggestion */
    assert_null(strstr(err, "zzzzzz"));            /* nor the word itself: it could be a secret */
    assert_null(strstr(err, "[matrix] homeserver is missing"));
    assert_null(strstr(err, "soon"));
    assert_null(strstr(err, "'fast'"));
    assert_null(strstr(err, "whatever-secret"));
    assert_null(strstr(err, ":5:"));
    /* the bad values did not replace the defaults */
    assert_int_equal(cfg.settings.grace_hours, 6);
    assert_int_equal(cfg.settings.default_capacity, 3);
    tend_config_free(&cfg);
}

static void secrets_never_appear_in_errors(void **state)
{
    (void)state;
    tend_config cfg;
    char err[1024];
    /* a secret under a misspelt key, and a bad non-secret right after a secret */
    int rc = load(&cfg,
                  "[matrix]\naccess_tokn = syt_topsecretvalue\npassword = pa55word-secret\n"
                  "device_id =\nhomeserver = ftp://x\n",
                  err, sizeof err);
    assert_int_equal(rc, -1);
    assert_null(strstr(err, "syt_topsecretvalue"));
    assert_null(strstr(err, "pa55word-secret"));
    assert_non_null(strstr(err, "unknown key 'access_tokn' in [matrix] (did you mean 'access_token'?)"));
    tend_config_free(&cfg);

    setenv("TEND_BOT_GRACE_HOURS", "many", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), -1);
    assert_string_equal(err, "TEND_BOT_GRACE_HOURS must be a whole number from 0 to 168");
    tend_config_free(&cfg);
}

static void empty_chat_values_mean_unset(void **state)
{
    (void)state;
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, "[discord]\ntoken =\n[matrix]\naccess_token =\n", err, sizeof err), 0);
    assert_false(tend_config_has_discord(&cfg));
    tend_config_free(&cfg);
    /* but the database cannot be nowhere */
    assert_int_equal(load(&cfg, "[store]\ndatabase =\n", err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: [store] database needs a value"));
    tend_config_free(&cfg);
}

static void readable_secret_file_is_noticed(void **state)
{
    (void)state;
    tend_config cfg;
    char err[512];
    assert_int_equal(tend_config_defaults(&cfg), 0);
    write_conf("[discord]\ntoken = abcdefghijklmnopqrstuvwxyz\napplication_id = 1234\n", 0644);
    assert_int_equal(tend_config_load(&cfg, conf_path, err, sizeof err), 0);
    assert_true(cfg.file_secret_exposed);
    tend_config_free(&cfg);

    /* the same file without a secret in it is nobody's business */
    assert_int_equal(tend_config_defaults(&cfg), 0);
    write_conf("[bot]\ngrace_hours = 3\n", 0644);
    assert_int_equal(tend_config_load(&cfg, conf_path, err, sizeof err), 0);
    assert_false(cfg.file_secret_exposed);
    tend_config_free(&cfg);
}

static void missing_file_and_long_lines(void **state)
{
    (void)state;
    tend_config cfg;
    char err[512];
    assert_int_equal(tend_config_defaults(&cfg), 0);
    assert_int_equal(tend_config_load(&cfg, "/nonexistent/tend.conf", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/tend.conf: cannot read it"));
    tend_config_free(&cfg);

    char text[2200];
    snprintf(text, sizeof text, "[console]\ngroup = %01900d\nmember = sam\n", 7);
    assert_int_equal(load(&cfg, text, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: line is too long"));
    assert_string_equal(cfg.console_member, "sam"); /* the next line was read as itself */
    tend_config_free(&cfg);
}

/* No substring of `secret` four characters or longer appears in text. */
static void assert_no_piece_of(const char *text, const char *secret)
{
    size_t n = strlen(secret);
    for (size_t i = 0; i + 4 <= n; i++) {
        char piece[5];
        memcpy(piece, secret + i, 4);
        piece[4] = '\0';
        if (strstr(text, piece))
            fail_msg("a piece of the secret (%s) was printed:\n%s", piece, text);
    }
}

static void a_secret_in_the_wrong_key_is_never_repeated(void **state)
{
    (void)state;
    /* a Discord token's shape: long, mixed case, dots; pasted wherever a tired person pastes */
    const char *token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.QrStUvWxYzAbCdEfGhIjKlMnOpQrStUvWxYz0123";
    char text[2048];
    snprintf(text, sizeof text,
             "[discord]\ntoken = %s\napplication_id = %s\n"
             "[log]\nlevel = %s\n"
             "[bot]\ngrace_hours = %s\n"
             "[matrix]\n%s = 1\n"
             "[store]\nsynchronous = %s\n",
             token, token, token, token, token, token);
    tend_config cfg;
    char err[2048];
    assert_int_equal(load(&cfg, text, err, sizeof err), -1);
    assert_non_null(strstr(err, ":3: [discord] application_id must be the application's numeric id"));
    assert_non_null(strstr(err, ":5: [log] level must be debug, info, warn or error"));
    assert_non_null(strstr(err, ":7: [bot] grace_hours must be a whole number"));
    assert_non_null(strstr(err, ":9: unknown key in [matrix] (its name is not repeated here)"));
    assert_no_piece_of(err, token);
    tend_config_free(&cfg);

    /* the same through the environment */
    setenv("TEND_DISCORD_APPLICATION_ID", token, 1);
    setenv("TEND_DISCORD_TOKEN", token, 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), -1);
    assert_string_equal(err, "TEND_DISCORD_APPLICATION_ID must be the application's numeric id");
    tend_config_free(&cfg);

    unsetenv("TEND_DISCORD_APPLICATION_ID");
    unsetenv("TEND_DISCORD_TOKEN");
    /* a password that holds '=' on a line of its own, outside any section */
    assert_int_equal(load(&cfg, "hunter=two-secret\n[bot]\n", err, sizeof err), -1);
    assert_string_equal(err + strlen(conf_path), ":1: a key must be inside a section such as [bot]");
    tend_config_free(&cfg);
}

/* Loads `text` and expects exactly `want` as the whole error (NULL: loads fine). */
static void expect_load(const char *text, const char *want)
{
    tend_config cfg;
    char err[1024];
    int rc = load(&cfg, text, err, sizeof err);
    if (!want) {
        if (rc != 0)
            fail_msg("refused:\n%s", err);
    } else {
        assert_int_equal(rc, -1);
        assert_string_equal(err, want);
    }
    tend_config_free(&cfg);
}

static void a_half_set_up_platform_names_each_missing_key(void **state)
{
    (void)state;
    setenv("DISCORD_TOKEN", "a-discord-token-value", 1);
    expect_load(NULL, "Discord is half set up (DISCORD_TOKEN is set): [discord] application_id is missing "
                      "(or TEND_DISCORD_APPLICATION_ID)");
    unsetenv("DISCORD_TOKEN");
    expect_load("[discord]\napplication_id = 1234\n",
                "Discord is half set up ([discord] application_id is set): [discord] token is missing "
                "(or DISCORD_TOKEN)");
    expect_load("[matrix]\nhomeserver = https://m.example.org\n",
                "Matrix is half set up ([matrix] homeserver is set): [matrix] user_id is missing "
                "(or TEND_MATRIX_USER_ID)\n"
                "Matrix is half set up ([matrix] homeserver is set): [matrix] access_token or [matrix] "
                "password is missing (or MATRIX_ACCESS_TOKEN / TEND_MATRIX_PASSWORD)");
    setenv("MATRIX_ACCESS_TOKEN", "syt_a_matrix_token", 1);
    setenv("TEND_MATRIX_USER_ID", "@tend:m.example.org", 1);
    expect_load(NULL, "Matrix is half set up (TEND_MATRIX_USER_ID is set): [matrix] homeserver is missing "
                      "(or TEND_MATRIX_HOMESERVER)");
    setenv("TEND_MATRIX_HOMESERVER", "https://m.example.org", 1);
    expect_load(NULL, NULL);
    unsetenv("MATRIX_ACCESS_TOKEN");
    unsetenv("TEND_MATRIX_USER_ID");
    unsetenv("TEND_MATRIX_HOMESERVER");
    /* Signal needs its account, Telegram its token; their addresses alone mean they were meant */
    expect_load("[signal]\nrpc_url = http://127.0.0.1:7583\n",
                "Signal is half set up ([signal] rpc_url is set): [signal] account is missing "
                "(or TEND_SIGNAL_ACCOUNT)");
    setenv("TEND_TELEGRAM_API_BASE", "http://127.0.0.1:8081", 1);
    expect_load(NULL, "Telegram is half set up (TEND_TELEGRAM_API_BASE is set): [telegram] token is missing "
                      "(or TELEGRAM_TOKEN)");
    unsetenv("TEND_TELEGRAM_API_BASE");
    /* a key left empty is not set: the console, no complaint */
    expect_load("[discord]\ntoken =\n[matrix]\nhomeserver =\n[signal]\naccount =\n[telegram]\ntoken =\n"
                "[ops]\nlisten = 9464\n", NULL);
}

static void a_folder_is_not_a_config_file(void **state)
{
    (void)state;
    char dir[80];
    snprintf(dir, sizeof dir, "/tmp/tend-test-config-dir-%d", (int)getpid());
    assert_int_equal(mkdir(dir, 0700), 0);
    tend_config cfg;
    char err[512];
    assert_int_equal(tend_config_defaults(&cfg), 0);
    assert_int_equal(tend_config_load(&cfg, dir, err, sizeof err), -1);
    char want[200];
    snprintf(want, sizeof want, "%s: is a folder, not a config file (a bind mount of a missing file makes one)",
             dir);
    assert_string_equal(err, want);
    tend_config_free(&cfg);
    rmdir(dir);
}

static void a_byte_order_mark_is_not_part_of_line_one(void **state)
{
    (void)state;
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, "\xEF\xBB\xBF[bot]\r\ngrace_hours = 12\r\n", err, sizeof err), 0);
    assert_int_equal(cfg.settings.grace_hours, 12);
    tend_config_free(&cfg);
    /* only at the very start: elsewhere it is a stray character, reported as such */
    assert_int_equal(load(&cfg, "[bot]\n\xEF\xBB\xBFgrace_hours = 12\n", err, sizeof err), -1);
    tend_config_free(&cfg);
}

static void listen_addresses(void **state)
{
    (void)state;
    char host[64];
    int port = -1;
    assert_int_equal(tend_config_listen_parse("127.0.0.1:9464", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 9464);
    assert_int_equal(tend_config_listen_parse("9464", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1"); /* a bare port stays on this machine */
    assert_int_equal(tend_config_listen_parse(":0", host, sizeof host, &port), 0);
    assert_int_equal(port, 0);
    assert_int_equal(tend_config_listen_parse("[::1]:9464", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(tend_config_listen_parse("0.0.0.0:80", host, sizeof host, &port), 0);
    const char *bad[] = {"localhost:9464", "127.0.0.1:99999", "127.0.0.1:", "abc", "::1:9464",
                         "[::1]9464", "1.2.3:80", "127.0.0.1:94a4", "", "[nope]:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tend_config_listen_parse(bad[i], host, sizeof host, &port) == 0)
            fail_msg("accepted '%s'", bad[i]);
    expect_load("[ops]\nlisten = 127.0.0.1:9464\n", NULL);
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, "[ops]\nlisten = localhost:9464\n", err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: [ops] listen must be an address and port like 127.0.0.1:9464"));
    tend_config_free(&cfg);
    setenv("TEND_OPS_LISTEN", "127.0.0.1:0", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.ops_listen, "127.0.0.1:0");
    tend_config_free(&cfg);
}

static void files_start_up_touches_are_checked(void **state)
{
    (void)state;
    char dir[80], path[120], err[1024], warn[1024];
    snprintf(dir, sizeof dir, "/tmp/tend-test-files-%d", (int)getpid());
    assert_int_equal(mkdir(dir, 0700), 0);
    tend_config cfg;
    assert_int_equal(tend_config_defaults(&cfg), 0);
    free(cfg.database);
    cfg.database_is_default = false;

    /* a folder that does not exist */
    snprintf(path, sizeof path, "%s/nowhere/tend.db", dir);
    cfg.database = strdup(path);
    assert_int_equal(tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn), 1);
    assert_non_null(strstr(err, "its folder"));
    assert_non_null(strstr(err, "does not exist"));
    /* the default path's folder is made by tend: fine while an ancestor is writable */
    cfg.database_is_default = true;
    assert_int_equal(tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn), 0);
    cfg.database_is_default = false;
    free(cfg.database);

    /* the database path is a folder */
    cfg.database = strdup(dir);
    assert_int_equal(tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn), 1);
    assert_non_null(strstr(err, "is a folder"));
    free(cfg.database);

    /* a new database in a writable folder: fine; an existing one others can read: a warning */
    snprintf(path, sizeof path, "%s/tend.db", dir);
    cfg.database = strdup(path);
    assert_int_equal(tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn), 0);
    assert_string_equal(warn, "");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    chmod(path, 0644);
    assert_int_equal(tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn), 0);
    assert_non_null(strstr(warn, "other users can read it"));
    chmod(path, 0600);
    assert_int_equal(tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn), 0);
    assert_string_equal(warn, "");
    unlink(path);
    tend_config_free(&cfg);
    rmdir(dir);
}

static void shard_ranges_are_read_and_checked(void **state)
{
    (void)state;
    int first = -1, last = -1, count = -1;
    assert_int_equal(tend_config_shards("0-3/8", &first, &last, &count), 0);
    assert_true(first == 0 && last == 3 && count == 8);
    assert_int_equal(tend_config_shards("5/8", &first, &last, &count), 0);
    assert_true(first == 5 && last == 5 && count == 8);
    assert_int_equal(tend_config_shards("4", &first, &last, &count), 0);
    assert_true(first == 0 && last == 3 && count == 4);
    static const char *const bad[] = {"", "0", "3-1/8", "0-8/8", "8/8", "0-3", "0-3/", "/8", "-1/8",
                                      "0-3/8x", " 0-3/8", "1-2-3/8", "0-3/0", "999999", "0-3/70000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tend_config_shards(bad[i], &first, &last, &count), -1);

    /* shards alone would say Discord is half set up: the rest of it comes from the environment */
    setenv("DISCORD_TOKEN", "a-discord-token-value", 1);
    setenv("TEND_DISCORD_APPLICATION_ID", "1234", 1);
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, "[discord]\nshards = 2-3/4\n", err, sizeof err), 0);
    assert_string_equal(cfg.discord_shards, "2-3/4");
    tend_config_free(&cfg);
    /* a range that does not fit: one line naming the key, the line and the shape wanted */
    assert_int_equal(load(&cfg, "[discord]\nshards = 4-7/4\n", err, sizeof err), -1);
    char want[300];
    snprintf(want, sizeof want,
             "%s:2: [discord] shards must be a shard count like 8 or a range of shards like 0-3/8 "
             "(first-last/total)", conf_path);
    assert_string_equal(err, want);
    tend_config_free(&cfg);
    setenv("TEND_DISCORD_SHARDS", "0-1/2", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.discord_shards, "0-1/2");
    tend_config_free(&cfg);
}

static void free_accepts_null(void **state)
{
    (void)state;
    tend_config_free(NULL);
}

/* [signal]: off until an account is set; the account is checked but never echoed back. */
static void signal_section_is_checked_and_the_number_never_shown(void **state)
{
    (void)state;
    tend_config cfg;
    char err[512];
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.signal_rpc_url, "http://127.0.0.1:8080");
    assert_false(tend_config_has_signal(&cfg));
    tend_config_free(&cfg);

    assert_int_equal(load(&cfg, "[signal]\nrpc_url = http://127.0.0.1:7583\naccount = +15550001234\n", err,
                          sizeof err), 0);
    assert_true(tend_config_has_signal(&cfg));
    assert_string_equal(cfg.signal_account, "+15550001234");
    assert_string_equal(cfg.signal_rpc_url, "http://127.0.0.1:7583");
    tend_config_free(&cfg);

    /* the environment wins, as TEND_SIGNAL_<KEY> */
    setenv("TEND_SIGNAL_ACCOUNT", "+4915112345678", 1);
    setenv("TEND_SIGNAL_RPC_URL", "http://localhost:9000", 1);
    assert_int_equal(load(&cfg, "[signal]\naccount = +15550001234\n", err, sizeof err), 0);
    assert_string_equal(cfg.signal_account, "+4915112345678");
    assert_string_equal(cfg.signal_rpc_url, "http://localhost:9000");
    tend_config_free(&cfg);
    unsetenv("TEND_SIGNAL_ACCOUNT");
    unsetenv("TEND_SIGNAL_RPC_URL");

    /* a number without its +, and a URL that is no URL: one line each, the number not shown */
    assert_int_equal(load(&cfg, "[signal]\naccount = 015550001234\nrpc_url = 127.0.0.1:8080\nacount = x\n", err,
                          sizeof err), -1);
    assert_non_null(strstr(err, ":2: [signal] account must be a phone number in international form"));
    assert_null(strstr(err, "015550001234"));
    assert_non_null(strstr(err, ":3: [signal] rpc_url must be an http:// or https:// address"));
    assert_non_null(strstr(err, ":4: unknown key 'acount' in [signal] (did you mean 'account'?)"));
    tend_config_free(&cfg);
    /* empty means not set */
    assert_int_equal(load(&cfg, "[signal]\naccount =\n", err, sizeof err), 0);
    assert_false(tend_config_has_signal(&cfg));
    tend_config_free(&cfg);
}

#define TG_TOKEN "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"

static void telegram_section_file_and_environment(void **state)
{
    (void)state;
    tend_config cfg;
    char err[1024];
    /* defaults: not configured, Telegram's own address */
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_false(tend_config_has_telegram(&cfg));
    assert_string_equal(cfg.telegram_api_base, "https://api.telegram.org");
    tend_config_free(&cfg);

    assert_int_equal(load(&cfg, "[telegram]\ntoken = " TG_TOKEN "\napi_base = http://127.0.0.1:8081\n", err,
                          sizeof err), 0);
    assert_true(tend_config_has_telegram(&cfg));
    assert_string_equal(cfg.telegram_token, TG_TOKEN);
    assert_string_equal(cfg.telegram_api_base, "http://127.0.0.1:8081");
    tend_config_free(&cfg);

    /* TELEGRAM_TOKEN, then TEND_TELEGRAM_TOKEN over it, and both over the file */
    setenv("TELEGRAM_TOKEN", "42:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1);
    setenv("TEND_TELEGRAM_API_BASE", "http://127.0.0.1:9/", 1);
    assert_int_equal(load(&cfg, "[telegram]\ntoken = " TG_TOKEN "\n", err, sizeof err), 0);
    assert_string_equal(cfg.telegram_token, "42:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_string_equal(cfg.telegram_api_base, "http://127.0.0.1:9/");
    tend_config_free(&cfg);
    setenv("TEND_TELEGRAM_TOKEN", TG_TOKEN, 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.telegram_token, TG_TOKEN);
    tend_config_free(&cfg);

    /* an empty token means unset, like the other platforms' (the address alone would make a
     * half set-up Telegram, which a_half_set_up_platform_names_each_missing_key covers) */
    unsetenv("TELEGRAM_TOKEN");
    unsetenv("TEND_TELEGRAM_TOKEN");
    unsetenv("TEND_TELEGRAM_API_BASE");
    assert_int_equal(load(&cfg, "[telegram]\ntoken =\n", err, sizeof err), 0);
    assert_false(tend_config_has_telegram(&cfg));
    tend_config_free(&cfg);
}

static void telegram_token_shape_is_checked_without_showing_it(void **state)
{
    (void)state;
    tend_config cfg;
    char err[1024];
    /* a Discord-style token pasted into [telegram]: refused, named, never echoed */
    int rc = load(&cfg, "[telegram]\ntoken = MTA5.not-a-telegram-token-secretvalue\napi_base = api.telegram.org\n",
                  err, sizeof err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, ":2: [telegram] token must be the token BotFather gave"));
    assert_non_null(strstr(err, ":3: [telegram] api_base must be an http:// or https:// address"));
    assert_null(strstr(err, "secretvalue"));
    assert_false(tend_config_has_telegram(&cfg));
    tend_config_free(&cfg);

    /* a typo in the key: the line may hold the token, which is masked */
    rc = load(&cfg, "[telegram]\ntoken = " TG_TOKEN "\ntokn = " TG_TOKEN "\n", err, sizeof err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "unknown key 'tokn' in [telegram] (did you mean 'token'?)"));
    assert_null(strstr(err, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"));
    tend_config_free(&cfg);
}

static void store_url_chooses_postgresql_and_its_password_stays_hidden(void **state)
{
    (void)state;
    tend_config cfg;
    char err[1024];
    tend_log_clear_secrets(); /* the earlier cases' secrets fill the list otherwise */
    /* no [store] url: SQLite, as always */
    assert_int_equal(load(&cfg, "[store]\nsynchronous = full\n", err, sizeof err), 0);
    assert_null(cfg.store_url);
    tend_config_free(&cfg);

    assert_int_equal(load(&cfg, "[store]\nurl = postgresql://tend:Hunter2Secret@db.example.org/tend\n", err,
                          sizeof err),
                     0);
    assert_string_equal(cfg.store_url, "postgresql://tend:Hunter2Secret@db.example.org/tend");
    /* whatever is logged from now on, the password is not */
    char log_path[] = "/tmp/tend-config-log-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    tend_log(TEND_LOG_ERROR, "store", "could not reach %s (password Hunter2Secret)", cfg.store_url);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char logged[512] = "";
    ssize_t n = pread(fd, logged, sizeof logged - 1, 0);
    close(fd);
    unlink(log_path);
    assert_true(n > 0);
    assert_non_null(strstr(logged, "could not reach"));
    assert_null(strstr(logged, "Hunter2Secret"));
    tend_config_free(&cfg);
    tend_log_clear_secrets();

    /* a URL that is not PostgreSQL's: one line naming the key, the value (password and all) not repeated */
    assert_int_equal(load(&cfg, "[store]\nurl = mysql://tend:Hunter2Secret@db/tend\n", err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: [store] url must be a PostgreSQL URL like postgresql://"));
    assert_null(strchr(err, '\n'));
    assert_no_piece_of(err, "Hunter2Secret");
    tend_config_free(&cfg);

    /* the environment too, with its own name */
    setenv("TEND_STORE_URL", "postgres://tend@%2Fvar%2Frun%2Fpostgresql/tend", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), 0);
    assert_string_equal(cfg.store_url, "postgres://tend@%2Fvar%2Frun%2Fpostgresql/tend");
    tend_config_free(&cfg);
    setenv("TEND_STORE_URL", "postgresql://tend:pw with space@db/tend", 1);
    assert_int_equal(load(&cfg, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "TEND_STORE_URL must be a PostgreSQL URL"));
    assert_null(strstr(err, "with space"));
    tend_config_free(&cfg);
    unsetenv("TEND_STORE_URL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(defaults_serve_the_console_demo, setup, teardown),
        cmocka_unit_test_setup_teardown(home_data_folder_when_no_xdg, setup, teardown),
        cmocka_unit_test_setup_teardown(file_values_are_used, setup, teardown),
        cmocka_unit_test_setup_teardown(environment_wins_over_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(typo_names_the_line_and_the_nearest_key, setup, teardown),
        cmocka_unit_test_setup_teardown(every_problem_is_reported_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_never_appear_in_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_chat_values_mean_unset, setup, teardown),
        cmocka_unit_test_setup_teardown(readable_secret_file_is_noticed, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_file_and_long_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(a_secret_in_the_wrong_key_is_never_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(a_half_set_up_platform_names_each_missing_key, setup, teardown),
        cmocka_unit_test_setup_teardown(a_folder_is_not_a_config_file, setup, teardown),
        cmocka_unit_test_setup_teardown(a_byte_order_mark_is_not_part_of_line_one, setup, teardown),
        cmocka_unit_test_setup_teardown(listen_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(files_start_up_touches_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(shard_ranges_are_read_and_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(signal_section_is_checked_and_the_number_never_shown, setup, teardown),
        cmocka_unit_test(free_accepts_null),
        cmocka_unit_test_setup_teardown(telegram_section_file_and_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(telegram_token_shape_is_checked_without_showing_it, setup, teardown),
        cmocka_unit_test_setup_teardown(store_url_chooses_postgresql_and_its_password_stays_hidden, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
