/*
 * words.h — the words members type (check-in answers, lengths of time, days and times, yes and
 * no), in English and in the languages of whoever is asking.
 *
 * Each list is one entry of the message catalogue with a context (msgctxt "words: ..."): its
 * msgid is the English list, its translation that language's, alternatives separated by '|'
 * ("genial|muy bien|estupendo"). So a volunteer who adds a language with one .po file adds the
 * words members will type in the same file, and no code changes.
 *
 * A word is read in English, the asking member's own language and the group's (the scope of
 * bot/i18n.h), in that order unless the caller asks for the member's first. Case and accents do
 * not matter (mañana = manana, März = Marz = marz, Straße = strasse): both sides are compared
 * folded (Unicode decomposition, marks dropped, full case folding). Words of one kind never mean
 * two things within one language; tend_words_clash finds the ones that would.
 */
#ifndef TEND_WORDS_H
#define TEND_WORDS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    /* /checkin: what the energy levels are called */
    TEND_WORD_GREAT,
    TEND_WORD_OK,
    TEND_WORD_LOW,
    TEND_WORD_OUT,
    /* lengths of time: "a week", "2 weeks", "3d" */
    TEND_WORD_ONE,
    TEND_WORD_MINUTE,
    TEND_WORD_HOUR,
    TEND_WORD_DAY,
    TEND_WORD_WEEK,
    TEND_WORD_MONTH,
    /* when: words on their own */
    TEND_WORD_FILLER, /* "at", "on", "this": said, but they change nothing */
    TEND_WORD_TODAY,
    TEND_WORD_TOMORROW,
    TEND_WORD_AFTER_TOMORROW,
    TEND_WORD_NOON,
    TEND_WORD_SUNDAY, /* ... to Saturday, in tm_wday's order */
    TEND_WORD_SATURDAY = TEND_WORD_SUNDAY + 6,
    TEND_WORD_JANUARY, /* ... to December */
    TEND_WORD_DECEMBER = TEND_WORD_JANUARY + 11,
    /* when: words that follow a number ("6 pm", "18 Uhr", "18h30") */
    TEND_WORD_AM,
    TEND_WORD_PM,
    TEND_WORD_OCLOCK,
    /* when: after a day of the month ("3rd", "1er", "3.") */
    TEND_WORD_ORDINAL,
    /* yes and no, on and off */
    TEND_WORD_ON,
    TEND_WORD_OFF,
    /* repeat: how a task comes back */
    TEND_WORD_DAILY,
    TEND_WORD_WEEKLY,
    TEND_WORD_BIWEEKLY,
    TEND_WORD_MONTHLY,
    /* /thanks: the word that starts a reason ("for the soup", "por el viaje", "pela carona") */
    TEND_WORD_THANKS_FOR,
    TEND_WORD_COUNT
} tend_word;

/* The kinds of words: one parser reads one kind, and within a kind no word has two meanings. */
typedef enum {
    TEND_WORDS_ENERGY,
    TEND_WORDS_DURATION,
    TEND_WORDS_WHEN,
    TEND_WORDS_CLOCK,
    TEND_WORDS_ORDINAL,
    TEND_WORDS_SWITCH,
    TEND_WORDS_REPEAT,
    TEND_WORDS_REASON,
    TEND_WORDS_KINDS
} tend_words_kind;

/* The list of lang (NULL or "" = English) for w, as the catalogue has it ("genial|muy bien"). */
const char *tend_words_list(const char *lang, tend_word w);

/* The first word of lang's list for w ("genial" for great in Spanish): how tend says it back. */
void tend_words_first(const char *lang, tend_word w, char *out, size_t outlen);

/* The first words of lang's lists first..last, joined by ", " ("genial, bien, bajo, agotado"). */
void tend_words_firsts(const char *lang, tend_word first, tend_word last, char *out, size_t outlen);

/* The four check-in answers as lang says a choice of them ("genial, bien, bajo o agotado";
 * MSG_WORDS_ENERGY_LIST): what the weekly check-in tells its reader to type. */
void tend_words_energy(const char *lang, char *out, size_t outlen);

/* Which of first..last has word in its English list, exactly ("yes" is TEND_WORD_ON); -1 when none.
 * A platform's choice carries the English word; this finds what to call it in another language. */
int tend_words_english(tend_word first, tend_word last, const char *word);

/* After a refusal in text (size bytes) that names English words, the reader's own words for
 * first..last ("genial, bien, bajo, agotado"), said with MSG_WORDS_TOO; nothing when the scope's
 * private language is English. */
void tend_words_hint(char *text, size_t size, tend_word first, tend_word last);
/* The same with a translated list of examples (MSG_WORDS_DURATION_EXAMPLES, ..._WHEN_...). */
void tend_words_hint_examples(char *text, size_t size, const char *examples_msgid);

/* Which word of `kind` the len bytes at text name (a phrase too: "muy bien", with single spaces),
 * in English, the asking member's language and the group's. With own_first, the member's and the
 * group's languages are asked before English: when: asks that way a second time when the English
 * reading made no sense ("mar 18:00" is March in English, Tuesday in Spanish). -1 when none. */
int tend_words_find(tend_words_kind kind, const char *text, size_t len, bool own_first);

/* Like tend_words_find, but only the words from first to last (the weekdays alone, say). */
int tend_words_find_in(tend_word first, tend_word last, const char *text, size_t len, bool own_first);

/* True when text's first word is w's (in the languages tend_words_find reads): "por el viaje" for
 * TEND_WORD_THANKS_FOR in a Spanish scope. */
bool tend_words_starts_with(tend_word w, const char *text);

/* text folded for comparing: decomposed, marks dropped, case folded, as UTF-8. 0, or -1 when it is
 * not UTF-8 or does not fit. */
int tend_words_fold(const char *text, size_t len, char *out, size_t outlen);

/* A word of lang that two lists of one kind both claim (written to word, with the two lists), so
 * a translation whose words are ambiguous is caught by a test. True when there is one. */
bool tend_words_clash(const char *lang, char *word, size_t wordlen, tend_word *a, tend_word *b);

/* Forgets the lists read so far (at shutdown, so a leak check sees nothing left). */
void tend_words_cleanup(void);

#endif
