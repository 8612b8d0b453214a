/*
 * mix.h — the interactions the load driver sends, and the ids the driver and the seeding tool agree
 * on (so a seeded member is the member who presses the button).
 */
#ifndef TEND_BENCH_MIX_H
#define TEND_BENCH_MIX_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_APP_ID "100000000000000001"
#define BENCH_GUILD_BASE 1000000000000000000ULL    /* guild g:          BASE + g */
#define BENCH_CHANNEL_BASE 1100000000000000000ULL  /* its channel:      BASE + g */
#define BENCH_USER_BASE 1200000000000000000ULL     /* member u (global): BASE + u */
#define BENCH_DM_BASE 1300000000000000000ULL       /* DM channel of u:   BASE + u */
#define BENCH_INTERACTION_BASE 9000000000000000000ULL
#define BENCH_MESSAGE_BASE 1400000000000000000ULL  /* the message a pressed button is on */
/* Interaction tokens are "tok<seq>." and this: as long as Discord's (about 190 characters), so
 * tend's paths, keys and hashes carry their real weight. */
#define BENCH_TOKEN_TAIL                                                                            \
    "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OkJlbmNoVG9rZW5Ob3RBU2VjcmV0LkJlbmNoVG9rZW5Ob3RBU2Vj"   \
    "cmV0LkJlbmNoVG9rZW5Ob3RBU2VjcmV0LkJlbmNoVG9rZW5Ob3RBU2VjcmV0LkJlbmNo"

typedef struct mix_shape {
    uint64_t guilds;
    uint64_t members_per_guild;
    int task_lo, task_hi;   /* the open tasks of every guild are numbered task_lo..task_hi */
    uint64_t id_base;       /* interaction ids are id_base + seq: unique per run, as tend
                               remembers answered ids in the database                      */
} mix_shape;

typedef struct mix_state mix_state;

/* A repeatable generator (fixed seed). NULL on OOM. */
mix_state *mix_create(const mix_shape *shape, uint64_t seed);
void mix_destroy(mix_state *m);
/* Writes the gateway payload of interaction number `seq` (also the gateway sequence number) into
 * buf; its length, or 0 when it did not fit. kind_out names the kind ("claim", "button", ...). */
size_t mix_next(mix_state *m, uint64_t seq, char *buf, size_t buflen, const char **kind_out);
/* The same payload for a fixed guild and member: a /tasks board (the start-up probe). */
size_t mix_tasks_for(uint64_t seq, uint64_t guild, uint64_t member, const mix_shape *shape, char *buf,
                     size_t buflen);

#endif
