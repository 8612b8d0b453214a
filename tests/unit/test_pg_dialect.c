/* test_pg_dialect.c — store/postgres/dialect.c: the shared queries, written in SQLite's dialect,
 * as PostgreSQL is asked them. Each rule on the shapes the store really uses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef TEND_HAVE_POSTGRES
#include "store/postgres/pg.h"

static void expect(const char *sqlite_sql, const char *pg_sql, int nparams, unsigned flags)
{
    int n = -1;
    unsigned f = 99;
    char err[256] = "";
    char *got = tend_pg_dialect(sqlite_sql, &n, &f, err, sizeof err);
    if (!got)
        fail_msg("refused: %s (%s)", sqlite_sql, err);
    if (strcmp(got, pg_sql) != 0)
        fail_msg("\n  for  %s\n  got  %s\n  want %s", sqlite_sql, got, pg_sql);
    assert_int_equal(n, nparams);
    assert_int_equal(f, flags);
    free(got);
}

static void parameters_are_numbered_outside_quoted_text(void **state)
{
    (void)state;
    expect("SELECT id FROM members WHERE group_id = ?1 AND key = ?2",
           "SELECT id FROM members WHERE group_id = $1 AND key = $2", 2, 0);
    expect("SELECT '?1 is not a parameter', 'it''s ?2' FROM t WHERE a = ?3",
           "SELECT '?1 is not a parameter', 'it''s ?2' FROM t WHERE a = $3", 3, 0);
    expect("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2", 2, 0);
    /* SQLite lets a query skip a number: the count is the highest */
    expect("SELECT 1 FROM t WHERE a <= ?1 AND (?10 = 0 OR b IN (?11, ?12))",
           "SELECT 1 FROM t WHERE a <= $1 AND ($10 = 0 OR b IN ($11, $12))", 12, 0);
}

static void nocase_comparisons_fold_both_sides(void **state)
{
    (void)state;
    expect("SELECT id FROM members WHERE group_id = ?1 AND forgotten = 0 AND name = ?2 COLLATE NOCASE"
           " ORDER BY id LIMIT 1",
           "SELECT id FROM members WHERE group_id = $1 AND forgotten = 0 AND lower(name) = lower($2)"
           " ORDER BY id LIMIT 1",
           2, 0);
    expect("SELECT 1 FROM tasks t WHERE (?2 IS NULL OR t.title = ?2 COLLATE NOCASE)",
           "SELECT 1 FROM tasks t WHERE ($2 IS NULL OR lower(t.title) = lower($2))", 2, 0);
}

static void inserts_keep_sqlites_answers(void **state)
{
    (void)state;
    /* a conflict is SQLite's constraint error, without aborting PostgreSQL's transaction */
    expect("INSERT INTO seen_events (platform, event_id, seen_at) VALUES (?1, ?2, ?3)",
           "INSERT INTO seen_events (platform, event_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3,
           TEND_PG_CONFLICT_IS_ERROR);
    /* into a table with an id: the id comes back with the insert */
    expect("INSERT INTO outbox (platform, dest, reply_to, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
           "INSERT INTO outbox (platform, dest, reply_to, payload, created_at) VALUES ($1, $2, $3, $4, $5)"
           " ON CONFLICT DO NOTHING RETURNING id",
           5, TEND_PG_CONFLICT_IS_ERROR | TEND_PG_RETURNS_ID);
    expect("INSERT OR IGNORE INTO learners (task_id, member_id, created_at) VALUES (?1, ?2, ?3)",
           "INSERT INTO learners (task_id, member_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, 0);
    expect("INSERT OR REPLACE INTO schedule_due (group_id, due_at) VALUES (?1, ?2)",
           "INSERT INTO schedule_due (group_id, due_at) VALUES ($1, $2)"
           " ON CONFLICT (group_id) DO UPDATE SET due_at = EXCLUDED.due_at",
           2, 0);
    expect("INSERT OR REPLACE INTO task_traits (task_id, kind, rotate, teach) VALUES (?1, ?2, ?3, ?4)",
           "INSERT INTO task_traits (task_id, kind, rotate, teach) VALUES ($1, $2, $3, $4)"
           " ON CONFLICT (task_id) DO UPDATE SET kind = EXCLUDED.kind, rotate = EXCLUDED.rotate,"
           " teach = EXCLUDED.teach",
           4, 0);
    /* an upsert already written for both stays as it is */
    expect("INSERT INTO adapter_state (platform, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (platform, key)"
           " DO UPDATE SET value = excluded.value",
           "INSERT INTO adapter_state (platform, key, value) VALUES ($1, $2, $3) ON CONFLICT (platform, key)"
           " DO UPDATE SET value = excluded.value",
           3, 0);
    /* a table dialect.c cannot find the key of is refused, not guessed */
    int n;
    unsigned f;
    char err[256] = "";
    assert_null(tend_pg_dialect("INSERT OR REPLACE INTO mystery (a, b) VALUES (?1, ?2)", &n, &f, err, sizeof err));
    assert_non_null(strstr(err, "does not know"));
}

static void sqlite_functions_and_hints(void **state)
{
    (void)state;
    expect("SELECT max(a, b), min(c, d), max(e), min(coalesce(f, g)) FROM t",
           "SELECT greatest(a, b), least(c, d), max(e), min(coalesce(f, g)) FROM t", 0, 0);
    expect("SELECT c.id FROM claims c INDEXED BY claims_remind CROSS JOIN tasks t ON t.id = c.task_id"
           " ORDER BY c.id LIMIT ?2",
           "SELECT c.id FROM claims c JOIN tasks t ON t.id = c.task_id"
           " ORDER BY c.id LIMIT (CASE WHEN $2 < 0 THEN NULL ELSE $2 END)",
           2, 0);
    expect("SELECT CAST(x AS INTEGER) FROM t", "SELECT CAST(x AS BIGINT) FROM t", 0, 0);
    /* a unary plus goes; a binary one, and one in quoted text, stay */
    expect("SELECT max(id) FROM claims WHERE member_id = ?1 AND +state IN ('active','waiting')"
           " AND (+c.x = 1) AND n = ?2 + 1 AND note <> ' +a'",
           "SELECT max(id) FROM claims WHERE member_id = $1 AND state IN ('active','waiting')"
           " AND (c.x = 1) AND n = $2 + 1 AND note <> ' +a'",
           2, 0);
    expect("SELECT k.kind, count(*) AS n FROM claims c JOIN task_traits k ON k.task_id = c.task_id"
           " GROUP BY k.kind HAVING n >= ?3 ORDER BY n DESC, k.kind LIMIT 1",
           "SELECT k.kind, count(*) AS n FROM claims c JOIN task_traits k ON k.task_id = c.task_id"
           " GROUP BY k.kind HAVING count(*) >= $3 ORDER BY n DESC, k.kind LIMIT 1",
           3, 0);
    expect("BEGIN IMMEDIATE", "BEGIN", 0, 0);
    expect("REINDEX members_name; REINDEX members_key;", "", 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parameters_are_numbered_outside_quoted_text),
        cmocka_unit_test(nocase_comparisons_fold_both_sides),
        cmocka_unit_test(inserts_keep_sqlites_answers),
        cmocka_unit_test(sqlite_functions_and_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
    puts("skipped: this tend is built without PostgreSQL");
    return 77;
}
#endif
