/* log.c — stderr lines with secrets masked, whatever the caller formatted into them. */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECRETS 8

static tend_log_level current_level = TEND_LOG_INFO;
static char *secrets[MAX_SECRETS];
static size_t n_secrets;
static bool to_journal;

tend_log_level tend_log_get_level(void)
{
    return current_level;
}

bool tend_log_detect_journal(void)
{
    /* systemd sets JOURNAL_STREAM=<device>:<inode> of the stream it connected; a child whose
     * stderr was redirected elsewhere inherits the variable, hence the comparison */
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev = 0, ino = 0;
    struct stat sb;
    to_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &sb) == 0 &&
                 (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
    return to_journal;
}

void tend_log_set_level(tend_log_level level)
{
    current_level = level;
}

int tend_log_level_parse(const char *name)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void tend_log_add_secret(const char *secret)
{
    /* very short values would mask ordinary words; tokens are long */
    if (!secret || strlen(secret) < 6 || n_secrets == MAX_SECRETS)
        return;
    for (size_t i = 0; i < n_secrets; i++)
        if (strcmp(secrets[i], secret) == 0)
            return; /* the config and the adapter both register the token */
    secrets[n_secrets] = strdup(secret);
    if (secrets[n_secrets])
        n_secrets++;
}

void tend_log_clear_secrets(void)
{
    for (size_t i = 0; i < n_secrets; i++)
        free(secrets[i]);
    n_secrets = 0;
}

static void redact(char *line, size_t cap)
{
    static const char mask[] = "[redacted]";
    for (size_t s = 0; s < n_secrets; s++) {
        size_t sl = strlen(secrets[s]);
        char *hit;
        while ((hit = strstr(line, secrets[s])) != NULL) {
            size_t tail = strlen(hit + sl);
            if ((size_t)(hit - line) + strlen(mask) + tail + 1 > cap)
                tail = cap - (size_t)(hit - line) - strlen(mask) - 1;
            memmove(hit + strlen(mask), hit + sl, tail);
            memcpy(hit, mask, strlen(mask));
            hit[strlen(mask) + tail] = '\0';
        }
    }
}

void tend_log(tend_log_level level, const char *module, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < current_level)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    redact(line, sizeof line);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' '; /* one event, one line: a server's multi-line error cannot forge log lines */
    if (to_journal) {
        static const int priority[] = {7, 6, 4, 3}; /* syslog's debug, info, warning, err */
        fprintf(stderr, "<%d>%s: %s\n", priority[level], module, line);
        return;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s %s: %s\n", stamp, names[level], module, line);
}
