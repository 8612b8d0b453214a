/*
 * args.h — a command line split into words, named options and member references.
 *
 *   task add "Soup run" when:friday slots:2      words: task, add, Soup run   named: when, slots
 *   thanks \x1E0\x1F for the lift                word 1 is a reference to refs[0]
 *
 * Words may be quoted with "..." (a backslash escapes a quote). A word "key:value" is a named
 * option only when key is one tend knows (tend_args_is_option_key); otherwise it is a plain word,
 * so a title like "Meeting: rota" stays a title.
 */
#ifndef TEND_ARGS_H
#define TEND_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "bot/request.h"

typedef struct tend_args tend_args;

/* Parses `text`. On failure (unbalanced quote, too many words) returns -1 with a one-line reason
 * in err; *out is NULL. */
int tend_args_parse(const char *text, const tend_member_ref *refs, size_t n_refs, tend_args **out,
                    char *err, size_t errlen);
void tend_args_free(tend_args *args);

/* Drops the first n words (the router does this after matching the command name). */
void tend_args_shift(tend_args *args, size_t n);

size_t tend_args_count(const tend_args *args);
/* Word i (after any shift), or NULL. A member reference reads as "@name". */
const char *tend_args_word(const tend_args *args, size_t i);
/* The member referenced by word i, or NULL when word i is plain text. */
const tend_member_ref *tend_args_ref(const tend_args *args, size_t i);
/* The value of named option key, or NULL. */
const char *tend_args_named(const tend_args *args, const char *key);
/* A free-text option (note:): everything typed after "key:" up to the next option or the line's
 * end, so `note: it went well` and `note:"it went well"` read the same; *words_before (may be NULL)
 * counts the words before it, which are what the command names (a task). NULL when the option is
 * absent. With the key given twice, the first. Valid while args lives. */
const char *tend_args_named_tail(const tend_args *args, const char *key, size_t *words_before);
/* The original line from word `from` to its end, exactly as typed: quotes, "for:" and spacing
 * kept (for free text: feedback, agreements, notes). With from == 0 after a shift it starts right
 * after the command name, so text that looks like an option is kept too. Leading blanks skipped;
 * "" when nothing follows. Valid while args lives. Reference markers inside it are NOT removed. */
const char *tend_args_rest(const tend_args *args, size_t from);
/* Words [from, to) as the member typed them, joined by single spaces: a quote inside stays
 * (Fix the "big" fridge), and only when the span is one word typed wholly in quotes ("Soup run")
 * are they taken off, escapes and all. For titles and other text members read back. A new
 * string ("" when none), NULL on OOM. */
char *tend_args_text(const tend_args *args, size_t from, size_t to);
/* Words from..end joined by single spaces, as a new string ("" when none). NULL on OOM. */
char *tend_args_join(const tend_args *args, size_t from);

/* Lets key:'s value run on over the plain words typed right after it (no mention, no quoted
 * word, no option in between), as far as accept() takes them, at most max_words: so
 * `when:thu 17:00` is one time rather than a day and a title word. The longest run accept() takes
 * wins; the words taken leave the word list, so they are no longer part of a title. Returns how
 * many words were taken (0 when none, the key is absent, or memory ran out). */
size_t tend_args_absorb(tend_args *args, const char *key, size_t max_words,
                        bool (*accept)(const char *value, void *arg), void *arg);
bool tend_args_is_option_key(const char *key, size_t len);

#endif
