/*
 * log.h — one line per event on stderr: "2026-11-26T10:00:00Z warn discord: message", or, when
 * stderr is the systemd journal, "<4>discord: message" (the journal adds its own timestamp and
 * takes <N> as the priority, so `journalctl -p warning` finds warnings).
 * Never pass a token, a password or anonymous feedback text to these functions; adapters redact
 * with tend_log_redact() when quoting anything a server sent back.
 */
#ifndef TEND_LOG_H
#define TEND_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { TEND_LOG_DEBUG, TEND_LOG_INFO, TEND_LOG_WARN, TEND_LOG_ERROR } tend_log_level;

void tend_log_set_level(tend_log_level level);
/* The level lines are written at (after tend_log_set_level). */
tend_log_level tend_log_get_level(void);
/* Looks at $JOURNAL_STREAM: when it names the file stderr is, lines take the journal's form.
 * Returns true when they do. */
bool tend_log_detect_journal(void);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int tend_log_level_parse(const char *name);
void tend_log(tend_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Registers a secret: any later log line containing it has it replaced by "[redacted]". */
void tend_log_add_secret(const char *secret);
/* Forgets all registered secrets (tests). */
void tend_log_clear_secrets(void);

#endif
