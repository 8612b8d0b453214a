/* words.c — the word lists members type, from the catalogue; see words.h. */
#include "bot/words.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/icu.h"

#include "bot/i18n.h"
#include "bot/messages.h"

/* Marks a list for xgettext (po/CMakeLists.txt: --keyword=W_:1c,2): context, English words. */
#define W_(ctx, words) {ctx, words}

static const struct {
    const char *ctx, *english;
} lists[TEND_WORD_COUNT] = {
    /* TRANSLATORS: Not a sentence: the words a member may type for this meaning, separated by |
       (no spaces around |). List what people in your language really write, short forms too
       ("vie|viernes"); case and accents do not matter, so "mañana" also reads "manana". English
       is always understood as well, so you need not repeat it. Within one kind ("energy",
       "duration", "when", "clock", "switch") a word may be in only one list (a test checks).
       This one: /checkin, feeling great this week. */
    [TEND_WORD_GREAT] = W_("words: energy great", "great"),
    /* TRANSLATORS: words (see "energy great"): /checkin, doing ok this week */
    [TEND_WORD_OK] = W_("words: energy ok", "ok|okay"),
    /* TRANSLATORS: words (see "energy great"): /checkin, low on energy this week */
    [TEND_WORD_LOW] = W_("words: energy low", "low"),
    /* TRANSLATORS: words (see "energy great"): /checkin, out of energy, needs a break */
    [TEND_WORD_OUT] = W_("words: energy out", "out"),
    /* TRANSLATORS: words (see "energy great"): "one" before a unit of time, as in "a week" */
    [TEND_WORD_ONE] = W_("words: duration one", "a|an|one"),
    /* TRANSLATORS: words (see "energy great"): minutes after a number: "30 min", "30m" */
    [TEND_WORD_MINUTE] = W_("words: duration minute", "m|min|mins|minute|minutes"),
    /* TRANSLATORS: words (see "energy great"): hours after a number: "2 hours", "2h" */
    [TEND_WORD_HOUR] = W_("words: duration hour", "h|hr|hrs|hour|hours"),
    /* TRANSLATORS: words (see "energy great"): days after a number: "3 days", "3d" */
    [TEND_WORD_DAY] = W_("words: duration day", "d|day|days"),
    /* TRANSLATORS: words (see "energy great"): weeks after a number: "2 weeks", "2w" */
    [TEND_WORD_WEEK] = W_("words: duration week", "w|wk|wks|week|weeks"),
    /* TRANSLATORS: words (see "energy great"): months (counted as 30 days) after a number */
    [TEND_WORD_MONTH] = W_("words: duration month", "mo|month|months"),
    /* TRANSLATORS: words (see "energy great"): small words around a day and a time that change
       nothing: "on fri at 6pm", "this fri". Not "next": "next Friday" is this coming one to some
       and the one after to others, so it is refused and the member asked for a date. */
    [TEND_WORD_FILLER] = W_("words: when filler", "at|on|this|the"),
    /* TRANSLATORS: words (see "energy great"): today */
    [TEND_WORD_TODAY] = W_("words: when today", "today"),
    /* TRANSLATORS: words (see "energy great"): tomorrow */
    [TEND_WORD_TOMORROW] = W_("words: when tomorrow", "tomorrow|tmrw"),
    /* TRANSLATORS: words (see "energy great"): the day after tomorrow (phrases are fine) */
    [TEND_WORD_AFTER_TOMORROW] = W_("words: when after tomorrow", "the day after tomorrow|day after tomorrow"),
    /* TRANSLATORS: words (see "energy great"): 12:00, midday */
    [TEND_WORD_NOON] = W_("words: when noon", "noon|midday"),
    /* TRANSLATORS: words (see "energy great"): Sunday and its short forms */
    [TEND_WORD_SUNDAY] = W_("words: when sunday", "sun|sunday"),
    /* TRANSLATORS: words (see "energy great"): Monday and its short forms */
    [TEND_WORD_SUNDAY + 1] = W_("words: when monday", "mon|monday"),
    /* TRANSLATORS: words (see "energy great"): Tuesday and its short forms */
    [TEND_WORD_SUNDAY + 2] = W_("words: when tuesday", "tue|tues|tuesday"),
    /* TRANSLATORS: words (see "energy great"): Wednesday and its short forms */
    [TEND_WORD_SUNDAY + 3] = W_("words: when wednesday", "wed|weds|wednesday"),
    /* TRANSLATORS: words (see "energy great"): Thursday and its short forms */
    [TEND_WORD_SUNDAY + 4] = W_("words: when thursday", "thu|thur|thurs|thursday"),
    /* TRANSLATORS: words (see "energy great"): Friday and its short forms */
    [TEND_WORD_SUNDAY + 5] = W_("words: when friday", "fri|friday"),
    /* TRANSLATORS: words (see "energy great"): Saturday and its short forms */
    [TEND_WORD_SATURDAY] = W_("words: when saturday", "sat|saturday"),
    /* TRANSLATORS: words (see "energy great"): January and its short forms */
    [TEND_WORD_JANUARY] = W_("words: when january", "jan|january"),
    /* TRANSLATORS: words (see "energy great"): February and its short forms */
    [TEND_WORD_JANUARY + 1] = W_("words: when february", "feb|february"),
    /* TRANSLATORS: words (see "energy great"): March and its short forms */
    [TEND_WORD_JANUARY + 2] = W_("words: when march", "mar|march"),
    /* TRANSLATORS: words (see "energy great"): April and its short forms */
    [TEND_WORD_JANUARY + 3] = W_("words: when april", "apr|april"),
    /* TRANSLATORS: words (see "energy great"): May and its short forms */
    [TEND_WORD_JANUARY + 4] = W_("words: when may", "may"),
    /* TRANSLATORS: words (see "energy great"): June and its short forms */
    [TEND_WORD_JANUARY + 5] = W_("words: when june", "jun|june"),
    /* TRANSLATORS: words (see "energy great"): July and its short forms */
    [TEND_WORD_JANUARY + 6] = W_("words: when july", "jul|july"),
    /* TRANSLATORS: words (see "energy great"): August and its short forms */
    [TEND_WORD_JANUARY + 7] = W_("words: when august", "aug|august"),
    /* TRANSLATORS: words (see "energy great"): September and its short forms */
    [TEND_WORD_JANUARY + 8] = W_("words: when september", "sep|sept|september"),
    /* TRANSLATORS: words (see "energy great"): October and its short forms */
    [TEND_WORD_JANUARY + 9] = W_("words: when october", "oct|october"),
    /* TRANSLATORS: words (see "energy great"): November and its short forms */
    [TEND_WORD_JANUARY + 10] = W_("words: when november", "nov|november"),
    /* TRANSLATORS: words (see "energy great"): December and its short forms */
    [TEND_WORD_DECEMBER] = W_("words: when december", "dec|december"),
    /* TRANSLATORS: words (see "energy great"): after an hour, morning ("9am"); if your language
       does not use a 12-hour clock, repeat the English */
    [TEND_WORD_AM] = W_("words: clock am", "am|a.m."),
    /* TRANSLATORS: words (see "energy great"): after an hour, afternoon and evening ("6pm") */
    [TEND_WORD_PM] = W_("words: clock pm", "pm|p.m."),
    /* TRANSLATORS: words (see "energy great"): after an hour on the 24-hour clock, as in "18 Uhr",
       "18h" or "18h30". (English "o'clock" is left out on purpose: "6 o'clock" may mean 6 in the
       evening.) */
    [TEND_WORD_OCLOCK] = W_("words: clock 24-hour mark", "h"),
    /* TRANSLATORS: words (see "energy great"): endings of a day of the month ("3rd", "1er", "3.") */
    [TEND_WORD_ORDINAL] = W_("words: ordinal ending", "st|nd|rd|th"),
    /* TRANSLATORS: words (see "energy great"): yes, on, turn it on (as in /nudges on, rotate:yes) */
    [TEND_WORD_ON] = W_("words: switch on", "on|yes|y|true"),
    /* TRANSLATORS: words (see "energy great"): no, off, turn it off, none */
    [TEND_WORD_OFF] = W_("words: switch off", "off|no|n|false|none"),
    /* TRANSLATORS: words (see "energy great"): repeat:, a task that comes back every day */
    [TEND_WORD_DAILY] = W_("words: repeat daily", "daily|every day"),
    /* TRANSLATORS: words (see "energy great"): repeat:, every week */
    [TEND_WORD_WEEKLY] = W_("words: repeat weekly", "weekly|every week"),
    /* TRANSLATORS: words (see "energy great"): repeat:, every two weeks */
    [TEND_WORD_BIWEEKLY] = W_("words: repeat biweekly", "biweekly|fortnightly|every two weeks|every other week"),
    /* TRANSLATORS: words (see "energy great"): repeat:, every month (the same day of the month) */
    [TEND_WORD_MONTHLY] = W_("words: repeat monthly", "monthly|every month"),
    /* TRANSLATORS: words (see "energy great"): the word a member starts the reason of a /thanks
       with, "for" in "/thanks Ana for the soup run". A reason that starts with one of these is shown
       as typed; any other gets your translation of " for %s" in front. List every form your
       language uses there, contractions too (Portuguese "pelo|pela"). */
    [TEND_WORD_THANKS_FOR] = W_("words: thanks for", "for"),
};

static const struct {
    tend_word first, last;
} kinds[TEND_WORDS_KINDS] = {
    [TEND_WORDS_ENERGY] = {TEND_WORD_GREAT, TEND_WORD_OUT},
    [TEND_WORDS_DURATION] = {TEND_WORD_ONE, TEND_WORD_MONTH},
    [TEND_WORDS_WHEN] = {TEND_WORD_FILLER, TEND_WORD_DECEMBER},
    [TEND_WORDS_CLOCK] = {TEND_WORD_AM, TEND_WORD_OCLOCK},
    [TEND_WORDS_ORDINAL] = {TEND_WORD_ORDINAL, TEND_WORD_ORDINAL},
    [TEND_WORDS_SWITCH] = {TEND_WORD_ON, TEND_WORD_OFF},
    [TEND_WORDS_REPEAT] = {TEND_WORD_DAILY, TEND_WORD_MONTHLY},
    [TEND_WORDS_REASON] = {TEND_WORD_THANKS_FOR, TEND_WORD_THANKS_FOR},
};

const char *tend_words_list(const char *lang, tend_word w)
{
    if ((unsigned)w >= TEND_WORD_COUNT)
        return "";
    return tend_i18n_ptr(lang, lists[w].ctx, lists[w].english);
}

void tend_words_first(const char *lang, tend_word w, char *out, size_t outlen)
{
    const char *list = tend_words_list(lang, w);
    if (outlen > 0)
        snprintf(out, outlen, "%.*s", (int)strcspn(list, "|"), list);
}

static bool english(const char *lang);

static bool reader_is_english(void)
{
    return english(tend_i18n_private_lang());
}

static void append_hint(char *text, size_t size, const char *words)
{
    size_t used = strnlen(text, size);
    if (used < size && words[0])
        snprintf(text + used, size - used, tend_tr(MSG_WORDS_TOO), words);
}

void tend_words_firsts(const char *lang, tend_word first, tend_word last, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    char one[64];
    size_t used = 0;
    for (int w = (int)first; w <= (int)last && w < TEND_WORD_COUNT && used < outlen; w++) {
        tend_words_first(lang, (tend_word)w, one, sizeof one);
        used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", one);
    }
}

void tend_words_energy(const char *lang, char *out, size_t outlen)
{
    char w[4][64];
    for (int i = 0; i < 4; i++)
        tend_words_first(lang, (tend_word)(TEND_WORD_GREAT + i), w[i], sizeof w[i]);
    snprintf(out, outlen, tend_i18n_tr(lang, MSG_WORDS_ENERGY_LIST), w[0], w[1], w[2], w[3]);
}

int tend_words_english(tend_word first, tend_word last, const char *word)
{
    size_t n = strlen(word);
    for (int w = (int)first; w <= (int)last && w < TEND_WORD_COUNT; w++)
        for (const char *p = lists[w].english; *p;) {
            size_t k = strcspn(p, "|");
            if (k == n && strncmp(p, word, n) == 0)
                return w;
            p += k + (p[k] == '|');
        }
    return -1;
}

void tend_words_hint(char *text, size_t size, tend_word first, tend_word last)
{
    if (reader_is_english() || (unsigned)last >= TEND_WORD_COUNT)
        return;
    char words[256];
    tend_words_firsts(tend_i18n_private_lang(), first, last, words, sizeof words);
    append_hint(text, size, words);
}

void tend_words_hint_examples(char *text, size_t size, const char *examples_msgid)
{
    if (!reader_is_english())
        append_hint(text, size, tend_tr(examples_msgid));
}

/* ---------------------------------------------------------------- folding */

#define FOLD_UNITS 256

int tend_words_fold(const char *text, size_t len, char *out, size_t outlen)
{
    if (!text || outlen == 0 || len >= FOLD_UNITS)
        return -1;
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)text[i] < 0x80;
    if (ascii) { /* the usual case, without ICU */
        if (len >= outlen)
            return -1;
        for (size_t i = 0; i < len; i++)
            out[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
        out[len] = '\0';
        return 0;
    }
    const tend_icu *icu = tend_icu_get(); /* loaded here, the first time a word is not ASCII */
    if (!icu)
        return -1;
    UErrorCode status = U_ZERO_ERROR;
    UChar raw[FOLD_UNITS], nfd[FOLD_UNITS * 2], bare[FOLD_UNITS * 2], folded[FOLD_UNITS * 4];
    int32_t n = 0;
    icu->str_from_utf8(raw, FOLD_UNITS, &n, text, (int32_t)len, &status);
    const UNormalizer2 *decompose = icu->nfd_instance(&status);
    int32_t d = U_SUCCESS(status) ? icu->normalize(decompose, raw, n, nfd, FOLD_UNITS * 2, &status) : 0;
    if (U_FAILURE(status))
        return -1;
    int32_t k = 0;
    for (int32_t i = 0; i < d;) {
        UChar32 c;
        int32_t at = i;
        U16_NEXT(nfd, i, d, c);
        if (icu->char_type(c) == U_NON_SPACING_MARK)
            continue; /* the accent of é, the umlaut of ä */
        while (at < i)
            bare[k++] = nfd[at++];
    }
    int32_t f = icu->str_fold_case(folded, FOLD_UNITS * 4, bare, k, U_FOLD_CASE_DEFAULT, &status);
    int32_t written = 0;
    if (U_SUCCESS(status))
        icu->str_to_utf8(out, (int32_t)outlen, &written, folded, f, &status);
    if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING || (size_t)written >= outlen)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------- lists, folded once per language */

#define CACHE_LANGS 8

/* "|genial|muy bien|bien|": every alternative folded, fenced by '|' so one strstr finds a word */
typedef struct {
    char lang[TEND_LANG_MAX];
    uint64_t generation;
    char *folded[TEND_WORD_COUNT];
} lang_lists;

static lang_lists cache[CACHE_LANGS];
static size_t cache_next;

static char *fold_list(const char *list)
{
    size_t cap = strlen(list) * 3 + 3; /* folding may grow a word a little, never threefold */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t used = 0;
    out[used++] = '|';
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, "|");
        char word[FOLD_UNITS];
        /* a word that does not fold is left out rather than kept unfolded, so it cannot match */
        if (n > 0 && tend_words_fold(p, n, word, sizeof word) == 0 && used + strlen(word) + 2 <= cap) {
            memcpy(out + used, word, strlen(word));
            used += strlen(word);
            out[used++] = '|';
        }
        p += n;
        if (*p == '|')
            p++;
    }
    out[used] = '\0';
    return out;
}

static bool english(const char *lang)
{
    return !lang || !lang[0] || (lang[0] == 'e' && lang[1] == 'n' && (!lang[2] || lang[2] == '_'));
}

static lang_lists *lists_of(const char *lang)
{
    const char *code = english(lang) ? "en" : lang;
    uint64_t generation = tend_i18n_generation();
    lang_lists *slot = NULL;
    for (size_t i = 0; i < CACHE_LANGS; i++)
        if (strcmp(cache[i].lang, code) == 0)
            slot = &cache[i];
    if (slot && slot->generation == generation)
        return slot;
    if (!slot)
        slot = &cache[cache_next++ % CACHE_LANGS];
    for (size_t w = 0; w < TEND_WORD_COUNT; w++) {
        free(slot->folded[w]);
        slot->folded[w] = fold_list(tend_words_list(strcmp(code, "en") == 0 ? NULL : code, (tend_word)w));
    }
    snprintf(slot->lang, sizeof slot->lang, "%s", code);
    slot->generation = generation;
    return slot;
}

/* English's old habit, kept: any start of three letters or more of a day's or month's full name
 * ("thurs", "sept", "wednes"). Only English: another language lists its short forms itself. */
static bool english_start(tend_word w, const char *key, size_t len)
{
    if (len < 3 || w < TEND_WORD_SUNDAY || w > TEND_WORD_DECEMBER)
        return false;
    const char *full = strrchr(lists[w].english, '|');
    full = full ? full + 1 : lists[w].english;
    return len <= strlen(full) && strncmp(full, key, len) == 0;
}

/* lang "" is English */
static int find_in_lang(const char *lang, tend_word first, tend_word last, const char *fenced, size_t len)
{
    lang_lists *l = lists_of(lang);
    for (int w = (int)first; w <= (int)last; w++)
        if (l->folded[w] && strstr(l->folded[w], fenced))
            return w;
    if (!lang[0])
        for (int w = (int)first; w <= (int)last; w++)
            if (english_start((tend_word)w, fenced + 1, len))
                return w;
    return -1;
}

int tend_words_find_in(tend_word first, tend_word last, const char *text, size_t len, bool own_first)
{
    char key[FOLD_UNITS + 2];
    if (!text || len == 0 || memchr(text, '|', len) || tend_words_fold(text, len, key + 1, sizeof key - 2) != 0)
        return -1;
    size_t n = strlen(key + 1);
    key[0] = '|';
    key[n + 1] = '|';
    key[n + 2] = '\0';
    /* English, the member's own, the group's (or the member's and the group's first): each once */
    const char *own = english(tend_i18n_private_lang()) ? "" : tend_i18n_private_lang();
    const char *group = english(tend_i18n_group_lang()) ? "" : tend_i18n_group_lang();
    const char *order[3] = {"", own, group};
    if (own_first) {
        order[0] = own;
        order[1] = group;
        order[2] = "";
    }
    for (size_t i = 0; i < 3; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(order[j], order[i]) == 0;
        int w = seen ? -1 : find_in_lang(order[i], first, last, key, n);
        if (w >= 0)
            return w;
    }
    return -1;
}

int tend_words_find(tend_words_kind kind, const char *text, size_t len, bool own_first)
{
    if ((unsigned)kind >= TEND_WORDS_KINDS)
        return -1;
    return tend_words_find_in(kinds[kind].first, kinds[kind].last, text, len, own_first);
}

bool tend_words_clash(const char *lang, char *word, size_t wordlen, tend_word *a, tend_word *b)
{
    lang_lists *l = lists_of(lang);
    for (int k = 0; k < TEND_WORDS_KINDS; k++)
        for (int x = (int)kinds[k].first; x <= (int)kinds[k].last; x++)
            for (const char *p = l->folded[x] ? l->folded[x] + 1 : ""; *p;) {
                size_t n = strcspn(p, "|");
                char fenced[FOLD_UNITS + 2];
                snprintf(fenced, sizeof fenced, "|%.*s|", (int)n, p);
                for (int y = x + 1; y <= (int)kinds[k].last; y++)
                    if (l->folded[y] && strstr(l->folded[y], fenced)) {
                        snprintf(word, wordlen, "%.*s", (int)n, p);
                        *a = (tend_word)x;
                        *b = (tend_word)y;
                        return true;
                    }
                p += n + (p[n] == '|');
            }
    return false;
}

void tend_words_cleanup(void)
{
    for (size_t i = 0; i < CACHE_LANGS; i++) {
        for (size_t w = 0; w < TEND_WORD_COUNT; w++) {
            free(cache[i].folded[w]);
            cache[i].folded[w] = NULL;
        }
        cache[i].lang[0] = '\0';
    }
    cache_next = 0;
}

bool tend_words_starts_with(tend_word w, const char *text)
{
    if (!text)
        return false;
    size_t len = strcspn(text, " \t\n");
    return len > 0 && tend_words_find_in(w, w, text, len, false) == (int)w;
}
