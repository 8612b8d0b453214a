/*
 * intro.c — when tend joins a server it says hello once: what it does, /setup and /help, in the
 * server's system channel, or else the first text channel it is allowed to post in. Where it may
 * not post (the permissions Discord sent with GUILD_CREATE say so), it stays quiet.
 *
 * GUILD_CREATE comes for every server after each new session, so the hello is only for a server
 * joined within the last day (the bot member's joined_at) and is recorded in the adapter's state:
 * an upgrade that meets a thousand old servers greets none of them, and a restart greets nobody
 * twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/discord/internal.h"
#include "bot/messages.h"
#include "lib/log.h"

#define PERM_VIEW_CHANNEL (1ULL << 10)
#define PERM_SEND_MESSAGES (1ULL << 11)
#define CHANNEL_GUILD_TEXT 0
#define JOINED_RECENTLY (24 * 3600)

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static uint64_t perms_of(const cJSON *obj, const char *key)
{
    const char *s = str_of(obj, key);
    return s ? strtoull(s, NULL, 10) : 0;
}

static const cJSON *bot_member(const cJSON *guild, const char *bot_id)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(guild, "members"))
    {
        const char *id = str_of(cJSON_GetObjectItemCaseSensitive(m, "user"), "id");
        if (id && strcmp(id, bot_id) == 0)
            return m;
    }
    return NULL;
}

static bool has_role(const cJSON *member, const char *role_id)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(member, "roles"))
        if (cJSON_IsString(r) && strcmp(r->valuestring, role_id) == 0)
            return true;
    return false;
}

/* The server-wide permissions of the bot: @everyone's and its roles'. */
static uint64_t base_permissions(const cJSON *guild, const cJSON *member, const char *guild_id)
{
    uint64_t p = 0;
    const cJSON *role;
    cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(guild, "roles"))
    {
        const char *id = str_of(role, "id");
        if (id && (strcmp(id, guild_id) == 0 || (member && has_role(member, id))))
            p |= perms_of(role, "permissions");
    }
    return p;
}

/* Discord's order: @everyone's overwrite, then the roles' together, then the member's own. */
static uint64_t channel_permissions(uint64_t base, const cJSON *channel, const cJSON *member, const char *guild_id,
                                    const char *bot_id)
{
    if (base & DC_PERM_ADMINISTRATOR)
        return ~0ULL;
    const cJSON *overwrites = cJSON_GetObjectItemCaseSensitive(channel, "permission_overwrites");
    const cJSON *o;
    cJSON_ArrayForEach(o, overwrites)
    {
        const char *id = str_of(o, "id");
        if (id && strcmp(id, guild_id) == 0)
            base = (base & ~perms_of(o, "deny")) | perms_of(o, "allow");
    }
    uint64_t deny = 0, allow = 0;
    cJSON_ArrayForEach(o, overwrites)
    {
        const char *id = str_of(o, "id");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
        if (id && cJSON_IsNumber(type) && type->valueint == 0 && strcmp(id, guild_id) != 0 && member &&
            has_role(member, id)) {
            deny |= perms_of(o, "deny");
            allow |= perms_of(o, "allow");
        }
    }
    base = (base & ~deny) | allow;
    cJSON_ArrayForEach(o, overwrites)
    {
        const char *id = str_of(o, "id");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
        if (id && cJSON_IsNumber(type) && type->valueint == 1 && strcmp(id, bot_id) == 0)
            base = (base & ~perms_of(o, "deny")) | perms_of(o, "allow");
    }
    return base;
}

static bool can_post(const cJSON *guild, const cJSON *channel, const char *bot_id)
{
    const char *guild_id = str_of(guild, "id");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(channel, "type");
    if (!guild_id || !cJSON_IsNumber(type) || type->valueint != CHANNEL_GUILD_TEXT)
        return false;
    const cJSON *member = bot_member(guild, bot_id);
    uint64_t p = channel_permissions(base_permissions(guild, member, guild_id), channel, member, guild_id, bot_id);
    return (p & (PERM_VIEW_CHANNEL | PERM_SEND_MESSAGES)) == (PERM_VIEW_CHANNEL | PERM_SEND_MESSAGES);
}

int dc_intro_channel(const cJSON *guild, const char *bot_id, char *out, size_t outlen)
{
    const cJSON *channels = cJSON_GetObjectItemCaseSensitive(guild, "channels");
    const char *system = str_of(guild, "system_channel_id");
    const cJSON *c, *best = NULL;
    int best_position = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(c, channels)
    {
        const char *id = str_of(c, "id");
        if (!id || !can_post(guild, c, bot_id))
            continue;
        if (system && strcmp(id, system) == 0) {
            best = c; /* where Discord itself says hello to newcomers */
            break;
        }
        const cJSON *pos = cJSON_GetObjectItemCaseSensitive(c, "position");
        int position = cJSON_IsNumber(pos) ? pos->valueint : 0;
        if (!best || position < best_position) {
            best = c;
            best_position = position;
        }
    }
    if (!best)
        return -1;
    snprintf(out, outlen, "%s", str_of(best, "id"));
    return 0;
}

/* "2026-11-03T10:00:00.123+00:00" (always UTC from Discord) -> unix time, or -1. */
static int64_t iso_time(const char *s)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                     &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

/* Records the hello for the guild: true when it is new (nobody said it before). A state the host
 * cannot read counts as said: better no hello than the same hello twice. */
static bool remember_hello(discord *d, const char *key)
{
    char seen[8];
    if (tend_host_state_get(d->base.host, key, seen, sizeof seen) != 1)
        return false;
    /* recorded first: a hello that fails is not worth a second try, a hello said twice is */
    return tend_host_state_set(d->base.host, key, "1") == 0;
}

/* The language of the hello: the group's when tend knows the server already (it was here before),
 * else the server's own (preferred_locale, "es-ES") when tend speaks it, else English. The group's
 * first command starts it in that same language (bot/language.h, from the interaction's
 * guild_locale), so the hello and what follows agree. */
static void hello_language(discord *d, const char *group_key, const cJSON *guild, char *out, size_t outlen)
{
    if (tend_host_language(d->base.host, group_key, NULL, NULL, out, outlen) == 0)
        return;
    if (!tend_i18n_match(str_of(guild, "preferred_locale"), out, outlen))
        out[0] = '\0';
}

/* The hello goes straight to Discord, like Matrix's introduction: it is the adapter's own word, no
 * command's answer, and a lost one is not worth a resend. */
static int say_hello(discord *d, const cJSON *guild, const char *guild_id, const char *channel)
{
    char group_key[64], path[128], lang[TEND_LANG_MAX];
    snprintf(group_key, sizeof group_key, "discord:%s", guild_id);
    snprintf(path, sizeof path, "/channels/%s/messages", channel);
    hello_language(d, group_key, guild, lang, sizeof lang);
    tend_messages out;
    tend_messages_init(&out);
    tend_message *m = tend_messages_add_lang(&out, lang, TEND_TO_PUBLIC, group_key, NULL, NULL, "intro",
                                             MSG_DISCORD_INTRO);
    char *body = m ? dc_json_take(dc_render_message(m, false)) : NULL;
    int rc = body ? dc_rest_send(d->rest, 0, "POST", path, body, NULL, NULL) : -1;
    free(body);
    tend_messages_clear(&out);
    return rc;
}

void dc_intro_on_guild_create(discord *d, const cJSON *guild)
{
    const char *guild_id = str_of(guild, "id");
    int64_t joined = iso_time(str_of(guild, "joined_at"));
    if (!guild_id || !d->bot_user_id[0] || joined < 0 ||
        tend_host_now(d->base.host) - joined > JOINED_RECENTLY)
        return;
    char key[64], channel[64];
    snprintf(key, sizeof key, "intro:%s", guild_id);
    if (!remember_hello(d, key))
        return;
    if (dc_intro_channel(guild, d->bot_user_id, channel, sizeof channel) != 0)
        tend_log(TEND_LOG_INFO, "discord", "joined a server where I may not post: no hello");
    else if (say_hello(d, guild, guild_id, channel) != 0)
        tend_log(TEND_LOG_WARN, "discord", "could not say hello in a server just joined");
}
