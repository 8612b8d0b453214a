/*
 * gateway.h — what the gateway's three files share; nothing else includes it but their unit tests.
 *
 *   shards.c      the set of shards: GET /gateway/bot, which shards run here, IDENTIFY buckets
 *                 (shard_id % max_concurrency, one IDENTIFY per bucket per 5 s), saving sequence
 *                 numbers once a second, an orderly stop
 *   gateway.c     one shard's session: hello, heartbeats, identify or resume, dispatches, what to
 *                 do after each kind of close, and the session kept in the store across restarts
 *   gateway_ws.c  one shard's socket: libwebsockets on the app's loop, names resolved with
 *                 uv_getaddrinfo, frames in and out, and a close frame the server really receives
 */
#ifndef TEND_DISCORD_GATEWAY_H
#define TEND_DISCORD_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "adapters/discord/internal.h"
#include "lib/json_arena.h"
#include "lib/zstream.h"

/* Close codes tend sends. Discord ends the session on 1000 and 1001 (the bot goes offline); any
 * other code, or a dropped socket, keeps it resumable for a few minutes. tend never sends 1000:
 * that would be for a bot being removed for good, and no command asks for that yet. */
typedef enum {
    DC_CLOSE_RECONNECT = 4000,  /* op 7, op 9, a zombie connection: tend reconnects at once     */
    DC_CLOSE_RESTARTING = 4900  /* tend stops and will be back: it resumes after its restart    */
} dc_close_code;

/* Discord counts 5 s between IDENTIFYs of one bucket as they arrive, and a refused one costs a
 * session start. The 500 ms more cover an earlier IDENTIFY that reached the gateway late: one TCP
 * retransmission (200 ms at least), or a gateway slow to read it (the test double's one loop,
 * busy with another shard's 2,500 GUILD_CREATEs, read one 150 ms late on a loaded machine). */
#define DC_IDENTIFY_GAP_MS 5500
/* How long tend waits for Discord's answer to its close frame before it drops the socket. */
#define DC_CLOSE_ANSWER_MS 1000
/* How often a shard's last sequence number is written to the store (and at every stop). */
#define DC_SEQ_SAVE_MS 1000

typedef struct dc_tx dc_tx;
typedef struct dc_shard dc_shard;

struct dc_shard {
    dc_gateway *gw;
    discord *d;
    int id;
    /* the socket (gateway_ws.c) */
    struct lws *wsi;            /* set once the websocket is established                   */
    bool connecting;            /* an attempt is under way: resolving, or lws connecting   */
    bool resolving;
    uv_getaddrinfo_t resolver;
    char host[256], address[64], path[600];
    int port;
    bool tls;
    char *rx;                   /* a payload arriving in fragments                          */
    size_t rx_len, rx_cap;
    bool rx_skip;
    tend_zstream *z;            /* the connection's zlib-stream (binary frames); made at the
                                   first connection, reset at each                          */
    dc_tx *tx_head;
    dc_send_window window;      /* 120 sends a minute per connection                       */
    int close_code;             /* the close frame this connection is to end with (0: none) */
    int close_wait_ms;          /* how long to wait for the server's answer to it          */
    int peer_close;             /* the code the server closed with                          */
    /* the session (gateway.c) */
    uv_timer_t heartbeat, later, send_later;
    bool handles_open;
    char session_id[128];
    char *resume_url;
    long long seq;              /* -1: nothing received yet                                 */
    long long saved_seq;        /* what the store holds                                     */
    uint64_t interval_ms;
    bool acked;
    bool hello;                 /* this connection got HELLO and sent IDENTIFY or RESUME    */
    int failures;               /* attempts since the last READY or RESUMED                 */
    uint64_t next_delay_ms;     /* set by whoever closed on purpose                         */
    bool have_delay;
    uint64_t dropped_at;
    bool up;                    /* READY or RESUMED, and not closed since (for /healthz)    */
    /* shards shared through leases (shards.c): whether this process runs the shard now */
    bool running;               /* held here (always, with a static range)                  */
    bool giving_back;           /* stopping in order, to hand its session to another process */
};

struct dc_gateway {
    discord *d;
    struct lws_context *ctx;
    void *foreign_loops[1];
    uv_timer_t retry, save, stop_wait;
    char *url;                  /* from GET /gateway/bot, or the config                     */
    int first, last, count;     /* the shards run here: first..last of count                */
    int max_concurrency;
    uint64_t *bucket_next;      /* per rate-limit key: the next slot to open a connection in */
    uint64_t *bucket_sent;      /* per rate-limit key: when its next IDENTIFY may be sent   */
    dc_shard *shards;           /* last - first + 1 of them                                 */
    int n_shards;
    tend_json_arena *payloads;  /* each payload is parsed here and dropped after its dispatch */
    uint64_t backoff_ms;        /* for GET /gateway/bot                                     */
    uint64_t commands_hash;     /* what this build registers; a stored session made by a
                                   build that registered other commands is not resumed     */
    bool stopping, stopped;
    bool shared;                /* shards held through leases, shared with other processes  */
};

/* ---------------------------------------------------------------- shards.c */

/* The shard a guild's events come on: (guild_id >> 22) % count. -1 when guild_id is not a
 * snowflake. */
int dc_shard_of_guild(const char *guild_id, int count);
/* Reserves the first IDENTIFY slot of shard_id's bucket at or after `earliest` (loop time, ms):
 * buckets are shard_id % max_concurrency and each allows one IDENTIFY per DC_IDENTIFY_GAP_MS.
 * Returns the slot's time. bucket_next has max_concurrency entries. */
uint64_t dc_identify_reserve(uint64_t *bucket_next, int max_concurrency, int shard_id, uint64_t earliest);
/* An IDENTIFY of shard_id left at `sent` (loop time, ms): the bucket's next slot is no sooner than
 * DC_IDENTIFY_GAP_MS after that. Discord counts from when it arrives, and a busy loop can write
 * an IDENTIFY later than its slot. */
void dc_identify_written(uint64_t *bucket_next, int max_concurrency, int shard_id, uint64_t sent);
/* Called by a shard whose connection ended while the gateway stops. */
void dc_gateway_shard_closed(dc_gateway *gw);
/* Called by a shard that was giving itself back once its connection ended: another process may
 * take it now (tend_host_share_given_back). */
void dc_gateway_shard_given_back(dc_shard *sh);

/* ---------------------------------------------------------------- gateway.c */

/* Sets up a shard (its timers on the loop). 0 or -1. */
int dc_shard_init(dc_shard *sh, dc_gateway *gw, int id);
/* The session the store holds for this shard, when it was made with the same shard count and
 * command catalogue: then the shard will RESUME. true when one was found. */
bool dc_shard_load_session(dc_shard *sh);
/* Connects: at once to resume a session, else in its IDENTIFY slot. */
void dc_shard_start(dc_shard *sh);
/* Writes the last sequence number to the store when it moved. */
void dc_shard_save(dc_shard *sh);
/* Saves the session and closes with DC_CLOSE_RESTARTING. true when a close is under way (the
 * gateway hears of its end through dc_gateway_shard_closed). */
bool dc_shard_stop(dc_shard *sh);
/* Stops a shard this process no longer holds (another may run it now): its connection is dropped
 * at once and nothing of its session is written. */
void dc_shard_drop(dc_shard *sh);
/* Forgets the session in memory (not in the store): the next holder's is read again. */
void dc_shard_forget_memory(dc_shard *sh);
/* Closes the shard's loop handles (after dc_shard_stop). */
void dc_shard_close_handles(dc_shard *sh);
/* Frees what the shard holds, after the loop has drained. */
void dc_shard_free(dc_shard *sh);
/* For gateway_ws.c: one whole payload arrived / the connection (or the attempt) ended. */
void dc_shard_on_payload(dc_shard *sh, const char *buf, size_t len);
void dc_shard_on_closed(dc_shard *sh);
/* For gateway_ws.c: the connection's compressed stream cannot be read on (not zlib, a message
 * over the limit, no memory): its context is lost, so the shard connects again and resumes. */
void dc_shard_on_unreadable(dc_shard *sh);

/* The stored form of a session, one line: "1 <count> <seq> <commands hash> <session id>
 * <resume url or -> <bot user id or ->". Pure, for the unit tests. -1 when it does not fit. */
typedef struct {
    int count;
    long long seq;
    uint64_t commands_hash;
    char session_id[128];
    char resume_url[512];
    char bot_user_id[32];
} dc_session_record;

int dc_session_format(const dc_session_record *r, char *out, size_t outlen);
int dc_session_parse(const char *text, dc_session_record *r);

/* ---------------------------------------------------------------- gateway_ws.c */

extern const struct lws_protocols dc_ws_protocols[];

/* Resolves url's host and opens a websocket to it (?v=10&encoding=json added). 0, or -1 when
 * url is not a ws:// or wss:// URL. Failures later end in dc_shard_on_closed(). */
int dc_ws_connect(dc_shard *sh, const char *url);
typedef enum {
    DC_TX_EVENT,     /* in turn                                                              */
    DC_TX_HEARTBEAT, /* before anything waiting, and outside the send window                 */
    DC_TX_IDENTIFY   /* in turn; when it is written, its bucket's next slot counts from then */
} dc_tx_kind;
/* Queues a payload (taken). 0 or -1. */
int dc_ws_send(dc_shard *sh, cJSON *payload, dc_tx_kind kind);
/* Ends the connection with a close frame carrying `code`, then waits up to wait_ms for the
 * server's answer (0: drops the socket as soon as the frame is written). */
void dc_ws_close(dc_shard *sh, int code, int wait_ms);
/* Forgets what was queued and the half-read payload, for a new connection. */
void dc_ws_reset(dc_shard *sh);
/* Stops a name resolution under way (at shutdown). */
void dc_ws_cancel(dc_shard *sh);

#endif
