/* Discord's rate limits as rest.c keeps them: a limit is a bucket within one top-level resource
 * (channel, guild, webhook id + token, interaction token), so one channel's spent bucket never
 * holds another channel and each interaction counts on its own; the global limit never holds an
 * interaction endpoint; requests in flight are not counted twice; past windows are forgotten. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/discord/internal.h"

#define BUCKET_MESSAGES "80c17d2f203122d936070c88c8d10f33"
#define BUCKET_CALLBACK "4b7c6a3b5e1f0d2a9c8b7a6f5e4d3c2b"
#define TOKEN_A "aW50ZXJhY3Rpb246OTAwMDAwMDAwMDAwMDAwMDA6c2VjcmV0LXRva2VuLWZvci10ZXN0cy1vbmx5LWEx"
#define TOKEN_B "aW50ZXJhY3Rpb246OTAwMDAwMDAwMDAwMDAwMDA6c2VjcmV0LXRva2VuLWZvci10ZXN0cy1vbmx5LWIy"

static dc_rl_key key(const char *method, const char *path)
{
    dc_rl_key k;
    dc_ratelimit_key(method, path, &k);
    return k;
}

/* One request out and its answer back, with these headers. */
static void exchange(dc_ratelimit *rl, const char *method, const char *path, const char *bucket,
                     const char *remaining, const char *reset_after, uint64_t now)
{
    dc_rl_key k = key(method, path);
    char counted[DC_RL_ID_MAX];
    assert_int_equal(dc_ratelimit_sent(rl, &k, now, counted), 0);
    dc_rl_headers h = {bucket, "5", remaining, reset_after};
    dc_ratelimit_answered(rl, &k, counted, &h, now);
}

static uint64_t wait_for(const dc_ratelimit *rl, const char *method, const char *path, uint64_t now)
{
    dc_rl_key k = key(method, path);
    return dc_ratelimit_wait(rl, &k, now);
}

static void keys_name_the_route_and_its_top_level_resource(void **state)
{
    (void)state;
    dc_rl_key k = key("POST", "/channels/123/messages");
    assert_string_equal(k.route, "POST /channels/:id/messages");
    assert_string_equal(k.resource, "channels/123");
    assert_false(k.interaction);
    k = key("PATCH", "/channels/123/messages/456");
    assert_string_equal(k.route, "PATCH /channels/:id/messages/:id");
    assert_string_equal(k.resource, "channels/123");
    /* a guild deeper in the path is still the resource its limit is counted in */
    k = key("PUT", "/applications/9/guilds/77/commands");
    assert_string_equal(k.route, "PUT /applications/:id/guilds/:id/commands");
    assert_string_equal(k.resource, "guilds/77");
    k = key("PUT", "/applications/9/commands");
    assert_string_equal(k.resource, "");
    k = key("POST", "/users/@me/channels");
    assert_string_equal(k.route, "POST /users/@me/channels");
    assert_string_equal(k.resource, "");
    k = key("GET", "/gateway/bot");
    assert_string_equal(k.route, "GET /gateway/bot");
}

static void an_interaction_is_known_by_its_token_and_the_token_never_shows(void **state)
{
    (void)state;
    dc_rl_key a = key("POST", "/interactions/55/" TOKEN_A "/callback?with_response=true");
    assert_string_equal(a.route, "POST /interactions/:id/:token/callback");
    assert_true(a.interaction);
    assert_int_equal(strncmp(a.resource, "interactions/t:", 15), 0);
    assert_null(strstr(a.resource, TOKEN_A));
    dc_rl_key b = key("POST", "/interactions/56/" TOKEN_B "/callback");
    assert_string_equal(b.route, a.route);
    assert_string_not_equal(b.resource, a.resource);
    /* follow-ups: the webhook is the application's, its token the interaction's */
    dc_rl_key f = key("POST", "/webhooks/9/" TOKEN_A);
    assert_string_equal(f.route, "POST /webhooks/:id/:token");
    assert_true(f.interaction);
    assert_int_equal(strncmp(f.resource, "webhooks/9/t:", 13), 0);
    assert_null(strstr(f.resource, TOKEN_A));
    dc_rl_key g = key("POST", "/webhooks/9/" TOKEN_B);
    assert_string_not_equal(g.resource, f.resource);
    /* a short token is a token all the same: its place in the path says so */
    dc_rl_key s = key("PATCH", "/webhooks/9/shorttoken/messages/@original");
    assert_string_equal(s.route, "PATCH /webhooks/:id/:token/messages/@original");
    assert_null(strstr(s.resource, "shorttoken"));
}

static void one_channels_spent_bucket_never_holds_another_channel(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    assert_non_null(rl);
    /* #general (channel 1) spends the messages bucket; #coordination (2) and a channel in another
     * server (3) share the bucket hash but not the count */
    exchange(rl, "POST", "/channels/1/messages", BUCKET_MESSAGES, "0", "4.9", 1000);
    assert_int_equal(wait_for(rl, "POST", "/channels/1/messages", 1000), 4900);
    assert_int_equal(wait_for(rl, "POST", "/channels/2/messages", 1000), 0);
    exchange(rl, "POST", "/channels/2/messages", BUCKET_MESSAGES, "4", "5.0", 1000);
    assert_int_equal(wait_for(rl, "POST", "/channels/2/messages", 1001), 0);
    assert_int_equal(wait_for(rl, "POST", "/channels/3/messages", 1001), 0);
    assert_int_equal(wait_for(rl, "POST", "/channels/1/messages", 3000), 2900);
    assert_int_equal(wait_for(rl, "POST", "/channels/1/messages", 5900), 0);
    dc_ratelimit_destroy(rl);
}

static void routes_in_one_bucket_share_it_within_one_channel(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    exchange(rl, "PATCH", "/channels/1/messages/5", BUCKET_MESSAGES, "3", "2.0", 1000);
    exchange(rl, "POST", "/channels/1/messages", BUCKET_MESSAGES, "0", "2.0", 1000);
    /* the edit in channel 1 waits with the post; an edit in channel 2 does not */
    assert_int_equal(wait_for(rl, "PATCH", "/channels/1/messages/6", 1000), 2000);
    assert_int_equal(wait_for(rl, "PATCH", "/channels/2/messages/7", 1000), 0);
    dc_ratelimit_destroy(rl);
}

static void each_interaction_counts_on_its_own(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    char path[256];
    /* fifty callbacks in flight at once, each answered "4 left of 5" for its own interaction:
     * none of them holds the next */
    dc_rl_key keys[50];
    char counted[50][DC_RL_ID_MAX];
    for (int i = 0; i < 50; i++) {
        snprintf(path, sizeof path, "/interactions/%d/tok%d%s/callback", 100 + i, i, TOKEN_A);
        keys[i] = key("POST", path);
        assert_int_equal(dc_ratelimit_wait(rl, &keys[i], 1000), 0);
        assert_int_equal(dc_ratelimit_sent(rl, &keys[i], 1000, counted[i]), 0);
    }
    for (int i = 0; i < 50; i++) {
        dc_rl_headers h = {BUCKET_CALLBACK, "5", "4", "5.0"};
        dc_ratelimit_answered(rl, &keys[i], counted[i], &h, 1010);
    }
    snprintf(path, sizeof path, "/interactions/999/tok999%s/callback", TOKEN_A);
    assert_int_equal(wait_for(rl, "POST", path, 1010), 0);
    /* one interaction whose own limit is spent holds only itself, and its follow-ups are apart */
    exchange(rl, "POST", "/interactions/1/" TOKEN_A "/callback", BUCKET_CALLBACK, "0", "5.0", 2000);
    assert_int_equal(wait_for(rl, "POST", "/interactions/1/" TOKEN_A "/callback", 2000), 5000);
    assert_int_equal(wait_for(rl, "POST", "/interactions/2/" TOKEN_B "/callback", 2000), 0);
    exchange(rl, "POST", "/webhooks/9/" TOKEN_A, "f0", "0", "5.0", 2000);
    assert_int_equal(wait_for(rl, "POST", "/webhooks/9/" TOKEN_A, 2000), 5000);
    assert_int_equal(wait_for(rl, "POST", "/webhooks/9/" TOKEN_B, 2000), 0);
    dc_ratelimit_destroy(rl);
}

static void a_global_429_holds_everything_but_interaction_endpoints(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    assert_int_equal(dc_ratelimit_global_wait(rl, 1000), 0);
    dc_rl_key post = key("POST", "/channels/1/messages");
    dc_ratelimit_on_429(rl, &post, 0.75, true, 2000);
    assert_int_equal(dc_ratelimit_global_wait(rl, 2000), 750);
    assert_int_equal(wait_for(rl, "POST", "/channels/9/messages", 2500), 250);
    assert_int_equal(wait_for(rl, "POST", "/users/@me/channels", 2500), 250);
    assert_int_equal(wait_for(rl, "POST", "/interactions/5/" TOKEN_A "/callback", 2000), 0);
    assert_int_equal(wait_for(rl, "POST", "/webhooks/9/" TOKEN_A, 2000), 0);
    assert_int_equal(dc_ratelimit_global_wait(rl, 2750), 0);
    dc_ratelimit_on_429(rl, &post, 1.0, true, 3000);
    dc_ratelimit_on_429(rl, &post, 0.1, true, 3000); /* a shorter one does not cut it short */
    assert_int_equal(dc_ratelimit_global_wait(rl, 3000), 1000);
    dc_ratelimit_destroy(rl);
}

static void a_429_on_a_route_holds_only_its_own_limit(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    exchange(rl, "POST", "/channels/1/messages", BUCKET_MESSAGES, "3", "5.0", 1000);
    dc_rl_key one = key("POST", "/channels/1/messages");
    dc_ratelimit_on_429(rl, &one, 0.5, false, 1000);
    assert_int_equal(dc_ratelimit_global_wait(rl, 1000), 0);
    assert_int_equal(wait_for(rl, "POST", "/channels/1/messages", 1000), 500); /* retry_after says */
    assert_int_equal(wait_for(rl, "POST", "/channels/2/messages", 1000), 0);
    dc_rl_key e = key("POST", "/channels/7/messages");
    dc_ratelimit_on_429(rl, &e, -3, false, 8000); /* nonsense: wait a moment, never forever */
    assert_int_equal(dc_ratelimit_wait(rl, &e, 8000), 1000);
    dc_ratelimit_destroy(rl);
}

static void requests_in_flight_are_not_counted_twice(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    dc_rl_key k = key("POST", "/channels/1/messages");
    char counted[5][DC_RL_ID_MAX];
    /* five out at once on a route nobody has answered yet; answers overtake each other */
    for (int i = 0; i < 5; i++)
        assert_int_equal(dc_ratelimit_sent(rl, &k, 1000, counted[i]), 0);
    dc_rl_headers third = {BUCKET_MESSAGES, "5", "2", "5.0"};
    dc_rl_headers first = {BUCKET_MESSAGES, "5", "4", "5.0"};
    dc_ratelimit_answered(rl, &k, counted[2], &third, 1010);
    assert_int_equal(dc_ratelimit_wait(rl, &k, 1010), 5000);
    dc_ratelimit_answered(rl, &k, counted[0], &first, 1011);
    assert_true(dc_ratelimit_wait(rl, &k, 1011) >= 4999); /* "4 left" came late: still spent */
    for (int i = 3; i < 5; i++) {
        dc_rl_headers h = {BUCKET_MESSAGES, "5", "0", "4.9"};
        dc_ratelimit_answered(rl, &k, counted[i], &h, 1020);
    }
    dc_ratelimit_answered(rl, &k, counted[1], &(dc_rl_headers){0}, 1020); /* lost */
    assert_true(dc_ratelimit_wait(rl, &k, 1020) > 0);
    /* the window over, the five are free again, and the sixth send of that window waits */
    assert_int_equal(dc_ratelimit_wait(rl, &k, 6100), 0);
    char c[DC_RL_ID_MAX];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(dc_ratelimit_wait(rl, &k, 6100), 0);
        dc_ratelimit_sent(rl, &k, 6100, c);
    }
    assert_true(dc_ratelimit_wait(rl, &k, 6100) > 0);
    dc_ratelimit_destroy(rl);
}

static void a_known_bucket_is_never_sent_into_when_spent(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    exchange(rl, "POST", "/channels/1/messages", BUCKET_MESSAGES, "3", "5.0", 1000);
    dc_rl_key k = key("POST", "/channels/1/messages");
    char c[DC_RL_ID_MAX];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dc_ratelimit_wait(rl, &k, 1100), 0);
        dc_ratelimit_sent(rl, &k, 1100, c);
    }
    assert_int_equal(dc_ratelimit_wait(rl, &k, 1100), 4900);
    dc_ratelimit_destroy(rl);
}

static void limits_of_past_windows_are_forgotten(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    exchange(rl, "POST", "/channels/1/messages", BUCKET_MESSAGES, "0", "30.0", 0);
    char path[256];
    /* ten thousand interactions over ten seconds, each with a one-second window of its own */
    for (int i = 0; i < 10000; i++) {
        snprintf(path, sizeof path, "/interactions/%d/tok%d%s/callback", i, i, TOKEN_A);
        exchange(rl, "POST", path, BUCKET_CALLBACK, "4", "1.0", (uint64_t)i);
    }
    assert_true(dc_ratelimit_tracked(rl) < 2500); /* about twice the thousand still in a window */
    /* a window still running is remembered through all of that */
    assert_int_equal(wait_for(rl, "POST", "/channels/1/messages", 10000), 20000);
    dc_ratelimit_destroy(rl);
}

static void fifty_requests_fit_in_the_window_and_the_next_waits_for_the_first(void **state)
{
    (void)state;
    dc_send_window w;
    dc_send_window_init(&w, 50, 1050);
    for (uint64_t i = 0; i < 50; i++) {
        assert_int_equal(dc_send_window_wait(&w, 10000 + i), 0);
        dc_send_window_note(&w, 10000 + i);
    }
    assert_int_equal(dc_send_window_wait(&w, 10100), 10000 + 1050 - 10100);
    assert_int_equal(dc_send_window_wait(&w, 11050), 0);
    dc_send_window_note(&w, 11050);
    assert_int_equal(dc_send_window_wait(&w, 11050), 1); /* the 2nd of the first 50 leaves at 11051 */
}

static void the_gateway_window_holds_the_121st_send_for_a_minute(void **state)
{
    (void)state;
    dc_send_window w;
    dc_send_window_init(&w, 3, 60000);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dc_send_window_wait(&w, 100 + i), 0);
        dc_send_window_note(&w, 100 + i);
    }
    assert_int_equal(dc_send_window_wait(&w, 200), 60100 - 200);
    assert_int_equal(dc_send_window_wait(&w, 60100), 0);
}

/* The bot's 50 a second shared by two processes: a share of 25 counts the sends already made, and
 * the whole 50 again once the other process is gone. */
static void a_shared_budget_counts_what_was_sent_and_grows_back(void **state)
{
    (void)state;
    dc_send_window w;
    dc_send_window_init(&w, 50, 1000);
    for (uint64_t i = 0; i < 40; i++) /* 40 sends at 0..39 ms: room for 10 more */
        dc_send_window_note(&w, i);
    assert_int_equal(dc_send_window_wait(&w, 100), 0);
    dc_send_window_set_limit(&w, 25); /* a second process came: 25 each */
    /* the 25th newest send (at 15 ms) must leave the window before one more fits */
    assert_int_equal(dc_send_window_wait(&w, 100), 15 + 1000 - 100);
    assert_int_equal(dc_send_window_wait(&w, 1015), 0);
    dc_send_window_set_limit(&w, 50); /* it is gone: the whole budget, the 40 sends still counted */
    assert_int_equal(dc_send_window_wait(&w, 100), 0);
    for (uint64_t i = 0; i < 10; i++)
        dc_send_window_note(&w, 100 + i);
    assert_int_equal(dc_send_window_wait(&w, 200), 0 + 1000 - 200);
    dc_send_window_set_limit(&w, 0); /* never below one */
    assert_int_equal(w.limit, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_name_the_route_and_its_top_level_resource),
        cmocka_unit_test(an_interaction_is_known_by_its_token_and_the_token_never_shows),
        cmocka_unit_test(one_channels_spent_bucket_never_holds_another_channel),
        cmocka_unit_test(routes_in_one_bucket_share_it_within_one_channel),
        cmocka_unit_test(each_interaction_counts_on_its_own),
        cmocka_unit_test(a_global_429_holds_everything_but_interaction_endpoints),
        cmocka_unit_test(a_429_on_a_route_holds_only_its_own_limit),
        cmocka_unit_test(requests_in_flight_are_not_counted_twice),
        cmocka_unit_test(a_known_bucket_is_never_sent_into_when_spent),
        cmocka_unit_test(limits_of_past_windows_are_forgotten),
        cmocka_unit_test(fifty_requests_fit_in_the_window_and_the_next_waits_for_the_first),
        cmocka_unit_test(the_gateway_window_holds_the_121st_send_for_a_minute),
        cmocka_unit_test(a_shared_budget_counts_what_was_sent_and_grows_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
