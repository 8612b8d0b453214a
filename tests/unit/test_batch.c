/*
 * test_batch.c — what makes a command cheap without making it less safe (issue 17):
 *   - a command that only reads writes nothing (no event row, no outbox row), and a second
 *     delivery of its event in the same run is still caught; a write keeps its event row, so
 *     its replay after a restart is caught too, while a read's replay is simply read again;
 *   - a group commit: each command a savepoint in one transaction, a refused one changes nothing,
 *     nothing is on disk (seen by another connection) before the group commits, and a group
 *     SQLite rolled back under it reports failure instead of pretending;
 *   - the sender holds what a group said until the commit, and drops what a failed group wrote;
 *   - an autocomplete's reads share one read transaction (one snapshot, the file's locks taken
 *     once), which ends with the autocomplete and leaves a group commit open around it alone;
 *   - seen_events is a table without rowid (one b-tree written per event, not two), and a
 *     database from before keeps every event it had seen through the move.
 * On a real database file, with a second connection as the outside observer.
 */
#include "testkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/sender.h"
#include "store/sqlite/internal.h"

typedef struct {
    char dir[64];
    char path[96];
    tend_store *store;
    tend_clock *clock;
    tend_bot *bot;
    tend_messages out;
} filebot;

static void filebot_open(filebot *f)
{
    char err[256];
    assert_int_equal(tend_store_open(f->path, &f->store, err, sizeof err), TEND_STORE_OK);
    f->clock = tend_clock_create_fixed(TESTKIT_START);
    tend_settings s;
    tend_settings_defaults(&s);
    s.commands_per_minute = 0;
    f->bot = tend_bot_create(f->store, f->clock, &s);
    assert_non_null(f->bot);
    tend_bot_use_outbox(f->bot);
    tend_messages_init(&f->out);
}

static void filebot_close(filebot *f)
{
    tend_messages_clear(&f->out);
    tend_bot_destroy(f->bot);
    tend_clock_destroy(f->clock);
    tend_store_close(f->store);
}

static filebot *filebot_new(void)
{
    filebot *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tend-batch-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/tend.db", f->dir);
    filebot_open(f);
    return f;
}

static void filebot_free(filebot *f)
{
    filebot_close(f);
    char p[128];
    const char *const suffixes[] = {"", "-wal", "-shm", NULL};
    for (size_t i = 0; suffixes[i]; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
}

/* What another process reading the file sees: only what was committed. */
static int64_t count_outside(const filebot *f, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static int run(filebot *f, const char *event_id, const char *text)
{
    tend_messages_clear(&f->out);
    tend_request req = {
        .group_key = "discord:1",
        .channel_key = "c1",
        .member_key = "ana",
        .member_name = "Ana",
        .is_coordinator = true,
        .place = TEND_PLACE_PRIVATE,
        .text = text,
        .event_id = event_id,
        .reply_to = "i:token",
        .answers_expire = true, /* a Discord interaction */
    };
    return tend_bot_handle(f->bot, &req, &f->out);
}

static void a_read_writes_nothing_and_its_second_delivery_is_still_caught(void **state)
{
    (void)state;
    filebot *f = filebot_new();
    assert_int_equal(run(f, "ev-add", "task add \"Soup run\""), 0);
    int64_t rows = count_outside(f, "SELECT count(*) FROM outbox");
    assert_true(rows >= 1);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events WHERE event_id = 'ev-add'"), 1);
    int64_t changes = sqlite3_total_changes(store_db(f->store));
    tend_store_mark mark;
    tend_store_mark_writes(f->store, &mark);

    /* the board: answered, and nothing at all written for it */
    assert_int_equal(run(f, "ev-read", "tasks"), 0);
    assert_true(f->out.count >= 1);
    assert_non_null(strstr(f->out.items[0].text, "Soup run"));
    assert_int_equal(f->out.items[0].outbox_id, 0);
    assert_true(f->out.items[0].first_answer);
    assert_string_equal(f->out.items[0].reply_to, "i:token");
    assert_int_equal(sqlite3_total_changes(store_db(f->store)), changes);
    assert_false(tend_store_schedule_touched(f->store, &mark)); /* the app skips the scheduler's look on it */
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events WHERE event_id = 'ev-read'"), 0);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM outbox"), rows);

    /* the same event again in this run: recognised, not answered twice */
    assert_int_equal(run(f, "ev-read", "tasks"), TEND_BOT_DUPLICATE);
    assert_int_equal(f->out.count, 0);
    assert_int_equal(run(f, "ev-add", "task add \"Soup run\""), TEND_BOT_DUPLICATE);

    /* a claim writes: its event is kept with its effect */
    assert_int_equal(run(f, "ev-claim", "claim 1"), 0);
    assert_true(f->out.items[0].outbox_id > 0);
    assert_true(tend_store_schedule_touched(f->store, &mark)); /* ... and takes it after this one */
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events WHERE event_id = 'ev-claim'"), 1);

    /* after a restart: the write's replay is still recognised; the read's is read again */
    filebot_close(f);
    filebot_open(f);
    assert_int_equal(run(f, "ev-claim", "claim 1"), TEND_BOT_DUPLICATE);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM claims"), 1);
    assert_int_equal(run(f, "ev-read", "tasks"), 0);
    assert_non_null(strstr(f->out.items[0].text, "Soup run"));
    filebot_free(f);
}

static void a_group_commits_together_and_a_failed_command_changes_nothing(void **state)
{
    (void)state;
    filebot *f = filebot_new();
    assert_int_equal(tend_store_batch_begin(f->store), TEND_STORE_OK);
    assert_true(tend_store_batching(f->store));

    /* three commands in one turn: one adds a task, one is refused, one only reads */
    assert_int_equal(run(f, "ev-1", "task add \"Grocery pickup\""), 0);
    assert_true(f->out.items[0].outbox_id > 0);
    assert_int_equal(run(f, "ev-2", "claim 99"), 0); /* no task 99: refused, answered */
    assert_int_equal(run(f, "ev-3", "tasks"), 0);
    assert_non_null(strstr(f->out.items[0].text, "Grocery pickup")); /* the group sees its own writes */

    /* nothing is on disk yet: the answers must wait */
    assert_int_equal(count_outside(f, "SELECT count(*) FROM tasks"), 0);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events"), 0);

    assert_int_equal(tend_store_batch_commit(f->store), TEND_STORE_OK);
    assert_false(tend_store_batching(f->store));
    assert_int_equal(count_outside(f, "SELECT count(*) FROM tasks"), 1);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM claims"), 0);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events WHERE event_id IN ('ev-1', 'ev-2')"), 2);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events WHERE event_id = 'ev-3'"), 0);

    /* a savepoint rolled back inside a group leaves the others' writes */
    assert_int_equal(tend_store_batch_begin(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_state_set(f->store, "t", "kept", "1"), TEND_STORE_OK);
    assert_true(tend_store_wrote(f->store));
    assert_int_equal(tend_store_commit(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_state_set(f->store, "t", "undone", "1"), TEND_STORE_OK);
    assert_int_equal(tend_store_rollback(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(f->store), TEND_STORE_OK);
    char value[8];
    assert_int_equal(tend_store_state_get(f->store, "t", "kept", value, sizeof value), TEND_STORE_OK);
    assert_false(tend_store_wrote(f->store)); /* a read inside a group that already wrote */
    assert_int_equal(tend_store_commit(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_batch_commit(f->store), TEND_STORE_OK);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM adapter_state WHERE platform = 't' AND key = 'kept'"), 1);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM adapter_state WHERE platform = 't' AND key = 'undone'"), 0);
    filebot_free(f);
}

/* The disk fills in the middle of a group (PRAGMA max_page_count, what SQLite reports for a full
 * file system). Whatever SQLite then keeps, the group's result says it: a commit reported as done
 * is on disk, and one reported as failed left nothing of the group. */
static void a_group_hit_by_a_full_disk_never_claims_what_it_lost(void **state)
{
    (void)state;
    filebot *f = filebot_new();
    sqlite3 *db = store_db(f->store);
    assert_int_equal(tend_store_batch_begin(f->store), TEND_STORE_OK);
    assert_int_equal(run(f, "ev-a", "task add \"Before the disk filled\""), 0);
    assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1", NULL, NULL, NULL), SQLITE_OK);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    int rc = TEND_STORE_OK;
    for (int i = 0; i < 200 && rc == TEND_STORE_OK; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        rc = tend_store_begin(f->store);
        if (rc == TEND_STORE_OK)
            rc = tend_store_state_set(f->store, "t", key, big);
        if (rc == TEND_STORE_OK)
            rc = tend_store_commit(f->store);
        else
            tend_store_rollback(f->store);
    }
    assert_int_not_equal(rc, TEND_STORE_OK); /* the disk did fill */
    int committed = tend_store_batch_commit(f->store);
    assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL), SQLITE_OK);
    int64_t tasks = count_outside(f, "SELECT count(*) FROM tasks");
    assert_int_equal(tasks, committed == TEND_STORE_OK ? 1 : 0);
    /* and the store works again once there is room */
    assert_int_equal(run(f, "ev-b", "task add \"After\""), 0);
    assert_true(count_outside(f, "SELECT count(*) FROM tasks WHERE title = 'After'") == 1);
    filebot_free(f);
}

/* ---------------------------------------------------------------- the sender's hold */

typedef struct {
    tend_adapter base;
    tend_host host;
    tend_sender *sender;
    char sent[8][32];
    int n;
} fake;

static void fake_sent(tend_host *h, int64_t id, tend_sent_result r)
{
    fake *f = h->app;
    tend_sender_sent(f->sender, id, r);
}

static const tend_host_ops fake_host_ops = {.sent = fake_sent};

static int fake_send(tend_adapter *self, const tend_outgoing *o)
{
    fake *f = (fake *)self;
    if (f->n < 8)
        snprintf(f->sent[f->n++], sizeof f->sent[0], "%s", o->msg->text);
    tend_host_sent(&f->host, o->id, TEND_SENT_OK);
    return 0;
}

static const tend_adapter_ops fake_ops = {.platform = "fake", .send = fake_send};

static tend_adapter *route_fake(void *ud, const char *platform)
{
    (void)platform;
    return ud;
}

static int lost_calls;
static void on_lost(void *ud, const tend_message *m)
{
    (void)ud;
    assert_string_equal(m->text, "stored answer");
    lost_calls++;
}

static void the_sender_holds_a_groups_words_until_its_commit(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    uv_loop_t loop;
    uv_loop_init(&loop);
    fake f = {.base = {.ops = &fake_ops}, .host = {.ops = &fake_host_ops}};
    f.host.app = &f;
    f.sender = tend_sender_create(&loop, kit->store, kit->clock, route_fake, &f);
    assert_non_null(f.sender);

    tend_messages said;
    tend_messages_init(&said);
    tend_message *m = tend_messages_add(&said, TEND_TO_PRIVATE, "fake:1", "ana", "Ana", "t", "stored answer");
    m->outbox_id = 7; /* as if written in the group */
    m->first_answer = true;
    tend_messages_add(&said, TEND_TO_PRIVATE, "fake:1", "ben", "Ben", "t", "read answer"); /* no row */

    /* committed: held until release, then both go */
    tend_sender_hold(f.sender);
    tend_sender_take(f.sender, &said);
    assert_int_equal(f.n, 0);
    tend_sender_release(f.sender, true, on_lost, NULL);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.sent[0], "stored answer");
    assert_int_equal(lost_calls, 0);

    /* not committed: the stored one never goes (its row does not exist), the member is told; the
     * read's answer is true either way */
    f.n = 0;
    tend_sender_hold(f.sender);
    tend_sender_take(f.sender, &said);
    tend_sender_release(f.sender, false, on_lost, NULL);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.sent[0], "read answer");
    assert_int_equal(lost_calls, 1);

    tend_messages_clear(&said);
    tend_sender_close(f.sender);
    uv_run(&loop, UV_RUN_DEFAULT);
    tend_sender_destroy(f.sender);
    uv_loop_close(&loop);
    testkit_free(kit);
}

/* What another process writes, committed at once. */
static void write_outside(const filebot *f, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void an_autocomplete_reads_one_snapshot_and_leaves_a_group_alone(void **state)
{
    (void)state;
    filebot *f = filebot_new();
    sqlite3 *db = store_db(f->store);
    char value[8];

    /* one snapshot: a row another process commits between two reads is not seen until the end */
    assert_int_equal(tend_store_read_begin(f->store), TEND_STORE_OK);
    assert_int_equal(tend_store_state_get(f->store, "t", "late", value, sizeof value), TEND_STORE_NOTFOUND);
    write_outside(f, "INSERT INTO adapter_state (platform, key, value) VALUES ('t', 'late', '1')");
    assert_int_equal(tend_store_state_get(f->store, "t", "late", value, sizeof value), TEND_STORE_NOTFOUND);
    tend_store_read_end(f->store);
    assert_true(sqlite3_get_autocommit(db));
    assert_int_equal(tend_store_state_get(f->store, "t", "late", value, sizeof value), TEND_STORE_OK);
    tend_store_read_end(f->store); /* a second end, with nothing open, changes nothing */
    assert_true(sqlite3_get_autocommit(db));

    /* the autocomplete itself: it offers the open task and ends its transaction */
    assert_int_equal(run(f, "ev-add", "task add \"Soup run\""), 0);
    tend_choice c[5];
    size_t n = tend_bot_complete(tend_bot_env(f->bot), "discord:1", "ana", "claim", NULL, c, 5);
    assert_int_equal(n, 1);
    assert_non_null(strstr(c[0].name, "Soup run"));
    assert_true(sqlite3_get_autocommit(db));

    /* inside a group commit it neither commits the group nor ends it */
    assert_int_equal(tend_store_batch_begin(f->store), TEND_STORE_OK);
    assert_int_equal(run(f, "ev-add2", "task add \"Van keys\""), 0);
    n = tend_bot_complete(tend_bot_env(f->bot), "discord:1", "ana", "claim", NULL, c, 5);
    assert_int_equal(n, 2); /* the group's own write is read inside it */
    assert_true(tend_store_batching(f->store));
    assert_false(sqlite3_get_autocommit(db));
    assert_int_equal(count_outside(f, "SELECT count(*) FROM tasks"), 1);
    assert_int_equal(tend_store_batch_commit(f->store), TEND_STORE_OK);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM tasks"), 2);
    filebot_free(f);
}

static int64_t seen_events_without_rowid(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int64_t wr = -1;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT wr FROM pragma_table_list WHERE name = 'seen_events'", -1, &st,
                                        NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        wr = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return wr;
}

static void seen_events_keep_their_order_and_survive_the_move(void **state)
{
    (void)state;
    filebot *f = filebot_new();
    assert_int_equal(seen_events_without_rowid(store_db(f->store)), 1);
    assert_int_equal(run(f, "ev-before", "task add \"Soup run\""), 0);
    assert_int_equal(tend_store_event_seen(f->store, "discord", "ev-before"), TEND_STORE_OK);

    /* the database as version 13 left it: a rowid table, with the event in it */
    assert_int_equal(sqlite3_exec(store_db(f->store),
                                  "BEGIN;"
                                  "CREATE TABLE old_seen (platform TEXT NOT NULL, event_id TEXT NOT NULL,"
                                  "  seen_at INTEGER NOT NULL, PRIMARY KEY (platform, event_id));"
                                  "INSERT INTO old_seen SELECT * FROM seen_events;"
                                  "DROP TABLE seen_events;"
                                  "ALTER TABLE old_seen RENAME TO seen_events;"
                                  "CREATE INDEX seen_events_age ON seen_events(seen_at);"
                                  "PRAGMA user_version = 13;"
                                  "COMMIT;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(seen_events_without_rowid(store_db(f->store)), 0);
    filebot_close(f);

    filebot_open(f);
    assert_int_equal(tend_store_schema_version(f->store), tend_store_schema_latest());
    assert_int_equal(seen_events_without_rowid(store_db(f->store)), 1);
    /* the event seen before the move is still caught, and a new one is stored and caught */
    assert_int_equal(tend_store_event_seen(f->store, "discord", "ev-before"), TEND_STORE_OK);
    assert_int_equal(run(f, "ev-before", "task add \"Soup run\""), TEND_BOT_DUPLICATE);
    assert_int_equal(run(f, "ev-after", "task add \"Van keys\""), 0);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM seen_events WHERE event_id IN ('ev-before', 'ev-after')"),
                     2);
    assert_int_equal(count_outside(f, "SELECT count(*) FROM tasks"), 2);
    filebot_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_read_writes_nothing_and_its_second_delivery_is_still_caught),
        cmocka_unit_test(a_group_commits_together_and_a_failed_command_changes_nothing),
        cmocka_unit_test(a_group_hit_by_a_full_disk_never_claims_what_it_lost),
        cmocka_unit_test(the_sender_holds_a_groups_words_until_its_commit),
        cmocka_unit_test(an_autocomplete_reads_one_snapshot_and_leaves_a_group_alone),
        cmocka_unit_test(seen_events_keep_their_order_and_survive_the_move),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
