/* welcome.c — see welcome.h. */
#include "bot/welcome.h"

#include <string.h>

#include "bot/messages.h"

int tend_welcome_if_new(tend_ctx *ctx)
{
    if (ctx->member.welcomed || ctx->member.forgotten || !ctx->member.key[0] || strcmp(ctx->platform, "console") == 0)
        return TEND_OK;
    /* one conditional write, not a read and a whole-row save: the row as it is now decides (the
     * command may have changed the member: a new name, a rest, /forgetme) */
    int rc = tend_store_member_mark_welcomed(ctx->env->store, ctx->member.id);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_OK;
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    ctx->member.welcomed = true;
    return tend_reply_private(ctx, "welcome.first", MSG_WELCOME_FIRST) ? TEND_OK
                                                                        : tend_store_failed(ctx, TEND_STORE_ERROR);
}
