/* test_outbox.c — every message tend says is in the outbox with its cause, and leaves it only once
 * delivered: the encoding round trip, the rows a command and a firing write, the anonymous thanks
 * and the erasure's last word that write none, a restart that delivers what a crash left, and the
 * sender's order and retries; a delivered row leaves in the loop's turn that heard the verdict. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/console/console_impl.h"
#include "app/sender.h"
#include "bot/outbox.h"
#include "lib/metrics.h"

static void a_message_survives_encoding_whole(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "discord:1", NULL, NULL, "task.announce",
                                        "New task #3 \"@everyone\" from ");
    tend_message_add_mention(m, "42", "Ana \u00e9");
    tend_message_appendf(m, ".\nSay " TEND_CMD "claim 3.");
    tend_message_add_button(m, "Claim", "\u2705", "claim 3");
    tend_message_add_button(m, "Later", NULL, "tasks");
    tend_message_set_channel(m, "chan-9");
    char *payload = tend_message_encode(m);
    assert_non_null(payload);
    assert_int_equal(tend_message_decode(payload, &list), 0);
    const tend_message *a = &list.items[0], *b = &list.items[1];
    assert_int_equal(b->audience, a->audience);
    assert_string_equal(b->group_key, a->group_key);
    assert_string_equal(b->channel_key, "chan-9");
    assert_null(b->member_key);
    assert_string_equal(b->kind, a->kind);
    assert_string_equal(b->text, a->text);
    assert_int_equal(b->n_mentions, 1);
    assert_string_equal(b->mentions[0].member_key, "42");
    assert_string_equal(b->mentions[0].name, "Ana \u00e9");
    assert_int_equal(b->n_buttons, 2);
    assert_string_equal(b->buttons[0].emoji, "\u2705");
    assert_null(b->buttons[1].emoji);
    assert_string_equal(b->buttons[1].command, "tasks");
    free(payload);

    /* what is not a message is refused and adds nothing */
    assert_int_equal(tend_message_decode("{\"audience\":7,\"text\":\"x\"}", &list), -1);
    assert_int_equal(tend_message_decode("not json", &list), -1);
    assert_int_equal(tend_message_decode(NULL, &list), -1);
    assert_int_equal(list.count, 2);
    tend_messages_clear(&list);
}

/* An export or a calendar rides in its row whole, through a restart: name, type and every byte. */
static void a_file_survives_encoding_whole(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PRIVATE, "matrix:!r:hs", "@ana:hs", "Ana", "export",
                                        "Here it is.");
    const char *data = "{\n  \"title\": \"Soup, run; @everyone \\\\ \u00e9\U0001F372\"\n}";
    assert_int_equal(tend_message_attach(m, "../../etc/tend-export.json", "application/json", data), 0);
    assert_string_equal(m->file->name, "tend-export.json"); /* never a path */
    char *payload = tend_message_encode(m);
    assert_non_null(payload);
    assert_int_equal(tend_message_decode(payload, &list), 0);
    const tend_message *b = &list.items[1];
    assert_non_null(b->file);
    assert_string_equal(b->file->name, "tend-export.json");
    assert_string_equal(b->file->content_type, "application/json");
    assert_string_equal(b->file->data, data);
    assert_int_equal(b->file->len, strlen(data));
    /* a copy (an adapter holding a message for a room) keeps it too */
    tend_message *c = tend_messages_add_copy(&list, b);
    assert_non_null(c);
    assert_string_equal(c->file->data, data);
    free(payload);
    /* a row whose file lost its bytes is not that message */
    assert_int_equal(tend_message_decode("{\"audience\":1,\"text\":\"x\",\"file\":{\"name\":\"a\",\"type\":\"t\"}}",
                                         &list),
                     -1);
    assert_int_equal(list.count, 3);
    tend_messages_clear(&list);
}

static void a_commands_answers_are_written_with_it(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_bot_use_outbox(kit->bot);
    assert_int_equal(testkit_run(kit, "ana", 1, "task add \"Soup run\" slots:2"), 0);
    assert_true(kit->out.count >= 1);
    for (size_t i = 0; i < kit->out.count; i++)
        assert_true(kit->out.items[i].outbox_id > 0);
    assert_int_equal(testkit_outbox_count(kit), (int64_t)kit->out.count);

    /* a mistake changes nothing but is answered: its answer is kept too */
    int64_t before = testkit_outbox_count(kit);
    testkit_run(kit, "ana", 1, "claim");
    assert_int_equal(kit->out.count, 1);
    assert_true(kit->out.items[0].outbox_id > 0);
    assert_int_equal(testkit_outbox_count(kit), before + 1);

    /* the thanks for an anonymous suggestion is never kept: no row beside the suggestion */
    before = testkit_outbox_count(kit);
    testkit_run(kit, "ana", 0, "feedback the soup could be warmer");
    assert_true(testkit_said_has(kit, "no name"));
    assert_int_equal(kit->out.items[0].outbox_id, 0);
    assert_int_equal(testkit_outbox_count(kit), before);

    /* nor the word that a member was erased: it names them, after everything else of them is gone
     * (nothing in any table, the outbox included, holds their name) */
    before = testkit_outbox_count(kit);
    assert_int_equal(testkit_run(kit, "Zephyrine", 0, "forgetme confirm"), 0);
    assert_true(testkit_said_has(kit, "erased"));
    for (size_t i = 0; i < kit->out.count; i++)
        if (kit->out.items[i].member_key && strcmp(kit->out.items[i].member_key, "Zephyrine") == 0)
            assert_int_equal(kit->out.items[i].outbox_id, 0);
    assert_int_equal(testkit_outbox_count(kit), before);
    int found = -1;
    assert_int_equal(tend_store_debug_find_text(kit->store, "Zephyrine", &found), TEND_STORE_OK);
    assert_int_equal(found, 0);
    testkit_free(kit);
}

static void the_answers_know_their_command_and_which_came_first(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_bot_use_outbox(kit->bot);
    testkit_run(kit, "ana", 1, "task add \"Soup run\"");
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = "ben",
                        .member_name = "ben", .text = "claim 1", .reply_to = "i:77:tok"};
    tend_messages out;
    tend_messages_init(&out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &out), 0);
    size_t firsts = 0;
    for (size_t i = 0; i < out.count; i++) {
        const tend_message *m = &out.items[i];
        bool to_ben = m->audience == TEND_TO_PRIVATE && strcmp(m->member_key, "ben") == 0;
        /* what goes back to ben carries the way back; a DM to someone else would not */
        if (to_ben)
            assert_string_equal(m->reply_to, "i:77:tok");
        firsts += m->first_answer;
    }
    assert_int_equal(firsts, 1);
    assert_true(out.items[0].first_answer);
    /* and it survives the outbox: a restart still knows the first answer from the rest */
    char *payload = tend_message_encode(&out.items[0]);
    tend_messages back;
    tend_messages_init(&back);
    assert_int_equal(tend_message_decode(payload, &back), 0);
    assert_true(back.items[0].first_answer);
    free(payload);
    tend_messages_clear(&back);
    tend_messages_clear(&out);
    testkit_free(kit);
}

static void a_scheduled_post_is_written_with_its_firing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_bot_use_outbox(kit->bot);
    testkit_run(kit, "ana", 1, "tasks");
    int64_t before = testkit_outbox_count(kit);
    /* the default check-in is Monday 18:00: the kit starts Monday 09:00 */
    tend_clock_advance(kit->clock, 9 * 3600 + 60);
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(testkit_said_has(kit, "check-in"));
    assert_int_equal(testkit_outbox_count(kit), before + (int64_t)kit->out.count);
    testkit_free(kit);
}

/* Everything the console printed, from its memory stream. */
static const char *printed(FILE *out, char **buf)
{
    fflush(out);
    return *buf ? *buf : "";
}

static void a_restart_delivers_what_a_crash_left_once(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    snprintf(kit->group_key, sizeof kit->group_key, "console:demo");
    /* "the crash": answers committed to the outbox, never delivered */
    tend_bot_use_outbox(kit->bot);
    testkit_run(kit, "ana", 1, "task add \"Pantry run qx7\"");
    testkit_run(kit, "ana", 1, "claim 1");
    assert_int_equal(testkit_outbox_count(kit), 2);

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    testkit_app ta;
    testkit_app_open(kit, &ta);
    tend_console_set_output(tend_app_adapter(ta.app, "console"), out);
    assert_int_equal(tend_app_resume_outbox(ta.app), 0);
    testkit_app_turn(&ta);
    const char *text = printed(out, &buf);
    const char *first = strstr(text, "Pantry run qx7");
    assert_non_null(first);
    assert_null(strstr(first + 1, "New task")); /* the announcement once */
    assert_non_null(strstr(text, "is yours"));
    assert_true(strstr(text, "New task") < strstr(text, "is yours")); /* in their order */
    assert_int_equal(testkit_outbox_count(kit), 0);

    /* a second start finds nothing left to send */
    testkit_app_close(&ta);
    size_t printed_before = strlen(printed(out, &buf));
    testkit_app_open(kit, &ta);
    tend_console_set_output(tend_app_adapter(ta.app, "console"), out);
    assert_int_equal(tend_app_resume_outbox(ta.app), 0);
    testkit_app_turn(&ta);
    assert_int_equal(strlen(printed(out, &buf)), printed_before);
    testkit_app_close(&ta);
    fclose(out);
    free(buf);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- the sender, with a fake platform */

typedef struct {
    tend_adapter base;
    tend_host host;
    tend_sender *sender;
    char log[1024];       /* "text:try" per send, in order */
    int refuse_first;     /* how many first sends answer RETRY */
    int sends;
} fake_platform;

static void fake_sent(tend_host *h, int64_t id, tend_sent_result r)
{
    fake_platform *f = h->app;
    tend_sender_sent(f->sender, id, r);
}

static const tend_host_ops fake_host_ops = {.sent = fake_sent};

static int fake_send(tend_adapter *self, const tend_outgoing *o)
{
    fake_platform *f = self->impl;
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof f->log - n, "%s:%d ", o->msg->text, o->attempts);
    f->sends++;
    /* the idempotency key stays the same for every try of a row */
    assert_non_null(strstr(o->idem_key, "-"));
    tend_host_sent(&f->host, o->id, f->sends <= f->refuse_first ? TEND_SENT_RETRY : TEND_SENT_OK);
    return 0;
}

static const tend_adapter_ops fake_ops = {.platform = "fake", .send = fake_send};

static tend_adapter *route_fake(void *ud, const char *platform)
{
    fake_platform *f = ud;
    return strcmp(platform, "fake") == 0 ? &f->base : NULL;
}

static void one_destination_keeps_its_order_through_a_retry(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_platform f = {.base = {.ops = &fake_ops}, .host = {.ops = &fake_host_ops}, .refuse_first = 1};
    f.base.impl = &f;
    f.base.host = &f.host;
    f.host.app = &f;
    f.sender = tend_sender_create(&loop, kit->store, kit->clock, route_fake, &f);
    assert_non_null(f.sender);

    tend_messages said;
    tend_messages_init(&said);
    tend_messages_add(&said, TEND_TO_DM, "fake:g", "sam", "sam", "nudge", "one");
    tend_messages_add(&said, TEND_TO_DM, "fake:g", "sam", "sam", "nudge", "two");
    tend_messages_add(&said, TEND_TO_DM, "fake:g", "kim", "kim", "nudge", "other");
    tend_metrics_reset();
    tend_sender_take(f.sender, &said);
    /* "one" was refused; "two" waits behind it, "other" (another member) does not wait */
    assert_string_equal(f.log, "one:0 other:0 ");
    /* the ops endpoint's view: two waiting, one delivered */
    static const tend_metric_def depth = {"tend_outbox_depth", "", TEND_METRIC_GAUGE, {"platform", NULL}};
    static const tend_metric_def took = {"tend_delivery_seconds", "", TEND_METRIC_HISTOGRAM, {"platform", NULL}};
    assert_true(tend_metric_value(&depth, "fake", NULL) == 2);
    assert_true(tend_metric_value(&took, "fake", NULL) == 1);
    uv_run(&loop, UV_RUN_DEFAULT); /* the retry timer: one second */
    assert_string_equal(f.log, "one:0 other:0 one:1 two:0 ");
    assert_true(tend_metric_value(&depth, "fake", NULL) == 0);
    assert_true(tend_metric_value(&took, "fake", NULL) == 3);
    tend_sender_stats st;
    tend_sender_get_stats(f.sender, &st);
    assert_int_equal(st.waiting, 0);
    assert_int_equal(st.delivered, 3);
    assert_int_equal(st.retried, 1);

    tend_messages_clear(&said);
    tend_sender_close(f.sender);
    uv_run(&loop, UV_RUN_DEFAULT);
    tend_sender_destroy(f.sender);
    assert_int_equal(uv_loop_close(&loop), 0);
    testkit_free(kit);
    tend_metrics_reset();
}

/* Issue 21: while this process cannot renew its lease, another tend sharing the database may take
 * its rows over. Paused, the sender keeps stored rows back (an unstored answer, which no other
 * process has, still goes); resumed, it sends what is still its own and drops what was taken. */
static int64_t stored_row(testkit *kit, const char *dest, const char *text)
{
    tend_messages one;
    tend_messages_init(&one);
    tend_message *m = tend_messages_add(&one, TEND_TO_DM, "fake:g", dest, dest, "nudge", text);
    char *payload = tend_message_encode(m);
    int64_t id = 0;
    assert_int_equal(tend_store_outbox_add(kit->store, "fake", dest, NULL, payload, TESTKIT_START, &id), TEND_STORE_OK);
    free(payload);
    tend_messages_clear(&one);
    return id;
}

static void paused_rows_wait_and_those_taken_over_meanwhile_are_dropped(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(tend_store_outbox_set_owner(kit->store, "host:1"), TEND_STORE_OK);
    stored_row(kit, "sam", "mine one");
    int64_t taken = stored_row(kit, "kim", "taken over");
    stored_row(kit, "lee", "mine two");
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_platform f = {.base = {.ops = &fake_ops}, .host = {.ops = &fake_host_ops}};
    f.base.impl = &f;
    f.base.host = &f.host;
    f.host.app = &f;
    f.sender = tend_sender_create(&loop, kit->store, kit->clock, route_fake, &f);
    assert_non_null(f.sender);

    tend_sender_pause(f.sender);
    assert_int_equal(tend_sender_load(f.sender, "fake"), 0);
    assert_string_equal(f.log, ""); /* stored rows wait */
    tend_messages said;
    tend_messages_init(&said);
    tend_messages_add(&said, TEND_TO_DM, "fake:g", "ana", "ana", "reply", "unstored");
    tend_sender_take(f.sender, &said);
    assert_string_equal(f.log, "unstored:0 "); /* nobody else has it: it goes */

    /* meanwhile another process took kim's row and sent it (its row is gone) */
    assert_int_equal(tend_store_outbox_remove(kit->store, taken), TEND_STORE_OK);
    tend_sender_resume(f.sender);
    assert_string_equal(f.log, "unstored:0 mine one:0 mine two:0 ");
    tend_sender_flush(f.sender); /* the delivered rows leave the outbox */
    assert_int_equal(testkit_outbox_count(kit), 0);

    tend_messages_clear(&said);
    tend_sender_close(f.sender);
    uv_run(&loop, UV_RUN_DEFAULT);
    tend_sender_destroy(f.sender);
    assert_int_equal(uv_loop_close(&loop), 0);
    testkit_free(kit);
    tend_metrics_reset();
}

/* A platform that answers later, from a timer (the way curl reads an answer in its timeout's
 * turn), while a far timer keeps the loop alive (a heartbeat). */
typedef struct {
    fake_platform f;
    int64_t row;
    uv_timer_t answer, heartbeat;
} late_platform;

static int late_send(tend_adapter *self, const tend_outgoing *o)
{
    late_platform *p = self->impl;
    p->row = o->id;
    return 0;
}

static void late_answer(uv_timer_t *t)
{
    late_platform *p = t->data;
    tend_host_sent(&p->f.host, p->row, TEND_SENT_OK);
}

static void heartbeat(uv_timer_t *t)
{
    (void)t;
}

static const tend_adapter_ops late_ops = {.platform = "fake", .send = late_send};

static void a_delivered_row_is_removed_in_its_own_turn_not_at_the_next_event(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_bot_use_outbox(kit->bot);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    late_platform p = {.f = {.base = {.ops = &late_ops}, .host = {.ops = &fake_host_ops}}};
    p.f.base.impl = &p;
    p.f.base.host = &p.f.host;
    p.f.host.app = &p.f;
    p.f.sender = tend_sender_create(&loop, kit->store, kit->clock, route_fake, &p.f);
    assert_non_null(p.f.sender);

    tend_messages said;
    tend_messages_init(&said);
    tend_messages_add(&said, TEND_TO_DM, "fake:g", "sam", "sam", "nudge", "one");
    assert_int_equal(tend_store_begin(kit->store), TEND_STORE_OK);
    assert_int_equal(tend_outbox_write(tend_bot_env(kit->bot), &said, 0, tend_clock_now(kit->clock)),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_commit(kit->store), TEND_STORE_OK);
    assert_int_equal(testkit_outbox_count(kit), 1);
    tend_sender_take(p.f.sender, &said);
    assert_true(p.row > 0);

    uv_timer_init(&loop, &p.answer);
    uv_timer_init(&loop, &p.heartbeat);
    p.answer.data = &p;
    uv_timer_start(&p.answer, late_answer, 0, 0);
    uv_timer_start(&p.heartbeat, heartbeat, 5000, 0);
    uint64_t t0 = uv_hrtime();
    uv_run(&loop, UV_RUN_ONCE);
    /* removed before the loop waits for the heartbeat: a crash now cannot send it again */
    assert_true(uv_hrtime() - t0 < 1000000000ULL);
    assert_int_equal(testkit_outbox_count(kit), 0);

    tend_messages_clear(&said);
    uv_close((uv_handle_t *)&p.answer, NULL);
    uv_close((uv_handle_t *)&p.heartbeat, NULL);
    tend_sender_close(p.f.sender);
    uv_run(&loop, UV_RUN_DEFAULT);
    tend_sender_destroy(p.f.sender);
    assert_int_equal(uv_loop_close(&loop), 0);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_message_survives_encoding_whole),
        cmocka_unit_test(a_file_survives_encoding_whole),
        cmocka_unit_test(a_commands_answers_are_written_with_it),
        cmocka_unit_test(the_answers_know_their_command_and_which_came_first),
        cmocka_unit_test(a_scheduled_post_is_written_with_its_firing),
        cmocka_unit_test(a_restart_delivers_what_a_crash_left_once),
        cmocka_unit_test(one_destination_keeps_its_order_through_a_retry),
        cmocka_unit_test(paused_rows_wait_and_those_taken_over_meanwhile_are_dropped),
        cmocka_unit_test(a_delivered_row_is_removed_in_its_own_turn_not_at_the_next_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
