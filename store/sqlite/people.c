/*
 * people.c — check-ins, rests and thanks (store_people.h) in the SQLite backend.
 */
#include "store/sqlite/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- check-ins */

void store_read_checkin(sqlite3_stmt *st, void *out)
{
    tend_checkin *c = out;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->member_id = sqlite3_column_int64(st, 1);
    store_copy_text(st, 2, c->energy, sizeof c->energy);
    store_copy_text(st, 3, c->note, sizeof c->note);
    c->created_at = sqlite3_column_int64(st, 4);
}

int tend_store_checkin_add(tend_store *store, int64_t member_id, const char *energy, const char *note,
                           int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO checkins (member_id, energy, note, created_at)"
                                         " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, energy, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, note ? note : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    return store_exec_stmt(store, st);
}

int tend_store_checkin_latest(tend_store *store, int64_t member_id, tend_checkin *out)
{
    /* id breaks ties: two check-ins in the same second, the later one counts */
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_CHECKIN_COLUMNS " FROM checkins"
                                         " WHERE member_id = ?1 ORDER BY created_at DESC, id DESC"
                                         " LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return store_step_one(store, st, store_read_checkin, out);
}

/* ---------------------------------------------------------------- rests */

void store_read_rest(sqlite3_stmt *st, void *out)
{
    tend_rest *r = out;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->member_id = sqlite3_column_int64(st, 1);
    r->started_at = sqlite3_column_int64(st, 2);
    r->until = sqlite3_column_int64(st, 3);
    r->ended_at = sqlite3_column_int64(st, 4);
    store_copy_text(st, 5, r->note, sizeof r->note);
    r->welcomed = sqlite3_column_int(st, 6) != 0;
    r->announce = sqlite3_column_int(st, 7) != 0;
}

static int set_resting_until(tend_store *store, int64_t member_id, int64_t until)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE members SET resting_until = ?2 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, until);
    return store_exec_stmt(store, st);
}

int tend_store_rest_start(tend_store *store, int64_t member_id, int64_t until, const char *note,
                          int64_t now, int64_t *out_id)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO rests (member_id, started_at, until, note)"
                                         " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, until);
    sqlite3_bind_text(st, 4, note ? note : "", -1, SQLITE_STATIC);
    int rc = store_exec_stmt(store, st);
    if (rc != TEND_STORE_OK)
        return rc;
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(store_db(store));
    return set_resting_until(store, member_id, until);
}

int tend_store_rest_current(tend_store *store, int64_t member_id, tend_rest *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_REST_COLUMNS " FROM rests"
                                         " WHERE member_id = ?1 AND ended_at = 0"
                                         " ORDER BY id DESC LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return store_step_one(store, st, store_read_rest, out);
}

int tend_store_rest_end(tend_store *store, int64_t rest_id, bool welcomed, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE rests SET ended_at = ?2, welcomed = ?3"
                                         " WHERE id = ?1 AND ended_at = 0 RETURNING member_id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, rest_id);
    sqlite3_bind_int64(st, 2, now > 0 ? now : 1); /* 0 means "still resting" */
    sqlite3_bind_int(st, 3, welcomed ? 1 : 0);
    int rc = sqlite3_step(st);
    int64_t member_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int code = rc == SQLITE_ROW ? TEND_STORE_OK : rc == SQLITE_DONE ? TEND_STORE_NOTFOUND
                                                                    : store_fail(store, rc);
    sqlite3_reset(st);
    if (code != TEND_STORE_OK)
        return code;
    return set_resting_until(store, member_id, 0);
}

int tend_store_rest_extend(tend_store *store, int64_t rest_id, int64_t until, const char *note)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE rests SET until = ?2, note = ?3"
                                         " WHERE id = ?1 AND ended_at = 0 RETURNING member_id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, rest_id);
    sqlite3_bind_int64(st, 2, until);
    sqlite3_bind_text(st, 3, note ? note : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t member_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int code = rc == SQLITE_ROW ? TEND_STORE_OK : rc == SQLITE_DONE ? TEND_STORE_NOTFOUND
                                                                    : store_fail(store, rc);
    sqlite3_reset(st);
    if (code != TEND_STORE_OK)
        return code;
    return set_resting_until(store, member_id, until);
}

static int each_rest(tend_store *store, sqlite3_stmt *st, int (*cb)(const tend_rest *r, void *ud),
                     void *ud)
{
    STORE_RETURN_EACH_ROW(store, st, tend_rest, store_read_rest, cb, ud);
}

int tend_store_rests_due(tend_store *store, int64_t group_id, int64_t now,
                         int (*cb)(const tend_rest *r, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT r.id, r.member_id, r.started_at, r.until, r.ended_at,"
                                         " r.note, r.welcomed, r.announce FROM rests r"
                                         " JOIN members m ON m.id = r.member_id"
                                         " WHERE m.group_id = ?1 AND r.ended_at = 0 AND r.until <= ?2"
                                         " ORDER BY r.until, r.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, now);
    return each_rest(store, st, cb, ud);
}

int tend_store_rests_ended_between(tend_store *store, int64_t group_id, int64_t since, int64_t until,
                                   int (*cb)(const tend_rest *r, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT r.id, r.member_id, r.started_at, r.until, r.ended_at,"
                                         " r.note, r.welcomed, r.announce FROM rests r"
                                         " JOIN members m ON m.id = r.member_id"
                                         " WHERE m.group_id = ?1 AND r.ended_at > 0"
                                         " AND r.ended_at >= ?2 AND r.ended_at < ?3"
                                         " ORDER BY r.ended_at, r.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, until);
    return each_rest(store, st, cb, ud);
}

int tend_store_rest_announce(tend_store *store, int64_t member_id, int64_t since)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE rests SET announce = 1 WHERE id = (SELECT id FROM rests"
                                         " WHERE member_id = ?1 AND ended_at >= ?2 AND ended_at > 0"
                                         " ORDER BY ended_at DESC, id DESC LIMIT 1)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, since);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}

/* ---------------------------------------------------------------- thanks */

static void read_thanks(sqlite3_stmt *st, void *out)
{
    tend_thanks *t = out;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->group_id = sqlite3_column_int64(st, 1);
    t->from_member = sqlite3_column_int64(st, 2);
    t->to_member = sqlite3_column_int64(st, 3);
    store_copy_text(st, 4, t->reason, sizeof t->reason);
    t->created_at = sqlite3_column_int64(st, 5);
}

int tend_store_thanks_add(tend_store *store, const tend_thanks *t)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO thanks (group_id, from_member, to_member, reason,"
                                         " created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, t->group_id);
    sqlite3_bind_int64(st, 2, t->from_member);
    sqlite3_bind_int64(st, 3, t->to_member);
    sqlite3_bind_text(st, 4, t->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, t->created_at);
    return store_exec_stmt(store, st);
}

int tend_store_thanks_given_since(tend_store *store, int64_t from_member, int64_t since, int *count)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT count(*) FROM thanks"
                                         " WHERE from_member = ?1 AND created_at >= ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, from_member);
    sqlite3_bind_int64(st, 2, since);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_OK;
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int(st, 0);
    else
        code = store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

int tend_store_thanks_between(tend_store *store, int64_t group_id, int64_t since, int64_t until,
                              int (*cb)(const tend_thanks *t, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, group_id, from_member, to_member, reason, created_at"
                                         " FROM thanks WHERE group_id = ?1 AND created_at >= ?2"
                                         " AND created_at < ?3 ORDER BY created_at, id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, until);
    STORE_RETURN_EACH_ROW(store, st, tend_thanks, read_thanks, cb, ud);
}
