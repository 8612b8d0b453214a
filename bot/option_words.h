/*
 * option_words.h — an option's values in a reader's words: the words tend reads in their language
 * for an option of the catalogue (bot/catalogue.h, bot/words.h), for /help COMMAND and for the
 * names a command picker gives its choices (Discord's name_localizations). The value a picker
 * sends stays the English word, which every parser takes.
 */
#ifndef TEND_OPTION_WORDS_H
#define TEND_OPTION_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "bot/catalogue.h"

/* The option's values in lang's words ("genial, bien, bajo, agotado"; "vie 18:00, mañana 18h, 3
 * dic"). False, with out empty, when lang is English or the option has no such words. */
bool tend_option_words_in(const tend_option *o, const char *lang, char *out, size_t outlen);

/* What lang calls the option's choice (the English value, "yes"): "sí". False when lang is English,
 * the choice is not one of the words tend reads, or lang says it the English way. */
bool tend_option_choice_name(const tend_option *o, const char *choice, const char *lang, char *out, size_t outlen);

#endif
