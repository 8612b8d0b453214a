/*
 * schema.c — the numbered migrations. Migration N takes a database from version N-1 to N and runs
 * in one transaction; PRAGMA user_version records where a database is. Never edit a migration that
 * has shipped: add the next one, so a database from any earlier version still opens.
 */
#include "store/sqlite/internal.h"

const char *const tend_store_migrations[] = {
    /* 1: everything PRODUCT.md needs a home for. Times are unix seconds (UTC). */
    "CREATE TABLE groups ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE,"
    "  channel_key TEXT NOT NULL DEFAULT '',"
    "  timezone TEXT NOT NULL DEFAULT 'UTC',"
    "  checkin_at TEXT NOT NULL DEFAULT 'mon 18:00',"
    "  digest_at TEXT NOT NULL DEFAULT 'sun 18:00',"
    "  default_capacity INTEGER NOT NULL DEFAULT 3,"
    "  new_tasks_paused_until INTEGER NOT NULL DEFAULT 0,"
    "  next_task_number INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL);"

    "CREATE TABLE members ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  key TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  pronouns TEXT NOT NULL DEFAULT '',"
    "  capacity INTEGER NOT NULL DEFAULT 0,"
    "  nudges INTEGER NOT NULL DEFAULT 1,"
    "  quiet_start INTEGER NOT NULL DEFAULT -1,"
    "  quiet_end INTEGER NOT NULL DEFAULT -1,"
    "  timezone TEXT NOT NULL DEFAULT '',"
    "  resting_until INTEGER NOT NULL DEFAULT 0,"
    "  forgotten INTEGER NOT NULL DEFAULT 0,"
    "  joined_at INTEGER NOT NULL);"
    /* a forgotten member's key is '' and several may share it, so uniqueness holds for live keys */
    "CREATE UNIQUE INDEX members_key ON members(group_id, key) WHERE key <> '';"
    "CREATE INDEX members_name ON members(group_id, name COLLATE NOCASE);"

    "CREATE TABLE tasks ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  number INTEGER NOT NULL,"              /* what members type: /claim 12, per group */
    "  title TEXT NOT NULL,"
    "  when_text TEXT NOT NULL DEFAULT '',"
    "  due_at INTEGER NOT NULL DEFAULT 0,"
    "  slots INTEGER NOT NULL DEFAULT 1 CHECK (slots >= 1),"
    "  weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 1),"
    "  repeat_weekly INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','done','cancelled')),"
    "  created_by INTEGER REFERENCES members(id),"
    "  created_at INTEGER NOT NULL,"
    "  done_at INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (group_id, number));"
    "CREATE INDEX tasks_group_state ON tasks(group_id, state);"

    /* One row per member per task per stint. 'waiting' rows form the waitlist in id order. */
    "CREATE TABLE claims ("
    "  id INTEGER PRIMARY KEY,"
    "  task_id INTEGER NOT NULL REFERENCES tasks(id),"
    "  member_id INTEGER NOT NULL REFERENCES members(id),"
    "  state TEXT NOT NULL CHECK (state IN ('active','waiting','released','done','handed_off')),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  done_at INTEGER NOT NULL DEFAULT 0,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  reminded_at INTEGER NOT NULL DEFAULT 0);"  /* the 5-day "still on it?" was sent */
    "CREATE INDEX claims_task ON claims(task_id, state);"
    "CREATE INDEX claims_member ON claims(member_id, state);"
    "CREATE INDEX claims_done ON claims(state, done_at);"

    "CREATE TABLE handoffs ("
    "  id INTEGER PRIMARY KEY,"
    "  task_id INTEGER NOT NULL REFERENCES tasks(id),"
    "  from_member INTEGER NOT NULL REFERENCES members(id),"
    "  to_member INTEGER NOT NULL REFERENCES members(id),"
    "  state TEXT NOT NULL DEFAULT 'offered' CHECK (state IN ('offered','accepted','declined','withdrawn')),"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX handoffs_to ON handoffs(to_member, state);"

    "CREATE TABLE checkins ("
    "  id INTEGER PRIMARY KEY,"
    "  member_id INTEGER NOT NULL REFERENCES members(id),"
    "  energy TEXT NOT NULL CHECK (energy IN ('great','ok','low','out')),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX checkins_member ON checkins(member_id, created_at);"

    "CREATE TABLE rests ("
    "  id INTEGER PRIMARY KEY,"
    "  member_id INTEGER NOT NULL REFERENCES members(id),"
    "  started_at INTEGER NOT NULL,"
    "  until INTEGER NOT NULL,"
    "  ended_at INTEGER NOT NULL DEFAULT 0,"   /* 0 while resting */
    "  note TEXT NOT NULL DEFAULT '',"         /* private: never shown to the group */
    "  welcomed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX rests_member ON rests(member_id, ended_at);"
    "CREATE INDEX rests_until ON rests(ended_at, until);"

    "CREATE TABLE thanks ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  from_member INTEGER NOT NULL REFERENCES members(id),"
    "  to_member INTEGER NOT NULL REFERENCES members(id),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX thanks_group ON thanks(group_id, created_at);"
    "CREATE INDEX thanks_from ON thanks(from_member, created_at);"

    /* Anonymous on purpose: no author column, and only the day it arrived, so the time of a
     * message in the chat cannot be matched to a row. */
    "CREATE TABLE feedback ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  text TEXT NOT NULL,"
    "  day TEXT NOT NULL,"
    "  shown INTEGER NOT NULL DEFAULT 0);"

    /* Every version of every agreement is kept; the highest version is current. */
    "CREATE TABLE agreements ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  number INTEGER NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  text TEXT NOT NULL,"
    "  recorded_by INTEGER REFERENCES members(id),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (group_id, number, version));"

    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  member_id INTEGER REFERENCES members(id),"
    "  action TEXT NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX audit_group ON audit(group_id, created_at);"

    /* Exactly-once scheduling: one row per (group, what, which occurrence), written in the same
     * transaction as the effect it records. */
    "CREATE TABLE fired ("
    "  group_id INTEGER NOT NULL REFERENCES groups(id),"
    "  kind TEXT NOT NULL,"
    "  slot TEXT NOT NULL,"
    "  fired_at INTEGER NOT NULL,"
    "  PRIMARY KEY (group_id, kind, slot));"

    "CREATE TABLE nudges ("
    "  id INTEGER PRIMARY KEY,"
    "  member_id INTEGER NOT NULL REFERENCES members(id),"
    "  kind TEXT NOT NULL,"
    "  sent_at INTEGER NOT NULL,"
    "  answer TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX nudges_member ON nudges(member_id, kind, sent_at);"

    "CREATE TABLE adapter_state ("
    "  platform TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (platform, key));"

    "CREATE TABLE seen_events ("
    "  platform TEXT NOT NULL,"
    "  event_id TEXT NOT NULL,"
    "  seen_at INTEGER NOT NULL,"
    "  PRIMARY KEY (platform, event_id));"
    "CREATE INDEX seen_events_age ON seen_events(seen_at);",

    /* 2: a group's suggestions without reading every group's (EXPLAIN QUERY PLAN showed a SCAN of
     * feedback for each of its five queries; bench/plans.py). */
    "CREATE INDEX feedback_group ON feedback(group_id, shown);",
};

const int tend_store_migration_count =
    (int)(sizeof tend_store_migrations / sizeof tend_store_migrations[0]);
