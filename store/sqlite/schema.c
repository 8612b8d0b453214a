/*
 * schema.c — the numbered migrations. Migration N takes a database from version N-1 to N and runs
 * in one transaction; PRAGMA user_version records where a database is. Never edit a migration that
 * has shipped: add the next one, so a database from any earlier version still opens.
 */
#include "store/sqlite/internal.h"

/* A claim's start reminder: its member's lead (remind_minutes; -1 is the default two hours, 0 is
 * off) before the task's starts_at, unless it was already sent for that starts_at. Used inside
 * triggers that update `claims`, so it reads the row being updated by the table's name. */
#define CLAIM_REMIND_AT                                                                           \
    "(SELECT CASE WHEN t.state = 'open' AND t.starts_at > 0 AND m.remind_minutes <> 0"            \
    "  AND claims.remind_for <> t.starts_at"                                                      \
    "  THEN t.starts_at - 60 * (CASE WHEN m.remind_minutes < 0 THEN 120 ELSE m.remind_minutes END)" \
    "  ELSE 0 END FROM tasks t, members m WHERE t.id = claims.task_id AND m.id = claims.member_id)"
/* A claim's "did it happen?": the task's followup_at, unless already asked for that time. */
#define CLAIM_FOLLOWUP_AT                                                                         \
    "(SELECT CASE WHEN t.state = 'open' AND t.followup_at > 0 AND claims.followup_for <> t.followup_at" \
    "  THEN t.followup_at ELSE 0 END FROM tasks t WHERE t.id = claims.task_id)"

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

    /* 3: the scheduler at scale. A tick used to walk every group and run queries per member; now
     * it visits only what is due. Triggers keep the two "when to look next" tables right for every
     * writer (a handler, a test, another process on the same file), so no code path can forget to
     * tell the scheduler that a setting or a load changed. A row at 0 means "look now". */
    "CREATE TABLE schedule_due ("           /* a group's prompts, digest, process check-in, repeats */
    "  group_id INTEGER PRIMARY KEY REFERENCES groups(id),"
    "  due_at INTEGER NOT NULL);"
    "CREATE INDEX schedule_due_at ON schedule_due(due_at);"
    "INSERT INTO schedule_due (group_id, due_at) SELECT id, 0 FROM groups;"
    "CREATE TRIGGER schedule_group_new AFTER INSERT ON groups BEGIN"
    "  INSERT OR REPLACE INTO schedule_due (group_id, due_at) VALUES (NEW.id, 0);"
    "END;"
    "CREATE TRIGGER schedule_group_settings AFTER UPDATE OF timezone, checkin_at, digest_at,"
    "  new_tasks_paused_until, created_at ON groups"
    "  WHEN OLD.timezone IS NOT NEW.timezone OR OLD.checkin_at IS NOT NEW.checkin_at"
    "    OR OLD.digest_at IS NOT NEW.digest_at OR OLD.created_at IS NOT NEW.created_at"
    "    OR OLD.new_tasks_paused_until IS NOT NEW.new_tasks_paused_until BEGIN"
    "  INSERT OR REPLACE INTO schedule_due (group_id, due_at) VALUES (NEW.id, 0);"
    "END;"
    "CREATE TRIGGER schedule_repeat_new AFTER INSERT ON tasks WHEN NEW.repeat_weekly <> 0 BEGIN"
    "  INSERT OR REPLACE INTO schedule_due (group_id, due_at) VALUES (NEW.group_id, 0);"
    "END;"
    "CREATE TRIGGER schedule_repeat_change AFTER UPDATE OF state, done_at, due_at, repeat_weekly ON tasks"
    "  WHEN (NEW.repeat_weekly <> 0 OR OLD.repeat_weekly <> 0) AND (OLD.state IS NOT NEW.state"
    "    OR OLD.done_at IS NOT NEW.done_at OR OLD.due_at IS NOT NEW.due_at"
    "    OR OLD.repeat_weekly IS NOT NEW.repeat_weekly) BEGIN"
    "  INSERT OR REPLACE INTO schedule_due (group_id, due_at) VALUES (NEW.group_id, 0);"
    "END;"

    /* A member whose load may call for a nudge, and when to look: a load only rises through a new
     * or promoted active claim, and the verdict changes with capacity, nudges on/off, quiet hours,
     * zone or rest; time passing only lowers a load. */
    "CREATE TABLE nudge_checks ("
    "  member_id INTEGER PRIMARY KEY REFERENCES members(id),"
    "  due_at INTEGER NOT NULL);"
    "CREATE INDEX nudge_checks_due ON nudge_checks(due_at);"
    "INSERT OR REPLACE INTO nudge_checks (member_id, due_at) SELECT DISTINCT member_id, 0 FROM claims"
    "  WHERE state = 'active'"
    "    OR (state = 'done' AND done_at >= CAST(strftime('%s', 'now') AS INTEGER) - 7 * 86400);"
    "CREATE TRIGGER nudge_check_claim_new AFTER INSERT ON claims WHEN NEW.state = 'active' BEGIN"
    "  INSERT OR REPLACE INTO nudge_checks (member_id, due_at) VALUES (NEW.member_id, 0);"
    "END;"
    "CREATE TRIGGER nudge_check_claim_active AFTER UPDATE OF state ON claims"
    "  WHEN NEW.state = 'active' AND OLD.state <> 'active' BEGIN"
    "  INSERT OR REPLACE INTO nudge_checks (member_id, due_at) VALUES (NEW.member_id, 0);"
    "END;"
    "CREATE TRIGGER nudge_check_member AFTER UPDATE OF capacity, nudges, quiet_start, quiet_end,"
    "  timezone, resting_until, key, forgotten ON members"
    "  WHEN OLD.capacity IS NOT NEW.capacity OR OLD.nudges IS NOT NEW.nudges"
    "    OR OLD.quiet_start IS NOT NEW.quiet_start OR OLD.quiet_end IS NOT NEW.quiet_end"
    "    OR OLD.timezone IS NOT NEW.timezone OR OLD.resting_until IS NOT NEW.resting_until"
    "    OR OLD.key IS NOT NEW.key OR OLD.forgotten IS NOT NEW.forgotten BEGIN"
    "  INSERT OR REPLACE INTO nudge_checks (member_id, due_at) VALUES (NEW.id, 0);"
    "END;"
    /* the group's default capacity or zone: only members with some load can be affected */
    "CREATE TRIGGER nudge_check_group AFTER UPDATE OF default_capacity, timezone ON groups"
    "  WHEN OLD.default_capacity IS NOT NEW.default_capacity OR OLD.timezone IS NOT NEW.timezone BEGIN"
    "  INSERT OR REPLACE INTO nudge_checks (member_id, due_at) SELECT m.id, 0 FROM members m"
    "    WHERE m.group_id = NEW.id AND m.key <> '' AND EXISTS (SELECT 1 FROM claims c"
    "      WHERE c.member_id = m.id AND c.state IN ('active', 'done'));"
    "END;"

    /* stale claims across every group in one range: active, not reminded, oldest touch first */
    "CREATE INDEX claims_stale ON claims(state, reminded_at, updated_at);",

    /* 4: the board in number order straight from an index. With only (group_id, state) SQLite
     * preferred walking (group_id, number) to skip the sort, reading the group's whole history
     * to find its few open tasks: at 10,000 tasks a group, /tasks cost 4x what it did at 100. */
    ("CREATE INDEX tasks_board ON tasks(group_id, state, number);"
     "DROP INDEX tasks_group_state;"),

    /* 5: the durable outbox. Every message is written in the transaction of its cause and deleted
     * once its platform accepted it; AUTOINCREMENT so a row id (part of each Matrix txn id and
     * Discord nonce) is never reused after a delete. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  platform TEXT NOT NULL,"
    "  dest TEXT NOT NULL,"            /* messages to one destination go out in id order */
    "  reply_to TEXT,"                 /* the adapter's origin of the command it answers  */
    "  payload TEXT NOT NULL,"         /* the message, encoded by the bot                 */
    "  created_at INTEGER NOT NULL);",

    /* 6: nothing kept with a suggestion, or with the member around it, can order or time it
     * against the member's own actions (issue 12). A suggestion keeps only its month, and its id
     * is drawn at random (store/sqlite/process.c), so neither its number nor its place in the table
     * follows the rows other tables wrote in the same moment; the ones already there are given
     * random ids too. A member's joined_at keeps only the day. And a rest remembers whether its
     * member said yes to being welcomed back in the digest. */
    ("ALTER TABLE feedback RENAME COLUMN day TO month;"
     "UPDATE feedback SET month = substr(month, 1, 7);"
     "UPDATE feedback SET id = random() & 9223372036854775807;"
     "UPDATE members SET joined_at = joined_at - joined_at % 86400;"
     "ALTER TABLE rests ADD COLUMN announce INTEGER NOT NULL DEFAULT 0;"),

    /* 7: tasks the way a group uses them (issue 14). A task has a note, a real time (a moment, or
     * a whole day), a repeat rule beyond weekly, and three instants worked out from its time in
     * the group's zone when it is set: when reminders count back from (starts_at: the moment, or
     * 09:00 of the day), when its time is over (over_at) and when its claimers are asked whether
     * it happened (followup_at). Each active claim carries its own due reminder and question
     * (remind_at, followup_at; 0 = nothing pending) and the task time each was last sent for
     * (remind_for, followup_for), so an edited time asks again and nothing is ever sent twice.
     * Triggers keep them right for every writer, as migration 3 does for the schedule. */
    ("ALTER TABLE tasks ADD COLUMN note TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tasks ADD COLUMN all_day INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE tasks ADD COLUMN repeat_rule TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tasks ADD COLUMN starts_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE tasks ADD COLUMN over_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE tasks ADD COLUMN followup_at INTEGER NOT NULL DEFAULT 0;"
     "UPDATE tasks SET repeat_rule = 'weekly' WHERE repeat_weekly <> 0;"
     /* before this version only a bare date set a time: those are whole days (the approximate
      * hours below stand for tz.c's exact ones, for tasks written before they existed) */
     "UPDATE tasks SET all_day = 1 WHERE due_at > 0;"
     "UPDATE tasks SET starts_at = due_at + 9 * 3600, over_at = due_at + 86400,"
     "  followup_at = due_at + 86400 + 10 * 3600 WHERE due_at > 0;"

     "ALTER TABLE members ADD COLUMN remind_minutes INTEGER NOT NULL DEFAULT -1;" /* -1: 2 h, 0: off */
     "ALTER TABLE members ADD COLUMN welcomed INTEGER NOT NULL DEFAULT 0;"
     "UPDATE members SET welcomed = 1;" /* everyone here already has met tend */

     "ALTER TABLE claims ADD COLUMN remind_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE claims ADD COLUMN remind_for INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE claims ADD COLUMN followup_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE claims ADD COLUMN followup_for INTEGER NOT NULL DEFAULT 0;"
     "CREATE INDEX claims_remind ON claims(remind_at) WHERE state = 'active' AND remind_at > 0;"
     "CREATE INDEX claims_followup ON claims(followup_at) WHERE state = 'active' AND followup_at > 0;"

     "CREATE TRIGGER claim_alerts_new AFTER INSERT ON claims WHEN NEW.state = 'active' BEGIN"
     "  UPDATE claims SET remind_at = " CLAIM_REMIND_AT ", followup_at = " CLAIM_FOLLOWUP_AT
     "    WHERE id = NEW.id;"
     "END;"
     "CREATE TRIGGER claim_alerts_active AFTER UPDATE OF state ON claims"
     "  WHEN NEW.state = 'active' AND OLD.state <> 'active' BEGIN"
     "  UPDATE claims SET remind_at = " CLAIM_REMIND_AT ", followup_at = " CLAIM_FOLLOWUP_AT
     "    WHERE id = NEW.id;"
     "END;"
     "CREATE TRIGGER claim_alerts_task AFTER UPDATE OF starts_at, followup_at, state ON tasks"
     "  WHEN OLD.starts_at IS NOT NEW.starts_at OR OLD.followup_at IS NOT NEW.followup_at"
     "    OR OLD.state IS NOT NEW.state BEGIN"
     "  UPDATE claims SET remind_at = " CLAIM_REMIND_AT ", followup_at = " CLAIM_FOLLOWUP_AT
     "    WHERE task_id = NEW.id AND state = 'active';"
     "END;"
     "CREATE TRIGGER claim_alerts_member AFTER UPDATE OF remind_minutes ON members"
     "  WHEN OLD.remind_minutes IS NOT NEW.remind_minutes BEGIN"
     "  UPDATE claims SET remind_at = " CLAIM_REMIND_AT " WHERE member_id = NEW.id AND state = 'active';"
     "END;"
     /* what is still ahead for claims already held: reminders and questions from now on */
     "UPDATE claims SET remind_at = " CLAIM_REMIND_AT ", followup_at = " CLAIM_FOLLOWUP_AT
     "  WHERE state = 'active';"
     "UPDATE claims SET remind_at = 0 WHERE remind_at > 0"
     "  AND remind_at < CAST(strftime('%s', 'now') AS INTEGER);"
     "UPDATE claims SET followup_at = 0 WHERE followup_at > 0"
     "  AND followup_at < CAST(strftime('%s', 'now') AS INTEGER);"),

    /* 8: others fill in (issue 15). What a task is besides its title lives beside it (task_traits:
     * its kind in the group's own words, whether each new copy is offered round in turn, whether a
     * learner is welcome), so the tasks table and its readers stay as they were. An offer is one
     * private invitation of one member to one task, a backup or a turn of a rotation, asked at most
     * once (UNIQUE) and answered or closed. A standing backup is a member's yes to being asked first
     * for a kind. A learner joins a task without a slot and has learned it when it is done. */
    ("CREATE TABLE task_traits ("
     "  task_id INTEGER PRIMARY KEY REFERENCES tasks(id),"
     "  kind TEXT NOT NULL DEFAULT '',"
     "  rotate INTEGER NOT NULL DEFAULT 0,"
     "  teach INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX task_traits_kind ON task_traits(kind) WHERE kind <> '';"
     "CREATE TABLE offers ("
     "  id INTEGER PRIMARY KEY,"
     "  task_id INTEGER NOT NULL REFERENCES tasks(id),"
     "  member_id INTEGER NOT NULL REFERENCES members(id),"
     "  why TEXT NOT NULL CHECK (why IN ('backup','rotation')),"
     "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','taken','passed','closed')),"
     "  created_at INTEGER NOT NULL,"
     "  UNIQUE (task_id, member_id));"
     "CREATE INDEX offers_open ON offers(state, created_at) WHERE state = 'open';"
     "CREATE TABLE standing_backups ("
     "  member_id INTEGER NOT NULL REFERENCES members(id),"
     "  kind TEXT NOT NULL,"
     "  PRIMARY KEY (member_id, kind));"
     "CREATE TABLE learners ("
     "  id INTEGER PRIMARY KEY,"
     "  task_id INTEGER NOT NULL REFERENCES tasks(id),"
     "  member_id INTEGER NOT NULL REFERENCES members(id),"
     "  created_at INTEGER NOT NULL,"
     "  learned_at INTEGER NOT NULL DEFAULT 0,"
     "  offered INTEGER NOT NULL DEFAULT 0,"
     "  UNIQUE (task_id, member_id));"
     "CREATE INDEX learners_member ON learners(member_id);"
     /* a task that lost a hand: the group hears it from the scheduler, never in the answer to
      * the command that let go of it (a Discord reply would show whose command it was) */
     "CREATE TABLE backup_calls ("
     "  id INTEGER PRIMARY KEY,"
     "  task_id INTEGER NOT NULL REFERENCES tasks(id),"
     "  why TEXT NOT NULL DEFAULT 'backup' CHECK (why IN ('backup','rotation')),"
     "  created_at INTEGER NOT NULL,"
     "  announced_at INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX backup_calls_pending ON backup_calls(task_id) WHERE announced_at = 0;"),

    /* 9: languages (issue 18). A group's language for what the group reads, a member's own for
     * what only they read; '' is English for a group and "never chose" for a member, who then
     * reads their app's language (app_language: the last Discord locale tend has a catalogue for),
     * else the group's. Codes are gettext's: es, pt_BR. */
    ("ALTER TABLE groups ADD COLUMN language TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE members ADD COLUMN language TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE members ADD COLUMN app_language TEXT NOT NULL DEFAULT '';"),

    /* 10: end-to-end encryption (issue 20). Pickles only (already encrypted with the pickle key),
     * named by what they are and an id of device and key ids: nothing a member wrote or is. */
    ("CREATE TABLE crypto_state ("
     "  platform TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  id TEXT NOT NULL,"
     "  pickle TEXT NOT NULL,"
     "  PRIMARY KEY (platform, kind, id));"),

    /* 11: the Megolm replay guard (issue 20) in a table of its own, with when each pair was seen,
     * so old pairs can be pruned; a session's floor keeps the pruned ones counting as seen. The
     * pairs kept so far in adapter_state ("mi:<session>:<index>") move here, seen now. */
    ("CREATE TABLE megolm_seen ("
     "  platform TEXT NOT NULL,"
     "  session_id TEXT NOT NULL,"
     "  msg_index INTEGER NOT NULL,"
     "  event_id TEXT NOT NULL,"
     "  seen_at INTEGER NOT NULL,"
     "  PRIMARY KEY (platform, session_id, msg_index));"
     "CREATE INDEX megolm_seen_age ON megolm_seen(seen_at);"
     "CREATE TABLE megolm_floor ("
     "  platform TEXT NOT NULL,"
     "  session_id TEXT NOT NULL,"
     "  below INTEGER NOT NULL,"
     "  PRIMARY KEY (platform, session_id));"
     "INSERT OR IGNORE INTO megolm_seen (platform, session_id, msg_index, event_id, seen_at)"
     "  SELECT platform, substr(key, 4, instr(substr(key, 4), ':') - 1),"
     "         CAST(substr(key, 4 + instr(substr(key, 4), ':')) AS INTEGER), value,"
     "         CAST(strftime('%s', 'now') AS INTEGER)"
     "  FROM adapter_state WHERE substr(key, 1, 3) = 'mi:' AND instr(substr(key, 4), ':') > 1;"
     "DELETE FROM adapter_state WHERE substr(key, 1, 3) = 'mi:';"),

    /* 12: leases, so several tend processes on one database share the work (store_lease.h) */
    ("CREATE TABLE leases ("
     "  name TEXT PRIMARY KEY,"
     "  holder TEXT NOT NULL,"
     "  expires_at INTEGER NOT NULL,"
     "  epoch INTEGER NOT NULL);"),

    /* 13: each outbox row names the process that sends it, so tends sharing a database send each
     * row once; a row of a process that is gone is claimed by another (store_outbox.h). Rows
     * written before belong to "" (no process): the first to look claims them. */
    "ALTER TABLE outbox ADD COLUMN owner TEXT NOT NULL DEFAULT '';",

    /* 14: seen_events kept in the order of its key (WITHOUT ROWID): every command that writes
     * stores its event here, and a rowid table keeps the key in a second b-tree beside the rows,
     * one more page written to the WAL for each (issue 17). The rows are copied as they are. */
    ("CREATE TABLE seen_events_by_key ("
     "  platform TEXT NOT NULL,"
     "  event_id TEXT NOT NULL,"
     "  seen_at INTEGER NOT NULL,"
     "  PRIMARY KEY (platform, event_id)) WITHOUT ROWID;"
     "INSERT INTO seen_events_by_key (platform, event_id, seen_at)"
     "  SELECT platform, event_id, seen_at FROM seen_events;"
     "DROP TABLE seen_events;"
     "ALTER TABLE seen_events_by_key RENAME TO seen_events;"
     "CREATE INDEX seen_events_age ON seen_events(seen_at);"),
};

const int tend_store_migration_count =
    (int)(sizeof tend_store_migrations / sizeof tend_store_migrations[0]);
