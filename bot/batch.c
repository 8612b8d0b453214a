/* batch.c — telling the members of a failed group commit that nothing of theirs was changed. */
#include "bot/batch.h"

#include <stdlib.h>
#include <string.h>

#include "bot/language.h"
#include "bot/messages.h"

int tend_bot_store_failed_answer(const tend_bot *bot, const tend_message *answer, tend_messages *out)
{
    tend_request req;
    memset(&req, 0, sizeof req);
    req.group_key = answer->group_key;
    req.member_key = answer->member_key;
    req.member_name = answer->member_name;
    tend_lang_scope_request(tend_bot_env(bot), &req);
    tend_message *m = tend_messages_add(out, TEND_TO_PRIVATE, answer->group_key, answer->member_key,
                                        answer->member_name, "error", MSG_STORE_FAILED);
    if (!m)
        return -1;
    m->first_answer = true;
    if (answer->reply_to && !(m->reply_to = strdup(answer->reply_to))) {
        tend_messages_truncate(out, out->count - 1);
        return -1;
    }
    return 0;
}
