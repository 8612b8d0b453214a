/*
 * fuzz_command.c — any bytes a member can type, through the whole router and every handler, on a
 * real in-memory SQLite that keeps its state between inputs (so claims meet waitlists meet rests).
 * Invariants beyond "no crash": every command gets an answer, and no rendered message carries a
 * raw marker byte (which would mean user text smuggled a mention or a prefix through).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tend_store *store;
static tend_clock *clock_;
static tend_bot *bot;

static void setup_once(void)
{
    if (bot)
        return;
    char err[256];
    if (tend_store_open(":memory:", &store, err, sizeof err) != TEND_STORE_OK)
        abort();
    clock_ = tend_clock_create_fixed(1793610000LL);
    bot = tend_bot_create(store, clock_, NULL);
    tend_log_set_level(TEND_LOG_ERROR + 1); /* quiet: the fuzzer prints its own progress */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    if (size < 2)
        return 0;
    /* byte 0 picks the speaker, their role and where they type; byte 1 may move the clock */
    static const char *const members[] = {"ana", "bea", "cy", "dee"};
    const char *who = members[data[0] & 3];
    int coordinator = (data[0] >> 2) & 1;
    const char *group = (data[0] >> 3) & 1 ? "console:a" : "console:b";
    int in_the_open = (data[0] >> 4) & 1; /* typed in the group's room, not the private chat */
    tend_clock_advance(clock_, (int64_t)data[1] * 600);
    char *text = malloc(size - 1);
    if (!text)
        return 0;
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';
    tend_member_ref refs[] = {{"ana", "ana"}, {"bea", "bea"}};
    tend_request req = {
        .group_key = group,
        .channel_key = group,
        .member_key = who,
        .member_name = who,
        .is_coordinator = coordinator,
        .place = in_the_open ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE,
        .text = text,
        .refs = refs,
        .n_refs = 2,
    };
    tend_messages out;
    tend_messages_init(&out);
    tend_bot_handle(bot, &req, &out);
    if (out.count == 0)
        abort(); /* a member must always hear back */
    for (size_t i = 0; i < out.count; i++) {
        char *r = tend_message_render(&out.items[i], "/", NULL, NULL);
        if (r && (strchr(r, '\x1D') || strchr(r, '\x1E') || strchr(r, '\x1F')))
            abort();
        free(r);
    }
    tend_messages_clear(&out);
    if ((data[0] & 0xF0) == 0xF0) {
        tend_bot_tick(bot, &out);
        tend_messages_clear(&out);
    }
    free(text);
    return 0;
}
