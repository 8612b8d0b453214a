/* complete.c — which tasks autocomplete offers: a product decision, so it lives here, not in an adapter. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bot/bot.h"

typedef struct {
    const char *typed;
    tend_choice *out;
    size_t n, max;
} choices;

static int add_choice(const tend_task *t, void *ud)
{
    choices *c = ud;
    if (t->state != TEND_TASK_OPEN)
        return 0;
    char name[TEND_TITLE_MAX + 16];
    snprintf(name, sizeof name, "#%d %s", t->number, t->title);
    if (c->typed && *c->typed && !strcasestr(name, c->typed))
        return 0;
    tend_choice *ch = &c->out[c->n];
    size_t cut = sizeof ch->name - 1; /* shortened on a UTF-8 boundary */
    while (strlen(name) > cut && cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
        cut--;
    if (strlen(name) > cut)
        name[cut] = '\0';
    memcpy(ch->name, name, strlen(name) + 1);
    snprintf(ch->value, sizeof ch->value, "%d", t->number);
    return ++c->n == c->max;
}

/* Commands about a task the member already holds offer only those. */
static bool about_own_task(const char *command)
{
    static const char *const own[] = {"done", "unclaim", "handoff", NULL};
    for (size_t i = 0; command && own[i]; i++)
        if (strcasecmp(command, own[i]) == 0)
            return true;
    return false;
}

size_t tend_bot_complete(const tend_env *env, const char *group_key, const char *member_key, const char *command,
                         const char *typed, tend_choice *out, size_t max)
{
    choices c = {typed, out, 0, max};
    tend_group g;
    if (max == 0 || !group_key || tend_store_group_get(env->store, group_key, &g) != TEND_STORE_OK)
        return 0;
    if (about_own_task(command)) {
        tend_member m;
        if (member_key && tend_store_member_get(env->store, g.id, member_key, &m) == TEND_STORE_OK)
            tend_store_tasks_each(env->store, g.id, TEND_TASKS_MINE, m.id, 0, add_choice, &c);
    } else {
        tend_store_tasks_each(env->store, g.id, TEND_TASKS_OPEN, 0, 0, add_choice, &c);
    }
    return c.n;
}
