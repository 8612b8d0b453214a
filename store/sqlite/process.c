/*
 * process.c — the suggestion box, agreements, the export readers, forgetting a member, and the
 * debug text search tests use to prove that forgetting leaves no trace.
 */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMER_MEMBER "a former member"

/* ---------------------------------------------------------------- walking rows */

/* A single integer answer (a count, a max). NULL reads as 0. */
static int one_int(tend_store *store, sqlite3_stmt *st, int *out)
{
    int rc = sqlite3_step(st);
    int code = TEND_STORE_OK;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else if (rc == SQLITE_DONE)
        *out = 0;
    else
        code = store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

/* ---------------------------------------------------------------- feedback */

static void read_feedback(sqlite3_stmt *st, void *out)
{
    tend_feedback *f = out;
    memset(f, 0, sizeof *f);
    f->id = sqlite3_column_int64(st, 0);
    f->group_id = sqlite3_column_int64(st, 1);
    store_copy_text(st, 2, f->text, sizeof f->text);
    store_copy_text(st, 3, f->month, sizeof f->month);
    f->shown = sqlite3_column_int(st, 4) != 0;
}

/* A random id (from SQLite's generator, seeded by the OS): a sequential one would say which
 * suggestion came after which, and sit in step with the rows other tables wrote at that moment. */
int tend_store_feedback_add(tend_store *store, int64_t group_id, const char *text, const char *month)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO feedback (id, group_id, text, month)"
                                         " VALUES (random() & 9223372036854775807, ?1, ?2, ?3)");
    if (!st)
        return TEND_STORE_ERROR;
    int rc = TEND_STORE_EXISTS;
    for (int tries = 0; rc == TEND_STORE_EXISTS && tries < 4; tries++) { /* a collision: 2^-63 */
        sqlite3_bind_int64(st, 1, group_id);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, month, -1, SQLITE_STATIC);
        rc = store_exec_stmt(store, st);
    }
    return rc;
}

int tend_store_feedback_count(tend_store *store, int64_t group_id, int *count)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT count(*) FROM feedback WHERE group_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    return one_int(store, st, count);
}

int tend_store_feedback_unshown_count(tend_store *store, int64_t group_id, int *count)
{
    sqlite3_stmt *st =
        store_stmt(store, "SELECT count(*) FROM feedback WHERE group_id = ?1 AND shown = 0");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    return one_int(store, st, count);
}

int tend_store_feedback_each(tend_store *store, int64_t group_id,
                             int (*cb)(const tend_feedback *f, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, group_id, text, month, shown FROM feedback"
                                         " WHERE group_id = ?1 ORDER BY month, id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    STORE_RETURN_EACH_ROW(store, st, tend_feedback, read_feedback, cb, ud);
}

int tend_store_feedback_unshown_each(tend_store *store, int64_t group_id,
                                     int (*cb)(const tend_feedback *f, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, group_id, text, month, shown FROM feedback"
                                         " WHERE group_id = ?1 AND shown = 0 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    STORE_RETURN_EACH_ROW(store, st, tend_feedback, read_feedback, cb, ud);
}

int tend_store_feedback_mark_shown(tend_store *store, int64_t group_id)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE feedback SET shown = 1 WHERE group_id = ?1 AND shown = 0");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    return store_exec_stmt(store, st);
}

/* ---------------------------------------------------------------- agreements */

#define AGREEMENT_COLUMNS "id, group_id, number, version, text, recorded_by, created_at"

static void read_agreement(sqlite3_stmt *st, void *out)
{
    tend_agreement *a = out;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->group_id = sqlite3_column_int64(st, 1);
    a->number = sqlite3_column_int(st, 2);
    a->version = sqlite3_column_int(st, 3);
    store_copy_text(st, 4, a->text, sizeof a->text);
    a->recorded_by = sqlite3_column_int64(st, 5);
    a->created_at = sqlite3_column_int64(st, 6);
}

static int insert_agreement(tend_store *store, int64_t group_id, int number, int version, const char *text,
                            int64_t recorded_by, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO agreements (group_id, number, version, text,"
                                         " recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, number);
    sqlite3_bind_int(st, 3, version);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    if (recorded_by > 0)
        sqlite3_bind_int64(st, 5, recorded_by);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, now);
    return store_exec_stmt(store, st);
}

int tend_store_agreement_add(tend_store *store, int64_t group_id, const char *text, int64_t recorded_by,
                             int64_t now, int *number)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT max(number) FROM agreements WHERE group_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    int last = 0;
    int rc = one_int(store, st, &last);
    if (rc != TEND_STORE_OK)
        return rc;
    rc = insert_agreement(store, group_id, last + 1, 1, text, recorded_by, now);
    if (rc == TEND_STORE_OK)
        *number = last + 1;
    return rc;
}

int tend_store_agreement_amend(tend_store *store, int64_t group_id, int number, const char *text,
                               int64_t recorded_by, int64_t now, int *version)
{
    sqlite3_stmt *st =
        store_stmt(store, "SELECT max(version) FROM agreements WHERE group_id = ?1 AND number = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, number);
    int last = 0;
    int rc = one_int(store, st, &last);
    if (rc != TEND_STORE_OK)
        return rc;
    if (last == 0)
        return TEND_STORE_NOTFOUND;
    rc = insert_agreement(store, group_id, number, last + 1, text, recorded_by, now);
    if (rc == TEND_STORE_OK)
        *version = last + 1;
    return rc;
}

int tend_store_agreements_current_each(tend_store *store, int64_t group_id,
                                       int (*cb)(const tend_agreement *a, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " AGREEMENT_COLUMNS " FROM agreements a"
                                         " WHERE group_id = ?1 AND version = (SELECT max(version)"
                                         " FROM agreements b WHERE b.group_id = a.group_id"
                                         " AND b.number = a.number) ORDER BY number");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    STORE_RETURN_EACH_ROW(store, st, tend_agreement, read_agreement, cb, ud);
}

int tend_store_agreement_versions(tend_store *store, int64_t group_id, int number,
                                  int (*cb)(const tend_agreement *a, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " AGREEMENT_COLUMNS " FROM agreements"
                                         " WHERE group_id = ?1 AND number = ?2 ORDER BY version");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, number);
    STORE_RETURN_EACH_ROW(store, st, tend_agreement, read_agreement, cb, ud);
}

/* ---------------------------------------------------------------- export */

static void read_export_claim(sqlite3_stmt *st, void *out)
{
    tend_export_claim *c = out;
    memset(c, 0, sizeof *c);
    c->task_number = sqlite3_column_int(st, 0);
    store_copy_text(st, 1, c->title, sizeof c->title);
    store_copy_text(st, 2, c->state, sizeof c->state);
    c->created_at = sqlite3_column_int64(st, 3);
    c->done_at = sqlite3_column_int64(st, 4);
    store_copy_text(st, 5, c->note, sizeof c->note);
}

int tend_store_export_claims(tend_store *store, int64_t member_id,
                             int (*cb)(const tend_export_claim *c, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT t.number, t.title, c.state, c.created_at, c.done_at,"
                                         " c.note FROM claims c JOIN tasks t ON t.id = c.task_id"
                                         " WHERE c.member_id = ?1 ORDER BY c.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    STORE_RETURN_EACH_ROW(store, st, tend_export_claim, read_export_claim, cb, ud);
}

int tend_store_export_checkins(tend_store *store, int64_t member_id,
                               int (*cb)(const tend_checkin *c, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_CHECKIN_COLUMNS " FROM checkins"
                                         " WHERE member_id = ?1 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    STORE_RETURN_EACH_ROW(store, st, tend_checkin, store_read_checkin, cb, ud);
}

int tend_store_export_rests(tend_store *store, int64_t member_id,
                            int (*cb)(const tend_rest *r, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_REST_COLUMNS " FROM rests"
                                         " WHERE member_id = ?1 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    STORE_RETURN_EACH_ROW(store, st, tend_rest, store_read_rest, cb, ud);
}

static void read_export_thanks(sqlite3_stmt *st, void *out)
{
    tend_export_thanks *t = out;
    memset(t, 0, sizeof *t);
    t->from_member = sqlite3_column_int64(st, 0);
    t->to_member = sqlite3_column_int64(st, 1);
    store_copy_text(st, 2, t->from_name, sizeof t->from_name);
    store_copy_text(st, 3, t->to_name, sizeof t->to_name);
    store_copy_text(st, 4, t->reason, sizeof t->reason);
    t->created_at = sqlite3_column_int64(st, 5);
}

int tend_store_export_thanks(tend_store *store, int64_t group_id, int64_t member_id,
                             int (*cb)(const tend_export_thanks *t, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT t.from_member, t.to_member, f.name, r.name, t.reason,"
                                         " t.created_at FROM thanks t"
                                         " JOIN members f ON f.id = t.from_member"
                                         " JOIN members r ON r.id = t.to_member"
                                         " WHERE t.group_id = ?1 AND (?2 = 0 OR t.from_member = ?2"
                                         " OR t.to_member = ?2) ORDER BY t.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, member_id);
    STORE_RETURN_EACH_ROW(store, st, tend_export_thanks, read_export_thanks, cb, ud);
}

int tend_store_export_tasks(tend_store *store, int64_t group_id,
                            int (*cb)(const tend_task *t, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(
        store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t WHERE t.group_id = ?1 ORDER BY t.number");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    STORE_RETURN_EACH_ROW(store, st, tend_task, store_read_task, cb, ud);
}

/* ---------------------------------------------------------------- forget */

static int forget_step(tend_store *store, const char *sql, int64_t member_id)
{
    sqlite3_stmt *st = store_stmt(store, sql);
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return store_exec_stmt(store, st);
}

/* Other commands may have quoted the member in an audit detail; their own rows lose the detail,
 * other rows of the group lose the key and name. */
static int forget_in_audit(tend_store *store, const tend_member *m)
{
    int rc = forget_step(store, "UPDATE audit SET detail = '' WHERE member_id = ?1", m->id);
    if (rc != TEND_STORE_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(store, "UPDATE audit SET detail = replace(replace(detail, ?2, ''),"
                                         " ?3, '" FORMER_MEMBER "') WHERE group_id = ?1"
                                         " AND (instr(detail, ?2) > 0 OR instr(detail, ?3) > 0)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, m->group_id);
    /* an empty needle matches everywhere: bind something that cannot occur instead */
    sqlite3_bind_text(st, 2, m->key[0] ? m->key : "\x01", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->name[0] ? m->name : "\x01", -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_member_forget(tend_store *store, int64_t member_id)
{
    tend_member m;
    int rc = tend_store_member_by_id(store, member_id, &m);
    if (rc != TEND_STORE_OK)
        return rc;
    static const char *const steps[] = {
        "DELETE FROM checkins WHERE member_id = ?1",
        "DELETE FROM rests WHERE member_id = ?1",
        "DELETE FROM nudges WHERE member_id = ?1",
        "UPDATE claims SET note = '' WHERE member_id = ?1",
        /* others fill in: no more asking someone who is gone, nor them being anyone's backup */
        "DELETE FROM standing_backups WHERE member_id = ?1",
        "UPDATE offers SET state = 'closed' WHERE member_id = ?1 AND state = 'open'",
        /* an offer to or from someone who is gone can never be accepted */
        "UPDATE handoffs SET state = 'withdrawn' WHERE state = 'offered'"
        " AND (from_member = ?1 OR to_member = ?1)",
        "UPDATE members SET key = '', name = '" FORMER_MEMBER "', pronouns = '', timezone = '',"
        " capacity = 0, nudges = 0, quiet_start = -1, quiet_end = -1, resting_until = 0,"
        " language = '', app_language = '', forgotten = 1 WHERE id = ?1",
    };
    rc = forget_in_audit(store, &m);
    for (size_t i = 0; rc == TEND_STORE_OK && i < sizeof steps / sizeof steps[0]; i++)
        rc = forget_step(store, steps[i], member_id);
    /* an index's inner pages may keep a deleted key as a signpost: rebuilt, the old pages are
     * freed (and zeroed, secure_delete) with whatever they held */
    if (rc == TEND_STORE_OK && sqlite3_exec(store_db(store), "REINDEX members_name; REINDEX members_key;", NULL,
                                            NULL, NULL) != SQLITE_OK)
        rc = store_fail(store, sqlite3_errcode(store_db(store)));
    if (rc == TEND_STORE_OK)
        store_scrub_after_commit(store);
    return rc;
}

/* ---------------------------------------------------------------- tests */

/* Counts the text cells of one table that contain needle. Table and column names come from
 * sqlite_master and table_info, quoted, never from input. */
static int count_in_table(tend_store *store, const char *table, const char *needle, int *count)
{
    sqlite3 *db = store_db(store);
    char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q)", table);
    sqlite3_stmt *cols = NULL;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &cols, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return store_fail(store, rc);
    int code = TEND_STORE_OK;
    while (code == TEND_STORE_OK && (rc = sqlite3_step(cols)) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(cols, 0);
        char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE typeof(\"%w\") IN ('text', 'blob')"
                                  " AND instr(CAST(\"%w\" AS TEXT), ?1) > 0",
                                  table, col, col);
        sqlite3_stmt *st = NULL;
        int prc = q ? sqlite3_prepare_v2(db, q, -1, &st, NULL) : SQLITE_NOMEM;
        sqlite3_free(q);
        if (prc != SQLITE_OK) {
            code = store_fail(store, prc);
            break;
        }
        sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            *count += sqlite3_column_int(st, 0);
        else
            code = store_fail(store, sqlite3_errcode(db));
        sqlite3_finalize(st);
    }
    if (code == TEND_STORE_OK && rc != SQLITE_DONE)
        code = store_fail(store, rc);
    sqlite3_finalize(cols);
    return code;
}

int tend_store_debug_find_text(tend_store *store, const char *needle, int *count)
{
    *count = 0;
    sqlite3_stmt *st = store_stmt(store, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                         " AND name NOT LIKE 'sqlite_%' ORDER BY name");
    if (!st)
        return TEND_STORE_ERROR;
    char names[64][64];
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64)
        store_copy_text(st, 0, names[n++], sizeof names[0]);
    int code = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    for (size_t i = 0; code == TEND_STORE_OK && i < n; i++)
        code = count_in_table(store, names[i], needle, count);
    return code;
}
