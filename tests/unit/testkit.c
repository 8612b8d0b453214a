/* testkit.c — see testkit.h. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

testkit *testkit_new(void)
{
    testkit *kit = calloc(1, sizeof *kit);
    assert_non_null(kit);
    char err[256];
    assert_int_equal(tend_store_open(":memory:", &kit->store, err, sizeof err), TEND_STORE_OK);
    kit->clock = tend_clock_create_fixed(TESTKIT_START);
    assert_non_null(kit->clock);
    kit->bot = tend_bot_create(kit->store, kit->clock, NULL);
    assert_non_null(kit->bot);
    tend_messages_init(&kit->out);
    snprintf(kit->group_key, sizeof kit->group_key, "console:test");
    return kit;
}

void testkit_free(testkit *kit)
{
    if (!kit)
        return;
    tend_messages_clear(&kit->out);
    tend_bot_destroy(kit->bot);
    tend_clock_destroy(kit->clock);
    tend_store_close(kit->store);
    free(kit);
}

int testkit_run(testkit *kit, const char *name, int coord, const char *text)
{
    tend_messages_clear(&kit->out);
    tend_request req = {
        .group_key = kit->group_key,
        .channel_key = "console:channel",
        .member_key = name,
        .member_name = name,
        .is_coordinator = coord != 0,
        .place = kit->in_public ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE,
        .text = text,
    };
    return tend_bot_handle(kit->bot, &req, &kit->out);
}

int testkit_tick(testkit *kit)
{
    tend_messages_clear(&kit->out);
    return tend_bot_tick(kit->bot, &kit->out);
}

const char *testkit_said(testkit *kit)
{
    static char buf[65536];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < kit->out.count; i++) {
        const tend_message *m = &kit->out.items[i];
        char *text = tend_message_render(m, "/", NULL, NULL);
        const char *who = m->member_name ? m->member_name : "?";
        int w;
        if (m->audience == TEND_TO_PUBLIC)
            w = snprintf(buf + n, sizeof buf - n, "%s[public] %s", n ? "\n" : "", text ? text : "");
        else
            w = snprintf(buf + n, sizeof buf - n, "%s[%s %s] %s", n ? "\n" : "",
                         m->audience == TEND_TO_PRIVATE ? "private" : "dm", who, text ? text : "");
        free(text);
        if (w < 0 || (size_t)w >= sizeof buf - n)
            break;
        n += (size_t)w;
        /* a file the message carries is part of what was said (an export must not leak either) */
        if (m->file) {
            w = snprintf(buf + n, sizeof buf - n, "\n  [file %s] %s", m->file->name, m->file->data);
            if (w < 0 || (size_t)w >= sizeof buf - n)
                break;
            n += (size_t)w;
        }
    }
    return buf;
}

int testkit_said_has(testkit *kit, const char *needle)
{
    return strstr(testkit_said(kit), needle) != NULL;
}

void testkit_app_open(testkit *kit, testkit_app *ta)
{
    char err[256];
    assert_int_equal(uv_loop_init(&ta->loop), 0);
    assert_int_equal(tend_config_defaults(&ta->cfg), 0);
    ta->app = tend_app_create(&ta->loop, kit->bot, &ta->cfg, true, err, sizeof err);
    assert_non_null(ta->app);
}

void testkit_app_turn(testkit_app *ta)
{
    uv_run(&ta->loop, UV_RUN_NOWAIT);
}

void testkit_app_close(testkit_app *ta)
{
    tend_app_stop(ta->app);
    uv_run(&ta->loop, UV_RUN_DEFAULT);
    tend_app_destroy(ta->app);
    uv_run(&ta->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&ta->loop), 0);
    tend_config_free(&ta->cfg);
}

int64_t testkit_outbox_count(testkit *kit)
{
    int64_t n = -1;
    assert_int_equal(tend_store_outbox_count(kit->store, &n), TEND_STORE_OK);
    return n;
}
