/*
 * privacy.h — where private things may happen, decided once for every platform.
 *
 * A member's check-ins, rest, load, settings, own data and suggestions are between them and the
 * bot. Adapters only report whether a command was typed where others read along
 * (tend_request.place); the rules of what follows from that live here:
 *   - a private-only command (TEND_CMD_PRIVATE) typed where others can read it records nothing,
 *     and the member is told kindly, in private, where to send it instead;
 *   - one-tap answers to the weekly check-in stay on the group's post only where a tap is seen by
 *     the one who taps alone (Discord's ephemeral answers, Telegram's inline buttons); everywhere
 *     else each member is asked in their own private chat.
 */
#ifndef TEND_PRIVACY_H
#define TEND_PRIVACY_H

#include <stdbool.h>

#include "bot/command.h"

/* True when `spec` may run where `req` was typed. */
bool tend_privacy_may_run(const tend_command_spec *spec, const tend_request *req);

/* Appends the private word for the private-only command `spec` typed in the open (kind
 * TEND_KIND_PRIVATE_ONLY), worded for the platform ("discord", "matrix", "console", "signal").
 * NULL on OOM. */
tend_message *tend_privacy_point_to_private(tend_messages *out, const tend_request *req, const char *platform,
                                            const tend_command_spec *spec);

/* True when a button on a public post is answered so only the one who tapped sees it (Discord,
 * Telegram), so a group's check-in prompt may carry its one-tap answers itself. */
bool tend_privacy_taps_are_private(const char *platform);

/* The platform part of a group key ("discord:81" -> "discord"), written into out. */
void tend_privacy_platform_of(const char *group_key, char *out, size_t outlen);

#endif
