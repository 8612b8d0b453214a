/*
 * seen.c — the interactions this run has seen (when each arrived, whether its callback went, a
 * deferral's state), so their answers know which way to go (dispatch.c), and the verdict of a
 * command the host ran later (handled()). Forgotten after the follow-up window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/discord/internal.h"


uint64_t dc_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

dc_seen *dc_seen_find(discord *d, const char *id)
{
    uint64_t h = dc_hash_text(id);
    for (dc_hnode *n = dc_hmap_first(&d->interactions, h); n; n = n->next)
        if (n->hash == h && strcmp(((dc_seen *)n)->id, id) == 0)
            return (dc_seen *)n;
    return NULL;
}

/* Drops what is past the follow-up window; cheap because it runs only when the map has grown. */
static void seen_prune(discord *d, uint64_t now)
{
    if (d->interactions.count < 1024 || d->interactions.count < 2 * d->interactions_pruned_at)
        return;
    for (size_t i = 0; i < d->interactions.n_slots; i++) {
        dc_hnode *n = d->interactions.slots[i];
        while (n) {
            dc_hnode *next = n->next;
            if (now - ((dc_seen *)n)->arrived_ms > DC_FOLLOWUP_WINDOW_MS) {
                dc_hmap_remove(&d->interactions, n);
                free(n);
            }
            n = next;
        }
    }
    d->interactions_pruned_at = d->interactions.count;
}

/* Remembers that the interaction arrived at `arrived` (ms); false when it was known already (or
 * memory ran out). */
bool dc_seen_add(discord *d, const char *id, uint64_t arrived)
{
    seen_prune(d, dc_wall_ms());
    if (dc_seen_find(d, id))
        return false;
    dc_seen *s = calloc(1, sizeof *s);
    if (!s)
        return false; /* its answers then take the late path: a DM or a channel post, still delivered */
    snprintf(s->id, sizeof s->id, "%s", id);
    s->arrived_ms = arrived;
    s->node.hash = dc_hash_text(s->id);
    if (dc_hmap_insert(&d->interactions, &s->node) != 0) {
        free(s);
        return false;
    }
    return true;
}

void dc_seen_forget(discord *d, const char *id)
{
    dc_seen *s = dc_seen_find(d, id);
    if (s) {
        dc_hmap_remove(&d->interactions, &s->node);
        free(s);
    }
}

void dc_dispatch_handled(discord *d, const char *reply_to, int rc)
{
    char id[32];
    if (!d || rc != TEND_HOST_DUPLICATE || !reply_to || sscanf(reply_to, "i:%31[^:]:", id) != 1)
        return;
    /* as run_command (dispatch.c) does for a host that answers at once: a replay's answers still waiting go by
     * their own age. Only an entry this replay made, before anything was sent for it. */
    dc_seen *seen = dc_seen_find(d, id);
    if (seen && seen->fresh && !seen->acked && !seen->answering)
        dc_seen_forget(d, id);
}
