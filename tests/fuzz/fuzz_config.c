/*
 * fuzz_config.c — the config parser on arbitrary file contents.
 *
 * The bytes become a file (an in-memory memfd, named by its /proc/self/fd path, so the real
 * open/fstat/read path runs), then tend_config_load reads it. Whatever the input, a load that
 * succeeds leaves every setting in its documented range, and the error text never carries a
 * secret the file set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/log.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
    if (!cond)
        abort();
}

static void check_loaded(const tend_config *cfg)
{
    const tend_settings *s = &cfg->settings;
    must(cfg->database && cfg->log_level && cfg->console_group && cfg->console_member);
    must(tend_log_level_parse(cfg->log_level) >= 0);
    must(s->commands_per_minute >= 0 && s->commands_per_minute <= 1000);
    must(s->thanks_per_day >= 1 && s->thanks_per_day <= 100);
    must(s->default_capacity >= 1 && s->default_capacity <= 50);
    must(s->stale_claim_days >= 1 && s->grace_hours >= 0);
    must(cfg->synchronous >= 0 && cfg->synchronous <= 2);
}

static void check_no_secret(const char *err, const char *secret)
{
    /* short values can appear by chance in a line number or a key name */
    if (secret && strlen(secret) >= 12)
        must(strstr(err, secret) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tend_log_set_level(TEND_LOG_ERROR); /* the world-readable warning would flood the output */
    int fd = memfd_create("tend.conf", 0);
    if (fd < 0)
        return 0;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    tend_config cfg;
    if (tend_config_defaults(&cfg) == 0) {
        char err[8192];
        if (tend_config_load(&cfg, path, err, sizeof err) == 0)
            check_loaded(&cfg);
        must(memchr(err, '\0', sizeof err) != NULL);
        check_no_secret(err, cfg.discord_token);
        check_no_secret(err, cfg.matrix_access_token);
        check_no_secret(err, cfg.matrix_password);
        tend_config_free(&cfg);
    }
    tend_log_clear_secrets();
    close(fd);
    return 0;
}
