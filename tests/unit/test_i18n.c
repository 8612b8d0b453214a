/*
 * test_i18n.c — one process, many languages: gettext switched per message never mixes them up.
 *
 * Runs against a test locale tree with the real Spanish catalogue and a pseudo-translation "qps"
 * (every string as ⟦English⟧), built by tests/integration/i18n.cmake.
 */
#include "testkit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "app/languages.h"
#include "bot/i18n.h"
#include "bot/messages.h"
#include "store/store.h"

#ifndef TEND_TEST_LOCALE_DIR
#error "TEND_TEST_LOCALE_DIR comes from tests/integration/i18n.cmake"
#endif

static int setup_languages(void **state)
{
    (void)state;
    return tend_i18n_init(TEND_TEST_LOCALE_DIR) == 0 ? 0 : -1;
}

static void test_match_codes(void **state)
{
    (void)state;
    char out[TEND_LANG_MAX];
    assert_true(tend_i18n_match("es", out, sizeof out));
    assert_string_equal(out, "es");
    assert_true(tend_i18n_match("es-ES", out, sizeof out)); /* Discord's locale: language and region */
    assert_string_equal(out, "es");
    assert_true(tend_i18n_match("es-419", out, sizeof out)); /* Discord's Latin American Spanish */
    assert_string_equal(out, "es");
    assert_true(tend_i18n_match("ES", out, sizeof out));
    assert_string_equal(out, "es");
    assert_true(tend_i18n_match("en-US", out, sizeof out));
    assert_string_equal(out, "en");
    assert_true(tend_i18n_match("qps", out, sizeof out));
    assert_false(tend_i18n_match("pt-BR", out, sizeof out)); /* no catalogue for it here */
    assert_false(tend_i18n_match("xx", out, sizeof out));
    assert_false(tend_i18n_match("", out, sizeof out));
    assert_false(tend_i18n_match("es-ES-x", out, sizeof out));
    assert_false(tend_i18n_match("../es", out, sizeof out));
    assert_false(tend_i18n_match("es;rm", out, sizeof out));
    char list[200];
    tend_i18n_list(list, sizeof list);
    assert_string_equal(list, "English (en), español (es), ⟦English⟧ (qps)");
}

/* The same msgids asked in three languages in turn, many times: each answer is its own language's.
 * A cache that ignored the switch would hand back the previous language's string. */
static void test_alternating_languages(void **state)
{
    (void)state;
    static const char *const langs[] = {"es", "qps", "en", "qps", "es", "es", "en"};
    for (int round = 0; round < 300; round++) {
        const char *lang = langs[round % (sizeof langs / sizeof langs[0])];
        const char *claim = tend_i18n_tr(lang, MSG_TASKS_CLAIM_BUTTON);
        const char *board = tend_i18n_tr(lang, MSG_TASKS_BOARD_OPEN);
        char hands[64];
        snprintf(hands, sizeof hands, tend_i18n_ntr(lang, MSG_TASKS_HANDS_N, (unsigned long)(round % 3)), 1,
                 round % 3);
        char want_hands[64];
        if (strcmp(lang, "es") == 0) {
            assert_string_equal(claim, "Me apunto");
            assert_string_equal(board, "Tareas abiertas");
            snprintf(want_hands, sizeof want_hands, round % 3 == 1 ? "1 de 1 persona" : "1 de %d personas", round % 3);
        } else if (strcmp(lang, "qps") == 0) {
            assert_string_equal(claim, "⟦Claim⟧");
            assert_string_equal(board, "⟦Open tasks⟧");
            snprintf(want_hands, sizeof want_hands, round % 3 == 1 ? "⟦1 of 1 person⟧" : "⟦1 of %d people⟧", round % 3);
        } else {
            assert_string_equal(claim, "Claim");
            assert_string_equal(board, "Open tasks");
            snprintf(want_hands, sizeof want_hands, round % 3 == 1 ? "1 of 1 person" : "1 of %d people", round % 3);
        }
        assert_string_equal(hands, want_hands);
        assert_string_equal(tend_i18n_tr(lang, ""), ""); /* gettext's "" is the header, never said */
    }
}

static void set_group_language(testkit *kit, const char *group_key, const char *lang)
{
    snprintf(kit->group_key, sizeof kit->group_key, "%s", group_key);
    assert_int_equal(testkit_run(kit, "coord", 1, lang), 0);
}

/* Two groups in two languages, commands interleaved message by message in one process: every
 * answer, public or private, is in its own group's language, task numbers and all. */
static void test_two_groups_interleaved(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_group_language(kit, "console:uno", "setup language:es");
    assert_true(testkit_said_has(kit, "Guardado."));
    assert_true(testkit_said_has(kit, "Idioma: español (es)"));
    set_group_language(kit, "console:two", "setup language:qps");
    assert_true(testkit_said_has(kit, "⟦Saved. This group's settings now:"));
    for (int i = 1; i <= 12; i++) {
        char add[64], claim[32], want[200];
        snprintf(kit->group_key, sizeof kit->group_key, "console:uno");
        snprintf(add, sizeof add, "task add \"Sopa %d\"", i);
        assert_int_equal(testkit_run(kit, "ana", 0, add), 0);
        snprintf(want, sizeof want, "Nueva tarea: #%d Sopa %d (0 de 1 persona). /claim %d para apuntarte.", i, i,
                 i);
        assert_true(testkit_said_has(kit, want));
        snprintf(kit->group_key, sizeof kit->group_key, "console:two");
        snprintf(add, sizeof add, "task add \"Bread %d\" slots:2", i);
        assert_int_equal(testkit_run(kit, "bob", 0, add), 0);
        snprintf(want, sizeof want, "⟦New task: ⟦#%d Bread %d (⟦0 of 2 people⟧)⟧. /claim %d to take it.⟧", i, i, i);
        assert_true(testkit_said_has(kit, want));
        assert_false(testkit_said_has(kit, "Nueva"));
        snprintf(kit->group_key, sizeof kit->group_key, "console:uno");
        snprintf(claim, sizeof claim, "claim %d", i);
        char who[16];
        snprintf(who, sizeof who, "m%d", i); /* one claim each: nobody goes over their capacity */
        assert_int_equal(testkit_run(kit, who, 0, claim), 0);
        snprintf(want, sizeof want, "#%d Sopa %d (1 de 1 persona) es tuya. ¡Gracias!", i, i);
        assert_true(testkit_said_has(kit, want));
        assert_false(testkit_said_has(kit, "⟦"));
        snprintf(kit->group_key, sizeof kit->group_key, "console:two");
        assert_int_equal(testkit_run(kit, "bob", 0, "clam 1"), 0); /* a refusal, formatted before it is said */
        assert_true(testkit_said_has(kit, "⟦I don't know /clam. Did you mean /claim?"));
    }
    testkit_free(kit);
}

/* /setup language: with nothing after it names the languages there are and changes nothing. */
static void test_setup_language_empty(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_group_language(kit, "console:empty", "setup language:es");
    assert_int_equal(testkit_run(kit, "coord", 1, "setup language:"), 0);
    const char *said = testkit_said(kit);
    assert_non_null(strstr(said, "¿Qué idioma?"));
    assert_non_null(strstr(said, "English (en), español (es), ⟦English⟧ (qps)"));
    assert_null(strstr(said, "  ")); /* no empty name between two spaces */
    tend_group g;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_string_equal(g.language, "es");
    testkit_free(kit);
}

/* A member's own language for what only they read, the group's for what everyone reads; a member
 * who never chose gets their app's (Discord's es-ES) in private. */
static void test_member_language(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = "eva",
                        .member_name = "eva", .place = TEND_PLACE_PRIVATE, .text = "task add \"Soup run\"",
                        .locale = "es-ES", .guild_locale = "en-US"};
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_true(testkit_said_has(kit, "New task: #1 Soup run (0 of 1 person). /claim 1 to take it."));
    req.text = "claim 1";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_true(testkit_said_has(kit, "#1 Soup run (1 de 1 persona) es tuya."));
    req.text = "profile";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_true(testkit_said_has(kit, "Idioma: español (es), el de tu aplicación."));
    /* her own choice wins over the app's, and over the group's */
    req.text = "profile language:qps";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_true(testkit_said_has(kit, "⟦Saved. ⟧⟦Your profile: eva."));
    /* an unknown code: one line listing what there is, nothing changed */
    req.text = "profile language:klingon";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_int_equal(kit->out.count, 1);
    assert_non_null(strstr(kit->out.items[0].text, "klingon"));
    assert_non_null(strstr(kit->out.items[0].text, "English (en), español (es), ⟦English⟧ (qps)"));
    assert_null(strchr(kit->out.items[0].text, '\n'));
    /* language: with nothing after it: which one, and the list; not "I don't speak  yet" */
    req.text = "profile language:";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_int_equal(kit->out.count, 1);
    assert_non_null(strstr(kit->out.items[0].text, "⟦Which language?"));
    assert_non_null(strstr(kit->out.items[0].text, "English (en), español (es), ⟦English⟧ (qps)"));
    assert_null(strchr(kit->out.items[0].text, '\n'));
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "eva", &m), TEND_STORE_OK);
    assert_string_equal(m.language, "qps");
    /* someone else's DM: in their language, not the asker's; the group still hears English */
    assert_int_equal(testkit_run(kit, "ana", 0, "profile language:es"), 0);
    req.text = "handoff 1 ana";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    const char *said = testkit_said(kit);
    assert_non_null(strstr(said, "[dm ana] eva quiere pasarte #1 Soup run (1 de 1 persona). ¿La tomas?"));
    assert_non_null(strstr(said, "[private eva] ⟦I've offered #1 to ana."));
    testkit_free(kit);
}

/* A server that speaks Spanish (Discord's guild_locale) starts its group in Spanish with its first
 * command; a group that exists already keeps its language whatever the server says. */
static void test_new_group_starts_in_its_servers_language(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    snprintf(kit->group_key, sizeof kit->group_key, "discord:1");
    tend_request req = {.group_key = kit->group_key, .channel_key = "discord:channel", .member_key = "ana",
                        .member_name = "ana", .place = TEND_PLACE_SHARED, .text = "task add \"Sopa\"",
                        .locale = "en-US", .guild_locale = "es-ES"};
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_true(testkit_said_has(kit, "Nueva tarea: #1 Sopa (0 de 1 persona)"));
    tend_group g;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_string_equal(g.language, "es");
    /* an English group met before the server's language was known stays English */
    snprintf(kit->group_key, sizeof kit->group_key, "discord:2");
    assert_int_equal(testkit_run(kit, "ana", 0, "tasks"), 0);
    tend_clock_advance(kit->clock, 60); /* a later command: the group is not new any more */
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_true(testkit_said_has(kit, "New task: #1 Sopa"));
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_string_equal(g.language, "");
    testkit_free(kit);
}

/* What an adapter's own sentence is written in (the host's language op): the group's for the room;
 * for one member their own choice, else their app's language now, else the one remembered, else
 * the group's; and for someone tend knows nothing of, their app's language or English. */
static void test_adapter_language(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_group_language(kit, "console:huerto", "setup language:es");
    assert_int_equal(testkit_run(kit, "otto", 0, "profile language:qps"), 0);
    assert_int_equal(testkit_run(kit, "rosa", 0, "me"), 0);
    char out[TEND_LANG_MAX];
    assert_int_equal(tend_app_language_of(kit->store, "console:huerto", NULL, NULL, out, sizeof out), 0);
    assert_string_equal(out, "es");
    assert_int_equal(tend_app_language_of(kit->store, "console:huerto", "otto", "en-US", out, sizeof out), 0);
    assert_string_equal(out, "qps"); /* their own choice wins over their app's */
    assert_int_equal(tend_app_language_of(kit->store, "console:huerto", "rosa", NULL, out, sizeof out), 0);
    assert_string_equal(out, "es"); /* never chose, no app language: the group's */
    assert_int_equal(tend_app_language_of(kit->store, "console:huerto", "rosa", "en-GB", out, sizeof out), 0);
    assert_string_equal(out, "en"); /* their app says English */
    assert_int_equal(tend_app_language_of(kit->store, "console:huerto", "nobody", "tlh", out, sizeof out), 0);
    assert_string_equal(out, "es"); /* not a member yet, an app language tend lacks: the group's */
    assert_int_equal(tend_app_language_of(kit->store, "console:elsewhere", "rosa", "es-419", out, sizeof out), 1);
    assert_string_equal(out, "es"); /* no group known: only the app's language to go on */
    assert_int_equal(tend_app_language_of(kit->store, "console:elsewhere", NULL, NULL, out, sizeof out), 1);
    assert_string_equal(out, "");
    assert_int_equal(tend_app_language_of(kit->store, NULL, "rosa", NULL, out, sizeof out), 1);
    assert_string_equal(out, "");
    testkit_free(kit);
}

/* A member who never chose reads their app's language in what tend sends later, unasked: the
 * locale of their last command is remembered (and forgotten with them). */
static void test_app_language_remembered(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "task add \"Soup run\" when:\"tomorrow 18:00\""), 0);
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = "eva",
                        .member_name = "eva", .place = TEND_PLACE_PRIVATE, .text = "claim 1", .locale = "es-419"};
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "eva", &m), TEND_STORE_OK);
    assert_string_equal(m.app_language, "es");
    assert_string_equal(m.language, "");
    /* the reminder two hours before: to eva in Spanish, though the group is English */
    tend_clock_advance(kit->clock, 31 * 3600); /* tomorrow 16:00 UTC: two hours before */
    assert_int_equal(testkit_tick(kit), 0);
    const char *said = testkit_said(kit);
    assert_non_null(strstr(said, "[dm eva] Un recordatorio: #1 Soup run"));
    /* /forgetme takes it away with the rest */
    req.text = "forgetme confirm";
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_int_equal(tend_store_member_by_id(kit->store, m.id, &m), TEND_STORE_OK);
    assert_string_equal(m.app_language, "");
    testkit_free(kit);
}

/* What a language switch costs, per message: reported, never asserted on time. */
static void test_switch_cost(void **state)
{
    (void)state;
    enum { N = 200000 };
    struct timespec a, b, c;
    uint64_t before = tend_i18n_switches();
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < N; i++)
        assert_non_null(tend_i18n_tr("es", MSG_TASKS_BOARD_OPEN));
    clock_gettime(CLOCK_MONOTONIC, &b);
    for (int i = 0; i < N; i++)
        assert_non_null(tend_i18n_tr(i % 2 ? "es" : "qps", MSG_TASKS_BOARD_OPEN));
    clock_gettime(CLOCK_MONOTONIC, &c);
    uint64_t switched = tend_i18n_switches() - before;
    assert_true(switched >= N - 1); /* every other call really switched */
    double same = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / N;
    double alt = ((double)(c.tv_sec - b.tv_sec) * 1e9 + (double)(c.tv_nsec - b.tv_nsec)) / N;
    print_message("i18n: a lookup in the current language %.0f ns; with a language switch before it %.0f ns "
                  "(%llu switches)\n", same, alt, (unsigned long long)switched);
}

static double run_commands(testkit *kit, const char *const *groups, int n)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        /* at the member's own keyboard, as the console is: no per-minute budget to run into */
        tend_request req = {.group_key = groups[i % 2], .channel_key = "console:channel", .member_key = "ana",
                            .member_name = "ana", .place = TEND_PLACE_PRIVATE, .text = "tasks", .own_keyboard = true};
        tend_messages_clear(&kit->out);
        assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
        assert_int_equal(kit->out.count, 1);
        assert_non_null(strstr(kit->out.items[0].text, "#10 Soup run")); /* the board, not a "slow down" */
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / n / 1000.0;
}

/* The same per whole command: /tasks alternating between two groups in one language, then between
 * a Spanish and a pseudo-translated group (a switch before every answer). Reported only. */
static void test_switch_cost_per_command(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_group_language(kit, "console:es1", "setup language:es");
    set_group_language(kit, "console:es2", "setup language:es");
    set_group_language(kit, "console:qps", "setup language:qps");
    for (int g = 0; g < 3; g++) { /* a board of ten tasks in each */
        static const char *const keys[] = {"console:es1", "console:es2", "console:qps"};
        snprintf(kit->group_key, sizeof kit->group_key, "%s", keys[g]);
        for (int i = 0; i < 10; i++)
            assert_int_equal(testkit_run(kit, "coord", 1, "task add \"Soup run\" when:\"fri 18:00\" slots:2"), 0);
    }
    static const char *const same[] = {"console:es1", "console:es2"};
    static const char *const mixed[] = {"console:es1", "console:qps"};
    enum { N = 2000 };
    run_commands(kit, same, 200); /* warm the statement cache */
    uint64_t before = tend_i18n_switches();
    double one = run_commands(kit, same, N);
    uint64_t switches_same = tend_i18n_switches() - before;
    before = tend_i18n_switches();
    double two = run_commands(kit, mixed, N);
    uint64_t switches_mixed = tend_i18n_switches() - before;
    assert_true(switches_mixed >= N - 1); /* every answer switched */
    print_message("i18n: /tasks (10 tasks) %.1f us per command in one language (%llu switches), %.1f us "
                  "alternating two languages (%llu switches)\n", one, (unsigned long long)switches_same, two,
                  (unsigned long long)switches_mixed);
    testkit_free(kit);
}

/* The loop and a store thread translate at once (store/postgres/SEAM.md): one thread answers in
 * Spanish, the other in the pseudo-language, each through its command's scope and by explicit
 * code, 50,000 times each. Without the lock around a switch and its lookup, or with a scope
 * shared between threads, one thread gets the other's language (both were seen to fail). */
typedef struct {
    const char *lang;   /* the thread's language */
    const char *claim;  /* what MSG_TASKS_CLAIM_BUTTON must read in it */
    int wrong;          /* this thread's own count */
    uv_barrier_t *both; /* so the two really run at once */
} translator;

static void translate_many(void *arg)
{
    translator *t = arg;
    tend_i18n_scope(t->lang, "asker", t->lang);
    uv_barrier_wait(t->both);
    for (int i = 0; i < 50000; i++) {
        const char *by_scope = tend_tr(MSG_TASKS_CLAIM_BUTTON);
        const char *by_code = tend_i18n_tr(t->lang, MSG_TASKS_CLAIM_BUTTON);
        if (strcmp(by_scope, t->claim) != 0 || strcmp(by_code, t->claim) != 0)
            t->wrong++;
    }
}

static void test_two_threads_keep_their_languages(void **state)
{
    (void)state;
    uv_barrier_t both;
    assert_int_equal(uv_barrier_init(&both, 2), 0);
    translator es = {.lang = "es", .claim = "Me apunto", .both = &both};
    translator qps = {.lang = "qps", .claim = "⟦Claim⟧", .both = &both};
    uv_thread_t a, b;
    assert_int_equal(uv_thread_create(&a, translate_many, &es), 0);
    assert_int_equal(uv_thread_create(&b, translate_many, &qps), 0);
    uv_thread_join(&a);
    uv_thread_join(&b);
    uv_barrier_destroy(&both);
    assert_int_equal(es.wrong, 0);
    assert_int_equal(qps.wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_codes),
        cmocka_unit_test(test_alternating_languages),
        cmocka_unit_test(test_two_groups_interleaved),
        cmocka_unit_test(test_setup_language_empty),
        cmocka_unit_test(test_adapter_language),
        cmocka_unit_test(test_new_group_starts_in_its_servers_language),
        cmocka_unit_test(test_member_language),
        cmocka_unit_test(test_app_language_remembered),
        cmocka_unit_test(test_switch_cost),
        cmocka_unit_test(test_switch_cost_per_command),
        cmocka_unit_test(test_two_threads_keep_their_languages),
    };
    return cmocka_run_group_tests(tests, setup_languages, NULL);
}
