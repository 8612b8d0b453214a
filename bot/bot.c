/* bot.c — the product as one object: settings, store and clock, wired to the router and scheduler. */
#include "bot/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/names.h"
#include "bot/ratelimit.h"
#include "bot/words.h"
#include "bot/router.h"
#include "bot/scheduler.h"

struct tend_bot {
    tend_settings settings;
    tend_env env;
    tend_ratelimit *limits;
};

/* A group may send ten members' worth of commands a minute: room for a busy evening, not a flood. */
#define GROUP_BUDGET_FACTOR 10


tend_bot *tend_bot_create(tend_store *store, tend_clock *clock, const tend_settings *settings)
{
    tend_bot *bot = calloc(1, sizeof *bot);
    if (!bot)
        return NULL;
    if (settings)
        bot->settings = *settings;
    else
        tend_settings_defaults(&bot->settings);
    bot->env.store = store;
    bot->env.clock = clock;
    bot->env.settings = &bot->settings;
    int per_member = bot->settings.commands_per_minute;
    bot->limits = tend_ratelimit_create(per_member, per_member > 0 ? per_member * GROUP_BUDGET_FACTOR : 0);
    if (!bot->limits) {
        free(bot);
        return NULL;
    }
    return bot;
}

void tend_bot_destroy(tend_bot *bot)
{
    if (!bot)
        return;
    tend_ratelimit_destroy(bot->limits);
    free(bot);
    tend_words_cleanup();
    tend_names_cleanup();
}

int tend_bot_serve_platforms(tend_bot *bot, const char *const *names, size_t n)
{
    if (n > TEND_MAX_PLATFORMS)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) >= sizeof bot->env.platforms[i])
            return -1;
    for (size_t i = 0; i < n; i++)
        snprintf(bot->env.platforms[i], sizeof bot->env.platforms[i], "%s", names[i]);
    bot->env.n_platforms = n;
    return 0;
}

bool tend_env_serves(const tend_env *env, const char *group_key)
{
    if (env->n_platforms == 0)
        return true;
    const char *colon = strchr(group_key, ':');
    size_t len = colon ? (size_t)(colon - group_key) : strlen(group_key);
    for (size_t i = 0; i < env->n_platforms; i++) {
        const char *p = env->platforms[i];
        if (strchr(p, ':') ? strcmp(p, group_key) == 0 : strlen(p) == len && strncmp(p, group_key, len) == 0)
            return true;
    }
    return false;
}

void tend_bot_use_outbox(tend_bot *bot)
{
    bot->env.outbox = true;
}

const tend_env *tend_bot_env(const tend_bot *bot)
{
    return &bot->env;
}

int tend_bot_handle(tend_bot *bot, const tend_request *req, tend_messages *out)
{
    return tend_bot_handle_request(&bot->env, bot->limits, req, out);
}

int tend_bot_tick(tend_bot *bot, tend_messages *out)
{
    return tend_scheduler_tick(&bot->env, tend_clock_now(bot->env.clock), out);
}

int64_t tend_bot_next_due(tend_bot *bot)
{
    return tend_scheduler_next_due(&bot->env, tend_clock_now(bot->env.clock));
}
