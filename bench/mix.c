/*
 * mix.c — a realistic, repeatable mix of Discord interactions for the load driver.
 *
 * Weights (out of 100): /tasks 20, autocomplete on a task option 20, /claim 15, /checkin 15,
 * /done 10, /thanks 10, a button press 10 (half "Claim", half a check-in one-tap). A member's /done
 * names the task they last claimed, so done really finishes work instead of always being refused.
 */
#include "bench/mix.h"

#include <stdio.h>
#include <stdlib.h>

struct mix_state {
    mix_shape shape;
    uint64_t rng;
    int *last_claimed; /* per member (global index): the task number, 0 = none */
};

static uint64_t next_rand(mix_state *m)
{
    /* xorshift64*: fast and repeatable */
    m->rng ^= m->rng >> 12;
    m->rng ^= m->rng << 25;
    m->rng ^= m->rng >> 27;
    return m->rng * 2685821657736338717ULL;
}

mix_state *mix_create(const mix_shape *shape, uint64_t seed)
{
    mix_state *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->shape = *shape;
    m->rng = seed ? seed : 88172645463325252ULL;
    m->last_claimed = calloc(shape->guilds * shape->members_per_guild, sizeof *m->last_claimed);
    if (!m->last_claimed) {
        free(m);
        return NULL;
    }
    return m;
}

void mix_destroy(mix_state *m)
{
    if (!m)
        return;
    free(m->last_claimed);
    free(m);
}

static size_t wrap(char *buf, size_t buflen, uint64_t id_base, uint64_t seq, int type, uint64_t guild, uint64_t user,
                   const char *data, const char *message)
{
    int n = snprintf(buf, buflen,
                     "{\"op\":0,\"s\":%llu,\"t\":\"INTERACTION_CREATE\",\"d\":{\"id\":\"%llu\","
                     "\"application_id\":\"" BENCH_APP_ID "\",\"type\":%d,\"token\":\"tok%llu." BENCH_TOKEN_TAIL "\","
                     "\"version\":1,\"guild_id\":\"%llu\",\"channel_id\":\"%llu\","
                     /* the fields Discord sends with every interaction today (client libraries
                      * such as discord.js read them unconditionally) */
                     "\"guild\":{\"id\":\"%llu\",\"locale\":\"en-US\",\"features\":[]},"
                     "\"guild_locale\":\"en-US\",\"entitlements\":[],\"entitlement_sku_ids\":[],"
                     "\"authorizing_integration_owners\":{\"0\":\"%llu\"},\"context\":0,"
                     "\"attachment_size_limit\":26214400,"
                     "\"member\":{\"user\":"
                     "{\"id\":\"%llu\",\"username\":\"m%llu\",\"global_name\":\"Member %llu\","
                     "\"discriminator\":\"0\",\"avatar\":null,\"public_flags\":0},"
                     "\"nick\":null,\"avatar\":null,\"roles\":[],\"joined_at\":\"2026-01-01T00:00:00.000000+00:00\","
                     "\"premium_since\":null,\"deaf\":false,\"mute\":false,\"pending\":false,\"flags\":0,"
                     "\"permissions\":\"2048\"},\"app_permissions\":\"2048\","
                     "\"locale\":\"en-US\",%s\"data\":%s}}",
                     (unsigned long long)seq, (unsigned long long)(id_base + seq), type,
                     (unsigned long long)seq, (unsigned long long)(BENCH_GUILD_BASE + guild),
                     (unsigned long long)(BENCH_CHANNEL_BASE + guild), (unsigned long long)(BENCH_GUILD_BASE + guild),
                     (unsigned long long)(BENCH_GUILD_BASE + guild),
                     (unsigned long long)(BENCH_USER_BASE + user), (unsigned long long)user,
                     (unsigned long long)user, message ? message : "", data);
    return n > 0 && (size_t)n < buflen ? (size_t)n : 0;
}

size_t mix_tasks_for(uint64_t seq, uint64_t guild, uint64_t member, const mix_shape *shape, char *buf,
                     size_t buflen)
{
    return wrap(buf, buflen, shape->id_base, seq, 2, guild, guild * shape->members_per_guild + member,
                "{\"id\":\"1\",\"name\":\"tasks\",\"type\":1}", NULL);
}

size_t mix_next(mix_state *m, uint64_t seq, char *buf, size_t buflen, const char **kind_out)
{
    const mix_shape *s = &m->shape;
    uint64_t guild = next_rand(m) % s->guilds;
    uint64_t k = next_rand(m) % s->members_per_guild;
    uint64_t user = guild * s->members_per_guild + k;
    int span = s->task_hi - s->task_lo + 1;
    int task = s->task_lo + (int)(next_rand(m) % (uint64_t)(span > 0 ? span : 1));
    unsigned roll = (unsigned)(next_rand(m) % 100);
    static const char *const energies[] = {"great", "ok", "ok", "low"};
    char data[768], message[1280] = "";
    int type = 2;
    const char *kind;
    if (roll < 20) {
        kind = "tasks";
        snprintf(data, sizeof data, "{\"id\":\"1\",\"name\":\"tasks\",\"type\":1%s}",
                 roll % 2 ? ",\"options\":[{\"name\":\"filter\",\"type\":3,\"value\":\"open\"}]" : "");
    } else if (roll < 40) {
        kind = "autocomplete";
        type = 4;
        snprintf(data, sizeof data,
                 "{\"id\":\"1\",\"name\":\"claim\",\"type\":1,\"options\":[{\"name\":\"task\",\"type\":3,"
                 "\"value\":\"%s\",\"focused\":true}]}",
                 roll % 2 ? "" : "so");
    } else if (roll < 55) {
        kind = "claim";
        m->last_claimed[user] = task;
        snprintf(data, sizeof data,
                 "{\"id\":\"1\",\"name\":\"claim\",\"type\":1,\"options\":[{\"name\":\"task\",\"type\":3,"
                 "\"value\":\"%d\"}]}",
                 task);
    } else if (roll < 70) {
        kind = "checkin";
        snprintf(data, sizeof data,
                 "{\"id\":\"1\",\"name\":\"checkin\",\"type\":1,\"options\":[{\"name\":\"energy\",\"type\":3,"
                 "\"value\":\"%s\"}]}",
                 energies[roll % 4]);
    } else if (roll < 80) {
        kind = "done";
        int mine = m->last_claimed[user] ? m->last_claimed[user] : task;
        m->last_claimed[user] = 0;
        snprintf(data, sizeof data,
                 "{\"id\":\"1\",\"name\":\"done\",\"type\":1,\"options\":[{\"name\":\"task\",\"type\":3,"
                 "\"value\":\"%d\"},{\"name\":\"note\",\"type\":3,\"value\":\"all delivered\"}]}",
                 mine);
    } else if (roll < 90) {
        kind = "thanks";
        uint64_t other = guild * s->members_per_guild + (k + 1) % s->members_per_guild;
        unsigned long long oid = (unsigned long long)(BENCH_USER_BASE + other);
        snprintf(data, sizeof data,
                 "{\"id\":\"1\",\"name\":\"thanks\",\"type\":1,\"options\":[{\"name\":\"member\",\"type\":6,"
                 "\"value\":\"%llu\"},{\"name\":\"for\",\"type\":3,\"value\":\"the soup run\"}],"
                 "\"resolved\":{\"users\":{\"%llu\":{\"id\":\"%llu\",\"username\":\"m%llu\","
                 "\"global_name\":\"Member %llu\"}},\"members\":{\"%llu\":{\"nick\":null}}}}",
                 oid, oid, oid, (unsigned long long)other, (unsigned long long)other, oid);
    } else {
        kind = "button";
        type = 3;
        if (roll % 2) {
            m->last_claimed[user] = task;
            snprintf(data, sizeof data, "{\"custom_id\":\"tend:claim %d\",\"component_type\":2}", task);
        } else {
            snprintf(data, sizeof data, "{\"custom_id\":\"tend:checkin great\",\"component_type\":2}");
        }
        /* a button press carries the message the button is on, as Discord sends it */
        snprintf(message, sizeof message,
                 "\"message\":{\"id\":\"%llu\",\"channel_id\":\"%llu\",\"type\":0,\"content\":\"%s\","
                 "\"author\":{\"id\":\"100000000000000002\",\"username\":\"tend\",\"discriminator\":\"0\","
                 "\"global_name\":null,\"avatar\":null,\"bot\":true,\"public_flags\":0},"
                 "\"timestamp\":\"2026-01-05T18:00:00.000000+00:00\",\"edited_timestamp\":null,\"tts\":false,"
                 "\"mention_everyone\":false,\"mentions\":[],\"mention_roles\":[],\"attachments\":[],"
                 "\"embeds\":[],\"pinned\":false,\"flags\":0,\"application_id\":\"" BENCH_APP_ID "\","
                 "\"components\":[{\"type\":1,\"id\":1,\"components\":[{\"type\":2,\"id\":2,\"style\":1,"
                 "\"label\":\"%s\",\"custom_id\":\"%s\"}]}]},",
                 (unsigned long long)(BENCH_MESSAGE_BASE + seq), (unsigned long long)(BENCH_CHANNEL_BASE + guild),
                 roll % 2 ? "A new task needs hands: #12 Soup run. Tap to claim it." :
                            "Weekly check-in \xF0\x9F\x8C\xB1 How is everyone doing this week?",
                 roll % 2 ? "Claim" : "Great", roll % 2 ? "tend:claim 12" : "tend:checkin great");
    }
    if (kind_out)
        *kind_out = kind;
    return wrap(buf, buflen, s->id_base, seq, type, guild, user, data, message[0] ? message : NULL);
}
