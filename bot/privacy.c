/* privacy.c — see privacy.h. */
#include "bot/i18n.h"
#include "bot/privacy.h"

#include <stdio.h>
#include <string.h>

#include "bot/messages.h"

bool tend_privacy_may_run(const tend_command_spec *spec, const tend_request *req)
{
    return !(spec->flags & TEND_CMD_PRIVATE) || req->place != TEND_PLACE_SHARED;
}

static const char *hint_for(const char *platform)
{
    if (strcmp(platform, "discord") == 0)
        return MSG_PRIVATE_ONLY_DISCORD;
    if (strcmp(platform, "matrix") == 0)
        return MSG_PRIVATE_ONLY_MATRIX;
    if (strcmp(platform, "console") == 0)
        return MSG_PRIVATE_ONLY_CONSOLE;
    return MSG_PRIVATE_ONLY_ELSEWHERE;
}

tend_message *tend_privacy_point_to_private(tend_messages *out, const tend_request *req, const char *platform,
                                            const tend_command_spec *spec)
{
    if (strcmp(platform, "signal") == 0) /* the word goes to the 1:1 chat, where it can be sent at once */
        return tend_messages_add(out, TEND_TO_PRIVATE, req->group_key, req->member_key, req->member_name,
                                 TEND_KIND_PRIVATE_ONLY, MSG_PRIVATE_ONLY_SIGNAL, spec->name);
    return tend_messages_add(out, TEND_TO_PRIVATE, req->group_key, req->member_key, req->member_name,
                             TEND_KIND_PRIVATE_ONLY, "%s", tend_tr(hint_for(platform)));
}

bool tend_privacy_taps_are_private(const char *platform)
{
    /* a Discord button answers ephemerally; a Telegram inline button's press reaches the bot alone */
    return strcmp(platform, "discord") == 0 || strcmp(platform, "telegram") == 0;
}

void tend_privacy_platform_of(const char *group_key, char *out, size_t outlen)
{
    const char *key = group_key ? group_key : "";
    snprintf(out, outlen, "%.*s", (int)strcspn(key, ":"), key);
}
