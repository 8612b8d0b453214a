/* args.c — splitting a command line; the one parser every platform's text goes through. */
#include "bot/args.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/reply.h"

#define MAX_WORDS 4096 /* a 10 KB note is ~2,000 words; anything past this is not a command */
#define MAX_NAMED 16

typedef struct {
    char *text;                  /* the word as typed (or "@name" for a reference) */
    const tend_member_ref *ref;  /* non-NULL when the word is a member reference    */
    size_t offset;               /* where it starts in the original line            */
    size_t end;                  /* where it ends                                    */
    bool whole_quoted;           /* typed as one "quoted span" and nothing else      */
} word;

typedef struct {
    char *key;
    char *value;
    size_t start;         /* where "key:" starts in the original line                */
    size_t value_offset;  /* where the value starts                                  */
    size_t end;           /* where the option's word ends                            */
    size_t words_before;  /* words (shifted ones included) typed before the option    */
    char *tail;           /* the free text from the value to the next option (named_tail) */
} named;

struct tend_args {
    word *words;
    size_t n_words, cap_words;
    char *line;  /* the original line, for free text that keeps its punctuation */
    size_t first;  /* words before this were shifted away */
    named opts[MAX_NAMED];
    size_t n_opts;
};

/* Keys that may appear as key:value. Kept short on purpose: every one is a word a title can no
 * longer start with unquoted. */
static const char *const option_keys[] = {
    "when", "slots", "weight", "repeat", "for", "note", "energy", "channel", "timezone", "tz",
    "checkin", "digest", "capacity", "name", "pronouns", "quiet", "task", "member", "filter",
    "title", "reason", "page", "remind", "kind", "rotate", "teach", "language",
};

bool tend_args_is_option_key(const char *key, size_t len)
{
    for (size_t i = 0; i < sizeof option_keys / sizeof option_keys[0]; i++)
        if (strlen(option_keys[i]) == len && strncmp(option_keys[i], key, len) == 0)
            return true;
    return false;
}

void tend_args_free(tend_args *args)
{
    if (!args)
        return;
    for (size_t i = 0; i < args->n_words; i++)
        free(args->words[i].text);
    free(args->words);
    free(args->line);
    for (size_t i = 0; i < args->n_opts; i++) {
        free(args->opts[i].key);
        free(args->opts[i].value);
        free(args->opts[i].tail);
    }
    free(args);
}

/* Marker bytes (a command prefix, a mention's open and close) that are not a whole reference have
 * no business in a word: a word is echoed back in answers ("I didn't follow ..."), where a stray
 * marker would render as a broken mention. Removed in place. */
static void drop_markers(char *s)
{
    char *out = s;
    for (; *s; s++)
        if (*s != TEND_MARK_MENTION_OPEN && *s != TEND_MARK_MENTION_CLOSE && *s != '\x1D')
            *out++ = *s;
    *out = '\0';
}

/* Reads one word starting at *p into a new string, unwrapping quotes. *quoted_at is the offset in
 * the result where the first quoted part begins (SIZE_MAX when nothing was quoted), so
 * when:"fri 18:00" is still an option while "note: x" is plain text. */
static char *read_word(const char **p, size_t *quoted_at, char *err, size_t errlen)
{
    const char *s = *p;
    size_t cap = strlen(s) + 1;
    char *out = malloc(cap);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    size_t n = 0;
    *quoted_at = SIZE_MAX;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
        if (*s == '"') {
            if (*quoted_at == SIZE_MAX)
                *quoted_at = n;
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                    s++;
                out[n++] = *s++;
            }
            if (*s != '"') {
                free(out);
                snprintf(err, errlen, "a quote is opened but never closed");
                return NULL;
            }
            s++;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    *p = s;
    return out;
}

/* True when the quote opened at w[0] is closed exactly at w[last] (escapes inside skipped). */
static bool quote_closes_at(const char *w, size_t last)
{
    size_t i = 1;
    while (w[i] && w[i] != '"') {
        if (w[i] == '\\' && (w[i + 1] == '"' || w[i + 1] == '\\'))
            i++;
        i++;
    }
    return i == last;
}

static int parse_ref(const char *w, size_t n_refs)
{
    if (w[0] != TEND_MARK_MENTION_OPEN)
        return -1;
    char *end = NULL;
    unsigned long i = strtoul(w + 1, &end, 10);
    if (end == w + 1 || *end != TEND_MARK_MENTION_CLOSE || end[1] != '\0' || i >= n_refs)
        return -1;
    return (int)i;
}

/* Each option's free text: from its value to the next option (or the line's end), blanks around
 * it trimmed; just the value, quotes unwrapped, when nothing else is typed before the next option. */
static int fill_tails(tend_args *a)
{
    size_t len = strlen(a->line);
    for (size_t i = 0; i < a->n_opts; i++) {
        named *o = &a->opts[i];
        size_t stop = len;
        for (size_t j = 0; j < a->n_opts; j++)
            if (a->opts[j].start > o->start && a->opts[j].start < stop)
                stop = a->opts[j].start;
        size_t after = o->end;
        while (after < stop && (a->line[after] == ' ' || a->line[after] == '\t' || a->line[after] == '\n'))
            after++;
        if (after == stop) {
            o->tail = strdup(o->value);
        } else {
            size_t from = o->value_offset;
            while (from < stop && (a->line[from] == ' ' || a->line[from] == '\t' || a->line[from] == '\n'))
                from++;
            while (stop > from && (a->line[stop - 1] == ' ' || a->line[stop - 1] == '\t' || a->line[stop - 1] == '\n'))
                stop--;
            o->tail = strndup(a->line + from, stop - from);
        }
        if (!o->tail)
            return -1;
    }
    return 0;
}

int tend_args_parse(const char *text, const tend_member_ref *refs, size_t n_refs, tend_args **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    tend_args *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const char *p = text ? text : "";
    a->line = strdup(p);
    if (!a->line) {
        tend_args_free(a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        size_t quoted_at = SIZE_MAX;
        size_t offset = (size_t)(p - (text ? text : ""));
        char *w = read_word(&p, &quoted_at, err, errlen);
        if (!w) {
            tend_args_free(a);
            return -1;
        }
        const char *colon = strchr(w, ':');
        if (colon && colon != w && (size_t)(colon - w) < quoted_at &&
            tend_args_is_option_key(w, (size_t)(colon - w))) {
            if (a->n_opts == MAX_NAMED) {
                free(w);
                tend_args_free(a);
                snprintf(err, errlen, "too many options");
                return -1;
            }
            named *o = &a->opts[a->n_opts++];
            o->key = strndup(w, (size_t)(colon - w));
            o->value = strdup(colon + 1);
            if (o->value)
                drop_markers(o->value);
            o->start = offset;
            o->value_offset = offset + (size_t)(colon - w) + 1;
            o->end = (size_t)(p - (text ? text : ""));
            o->words_before = a->n_words;
            free(w);
            /* `key:"two words"` — the quoted part was already unwrapped by read_word */
            if (!o->key || !o->value) {
                tend_args_free(a);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            continue;
        }
        if (a->n_words == MAX_WORDS) {
            free(w);
            tend_args_free(a);
            snprintf(err, errlen, "that is more words than any command takes");
            return -1;
        }
        if (a->n_words == a->cap_words) {
            size_t cap = a->cap_words ? a->cap_words * 2 : 16;
            word *grown = realloc(a->words, cap * sizeof *grown);
            if (!grown) {
                free(w);
                tend_args_free(a);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            a->words = grown;
            a->cap_words = cap;
        }
        word *slot = &a->words[a->n_words++];
        memset(slot, 0, sizeof *slot);
        slot->offset = offset;
        slot->end = (size_t)(p - (text ? text : ""));
        /* "..." and nothing else: the closing quote ends the word (read_word stops at a blank) */
        slot->whole_quoted = quoted_at == 0 && slot->end - offset >= 2 && a->line[offset] == '"' &&
                             a->line[slot->end - 1] == '"' && quote_closes_at(a->line + offset, slot->end - offset - 1);
        int r = quoted_at != SIZE_MAX ? -1 : parse_ref(w, n_refs);
        if (r >= 0) {
            free(w);
            slot->ref = &refs[r];
            if (asprintf(&slot->text, "@%s", refs[r].name ? refs[r].name : "") < 0) {
                slot->text = NULL;
                tend_args_free(a);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        } else {
            drop_markers(w);
            slot->text = w;
        }
    }
    if (fill_tails(a) != 0) {
        tend_args_free(a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = a;
    return 0;
}

void tend_args_shift(tend_args *args, size_t n)
{
    args->first += n;
    if (args->first > args->n_words)
        args->first = args->n_words;
}

size_t tend_args_count(const tend_args *args)
{
    return args->n_words - args->first;
}

const char *tend_args_word(const tend_args *args, size_t i)
{
    return i < tend_args_count(args) ? args->words[args->first + i].text : NULL;
}

const tend_member_ref *tend_args_ref(const tend_args *args, size_t i)
{
    return i < tend_args_count(args) ? args->words[args->first + i].ref : NULL;
}

const char *tend_args_named(const tend_args *args, const char *key)
{
    for (size_t i = 0; i < args->n_opts; i++)
        if (strcmp(args->opts[i].key, key) == 0)
            return args->opts[i].value;
    return NULL;
}

const char *tend_args_named_tail(const tend_args *args, const char *key, size_t *words_before)
{
    for (size_t i = 0; i < args->n_opts; i++) {
        const named *o = &args->opts[i];
        if (strcmp(o->key, key) != 0)
            continue;
        if (words_before)
            *words_before = o->words_before > args->first ? o->words_before - args->first : 0;
        return o->tail;
    }
    return NULL;
}

/* Is there an option (other than o) typed between o's end and offset? */
static bool option_between(const tend_args *args, const named *o, size_t offset)
{
    for (size_t i = 0; i < args->n_opts; i++)
        if (&args->opts[i] != o && args->opts[i].start >= o->end && args->opts[i].start < offset)
            return true;
    return false;
}

size_t tend_args_absorb(tend_args *args, const char *key, size_t max_words,
                        bool (*accept)(const char *value, void *arg), void *arg)
{
    named *o = NULL;
    for (size_t i = 0; i < args->n_opts && !o; i++)
        if (strcmp(args->opts[i].key, key) == 0)
            o = &args->opts[i];
    if (!o || !o->value[0])
        return 0;
    size_t at = args->first; /* the first word typed after the option */
    while (at < args->n_words && args->words[at].offset < o->end)
        at++;
    size_t cap = strlen(o->value) + 1;
    for (size_t i = at; i < args->n_words && i < at + max_words; i++)
        cap += strlen(args->words[i].text) + 1;
    char *candidate = malloc(cap);
    if (!candidate)
        return 0;
    size_t len = (size_t)snprintf(candidate, cap, "%s", o->value);
    size_t taken = 0, best = 0, best_len = 0;
    for (size_t i = at; i < args->n_words && taken < max_words; i++) {
        const word *w = &args->words[i];
        if (w->ref || w->whole_quoted || option_between(args, o, w->offset))
            break;
        len += (size_t)snprintf(candidate + len, cap - len, " %s", w->text);
        taken++;
        if (accept(candidate, arg)) {
            best = taken;
            best_len = len;
        }
    }
    if (best == 0) {
        free(candidate);
        return 0;
    }
    candidate[best_len] = '\0';
    free(o->value);
    o->value = candidate;
    for (size_t i = at; i < at + best; i++)
        free(args->words[i].text);
    memmove(&args->words[at], &args->words[at + best], (args->n_words - at - best) * sizeof *args->words);
    args->n_words -= best;
    for (size_t i = 0; i < args->n_opts; i++) /* options typed after the words taken have fewer before them */
        if (args->opts[i].words_before >= at + best)
            args->opts[i].words_before -= best;
    return best;
}

const char *tend_args_rest(const tend_args *args, size_t from)
{
    const char *p;
    if (from == 0 && args->first > 0)
        /* right after the command name, so an option-looking start ("note: ...") is kept */
        p = args->line + args->words[args->first - 1].end;
    else if (from < tend_args_count(args))
        p = args->line + args->words[args->first + from].offset;
    else
        return "";
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    return p;
}

char *tend_args_join(const tend_args *args, size_t from)
{
    size_t len = 1;
    for (size_t i = from; i < tend_args_count(args); i++)
        len += strlen(tend_args_word(args, i)) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    size_t n = 0;
    for (size_t i = from; i < tend_args_count(args); i++) {
        const char *w = tend_args_word(args, i);
        if (n)
            out[n++] = ' ';
        size_t wl = strlen(w);
        memcpy(out + n, w, wl);
        n += wl;
        out[n] = '\0';
    }
    return out;
}

char *tend_args_text(const tend_args *args, size_t from, size_t to)
{
    size_t count = tend_args_count(args);
    if (to > count)
        to = count;
    if (from >= to)
        return strdup("");
    const word *first = &args->words[args->first + from];
    if (to - from == 1 && first->whole_quoted)
        return strdup(first->text); /* "Soup run": the quotes only held the words together */
    size_t len = 1;
    for (size_t i = from; i < to; i++) {
        const word *w = &args->words[args->first + i];
        len += (w->ref ? strlen(w->text) : w->end - w->offset) + 1;
    }
    char *out = malloc(len);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        const word *w = &args->words[args->first + i];
        const char *src = w->ref ? w->text : args->line + w->offset; /* a mention reads as @name */
        size_t wl = w->ref ? strlen(w->text) : w->end - w->offset;
        if (i > from)
            out[n++] = ' ';
        memcpy(out + n, src, wl);
        n += wl;
    }
    out[n] = '\0';
    return out;
}
