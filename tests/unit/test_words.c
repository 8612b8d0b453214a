/*
 * test_words.c — the words members type, in each shipped language: check-in answers, lengths of
 * time, days and times, yes and no. The word lists come from the real catalogues (the build's
 * locale tree, every .po of po/ compiled), so a translation that breaks a parser fails here.
 *
 * A language is read only when it is the group's or the asking member's own (bot/i18n.h's scope):
 * a Spanish group does not read German "Freitag", so a word is never taken in the meaning of a
 * language nobody in the conversation speaks. English is read everywhere (the buttons and the help
 * examples type it). Now is Monday 2026-11-02 10:00 in Berlin.
 */
#include "testkit.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/task_time.h"
#include "bot/tz.h"
#include "bot/when.h"
#include "bot/words.h"

#ifndef TEND_BUILD_LOCALE_DIR
#error "TEND_BUILD_LOCALE_DIR comes from tests/integration/i18n.cmake"
#endif

#define BERLIN "Europe/Berlin"
#define DAY 86400
#define WEEK (7 * DAY)

static int setup_languages(void **state)
{
    (void)state;
    return tend_i18n_init(TEND_BUILD_LOCALE_DIR) == 0 ? 0 : -1;
}

static int forget_lists(void **state)
{
    (void)state;
    tend_words_cleanup();
    return 0;
}

/* A group speaking group_lang, and its member ana speaking member_lang (NULL: the group's). */
static void speak(const char *group_lang, const char *member_lang)
{
    tend_i18n_scope(group_lang, "ana", member_lang);
}

static const char *energy(const char *typed)
{
    const char *out = NULL;
    return tend_parse_energy(typed, &out) == 0 ? out : "(refused)";
}

/* An energy typed as the words of /checkin: one or two words, and how many it took. */
static void energy_words(const char *first, const char *second, const char *want, size_t want_used)
{
    const char *out = NULL;
    size_t used = 0;
    if (tend_parse_energy_words(first, second, &out, &used) != 0)
        fail_msg("/checkin %s %s was refused", first, second ? second : "");
    if (strcmp(out, want) != 0 || used != want_used)
        fail_msg("/checkin %s %s read as %s (%zu words), expected %s (%zu)", first, second ? second : "", out, used,
                 want, want_used);
}

static int64_t duration(const char *typed)
{
    int64_t s = 0;
    return tend_parse_duration(typed, &s) == 0 ? s : -1;
}

static int64_t local(int y, int mo, int d, int h, int mi)
{
    int64_t t = 0;
    assert_int_equal(tend_tz_to_utc(BERLIN, y, mo, d, h, mi, &t), 0);
    return t;
}

static void reads_as(const char *text, int y, int mo, int d, int h, int mi, bool all_day)
{
    tend_when w;
    tend_when_result r = tend_when_parse(text, BERLIN, TESTKIT_START, &w);
    if (r != TEND_WHEN_OK)
        fail_msg("when:\"%s\" was not understood (%d)", text, (int)r);
    if (w.at != local(y, mo, d, h, mi) || w.all_day != all_day)
        fail_msg("when:\"%s\" read as %lld (all day %d), expected %04d-%02d-%02d %02d:%02d", text, (long long)w.at,
                 w.all_day, y, mo, d, h, mi);
}

static void not_read(const char *text)
{
    tend_when w;
    tend_when_result r = tend_when_parse(text, BERLIN, TESTKIT_START, &w);
    if (r != TEND_WHEN_UNKNOWN)
        fail_msg("when:\"%s\" gave %d, expected it refused", text, (int)r);
}

/* ---------------------------------------------------------------- the catalogues themselves */

/* Every shipped language: its lists are translated (the .mo is read, so the checks below are not
 * English passing twice) and no word of one kind has two meanings. */
static void no_word_means_two_things_in_any_language(void **state)
{
    (void)state;
    char word[64];
    tend_word a, b;
    speak(NULL, NULL);
    if (tend_words_clash(NULL, word, sizeof word, &a, &b))
        fail_msg("English: \"%s\" is in lists %d and %d", word, (int)a, (int)b);
    DIR *d = opendir(TEND_BUILD_LOCALE_DIR);
    assert_non_null(d);
    struct dirent *e;
    int langs = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *lang = e->d_name;
        langs++;
        if (strcmp(tend_words_list(lang, TEND_WORD_SUNDAY + 5), tend_words_list(NULL, TEND_WORD_SUNDAY + 5)) == 0)
            fail_msg("%s: Friday's words are English's: is its catalogue read?", lang);
        if (tend_words_clash(lang, word, sizeof word, &a, &b))
            fail_msg("%s: \"%s\" is in lists %d and %d of one kind", lang, word, (int)a, (int)b);
    }
    closedir(d);
    assert_true(langs >= 4); /* es, pt_BR, fr, de at least */
}

static void folding_ignores_case_and_accents(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(tend_words_fold("MAÑANA", strlen("MAÑANA"), out, sizeof out), 0);
    assert_string_equal(out, "manana");
    assert_int_equal(tend_words_fold("März", strlen("März"), out, sizeof out), 0);
    assert_string_equal(out, "marz");
    assert_int_equal(tend_words_fold("Straße", strlen("Straße"), out, sizeof out), 0);
    assert_string_equal(out, "strasse");
    assert_int_equal(tend_words_fold("Ça va", strlen("Ça va"), out, sizeof out), 0);
    assert_string_equal(out, "ca va");
    assert_int_equal(tend_words_fold("\xC3", 1, out, sizeof out), -1); /* not UTF-8 */
    char tiny[4];
    assert_int_equal(tend_words_fold("semanas", 7, tiny, sizeof tiny), -1);
}

/* ---------------------------------------------------------------- /checkin */

static void checkin_words_in_each_language(void **state)
{
    (void)state;
    speak("es", NULL);
    assert_string_equal(energy("genial"), "great");
    assert_string_equal(energy("Bien"), "ok");
    assert_string_equal(energy("cansada"), "low");
    assert_string_equal(energy("AGOTADO"), "out");
    assert_string_equal(energy("sin energia"), "out"); /* the accent left out */
    assert_string_equal(energy("great"), "great");     /* English always */
    assert_string_equal(energy("müde"), "(refused)");  /* German: nobody here speaks it */
    energy_words("muy", "bien", "great", 2);           /* a phrase takes both words */
    energy_words("bien", "gracias", "ok", 1);          /* the note starts at the second */
    energy_words("ok", NULL, "ok", 1);

    speak("pt_BR", NULL);
    assert_string_equal(energy("ótimo"), "great");
    assert_string_equal(energy("otimo"), "great");
    assert_string_equal(energy("tranquila"), "ok");
    assert_string_equal(energy("cansado"), "low");
    energy_words("sem", "energia", "out", 2);

    speak("fr", NULL);
    assert_string_equal(energy("super"), "great");
    assert_string_equal(energy("ça va"), "ok");
    assert_string_equal(energy("bof"), "low");
    assert_string_equal(energy("épuisée"), "out");
    assert_string_equal(energy("epuisee"), "out");
    assert_string_equal(energy("agotado"), "(refused)");

    speak("de", NULL);
    assert_string_equal(energy("toll"), "great");
    assert_string_equal(energy("gut"), "ok");
    assert_string_equal(energy("MÜDE"), "low");
    assert_string_equal(energy("platt"), "out");
    energy_words("geht", "so", "low", 2); /* "geht" alone is ok: the longer phrase wins */
    energy_words("geht", "heute", "ok", 1);

    /* a German member in a Spanish group: both languages, and English */
    speak("es", "de");
    assert_string_equal(energy("müde"), "low");
    assert_string_equal(energy("agotada"), "out");
    assert_string_equal(energy("low"), "low");
    assert_string_equal(energy("épuisé"), "(refused)");
    speak(NULL, NULL);
    assert_string_equal(energy("genial"), "(refused)"); /* an English group reads English */
    assert_string_equal(energy("Low"), "low");
}

static void an_energy_is_said_back_in_the_readers_words(void **state)
{
    (void)state;
    char out[48];
    tend_energy_say("low", "es", out, sizeof out);
    assert_string_equal(out, "bajo");
    tend_energy_say("out", "de", out, sizeof out);
    assert_string_equal(out, "erschöpft");
    tend_energy_say("great", NULL, out, sizeof out);
    assert_string_equal(out, "great");
    speak("es", NULL);
    tend_energy_say("out", "es", out, sizeof out); /* and it reads back as what it says */
    assert_string_equal(energy(out), "out");
}

/* ---------------------------------------------------------------- lengths of time */

static void durations_in_each_language(void **state)
{
    (void)state;
    speak("es", NULL);
    assert_int_equal(duration("2 semanas"), 2 * WEEK);
    assert_int_equal(duration("una semana"), WEEK);
    assert_int_equal(duration("3 días"), 3 * DAY);
    assert_int_equal(duration("3 dias"), 3 * DAY);
    assert_int_equal(duration("2sem"), 2 * WEEK);
    assert_int_equal(duration("un mes"), 30 * DAY);
    assert_int_equal(duration("2 weeks"), 2 * WEEK); /* English always */
    assert_int_equal(duration("2w"), 2 * WEEK);
    assert_int_equal(duration("2 Wochen"), -1);
    assert_int_equal(duration("0 semanas"), -1);
    assert_int_equal(duration("13 meses"), -1); /* more than a year */
    assert_int_equal(duration("semanas"), -1);
    assert_int_equal(duration("una"), -1);

    speak("pt_BR", NULL);
    assert_int_equal(duration("2 semanas"), 2 * WEEK);
    assert_int_equal(duration("uma semana"), WEEK);
    assert_int_equal(duration("um mês"), 30 * DAY);
    assert_int_equal(duration("10 dias"), 10 * DAY);

    speak("fr", NULL);
    assert_int_equal(duration("3 jours"), 3 * DAY);
    assert_int_equal(duration("3j"), 3 * DAY);
    assert_int_equal(duration("une semaine"), WEEK);
    assert_int_equal(duration("2 mois"), 60 * DAY);
    assert_int_equal(duration("2 heures"), 2 * 3600);

    speak("de", NULL);
    assert_int_equal(duration("2 Wochen"), 2 * WEEK);
    assert_int_equal(duration("eine Woche"), WEEK);
    assert_int_equal(duration("3 Tage"), 3 * DAY);
    assert_int_equal(duration("2 Std"), 2 * 3600);
    assert_int_equal(duration("einen Monat"), 30 * DAY);
    assert_int_equal(duration("2 semanas"), -1);

    int64_t s = 0;
    size_t used = 0;
    assert_int_equal(tend_parse_duration_words("2", "Wochen", &s, &used), 0); /* /stepback 2 Wochen */
    assert_int_equal(s, 2 * WEEK);
    assert_int_equal(used, 2);
}

/* ---------------------------------------------------------------- when: */

static void when_in_spanish(void **state)
{
    (void)state;
    speak("es", NULL);
    reads_as("viernes 18:00", 2026, 11, 6, 18, 0, false);
    reads_as("vie 18:00", 2026, 11, 6, 18, 0, false);
    reads_as("el viernes a las 18:00", 2026, 11, 6, 18, 0, false);
    reads_as("mañana 18:00", 2026, 11, 3, 18, 0, false);
    reads_as("manana 18h", 2026, 11, 3, 18, 0, false);
    reads_as("pasado mañana 9:30", 2026, 11, 4, 9, 30, false);
    reads_as("hoy 20:00", 2026, 11, 2, 20, 0, false);
    reads_as("sáb mediodía", 2026, 11, 7, 12, 0, false);
    reads_as("miercoles", 2026, 11, 4, 0, 0, true);
    reads_as("3 de diciembre", 2026, 12, 3, 0, 0, true);
    reads_as("3 dic 2026", 2026, 12, 3, 0, 0, true);
    reads_as("1º ene", 2027, 1, 1, 0, 0, true);
    /* "mar" is March in English and Tuesday in Spanish: English first when it makes sense */
    reads_as("3 mar", 2027, 3, 3, 0, 0, true);
    reads_as("mar 18:00", 2026, 11, 3, 18, 0, false);
    reads_as("fri 18:00", 2026, 11, 6, 18, 0, false); /* English always */
    reads_as("a las 18:00 del viernes", 2026, 11, 6, 18, 0, false);
    not_read("vie 18:00 de"); /* a small word at the end is the title's: "... de la sopa" */
    not_read("Freitag 18:00");                        /* German: nobody here speaks it */
    not_read("next fri");                             /* still refused: which Friday? */
}

static void when_in_german(void **state)
{
    (void)state;
    speak("de", NULL);
    reads_as("Fr 18 Uhr", 2026, 11, 6, 18, 0, false);
    reads_as("Fr. 18:00", 2026, 11, 6, 18, 0, false);
    reads_as("Freitag um 18:30 Uhr", 2026, 11, 6, 18, 30, false);
    reads_as("morgen 18 Uhr", 2026, 11, 3, 18, 0, false);
    reads_as("übermorgen", 2026, 11, 4, 0, 0, true);
    reads_as("ubermorgen", 2026, 11, 4, 0, 0, true);
    reads_as("am 3. Dezember um 18 Uhr", 2026, 12, 3, 18, 0, false);
    reads_as("3. Dez.", 2026, 12, 3, 0, 0, true);
    reads_as("5. März", 2027, 3, 5, 0, 0, true);
    reads_as("5 Marz", 2027, 3, 5, 0, 0, true);
    reads_as("So Mittag", 2026, 11, 8, 12, 0, false);
    not_read("viernes 18:00");
}

static void when_in_french_and_portuguese(void **state)
{
    (void)state;
    speak("fr", NULL);
    reads_as("ven 18h", 2026, 11, 6, 18, 0, false);
    reads_as("vendredi 18h30", 2026, 11, 6, 18, 30, false);
    reads_as("demain à 9h", 2026, 11, 3, 9, 0, false);
    reads_as("après-demain", 2026, 11, 4, 0, 0, true);
    reads_as("mar 18h", 2026, 11, 3, 18, 0, false); /* mardi */
    reads_as("1er déc", 2026, 12, 1, 0, 0, true);
    reads_as("le 3 décembre à midi", 2026, 12, 3, 12, 0, false);
    not_read("18h30h");

    speak("pt_BR", NULL);
    reads_as("sex 18:00", 2026, 11, 6, 18, 0, false);
    reads_as("sexta-feira às 18h", 2026, 11, 6, 18, 0, false);
    reads_as("amanhã 18h", 2026, 11, 3, 18, 0, false);
    reads_as("depois de amanhã", 2026, 11, 4, 0, 0, true);
    reads_as("3 de dez", 2026, 12, 3, 0, 0, true);
    reads_as("10 out", 2027, 10, 10, 0, 0, true); /* outubro: "out" is no when: word in English */

    /* a French member in a Portuguese group */
    speak("pt_BR", "fr");
    reads_as("ven 18h", 2026, 11, 6, 18, 0, false);
    reads_as("sex 18h", 2026, 11, 6, 18, 0, false);
    not_read("viernes 18h");
}

/* English as before, and a few more: the day after tomorrow, 18h; never a guess at "6 o'clock" */
static void when_in_english_everywhere(void **state)
{
    (void)state;
    speak(NULL, NULL);
    reads_as("thurs 6:30pm", 2026, 11, 5, 18, 30, false);
    reads_as("the day after tomorrow at noon", 2026, 11, 4, 12, 0, false);
    reads_as("fri 18h", 2026, 11, 6, 18, 0, false);
    not_read("fri 6 o'clock");
    not_read("fri at");
    not_read("viernes 18:00"); /* an English group reads English */
    not_read("mar 18:00");     /* March, with no day */
}

static void weekly_settings_in_the_groups_words(void **state)
{
    (void)state;
    int weekday = -1, minutes = -1;
    speak("es", NULL);
    assert_int_equal(tend_parse_weekly("vie 18:00", &weekday, &minutes), 0);
    assert_int_equal(weekday, 5);
    assert_int_equal(minutes, 18 * 60);
    assert_int_equal(tend_parse_weekly("lunes 9:30", &weekday, &minutes), 0);
    assert_int_equal(weekday, 1);
    assert_int_equal(tend_parse_weekly("mon 06:30", &weekday, &minutes), 0); /* what tend stores */
    assert_int_equal(weekday, 1);
    speak("de", NULL);
    assert_int_equal(tend_parse_weekly("So 18:00", &weekday, &minutes), 0);
    assert_int_equal(weekday, 0);
    assert_int_equal(tend_parse_weekly("Dez 18:00", &weekday, &minutes), -1); /* a month is no weekday */
}

/* ---------------------------------------------------------------- yes and no */

static void yes_and_no_in_each_language(void **state)
{
    (void)state;
    speak("es", NULL);
    assert_int_equal(tend_parse_switch("sí"), 1);
    assert_int_equal(tend_parse_switch("SI"), 1);
    assert_int_equal(tend_parse_switch("no"), 0);
    assert_int_equal(tend_parse_switch("desactivar"), 0);
    assert_int_equal(tend_parse_switch("on"), 1);
    assert_int_equal(tend_parse_switch("ja"), -1);
    speak("pt_BR", NULL);
    assert_int_equal(tend_parse_switch("sim"), 1);
    assert_int_equal(tend_parse_switch("não"), 0);
    assert_int_equal(tend_parse_switch("nao"), 0);
    speak("fr", NULL);
    assert_int_equal(tend_parse_switch("oui"), 1);
    assert_int_equal(tend_parse_switch("non"), 0);
    speak("de", NULL);
    assert_int_equal(tend_parse_switch("ja"), 1);
    assert_int_equal(tend_parse_switch("an"), 1);
    assert_int_equal(tend_parse_switch("aus"), 0);
    assert_int_equal(tend_parse_switch("Nein"), 0);
    assert_int_equal(tend_parse_switch("vielleicht"), -1);
    speak(NULL, NULL);
    assert_int_equal(tend_parse_switch("yes"), 1);
    assert_int_equal(tend_parse_switch("off"), 0);
    assert_int_equal(tend_parse_switch("aus"), -1);
    assert_int_equal(tend_parse_switch(""), -1);
    assert_int_equal(tend_parse_switch("on|off"), -1); /* the list's separator is never a word */
}

/* ---------------------------------------------------------------- repeat: */

static const char *repeat(const char *typed)
{
    static char canon[TEND_REPEAT_MAX];
    return tend_repeat_parse(typed, canon, sizeof canon) == 0 ? canon : "(refused)";
}

static void repeats_in_each_language(void **state)
{
    (void)state;
    speak("es", NULL);
    assert_string_equal(repeat("semanal"), "weekly");
    assert_string_equal(repeat("cada dos semanas"), "biweekly");
    assert_string_equal(repeat("Mensual"), "monthly");
    assert_string_equal(repeat("a diario"), "every:1d");
    assert_string_equal(repeat("every:3 días"), "every:3d");
    assert_string_equal(repeat("every:2semanas"), "biweekly");
    assert_string_equal(repeat("no"), "");
    assert_string_equal(repeat("weekly"), "weekly"); /* English always */
    assert_string_equal(repeat("fortnightly"), "biweekly");
    assert_string_equal(repeat("every:2w"), "biweekly");
    assert_string_equal(repeat("wöchentlich"), "(refused)");
    assert_string_equal(repeat("every:2 horas"), "(refused)"); /* days or weeks only */
    speak("de", NULL);
    assert_string_equal(repeat("wöchentlich"), "weekly");
    assert_string_equal(repeat("wochentlich"), "weekly");
    assert_string_equal(repeat("alle zwei Wochen"), "biweekly");
    assert_string_equal(repeat("every:3 Tage"), "every:3d");
    assert_string_equal(repeat("aus"), "");
    speak("fr", NULL);
    assert_string_equal(repeat("hebdo"), "weekly");
    assert_string_equal(repeat("tous les 15 jours"), "biweekly");
    speak("pt_BR", NULL);
    assert_string_equal(repeat("quinzenal"), "biweekly");
    assert_string_equal(repeat("todo mês"), "monthly");
    assert_string_equal(repeat("every:10 dias"), "every:10d");
}

/* ---------------------------------------------------------------- refusals show the member's words */

/* The examples each translation gives after a refusal read in that language: a volunteer who
 * writes "2 Wochen" there must also have listed "Wochen". */
static void each_languages_examples_read_in_it(void **state)
{
    (void)state;
    DIR *d = opendir(TEND_BUILD_LOCALE_DIR);
    assert_non_null(d);
    struct dirent *e;
    int checked = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        speak(e->d_name, NULL);
        char list[256];
        snprintf(list, sizeof list, "%s", tend_i18n_tr(e->d_name, MSG_WORDS_DURATION_EXAMPLES));
        for (char *save = NULL, *one = strtok_r(list, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
            one += strspn(one, " ");
            if (duration(one) <= 0)
                fail_msg("%s: the example \"%s\" is no length of time in that language", e->d_name, one);
            checked++;
        }
        snprintf(list, sizeof list, "%s", tend_i18n_tr(e->d_name, MSG_WORDS_WHEN_EXAMPLES));
        for (char *save = NULL, *one = strtok_r(list, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
            one += strspn(one, " ");
            tend_when w;
            if (tend_when_parse(one, BERLIN, TESTKIT_START, &w) != TEND_WHEN_OK)
                fail_msg("%s: the example when:\"%s\" does not read in that language", e->d_name, one);
            checked++;
        }
    }
    closedir(d);
    assert_true(checked >= 4 * 6);
}

static void a_refusal_adds_the_readers_words(void **state)
{
    (void)state;
    char text[200] = "I understand great, ok, low or out.";
    speak("es", NULL);
    tend_words_hint(text, sizeof text, TEND_WORD_GREAT, TEND_WORD_OUT);
    assert_string_equal(text, "I understand great, ok, low or out. En español: genial, bien, bajo, agotado.");
    snprintf(text, sizeof text, "Say on or off.");
    speak("es", "de"); /* a German member in a Spanish group: their own words */
    tend_words_hint(text, sizeof text, TEND_WORD_ON, TEND_WORD_OFF);
    assert_string_equal(text, "Say on or off. Auf Deutsch: ja, nein.");
    snprintf(text, sizeof text, "Say on or off.");
    speak("es", "en"); /* a member who reads English reads nothing more */
    tend_words_hint(text, sizeof text, TEND_WORD_ON, TEND_WORD_OFF);
    assert_string_equal(text, "Say on or off.");
    char tiny[12] = "Say on";
    speak("de", NULL);
    tend_words_hint(tiny, sizeof tiny, TEND_WORD_ON, TEND_WORD_OFF);
    assert_int_equal(strlen(tiny), sizeof tiny - 1); /* cut, never overrun */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_word_means_two_things_in_any_language),
        cmocka_unit_test(folding_ignores_case_and_accents),
        cmocka_unit_test(checkin_words_in_each_language),
        cmocka_unit_test(an_energy_is_said_back_in_the_readers_words),
        cmocka_unit_test(durations_in_each_language),
        cmocka_unit_test(when_in_spanish),
        cmocka_unit_test(when_in_german),
        cmocka_unit_test(when_in_french_and_portuguese),
        cmocka_unit_test(when_in_english_everywhere),
        cmocka_unit_test(weekly_settings_in_the_groups_words),
        cmocka_unit_test(yes_and_no_in_each_language),
        cmocka_unit_test(repeats_in_each_language),
        cmocka_unit_test(each_languages_examples_read_in_it),
        cmocka_unit_test(a_refusal_adds_the_readers_words),
    };
    return cmocka_run_group_tests(tests, setup_languages, forget_lists);
}
