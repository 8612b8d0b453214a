/*
 * main.c — tend's command line: read the config, open the store, run the app until it is told to
 * stop. Every failure is one line on stderr and a non-zero exit; nothing here prints a secret.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <uv.h>

#include "app/app.h"
#include "lib/log.h"
#include "config/config.h"
#include "store/store.h"

typedef struct {
    const char *config;     /* --config FILE, else $TEND_CONFIG, else none */
    const char *database;   /* --database FILE overrides the config        */
    const char *check;      /* --check-config FILE                         */
    const char *now;        /* --now: a frozen clock for scripted demos    */
    bool console;
} options;

static const char usage_text[] =
    "usage: tend [--config FILE] [--console] [--database FILE] [--now YYYY-MM-DDTHH:MM]\n"
    "       tend --check-config FILE\n"
    "       tend --help | --version\n"
    "\n"
    "  --config FILE        read settings from FILE (default: $TEND_CONFIG, else built-in defaults)\n"
    "  --console            talk to tend in this terminal, even when Discord or Matrix is set up\n"
    "  --database FILE      the SQLite database (default: $XDG_DATA_HOME/tend/tend.db or\n"
    "                       ~/.local/share/tend/tend.db)\n"
    "  --now TIME           start the console's clock at TIME (UTC) instead of the real time;\n"
    "                       it then moves only with :advance (for scripted demos and tests)\n"
    "  --check-config FILE  check FILE and the TEND_* environment, print each problem, exit 1 if any\n"
    "\n"
    "Every setting can also come from the environment as TEND_<SECTION>_<KEY>; see README.md.\n";

/* 0 with opts filled, 1 when the answer was printed (help, version), -1 on a bad command line. */
static int parse_options(int argc, char **argv, options *opts)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--config") == 0         ? &opts->config
                            : strcmp(a, "--database") == 0     ? &opts->database
                            : strcmp(a, "--check-config") == 0 ? &opts->check
                            : strcmp(a, "--now") == 0          ? &opts->now
                                                               : NULL;
        if (slot) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "tend: %s needs a value (tend --help shows how)\n", a);
                return -1;
            }
            *slot = argv[++i];
        } else if (strcmp(a, "--console") == 0) {
            opts->console = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 1;
        } else if (strcmp(a, "--version") == 0) {
            puts("tend " TEND_VERSION);
            return 1;
        } else {
            fprintf(stderr, "tend: unknown option '%.80s' (tend --help shows the options)\n", a);
            return -1;
        }
    }
    return 0;
}

static int check_config(const char *path)
{
    tend_config cfg;
    char err[8192];
    if (tend_config_defaults(&cfg) != 0) {
        fputs("tend: out of memory\n", stderr);
        return 1;
    }
    int rc = tend_config_load(&cfg, path, err, sizeof err);
    tend_config_free(&cfg);
    tend_log_clear_secrets();
    if (rc != 0) {
        fprintf(stdout, "%s\n", err);
        return 1;
    }
    puts("ok");
    return 0;
}

/* mkdir -p for the database's folder; only for the default path, which nobody chose by hand. */
static void make_parent_dirs(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0700);
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        tend_log(TEND_LOG_WARN, "main", "cannot create %s: %s", dir, strerror(errno));
}

/* "2026-11-02T09:00" or "2026-11-02T09:00:00", UTC. */
static int parse_now(const char *text, int64_t *out)
{
    struct tm tm = {0};
    int n = 0, m = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &n) != 5)
        return -1;
    const char *rest = text + n;
    if (*rest == ':') {
        if (sscanf(rest, ":%2d%n", &tm.tm_sec, &m) != 1)
            return -1;
        rest += m;
    }
    if (*rest == 'Z')
        rest++;
    if (*rest)
        return -1;
    if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

/* Runs tend with a loaded config. The exit code. */
static int run(tend_config *cfg, const options *opts)
{
    int64_t start = 0;
    if (opts->now && parse_now(opts->now, &start) != 0) {
        fprintf(stderr, "tend: --now needs a time like 2026-11-02T09:00 (UTC)\n");
        return 2;
    }
    if (cfg->database_is_default)
        make_parent_dirs(cfg->database);
    tend_store *store = NULL;
    char err[512] = "";
    if (tend_store_open(cfg->database, &store, err, sizeof err) != TEND_STORE_OK) {
        fprintf(stderr, "tend: cannot open the database %s: %s\n", cfg->database, err);
        return 1;
    }
    tend_store_set_synchronous(store, cfg->synchronous);
    tend_clock *clock = opts->now ? tend_clock_create_fixed(start) : tend_clock_create_system();
    tend_bot *bot = clock ? tend_bot_create(store, clock, &cfg->settings) : NULL;
    uv_loop_t loop;
    int rc = 1;
    if (!bot) {
        fputs("tend: out of memory\n", stderr);
    } else if (uv_loop_init(&loop) != 0) {
        fputs("tend: cannot create the event loop\n", stderr);
    } else {
        tend_app *app = tend_app_create(&loop, bot, cfg, opts->console, err, sizeof err);
        if (!app) {
            fprintf(stderr, "tend: %s\n", err);
        } else {
            rc = tend_app_run(app);
            tend_app_destroy(app);
        }
        uv_run(&loop, UV_RUN_DEFAULT); /* lets adapters' last close callbacks run */
        if (uv_loop_close(&loop) != 0)
            tend_log(TEND_LOG_WARN, "main", "the event loop still had open handles at exit");
    }
    tend_bot_destroy(bot);
    tend_clock_destroy(clock);
    tend_store_close(store);
    return rc;
}

int main(int argc, char **argv)
{
    options opts = {0};
    int parsed = parse_options(argc, argv, &opts);
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;
    if (opts.check)
        return check_config(opts.check);
    /* a reader that goes away must not kill the process; writes fail and are handled instead */
    signal(SIGPIPE, SIG_IGN);
    if (!opts.config)
        opts.config = getenv("TEND_CONFIG");
    tend_config cfg;
    char err[8192];
    if (tend_config_defaults(&cfg) != 0) {
        fputs("tend: out of memory\n", stderr);
        return 1;
    }
    if (tend_config_load(&cfg, opts.config && opts.config[0] ? opts.config : NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\ntend: fix the configuration above (tend --check-config FILE checks it)\n", err);
        tend_config_free(&cfg);
        tend_log_clear_secrets();
        return 1;
    }
    if (opts.database) {
        char *db = strdup(opts.database);
        if (db) {
            free(cfg.database);
            cfg.database = db;
            cfg.database_is_default = false;
        }
    }
    int level = tend_log_level_parse(cfg.log_level);
    tend_log_set_level(level >= 0 ? (tend_log_level)level : TEND_LOG_INFO);
    int rc = run(&cfg, &opts);
    tend_config_free(&cfg);
    tend_log_clear_secrets();
    return rc;
}
