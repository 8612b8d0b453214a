/*
 * interactions.c — a Discord event as the bot's request. Pure decoding: no I/O, no store.
 *
 * A slash command becomes the text a member would type on the console ("task add \"Soup run\"
 * slots:2"), user options become member references, and everything a member typed is cleaned of
 * control characters first, so only this file can put reference markers into the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "bot/reply.h"

#define TEXT_MAX 4000 /* bytes of one option value kept; Discord allows 6000 in all */

static const char *str_at(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void dc_event_free(dc_event *ev)
{
    if (!ev)
        return;
    free(ev->id);
    free(ev->token);
    free(ev->guild_id);
    free(ev->channel_id);
    free(ev->user_id);
    free(ev->user_name);
    free(ev->group_key);
    free(ev->text);
    free(ev->focused);
    free(ev->focused_option);
    free(ev->locale);
    free(ev->guild_locale);
    for (size_t i = 0; i < ev->n_refs; i++) {
        free((char *)ev->refs[i].member_key);
        free((char *)ev->refs[i].name);
    }
    memset(ev, 0, sizeof *ev);
}

static int append(char **text, size_t *len, const char *s, size_t n)
{
    char *grown = realloc(*text, *len + n + 1);
    if (!grown)
        return -1;
    memcpy(grown + *len, s, n);
    *len += n;
    grown[*len] = '\0';
    *text = grown;
    return 0;
}

/* Quoted when it holds a space, a quote, a backslash or a colon (so a title "when:later" stays a
 * title and is never read as an option), or is empty. */
static bool needs_quotes(const char *v)
{
    return !*v || strpbrk(v, " \t\n\"\\:") != NULL;
}

int dc_text_append_word(char **text, size_t *len, const char *value)
{
    if (*len > 0 && append(text, len, " ", 1) != 0)
        return -1;
    if (!needs_quotes(value))
        return append(text, len, value, strlen(value));
    if (append(text, len, "\"", 1) != 0)
        return -1;
    for (const char *p = value; *p; p++) {
        if ((*p == '"' || *p == '\\') && append(text, len, "\\", 1) != 0)
            return -1;
        if (append(text, len, p, 1) != 0)
            return -1;
    }
    return append(text, len, "\"", 1);
}

/* member.nick, else user.global_name, else user.username. */
static const char *display_name(const cJSON *member, const cJSON *user)
{
    const char *n = str_at(member, "nick");
    if (!n || !*n)
        n = str_at(user, "global_name");
    if (!n || !*n)
        n = str_at(user, "username");
    return n && *n ? n : "someone";
}

static int fill_invoker(const cJSON *member, const cJSON *user, dc_event *ev)
{
    const char *id = str_at(user, "id");
    if (!id || !*id)
        return -1;
    ev->user_id = strdup(id);
    ev->user_name = tend_text_clean(display_name(member, user), 128);
    const char *perms = str_at(member, "permissions");
    unsigned long long p = perms ? strtoull(perms, NULL, 10) : 0;
    ev->is_coordinator = (p & (DC_PERM_MANAGE_GUILD | DC_PERM_ADMINISTRATOR)) != 0;
    return ev->user_id && ev->user_name ? 0 : -1;
}

static int add_ref(dc_event *ev, const char *user_id, const char *name, char **text, size_t *len)
{
    if (ev->n_refs == DC_MAX_REFS)
        return -1;
    size_t i = ev->n_refs;
    ev->refs[i].member_key = strdup(user_id);
    ev->refs[i].name = tend_text_clean(name, 128);
    if (!ev->refs[i].member_key || !ev->refs[i].name) {
        free((char *)ev->refs[i].member_key);
        free((char *)ev->refs[i].name);
        return -1;
    }
    ev->n_refs++;
    char marker[16];
    snprintf(marker, sizeof marker, " \x1E%zu\x1F", i);
    return append(text, len, marker + (*len == 0), strlen(marker + (*len == 0)));
}

/* The name Discord resolved for a user option. */
static const char *resolved_name(const cJSON *data, const char *user_id)
{
    const cJSON *resolved = cJSON_GetObjectItemCaseSensitive(data, "resolved");
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(resolved, "members"), user_id);
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(resolved, "users"), user_id);
    return display_name(member, user);
}

/* One option into the text, as commands.c says it goes. */
static int add_option(dc_event *ev, const cJSON *data, const char *cmd, const char *sub,
                      const cJSON *opt, char **text, size_t *len)
{
    const char *name = str_at(opt, "name");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(opt, "type");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(opt, "value");
    if (!name || !cJSON_IsNumber(type) || !value)
        return 0; /* nothing usable: the bot will ask for what is missing */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opt, "focused")) && cJSON_IsString(value) &&
        !ev->focused) {
        ev->focused = tend_text_clean(value->valuestring, 100);
        ev->focused_option = tend_text_clean(name, 32);
    }
    dc_opt_mode mode = dc_commands_option_mode(cmd, sub, name);
    if (type->valueint == 6 && cJSON_IsString(value)) {
        if (mode == DC_OPT_NAMED && (append(text, len, " ", 1) != 0 ||
                                     append(text, len, name, strlen(name)) != 0 ||
                                     append(text, len, ":", 1) != 0))
            return -1;
        size_t at = *len;
        int rc = add_ref(ev, value->valuestring, resolved_name(data, value->valuestring), text, len);
        if (rc == 0 && mode == DC_OPT_NAMED && at > 0 && (*text)[at] == ' ')
            memmove(*text + at, *text + at + 1, *len - at), (*len)--; /* key:<ref>, no space */
        return rc;
    }
    char buf[64];
    char *owned = NULL;
    const char *v;
    if (cJSON_IsString(value)) {
        owned = tend_text_clean(value->valuestring, TEXT_MAX);
        if (!owned)
            return -1;
        v = owned;
    } else if (cJSON_IsNumber(value)) {
        snprintf(buf, sizeof buf, "%.15g", value->valuedouble);
        v = buf;
    } else if (cJSON_IsBool(value)) {
        v = cJSON_IsTrue(value) ? "true" : "false";
    } else {
        return 0;
    }
    int rc;
    if (mode == DC_OPT_RAW) {
        rc = (*len ? append(text, len, " ", 1) : 0) || append(text, len, v, strlen(v)) ? -1 : 0;
    } else if (mode == DC_OPT_NAMED) {
        char *word = NULL;
        size_t wlen = 0;
        rc = dc_text_append_word(&word, &wlen, v);
        if (rc == 0)
            rc = append(text, len, " ", 1) || append(text, len, name, strlen(name)) ||
                         append(text, len, ":", 1) || append(text, len, word, wlen)
                     ? -1
                     : 0;
        free(word);
    } else {
        rc = dc_text_append_word(text, len, v);
    }
    free(owned);
    return rc;
}

/* "task add \"Soup run\" slots:2" from data {name, options}. */
static int build_command_text(dc_event *ev, const cJSON *data, char *err, size_t errlen)
{
    const char *cmd = str_at(data, "name");
    if (!cmd) {
        snprintf(err, errlen, "interaction without a command name");
        return -1;
    }
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(data, "options");
    const char *sub = NULL;
    const cJSON *first = cJSON_GetArrayItem(opts, 0);
    const cJSON *ftype = cJSON_GetObjectItemCaseSensitive(first, "type");
    if (cJSON_IsNumber(ftype) && ftype->valueint == 1) { /* a subcommand holds the options */
        sub = str_at(first, "name");
        opts = cJSON_GetObjectItemCaseSensitive(first, "options");
    }
    const char *prefix = dc_commands_lookup(cmd, sub);
    char *clean = NULL;
    if (!prefix) { /* unknown to us: let the bot say it does not know it */
        clean = tend_text_clean(cmd, 64);
        prefix = clean;
    }
    size_t len = 0;
    char *text = NULL;
    int rc = prefix ? append(&text, &len, prefix, strlen(prefix)) : -1;
    free(clean);
    const cJSON *opt;
    cJSON_ArrayForEach(opt, opts)
    {
        if (rc != 0)
            break;
        rc = add_option(ev, data, cmd, sub, opt, &text, &len);
    }
    if (rc != 0) {
        free(text);
        snprintf(err, errlen, "out of memory or too many members named");
        return -1;
    }
    ev->text = text;
    return 0;
}

static void fill_request(dc_event *ev)
{
    ev->req.group_key = ev->group_key;
    ev->req.channel_key = ev->channel_id;
    ev->req.member_key = ev->user_id;
    ev->req.member_name = ev->user_name;
    ev->req.is_coordinator = ev->is_coordinator;
    /* a slash command or a button is seen by the member and the bot alone (answers to it are
     * ephemeral); a message that mentions tend sits in the channel for everyone */
    ev->req.place = ev->kind == DC_EVENT_MENTION ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE;
    ev->req.text = ev->text;
    ev->req.refs = ev->refs;
    ev->req.n_refs = ev->n_refs;
    ev->req.event_id = ev->id; /* snowflakes are unique across interactions and messages */
    ev->req.locale = ev->locale;
    ev->req.guild_locale = ev->guild_locale;
}

/* `dm_guild`: the guild a button in a DM belongs to (from its custom_id), else NULL. */
const char *dc_custom_id_command(const char *after_prefix, char *guild, size_t guildlen)
{
    size_t n = strspn(after_prefix, "0123456789");
    guild[0] = '\0';
    if (after_prefix[n] != ':')
        return after_prefix; /* "tend:<command>", from before the guild was carried */
    if (n > 0 && n < guildlen)
        snprintf(guild, guildlen, "%.*s", (int)n, after_prefix);
    return after_prefix + n + 1;
}

static int common_fields(const cJSON *d, dc_event *ev, const char *dm_guild, char *err, size_t errlen)
{
    const char *guild = str_at(d, "guild_id");
    const char *channel = str_at(d, "channel_id");
    if (!guild)
        guild = dm_guild;
    if (!guild || !channel) {
        snprintf(err, errlen, "not in a server channel");
        return -1;
    }
    ev->guild_id = strdup(guild);
    ev->channel_id = strdup(channel);
    /* what the member's and the server's Discord is set to ("es-ES"): the bot answers a member who
     * never chose a language in theirs; a short code, so cut anything longer */
    const char *locale = str_at(d, "locale"), *guild_locale = str_at(d, "guild_locale");
    ev->locale = locale ? tend_text_clean(locale, 15) : NULL;
    ev->guild_locale = guild_locale ? tend_text_clean(guild_locale, 15) : NULL;
    size_t n = strlen(guild) + sizeof "discord:";
    ev->group_key = malloc(n);
    if (ev->group_key)
        snprintf(ev->group_key, n, "discord:%s", guild);
    if (!ev->guild_id || !ev->channel_id || !ev->group_key) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int dc_event_from_interaction(const cJSON *d, dc_event *ev, char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "type");
    const char *id = str_at(d, "id");
    const char *token = str_at(d, "token");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(d, "data");
    if (!cJSON_IsNumber(type) || !id || !token || !cJSON_IsObject(data)) {
        snprintf(err, errlen, "interaction without id, token, type or data");
        return -1;
    }
    if (type->valueint == 2)
        ev->kind = DC_EVENT_COMMAND;
    else if (type->valueint == 3)
        ev->kind = DC_EVENT_BUTTON;
    else if (type->valueint == 4)
        ev->kind = DC_EVENT_AUTOCOMPLETE;
    else {
        snprintf(err, errlen, "interaction type %d is not for tend", type->valueint);
        return -1;
    }
    ev->id = strdup(id);
    ev->token = strdup(token);
    char dm_guild[32] = "";
    const char *command = NULL;
    if (ev->kind == DC_EVENT_BUTTON) {
        const char *custom = str_at(data, "custom_id");
        size_t plen = strlen(DC_CUSTOM_ID_PREFIX);
        if (!custom || strncmp(custom, DC_CUSTOM_ID_PREFIX, plen) != 0) {
            snprintf(err, errlen, "a button that is not tend's");
            goto fail;
        }
        command = dc_custom_id_command(custom + plen, dm_guild, sizeof dm_guild);
    }
    if (!ev->id || !ev->token || common_fields(d, ev, dm_guild[0] ? dm_guild : NULL, err, errlen) != 0)
        goto fail;
    /* in a server the invoker is `member` (with permissions); in a DM only `user` */
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(d, "member");
    const cJSON *user = member ? cJSON_GetObjectItemCaseSensitive(member, "user")
                               : cJSON_GetObjectItemCaseSensitive(d, "user");
    if (fill_invoker(member, user, ev) != 0) {
        snprintf(err, errlen, "interaction without a member");
        goto fail;
    }
    if (command) {
        ev->text = tend_text_clean(command, 100);
        if (!ev->text)
            goto fail;
    } else if (build_command_text(ev, data, err, errlen) != 0) {
        goto fail;
    }
    fill_request(ev);
    return 0;
fail:
    dc_event_free(ev);
    return -1;
}

/* "<@123>" or "<@!123>" at p: the id's length and where the mention ends, or 0. */
static size_t mention_at(const char *p, const char **id, size_t *idlen)
{
    if (p[0] != '<' || p[1] != '@')
        return 0;
    const char *s = p + 2 + (p[2] == '!');
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 24 || s[n] != '>')
        return 0;
    *id = s;
    *idlen = n;
    return (size_t)(s + n + 1 - p);
}

static const cJSON *mentioned_user(const cJSON *d, const char *id, size_t idlen)
{
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(d, "mentions"))
    {
        const char *uid = str_at(u, "id");
        if (uid && strlen(uid) == idlen && strncmp(uid, id, idlen) == 0)
            return u;
    }
    return NULL;
}

int dc_event_from_message(const cJSON *d, const char *bot_user_id, dc_event *ev, char *err,
                          size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    const char *content = str_at(d, "content");
    const cJSON *author = cJSON_GetObjectItemCaseSensitive(d, "author");
    if (!content || !author || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(author, "bot")) ||
        !bot_user_id || !*bot_user_id)
        return 0;
    const char *p = content;
    while (*p == ' ')
        p++;
    const char *id;
    size_t idlen, n = mention_at(p, &id, &idlen);
    if (n == 0 || idlen != strlen(bot_user_id) || strncmp(id, bot_user_id, idlen) != 0)
        return 0;
    p += n;
    while (*p == ' ')
        p++;
    ev->kind = DC_EVENT_MENTION;
    const char *msg_id = str_at(d, "id");
    ev->id = dup_or_null(msg_id);
    if (!ev->id || common_fields(d, ev, NULL, err, errlen) != 0)
        goto fail;
    if (fill_invoker(cJSON_GetObjectItemCaseSensitive(d, "member"), author, ev) != 0) {
        snprintf(err, errlen, "message without an author");
        goto fail;
    }
    ev->is_coordinator = false; /* a message carries no permissions: coordinators use slash commands */
    char *clean = tend_text_clean(p, TEXT_MAX);
    if (!clean)
        goto fail;
    /* other members mentioned in the text become references; anything else stays inert text */
    size_t len = 0;
    char *text = calloc(1, 1);
    int rc = text ? 0 : -1;
    for (const char *s = clean; *s && rc == 0;) {
        const cJSON *u;
        size_t m = mention_at(s, &id, &idlen);
        if (m && (u = mentioned_user(d, id, idlen)) != NULL) {
            char uid[32];
            snprintf(uid, sizeof uid, "%.*s", (int)idlen, id);
            const cJSON *mm = cJSON_GetObjectItemCaseSensitive(u, "member");
            rc = add_ref(ev, uid, display_name(mm, u), &text, &len);
            s += m;
            continue;
        }
        rc = append(&text, &len, s, 1);
        s++;
    }
    free(clean);
    if (rc != 0) {
        free(text);
        snprintf(err, errlen, "out of memory or too many members named");
        goto fail;
    }
    ev->text = text;
    fill_request(ev);
    return 1;
fail:
    dc_event_free(ev);
    return -1;
}
