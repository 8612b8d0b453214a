/*
 * help.h — /help and its kin: a command's usage and example, and what to suggest when a member
 * types a command tend does not know.
 */
#ifndef TEND_HELP_H
#define TEND_HELP_H

#include <stdbool.h>
#include <stddef.h>

#include "bot/command.h"

/* An example of the command in use ("claim" -> "/claim 12, or /claim Soup run"), with TEND_CMD
 * markers; NULL for a command without one. */
const char *tend_help_example(const char *command);
/* The command name closest to what was typed ("clam" -> "claim", "tas" -> "tasks"), when one is
 * close enough to be a slip. false when none is. */
bool tend_help_suggest(const char *typed, char *out, size_t outlen);
/* For the first word of two-word commands ("task"), their second words: "add, edit, cancel".
 * false when no command starts with that word and more. */
bool tend_help_second_words(const char *first, char *out, size_t outlen);
/* /help [command]: the handler, named in the catalogue (catalogue.c). */
int tend_cmd_help(tend_ctx *ctx);

#endif
