/* test_matrix_links.c — Matrix rooms linked into one group: the command's parsing, every check a
 * link must pass, what the store keeps, and that a refusal writes nothing. */
#include "testkit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/matrix/internal.h"
#include "store/store.h"

#define BOT "@tend:example.org"
#define ALICE "@alice:example.org" /* a coordinator (power 100) wherever she is given power */
#define BOB "@bob:example.org"     /* an ordinary member */
#define ROOM_A "!aaa:example.org"
#define ROOM_B "!bbb:example.org"
#define ROOM_C "!ccc:example.org"
#define ROOM_D "!ddd:example.org"

typedef struct {
    testkit *kit;
    testkit_app ta;
    tend_host host;
    tend_matrix *mx;
} fixture;

static void apply(tend_matrix_room *room, const char *json)
{
    cJSON *ev = cJSON_Parse(json);
    assert_non_null(ev);
    tend_matrix_room_apply_state(room, ev);
    cJSON_Delete(ev);
}

static void join(tend_matrix_room *room, const char *user)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"type\":\"m.room.member\",\"state_key\":\"%s\",\"content\":{\"membership\":\"join\"}}", user);
    apply(room, json);
}

/* A room the bot and both humans joined; alice has power 100 there when alice_coord. */
static tend_matrix_room *room(fixture *f, const char *id, bool alice_coord)
{
    tend_matrix_room *r = tend_matrix_room_get(f->mx, id, true);
    assert_non_null(r);
    join(r, BOT);
    join(r, ALICE);
    join(r, BOB);
    apply(r, alice_coord ? "{\"type\":\"m.room.power_levels\",\"state_key\":\"\",\"content\":"
                           "{\"users\":{\"" ALICE "\":100},\"users_default\":0}}"
                         : "{\"type\":\"m.room.power_levels\",\"state_key\":\"\",\"content\":"
                           "{\"users_default\":0}}");
    return r;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->kit = testkit_new();
    f->mx = calloc(1, sizeof *f->mx);
    assert_non_null(f->mx);
    testkit_app_open(f->kit, &f->ta);
    tend_app_host_init(f->ta.app, &f->host, TEND_MATRIX_PLATFORM);
    f->mx->base.host = &f->host;
    f->mx->user_id = strdup(BOT);
    room(f, ROOM_A, true);
    room(f, ROOM_B, true);
    room(f, ROOM_C, true);
    room(f, ROOM_D, true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tend_matrix_rooms_free(f->mx);
    tend_matrix_dms_free(f->mx);
    free(f->mx->user_id);
    free(f->mx);
    testkit_app_close(&f->ta);
    testkit_free(f->kit);
    free(f);
    return 0;
}

static const char *group_of(fixture *f, const char *room_id)
{
    static char out[MX_KEY_MAX];
    tend_matrix_group_room(f->mx, room_id, out, sizeof out);
    return out;
}

static bool state_exists(fixture *f, const char *key)
{
    char value[MX_KEY_MAX];
    return tend_store_state_get(f->kit->store, TEND_MATRIX_PLATFORM, key, value, sizeof value) == TEND_STORE_OK;
}

static bool group_exists(fixture *f, const char *room_id)
{
    char key[MX_KEY_MAX];
    tend_group g;
    snprintf(key, sizeof key, "matrix:%s", room_id);
    return tend_store_group_get(f->kit->store, key, &g) == TEND_STORE_OK;
}

/* ---------------------------------------------------------------- parsing */

static void link_commands_are_told_apart_from_other_setups(void **state)
{
    (void)state;
    char t[MX_KEY_MAX];
    assert_int_equal(tend_matrix_parse_link("setup link:!aaa:example.org", t, sizeof t), TEND_MATRIX_LINK_CMD_TO);
    assert_string_equal(t, "!aaa:example.org");
    assert_int_equal(tend_matrix_parse_link("Setup  LINK:\"#soup:example.org\" ", t, sizeof t),
                     TEND_MATRIX_LINK_CMD_TO);
    assert_string_equal(t, "#soup:example.org");
    /* room version 12 ids carry no server part */
    assert_int_equal(tend_matrix_parse_link("setup link:!Xy-z_9", t, sizeof t), TEND_MATRIX_LINK_CMD_TO);
    assert_string_equal(t, "!Xy-z_9");
    assert_int_equal(tend_matrix_parse_link("setup unlink", t, sizeof t), TEND_MATRIX_LINK_CMD_UNDO);
    /* every other /setup is the bot's, quoted values included */
    assert_int_equal(tend_matrix_parse_link("setup", t, sizeof t), TEND_MATRIX_LINK_CMD_NONE);
    assert_int_equal(tend_matrix_parse_link("setup checkin:\"mon unlink\" tz:UTC", t, sizeof t),
                     TEND_MATRIX_LINK_CMD_NONE);
    assert_int_equal(tend_matrix_parse_link("setuplink:!a:b", t, sizeof t), TEND_MATRIX_LINK_CMD_NONE);
    assert_int_equal(tend_matrix_parse_link("claim link:!a:b", t, sizeof t), TEND_MATRIX_LINK_CMD_NONE);
    assert_int_equal(tend_matrix_parse_link(NULL, t, sizeof t), TEND_MATRIX_LINK_CMD_NONE);
}

static void malformed_link_commands_are_bad_not_passed_on(void **state)
{
    (void)state;
    char t[MX_KEY_MAX];
    static const char *const bad[] = {
        "setup link:",                          /* no room                      */
        "setup link",                           /* no colon, no room            */
        "setup link:soup",                      /* neither a room id nor alias  */
        "setup link:@bob:example.org",          /* a user, not a room           */
        "setup link:#soup",                     /* an alias names its server    */
        "setup link:!",                         /* no id after the sigil        */
        "setup link:!aaa:example.org tz:UTC",   /* link goes on its own         */
        "setup unlink now",
        "setup unlink link:!aaa:example.org",
        "setup link:\"#a b:example.org\"",      /* spaces never appear in ids   */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t[0] = 'x';
        assert_int_equal(tend_matrix_parse_link(bad[i], t, sizeof t), TEND_MATRIX_LINK_CMD_BAD);
        assert_string_equal(t, "");
    }
    /* a target longer than the caller's buffer is bad, never cut */
    char small[8];
    assert_int_equal(tend_matrix_parse_link("setup link:!aaaaaaa:example.org", small, sizeof small),
                     TEND_MATRIX_LINK_CMD_BAD);
}

/* ---------------------------------------------------------------- linking */

static void coordinator_links_a_room_into_another_rooms_group(void **state)
{
    fixture *f = *state;
    assert_false(tend_matrix_group_room(f->mx, ROOM_B, (char[MX_KEY_MAX]){0}, MX_KEY_MAX));
    assert_string_equal(group_of(f, ROOM_B), ROOM_B);
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_B, ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    assert_string_equal(group_of(f, ROOM_B), ROOM_A);
    assert_string_equal(group_of(f, ROOM_A), ROOM_A);
    /* the group exists with its own room as the channel, so scheduled posts go there */
    char key[MX_KEY_MAX];
    tend_group g;
    snprintf(key, sizeof key, "matrix:%s", ROOM_A);
    assert_int_equal(tend_store_group_get(f->kit->store, key, &g), TEND_STORE_OK);
    assert_string_equal(g.channel_key, ROOM_A);
    assert_false(group_exists(f, ROOM_B));
    /* a second room may join the same group */
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_C, ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    assert_string_equal(group_of(f, ROOM_C), ROOM_A);
}

static void refused_links_write_nothing(fixture *f, tend_matrix_link_result want, const char *from,
                                        const char *to, const char *who)
{
    assert_int_equal(tend_matrix_link_rooms(f->mx, from, to, who), want);
    char key[MX_KEY_MAX + 8];
    snprintf(key, sizeof key, "link:%s", from);
    assert_false(state_exists(f, key));
    snprintf(key, sizeof key, "linkcount:%s", to);
    assert_false(state_exists(f, key));
    assert_false(group_exists(f, to));
    assert_string_equal(group_of(f, from), from);
}

static void only_a_coordinator_in_both_rooms_may_link(void **state)
{
    fixture *f = *state;
    refused_links_write_nothing(f, TEND_MATRIX_LINK_NOT_COORDINATOR, ROOM_B, ROOM_A, BOB);
    /* coordinator where typed but not in the target, and the other way round */
    room(f, "!plain:example.org", false);
    refused_links_write_nothing(f, TEND_MATRIX_LINK_NOT_COORDINATOR, ROOM_B, "!plain:example.org", ALICE);
    refused_links_write_nothing(f, TEND_MATRIX_LINK_NOT_COORDINATOR, "!plain:example.org", ROOM_A, ALICE);
}

static void unknown_self_encrypted_and_dm_targets_are_refused(void **state)
{
    fixture *f = *state;
    refused_links_write_nothing(f, TEND_MATRIX_LINK_SELF, ROOM_B, ROOM_B, ALICE);
    refused_links_write_nothing(f, TEND_MATRIX_LINK_UNKNOWN, ROOM_B, "!never:example.org", ALICE);
    /* a room the bot was only invited to (a refused invite leaves a record) is not joined */
    tend_matrix_room *invited = tend_matrix_room_get(f->mx, "!invited:example.org", true);
    join(invited, ALICE);
    refused_links_write_nothing(f, TEND_MATRIX_LINK_UNKNOWN, ROOM_B, "!invited:example.org", ALICE);
    tend_matrix_room *enc = room(f, "!enc:example.org", true);
    apply(enc, "{\"type\":\"m.room.encryption\",\"state_key\":\"\",\"content\":{\"algorithm\":\"x\"}}");
    refused_links_write_nothing(f, TEND_MATRIX_LINK_ENCRYPTED, ROOM_B, "!enc:example.org", ALICE);
    /* a member's DM room with the bot is never a group */
    room(f, "!dm:example.org", true);
    assert_int_equal(tend_store_state_set(f->kit->store, TEND_MATRIX_PLATFORM, "dmroom:!dm:example.org", ALICE),
                     TEND_STORE_OK);
    refused_links_write_nothing(f, TEND_MATRIX_LINK_UNKNOWN, ROOM_B, "!dm:example.org", ALICE);
}

static void chains_are_refused_both_ways(void **state)
{
    fixture *f = *state;
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_A, ROOM_C, ALICE), TEND_MATRIX_LINK_OK);
    /* B -> A would make B -> A -> C */
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_B, ROOM_A, ALICE), TEND_MATRIX_LINK_TARGET_LINKED);
    assert_string_equal(group_of(f, ROOM_B), ROOM_B);
    /* C -> D would make A -> C -> D: rooms already share C's group */
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_C, ROOM_D, ALICE), TEND_MATRIX_LINK_HAS_LINKS);
    assert_string_equal(group_of(f, ROOM_C), ROOM_C);
    /* A is linked already: another link needs an unlink first */
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_A, ROOM_D, ALICE), TEND_MATRIX_LINK_ALREADY);
    assert_string_equal(group_of(f, ROOM_A), ROOM_C);
    assert_false(group_exists(f, ROOM_D));
}

static void room_version_12_creators_are_coordinators_unlisted(void **state)
{
    fixture *f = *state;
    /* v12: the creators outrank everyone and the power levels event does not list them */
    tend_matrix_room *v12 = tend_matrix_room_get(f->mx, "!v12", true);
    apply(v12, "{\"type\":\"m.room.create\",\"state_key\":\"\",\"sender\":\"" ALICE "\","
               "\"content\":{\"room_version\":\"12\",\"additional_creators\":[\"" BOB "\"]}}");
    apply(v12, "{\"type\":\"m.room.power_levels\",\"state_key\":\"\",\"content\":{\"users_default\":0}}");
    join(v12, BOT);
    assert_true(tend_matrix_room_power(v12, ALICE) >= 50);
    assert_true(tend_matrix_room_power(v12, BOB) >= 50);
    assert_int_equal(tend_matrix_room_power(v12, "@carol:example.org"), 0);
    assert_int_equal(tend_matrix_link_rooms(f->mx, "!v12", ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    /* before v12 the power levels event is the whole truth, creator or not */
    tend_matrix_room *v10 = tend_matrix_room_get(f->mx, "!v10", true);
    apply(v10, "{\"type\":\"m.room.create\",\"state_key\":\"\",\"sender\":\"" ALICE "\","
               "\"content\":{\"room_version\":\"10\"}}");
    apply(v10, "{\"type\":\"m.room.power_levels\",\"state_key\":\"\",\"content\":{\"users_default\":0}}");
    assert_int_equal(tend_matrix_room_power(v10, ALICE), 0);
}

/* ---------------------------------------------------------------- unlinking */

static void unlink_restores_the_rooms_own_group_and_frees_the_target(void **state)
{
    fixture *f = *state;
    char was[MX_KEY_MAX] = "";
    assert_int_equal(tend_matrix_unlink_room(f->mx, ROOM_B, ALICE, was, sizeof was), TEND_MATRIX_LINK_NOT_LINKED);
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_B, ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_D, ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    /* an ordinary member cannot undo it, and nothing moves */
    assert_int_equal(tend_matrix_unlink_room(f->mx, ROOM_B, BOB, was, sizeof was),
                     TEND_MATRIX_LINK_UNLINK_NOT_COORDINATOR);
    assert_string_equal(group_of(f, ROOM_B), ROOM_A);
    assert_int_equal(tend_matrix_unlink_room(f->mx, ROOM_B, ALICE, was, sizeof was), TEND_MATRIX_LINK_OK);
    assert_string_equal(was, ROOM_A);
    assert_string_equal(group_of(f, ROOM_B), ROOM_B);
    assert_string_equal(group_of(f, ROOM_D), ROOM_A);
    /* D still shares A's group, so A cannot join another */
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_A, ROOM_C, ALICE), TEND_MATRIX_LINK_HAS_LINKS);
    assert_int_equal(tend_matrix_unlink_room(f->mx, ROOM_D, ALICE, NULL, 0), TEND_MATRIX_LINK_OK);
    assert_false(state_exists(f, "linkcount:" ROOM_A));
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_A, ROOM_C, ALICE), TEND_MATRIX_LINK_OK);
}

static void a_linked_rooms_own_group_posts_nothing_while_linked(void **state)
{
    fixture *f = *state;
    tend_message pub = {.audience = TEND_TO_PUBLIC, .group_key = (char *)"matrix:" ROOM_B, .kind = (char *)"x"};
    tend_message dm = {.audience = TEND_TO_DM, .group_key = (char *)"matrix:" ROOM_B, .kind = (char *)"x"};
    tend_message of_a = {.audience = TEND_TO_PUBLIC, .group_key = (char *)"matrix:" ROOM_A, .kind = (char *)"x"};
    assert_false(tend_matrix_group_dormant(f->mx, &pub));
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_B, ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    assert_true(tend_matrix_group_dormant(f->mx, &pub));
    /* a member's own reminders about what they hold still reach them; the group it joined posts */
    assert_false(tend_matrix_group_dormant(f->mx, &dm));
    assert_false(tend_matrix_group_dormant(f->mx, &of_a));
    assert_int_equal(tend_matrix_unlink_room(f->mx, ROOM_B, ALICE, NULL, 0), TEND_MATRIX_LINK_OK);
    assert_false(tend_matrix_group_dormant(f->mx, &pub));
}

static void links_survive_a_restart_because_they_live_in_the_store(void **state)
{
    fixture *f = *state;
    assert_int_equal(tend_matrix_link_rooms(f->mx, ROOM_B, ROOM_A, ALICE), TEND_MATRIX_LINK_OK);
    /* a fresh adapter over the same store, knowing no rooms yet (before its first sync) */
    tend_matrix fresh = {.base = {.host = &f->host}, .user_id = (char *)BOT};
    char out[MX_KEY_MAX];
    assert_true(tend_matrix_group_room(&fresh, ROOM_B, out, sizeof out));
    assert_string_equal(out, ROOM_A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(link_commands_are_told_apart_from_other_setups),
        cmocka_unit_test(malformed_link_commands_are_bad_not_passed_on),
        cmocka_unit_test_setup_teardown(coordinator_links_a_room_into_another_rooms_group, setup, teardown),
        cmocka_unit_test_setup_teardown(only_a_coordinator_in_both_rooms_may_link, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_self_encrypted_and_dm_targets_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(chains_are_refused_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(room_version_12_creators_are_coordinators_unlisted, setup, teardown),
        cmocka_unit_test_setup_teardown(unlink_restores_the_rooms_own_group_and_frees_the_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_linked_rooms_own_group_posts_nothing_while_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(links_survive_a_restart_because_they_live_in_the_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
