/* Discord's global limits as rest.c keeps them: a global 429 holds every route, a route's own 429
 * holds only that route, and the 50-a-second budget lets the 51st request wait for the 1st. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "adapters/discord/internal.h"

static void a_global_429_holds_everything_until_it_is_over(void **state)
{
    (void)state;
    dc_ratelimit *rl = dc_ratelimit_create();
    assert_non_null(rl);
    assert_int_equal(dc_ratelimit_global_wait(rl, 1000), 0);
    dc_ratelimit_on_429(rl, "POST /channels/1/messages", 2.0, false, 1000);
    assert_int_equal(dc_ratelimit_global_wait(rl, 1000), 0); /* one route's 429 is not global */
    dc_ratelimit_on_429(rl, "POST /channels/2/messages", 0.75, true, 2000);
    assert_int_equal(dc_ratelimit_global_wait(rl, 2000), 750);
    assert_int_equal(dc_ratelimit_global_wait(rl, 2500), 250);
    assert_int_equal(dc_ratelimit_wait(rl, "POST /channels/9/messages", 2500), 250);
    assert_int_equal(dc_ratelimit_global_wait(rl, 2750), 0);
    dc_ratelimit_on_429(rl, "GET /x", 1.0, true, 3000);
    dc_ratelimit_on_429(rl, "GET /x", 0.1, true, 3000); /* a shorter one does not cut it short */
    assert_int_equal(dc_ratelimit_global_wait(rl, 3000), 1000);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_global_429_holds_everything_until_it_is_over),
        cmocka_unit_test(fifty_requests_fit_in_the_window_and_the_next_waits_for_the_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
