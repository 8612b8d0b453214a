/* option_words.c — an option's values in a reader's words; see option_words.h. */
#include "bot/option_words.h"

#include <stdio.h>
#include <string.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "bot/words.h"

static bool english(const char *lang)
{
    return !lang || !lang[0] || strncmp(lang, "en", 2) == 0;
}

/* The words an option of this kind reads, first to last; false for the kinds said by examples. */
static bool range_of(tend_option_words kind, tend_word *first, tend_word *last)
{
    switch (kind) {
    case TEND_OPT_WORDS_ENERGY:
        *first = TEND_WORD_GREAT, *last = TEND_WORD_OUT;
        return true;
    case TEND_OPT_WORDS_SWITCH:
        *first = TEND_WORD_ON, *last = TEND_WORD_OFF;
        return true;
    case TEND_OPT_WORDS_REPEAT: /* the ones the usage names: weekly|biweekly|monthly */
        *first = TEND_WORD_WEEKLY, *last = TEND_WORD_MONTHLY;
        return true;
    case TEND_OPT_WORDS_NONE:
    case TEND_OPT_WORDS_DURATION:
    case TEND_OPT_WORDS_WHEN:
        break;
    }
    return false;
}

bool tend_option_words_in(const tend_option *o, const char *lang, char *out, size_t outlen)
{
    if (outlen == 0)
        return false;
    out[0] = '\0';
    if (english(lang))
        return false;
    tend_word first, last;
    if (o->words == TEND_OPT_WORDS_DURATION)
        snprintf(out, outlen, "%s", tend_i18n_tr(lang, MSG_WORDS_DURATION_EXAMPLES));
    else if (o->words == TEND_OPT_WORDS_WHEN)
        snprintf(out, outlen, "%s", tend_i18n_tr(lang, MSG_WORDS_WHEN_EXAMPLES));
    else if (range_of(o->words, &first, &last))
        tend_words_firsts(lang, first, last, out, outlen);
    return out[0] != '\0';
}

bool tend_option_choice_name(const tend_option *o, const char *choice, const char *lang, char *out, size_t outlen)
{
    tend_word first, last;
    if (outlen == 0 || english(lang) || !range_of(o->words, &first, &last))
        return false;
    int w = tend_words_english(first, last, choice);
    if (w < 0)
        return false;
    tend_words_first(lang, (tend_word)w, out, outlen);
    return out[0] && strcmp(out, choice) != 0;
}
