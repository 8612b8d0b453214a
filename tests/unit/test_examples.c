/*
 * test_examples.c — what tend tells a member to type is in their words and works: every example
 * /help COMMAND shows runs, in every shipped language; /help COMMAND and the weekly check-in name
 * the words the reader's language uses.
 *
 * Each command's example is a msgid (bot/catalogue.c) whose translation may say its free text and
 * the words tend reads (check-in answers, lengths of time, when:, yes/no, repeat:) in that
 * language. A translation that renamed a command or wrote a word the parsers do not take would
 * teach members something that fails: here each command of each example runs through the router
 * as a member of a group speaking that language, and must neither be an unknown command nor be
 * answered with its usage. The catalogues are the build's own (every .po of po/ compiled).
 */
#include "schedkit.h"

#include <stdio.h>
#include <string.h>

#include "bot/catalogue.h"
#include "bot/i18n.h"
#include "bot/messages.h"
#include "bot/reply.h"

#ifndef TEND_BUILD_LOCALE_DIR
#error "TEND_BUILD_LOCALE_DIR comes from tests/integration/i18n.cmake"
#endif

static int setup_languages(void **state)
{
    (void)state;
    return tend_i18n_init(TEND_BUILD_LOCALE_DIR) == 0 ? 0 : -1;
}

/* A group in lang where the example's commands have something to act on: twelve tasks posted by
 * rosa (who holds #12), two agreements, and Ana. */
static testkit *group_in(const char *lang)
{
    testkit *kit = testkit_new();
    char setup[64];
    snprintf(setup, sizeof setup, "setup language:%s", lang);
    assert_int_equal(testkit_run(kit, "coord", 1, setup), 0);
    for (int i = 1; i <= 12; i++)
        assert_int_equal(testkit_run(kit, "rosa", 1, "task add Soup run slots:3"), 0);
    assert_int_equal(testkit_run(kit, "rosa", 1, "claim 12"), 0);
    assert_int_equal(testkit_run(kit, "coord", 1, "agreements add One."), 0);
    assert_int_equal(testkit_run(kit, "coord", 1, "agreements add Two."), 0);
    assert_int_equal(testkit_run(kit, "Ana", 0, "me"), 0);
    return kit;
}

/* The text before "%s" of a msgid in lang: how a usage answer or an unknown command starts. */
static void lead_of(const char *lang, const char *msgid, char *out, size_t outlen)
{
    const char *said = tend_i18n_tr(lang, msgid);
    snprintf(out, outlen, "%.*s", (int)(strstr(said, "%s") ? strstr(said, "%s") - said : (long)strlen(said)),
             said);
}

/* One command of an example (from just after its prefix to the next ',', ';', '(' or prefix),
 * without the spaces after it (a French no-break space before ';' too). */
static void cut_command(const char *from, char *out, size_t outlen)
{
    size_t n = strcspn(from, ",;(" TEND_CMD);
    while (n > 0 && (from[n - 1] == ' ' || (n >= 2 && (unsigned char)from[n - 2] == 0xC2 &&
                                              (unsigned char)from[n - 1] == 0xA0)))
        n -= from[n - 1] == ' ' ? 1 : 2;
    snprintf(out, outlen, "%.*s", (int)n, from);
}

static int run_examples(const char *lang)
{
    char usage[64], unknown[64];
    lead_of(lang, MSG_USAGE, usage, sizeof usage);
    int ran = 0;
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        const char *example = tend_i18n_tr(lang, c->example);
        snprintf(unknown, sizeof unknown, "%s", c->name);
        for (const char *p = strchr(example, TEND_CMD[0]); p; p = strchr(p + 1, TEND_CMD[0])) {
            char command[300];
            cut_command(p + 1, command, sizeof command);
            size_t n = strlen(c->name);
            if (strncmp(command, c->name, n) != 0 || (command[n] && command[n] != ' '))
                fail_msg("%s: the example of /%s runs another command: %s", lang, c->name, command);
            testkit *kit = group_in(lang);
            assert_int_equal(testkit_run(kit, "rosa", 1, command), 0);
            for (size_t i = 0; i < kit->out.count; i++)
                if (strstr(kit->out.items[i].text, usage))
                    fail_msg("%s: /%s is answered with its usage:\n%s", lang, command, testkit_said(kit));
            if (kit->out.count == 0)
                fail_msg("%s: /%s said nothing", lang, command);
            testkit_free(kit);
            ran++;
        }
    }
    return ran;
}

static void every_example_runs_in_every_language(void **state)
{
    (void)state;
    int langs = 1, ran = run_examples("en");
    for (size_t i = 0; tend_i18n_lang_at(i); i++, langs++)
        ran += run_examples(tend_i18n_lang_at(i));
    assert_true(langs >= 5); /* English, es, pt_BR, fr, de */
    print_message("examples: %d commands run in %d languages\n", ran, langs);
}

/* A usage answer is recognised: the check above can fail. */
static void a_broken_example_is_caught(void **state)
{
    (void)state;
    char usage[64];
    lead_of("es", MSG_USAGE, usage, sizeof usage);
    testkit *kit = group_in("es");
    assert_int_equal(testkit_run(kit, "rosa", 1, "checkin regulín"), 0);
    assert_non_null(strstr(kit->out.items[0].text, usage));
    testkit_free(kit);
}

/* /help COMMAND in Spanish: the example in Spanish, and the words the usage names in English
 * said in Spanish under it. */
static void help_shows_the_readers_example_and_words(void **state)
{
    (void)state;
    testkit *kit = group_in("es");
    assert_int_equal(testkit_run(kit, "ana", 0, "help checkin"), 0);
    assert_true(testkit_said_has(kit, "/checkin [great|ok|low|out] [note]"));
    assert_true(testkit_said_has(kit, "\nEn español: genial, bien, bajo, agotado."));
    assert_true(testkit_said_has(kit, "/checkin bien, o /checkin bajo note:semana larga en el trabajo"));
    assert_false(testkit_said_has(kit, "long week"));
    assert_int_equal(testkit_run(kit, "ana", 0, "help task add"), 0);
    assert_true(testkit_said_has(kit, "\nEn español, when: vie"));
    assert_true(testkit_said_has(kit, "\nEn español, repeat: semanal"));
    assert_true(testkit_said_has(kit, "\nEn español, rotate/teach: sí, no."));
    assert_int_equal(testkit_run(kit, "ana", 0, "help stepback"), 0);
    assert_true(testkit_said_has(kit, "\nEn español: 3 días, una semana, 2 semanas."));
    assert_int_equal(testkit_run(kit, "ana", 0, "help task"), 0); /* a family: each with its words */
    assert_true(testkit_said_has(kit, "/task edit 12 when:\"sáb 10:00\""));
    /* a member who reads English in that group: the English example, nothing more */
    assert_int_equal(testkit_run(kit, "otto", 0, "profile language:en"), 0);
    assert_int_equal(testkit_run(kit, "otto", 0, "help checkin"), 0);
    assert_true(testkit_said_has(kit, "For example: /checkin ok, or /checkin low note:long week at work"));
    assert_false(testkit_said_has(kit, "español"));
    assert_false(testkit_said_has(kit, "In your language"));
    testkit_free(kit);
}

/* A refusal that names English words adds the reader's (repeat:, rotate:/teach:, /pause-new). */
static void refusals_add_the_readers_words(void **state)
{
    (void)state;
    testkit *kit = group_in("es");
    assert_int_equal(testkit_run(kit, "ana", 0, "task add X repeat:raro"), 0);
    assert_true(testkit_said_has(kit, "En español: semanal, quincenal, mensual."));
    assert_int_equal(testkit_run(kit, "ana", 0, "task add X rotate:quizas"), 0);
    assert_true(testkit_said_has(kit, "En español: sí, no."));
    assert_int_equal(testkit_run(kit, "coord", 1, "pause-new pronto"), 0);
    assert_true(testkit_said_has(kit, "En español: 3 días, una semana, 2 semanas."));
    assert_int_equal(testkit_run(kit, "ana", 0, "profile language:en"), 0);
    assert_int_equal(testkit_run(kit, "ana", 0, "task add X repeat:raro"), 0);
    assert_false(testkit_said_has(kit, "semanal")); /* who reads English reads nothing more */
    testkit_free(kit);
}

/* The weekly check-in names the four answers in its reader's words: each member's own in their
 * private ask, the group's on a post everyone answers from; a tap still sends the English word. */
static void the_weekly_checkin_names_the_readers_answers(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 UTC; the console: each member asked privately */
    tend_group g = make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    snprintf(g.language, sizeof g.language, "es");
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    make_member(kit, &g, "ana"); /* never chose: the group's Spanish */
    tend_member otto = make_member(kit, &g, "otto");
    snprintf(otto.language, sizeof otto.language, "de");
    save_member(kit, &otto);
    tend_member eve = make_member(kit, &g, "eve");
    snprintf(eve.language, sizeof eve.language, "en");
    save_member(kit, &eve);
    set_now(kit, TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "checkin.ask"), 3);
    for (size_t i = 0; i < kit->out.count; i++) {
        const tend_message *m = &kit->out.items[i];
        if (strcmp(m->kind, "checkin.ask") != 0)
            continue;
        const char *want = strcmp(m->member_key, "ana") == 0    ? "checkin genial, bien, bajo o agotado."
                           : strcmp(m->member_key, "otto") == 0 ? "checkin super, gut, müde oder erschöpft."
                                                                : "checkin great, ok, low or out.";
        if (!strstr(m->text, want))
            fail_msg("%s's check-in does not say \"%s\": %s", m->member_key, want, m->text);
        assert_int_equal(m->n_buttons, 4);
        assert_string_equal(m->buttons[3].command, "checkin out");
    }
    /* and what it names is read: ana answers in the words she was given */
    assert_int_equal(testkit_run(kit, "ana", 0, "checkin agotado"), 0);
    assert_false(testkit_said_has(kit, "Uso:"));
    testkit_free(kit);

    /* Discord: the answers sit on the group's post, in the group's words */
    kit = testkit_new();
    snprintf(kit->group_key, sizeof kit->group_key, "discord:1");
    g = make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    snprintf(g.language, sizeof g.language, "fr");
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    set_now(kit, TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *p = find_kind(&kit->out, "checkin.prompt");
    assert_non_null(p);
    assert_non_null(strstr(p->text, "checkin super, bien, fatigué ou épuisé)"));
    assert_null(strstr(p->text, "great"));
    assert_string_equal(p->buttons[0].command, "checkin great");
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_broken_example_is_caught),
        cmocka_unit_test(every_example_runs_in_every_language),
        cmocka_unit_test(help_shows_the_readers_example_and_words),
        cmocka_unit_test(refusals_add_the_readers_words),
        cmocka_unit_test(the_weekly_checkin_names_the_readers_answers),
    };
    return cmocka_run_group_tests(tests, setup_languages, NULL);
}
