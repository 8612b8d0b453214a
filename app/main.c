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
#include "app/health.h"
#include "app/languages.h"
#include "app/ops.h"
#include "lib/log.h"
#include "lib/metrics.h"
#ifdef TEND_HAVE_E2EE
#include "lib/olm/olm.h"
#endif
#include "config/config.h"
#include "store/store.h"

typedef struct {
    const char *config;     /* --config FILE, else $TEND_CONFIG, else none */
    const char *database;   /* --database FILE overrides the config        */
    const char *check;      /* --check-config FILE                         */
    const char *now;        /* --now: a frozen clock for scripted demos    */
    const char *backup;     /* --backup FILE: an online copy, then exit    */
    const char *health;     /* --health [URL]: ask a running tend, exit    */
    bool console;
} options;

static const char usage_text[] =
    "usage: tend [--config FILE] [--console] [--database FILE] [--now YYYY-MM-DDTHH:MM]\n"
    "       tend --check-config FILE\n"
    "       tend [--config FILE] [--database FILE] --backup NEWFILE\n"
    "       tend [--config FILE] --health [URL]\n"
    "       tend --help | --version\n"
    "\n"
    "  --config FILE        read settings from FILE (default: $TEND_CONFIG, else built-in defaults)\n"
    "  --console            talk to tend in this terminal, even when Discord or Matrix is set up\n"
    "  --database FILE      the SQLite database (default: $XDG_DATA_HOME/tend/tend.db or\n"
    "                       ~/.local/share/tend/tend.db), or a postgresql:// URL\n"
    "  --now TIME           start the console's clock at TIME (UTC) instead of the real time;\n"
    "                       it then moves only with :advance (for scripted demos and tests)\n"
    "  --check-config FILE  check FILE and the TEND_* environment, print each problem, exit 1 if any\n"
    "  --backup NEWFILE     copy the database to NEWFILE (created 0600) while tend runs, then exit\n"
    "  --health [URL]       ask a running tend whether it is healthy (default: [ops] listen's\n"
    "                       /healthz); exit 0 when it is, 1 when not (for HEALTHCHECK)\n"
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
                            : strcmp(a, "--backup") == 0       ? &opts->backup
                                                               : NULL;
        if (strcmp(a, "--health") == 0) {
            /* the URL is optional: the next word is it unless it is another option */
            opts->health = i + 1 < argc && argv[i + 1][0] != '-' ? argv[++i] : "";
        } else if (slot) {
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
#ifdef TEND_HAVE_E2EE
            /* asked of the library linked in, so the line proves it is there */
            printf("Matrix end-to-end encryption: yes (vodozemac %s)\n", tend_olm_vodozemac_version());
#else
            puts("Matrix end-to-end encryption: no: " TEND_E2EE_OFF_REASON);
#endif
            if (tend_store_postgres_library())
                printf("PostgreSQL store: yes (%s)\n", tend_store_postgres_library());
            else
                puts("PostgreSQL store: no: built without libpq (libpq-dev)");
            return 1;
        } else {
            fprintf(stderr, "tend: unknown option '%.80s' (tend --help shows the options)\n", a);
            return -1;
        }
    }
    return 0;
}

/* Loads the configuration the way a start does: `path` (NULL: none), the environment, then
 * --database. 0, or -1 with the problems in err. */
static int load_config(tend_config *cfg, const char *path, const options *opts, char *err, size_t errlen)
{
    if (tend_config_defaults(cfg) != 0) {
        snprintf(err, errlen, "tend: out of memory");
        return -1;
    }
    int rc = tend_config_load(cfg, path && path[0] ? path : NULL, err, errlen);
    if (opts->database && tend_store_is_url(opts->database)) {
        /* --database postgresql://...: the store is PostgreSQL, files stay beside the default path */
        char *url = strdup(opts->database);
        if (url) {
            free(cfg->store_url);
            cfg->store_url = url;
        }
    } else if (opts->database) {
        char *db = strdup(opts->database);
        if (db) {
            free(cfg->database);
            cfg->database = db;
            cfg->database_is_default = false;
            free(cfg->store_url); /* a file named on the command line wins over [store] url */
            cfg->store_url = NULL;
        }
    }
    return rc;
}

/* Everything a start checks before it touches anything, each problem one line on stdout: the
 * file, the environment, platforms set up halfway, the database's folder and file. */
static int check_config(const options *opts)
{
    tend_config cfg;
    char err[8192], files[2048], warn[2048];
    int rc = load_config(&cfg, opts->check, opts, err, sizeof err);
    int file_problems = tend_config_check_files(&cfg, files, sizeof files, warn, sizeof warn);
    tend_config_free(&cfg);
    tend_log_clear_secrets();
    if (rc != 0)
        printf("%s\n", err);
    if (file_problems)
        printf("%s\n", files);
    if (warn[0]) {
        for (char *line = strtok(warn, "\n"); line; line = strtok(NULL, "\n"))
            printf("warning: %s\n", line);
    }
    if (rc != 0 || file_problems)
        return 1;
    puts("ok");
    return 0;
}

/* tend --backup NEWFILE: the configured database, copied while tend may be running. */
static int backup(const options *opts)
{
    tend_config cfg;
    char err[8192];
    int rc = load_config(&cfg, opts->config, opts, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "%s\ntend: fix the configuration above (tend --check-config FILE checks it)\n", err);
    } else {
        tend_store_backup_info info;
        const char *where = cfg.store_url && *cfg.store_url ? cfg.store_url : cfg.database;
        if (tend_store_backup(where, opts->backup, &info, err, sizeof err) != TEND_STORE_OK) {
            fprintf(stderr, "tend: no backup: %s\n", err);
            rc = 1;
        } else {
            printf("backed up %s to %s (%lld bytes, schema %d, quick_check ok)\n", cfg.database, opts->backup,
                   info.bytes, info.schema);
        }
    }
    tend_config_free(&cfg);
    tend_log_clear_secrets();
    return rc != 0;
}

/* tend --health [URL]: 0 when a running tend answers 200, 1 otherwise; the answer's line is printed. */
static int health(const options *opts)
{
    char url[300];
    if (opts->health[0]) {
        snprintf(url, sizeof url, "%s", opts->health);
    } else {
        tend_config cfg;
        char err[8192];
        char host[64];
        int port = 0;
        int rc = load_config(&cfg, opts->config, opts, err, sizeof err);
        if (rc == 0 && cfg.ops_listen)
            tend_config_listen_parse(cfg.ops_listen, host, sizeof host, &port);
        bool off = rc == 0 && !cfg.ops_listen;
        tend_config_free(&cfg);
        tend_log_clear_secrets();
        if (rc != 0 || off) {
            fprintf(stderr, rc ? "%s\n" : "tend: the health endpoint is off; set [ops] listen (or TEND_OPS_LISTEN)\n",
                    err);
            return 1;
        }
        /* a listener on every address is reached here through the loopback one */
        const char *reach = strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : strcmp(host, "::") == 0 ? "::1" : host;
        bool v6 = strchr(reach, ':') != NULL;
        snprintf(url, sizeof url, "http://%s%s%s:%d/healthz", v6 ? "[" : "", reach, v6 ? "]" : "", port);
    }
    char line[300];
    long status = tend_health_probe(url, 5000, line, sizeof line);
    printf("%s%s%s\n", status ? "" : "no answer from ", status ? "" : url, status ? line : "");
    if (!status)
        fprintf(stderr, "tend: %s\n", line);
    return status == 200 ? 0 : 1;
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

/* SIGTERM, SIGINT and SIGHUP wait until the loop watches them, so a stop asked for while tend
 * starts is an orderly one, not death by the default action. The hold begins in the executable's
 * preinit array, before the shared libraries' own initializers (libcurl's TLS stack, libgcrypt)
 * run, which take most of tend's first milliseconds; tend_ops_start lets the signals in. Commands
 * that never run the loop (--check-config, --backup, --health) let them in at once. */
static void hold_signals_early(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    tend_ops_hold_signals();
}
__attribute__((section(".preinit_array"), used)) static void (*const hold_at_preinit)(int, char **, char **) =
    hold_signals_early;

static void release_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Runs tend with a loaded config. The exit code. */
static int run(tend_config *cfg, const options *opts)
{
    int64_t start = 0;
    if (opts->now && parse_now(opts->now, &start) != 0) {
        fprintf(stderr, "tend: --now needs a time like 2026-11-02T09:00 (UTC)\n");
        return 2;
    }
    bool postgres = cfg->store_url && *cfg->store_url;
    if (cfg->database_is_default) /* with PostgreSQL too: the console's files go beside that path */
        make_parent_dirs(cfg->database);
    tend_store *store = NULL;
    char err[512] = "";
    if (tend_store_open(postgres ? cfg->store_url : cfg->database, &store, err, sizeof err) != TEND_STORE_OK) {
        fprintf(stderr, "tend: %s\n", err);
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
    tend_log_detect_journal();
    options opts = {0};
    int parsed = parse_options(argc, argv, &opts);
    if (parsed != 0 || opts.check || opts.backup || opts.health)
        release_signals(); /* no loop to watch them: Ctrl-C stops a long backup */
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;
    if (opts.check)
        return check_config(&opts);
    /* a reader that goes away must not kill the process; writes fail and are handled instead */
    signal(SIGPIPE, SIG_IGN);
    if (!opts.config)
        opts.config = getenv("TEND_CONFIG");
    if (opts.backup)
        return backup(&opts);
    if (opts.health)
        return health(&opts);
    tend_config cfg;
    char err[8192], warn[2048];
    int rc = load_config(&cfg, opts.config, &opts, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "%s\ntend: fix the configuration above (tend --check-config FILE checks it)\n", err);
    } else if (tend_config_check_files(&cfg, err, sizeof err, warn, sizeof warn) != 0) {
        rc = -1;
        for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(stderr, "tend: %s\n", line);
    }
    if (rc != 0) {
        tend_config_free(&cfg);
        tend_log_clear_secrets();
        return 1;
    }
    int level = tend_log_level_parse(cfg.log_level);
    tend_log_set_level(level >= 0 ? (tend_log_level)level : TEND_LOG_INFO);
    for (char *line = warn[0] ? strtok(warn, "\n") : NULL; line; line = strtok(NULL, "\n"))
        tend_log(TEND_LOG_WARN, "config", "%s", line);
    tend_app_languages(cfg.locale_dir);
    rc = run(&cfg, &opts);
    tend_config_free(&cfg);
    tend_log_clear_secrets();
    tend_metrics_reset(); /* the counters live as long as the process; free them for leak checkers */
    return rc;
}
