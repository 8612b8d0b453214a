/* fuzz_parse.c — the small value parsers and the argument splitter on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/args.h"
#include "bot/i18n.h"
#include "bot/parse.h"
#include "bot/reply.h"
#include "bot/task_time.h"
#include "bot/when.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The word lists of every shipped language (bot/words.h), so their folding (ICU) and lookups are
 * fuzzed too, not English alone. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
#ifdef TEND_FUZZ_LOCALE_DIR
    tend_i18n_init(TEND_FUZZ_LOCALE_DIR);
#endif
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t secs;
    int a, b, c;
    const char *energy;
    static const char *const scopes[][2] = {{"", ""}, {"es", "de"}, {"fr", "pt_BR"}};
    tend_i18n_scope(scopes[size % 3][0], "u1", scopes[size % 3][1]);
    tend_parse_switch(s);
    char rule[TEND_REPEAT_MAX];
    tend_repeat_parse(s, rule, sizeof rule);
    if (tend_parse_duration(s, &secs) == 0 && (secs <= 0 || secs > 366LL * 24 * 3600))
        abort();
    tend_parse_int(s, 1, 20, &a);
    tend_parse_energy(s, &energy);
    if (tend_parse_clock(s, &a) == 0 && (a < 0 || a >= 24 * 60))
        abort();
    tend_parse_weekly(s, &a, &b);
    tend_parse_date(s, &a, &b, &c);
    tend_utf8_length(s);
    /* a time it accepts is never in the past nor more than a year ahead */
    tend_when w;
    const int64_t now = 1793610000LL;
    if (tend_when_parse(s, "Europe/Berlin", now, &w) == TEND_WHEN_OK &&
        (w.at < now - 24 * 3600 || w.at > now + 366LL * 24 * 3600))
        abort();
    tend_member_ref refs[] = {{"u1", "one"}};
    tend_args *args = NULL;
    char err[128];
    if (tend_args_parse(s, refs, 1, &args, err, sizeof err) == 0) {
        for (size_t i = 0; i < tend_args_count(args); i++)
            if (!tend_args_word(args, i))
                abort();
        free(tend_args_join(args, 0));
        tend_args_named(args, "when");
        tend_args_free(args);
    }
    char *clean = tend_text_clean(s, size / 2 + 1);
    if (clean && (strchr(clean, '\x1E') || strchr(clean, '\x1D')))
        abort();
    free(clean);
    free(s);
    return 0;
}
