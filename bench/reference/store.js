'use strict';
// store.js — the reference bot's data, on the same tables as tend (groups, members, tasks, claims,
// checkins, thanks: the benchmark copies one seeded database for both bots), with better-sqlite3's
// prepared statements and transactions, as its documentation recommends.
const Database = require('better-sqlite3');

const SYNCHRONOUS = new Set(['off', 'normal', 'full', 'extra']);

class Store {
  constructor(file, synchronous = 'normal') {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${SYNCHRONOUS.has(synchronous) ? synchronous : 'normal'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    // exactly-once for writes: a redelivered interaction must not claim or thank twice
    this.db.exec(`CREATE TABLE IF NOT EXISTS ref_seen_interactions (
      id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)`);
    this.prepare();
  }

  prepare() {
    const db = this.db;
    this.s = {
      group: db.prepare('SELECT id FROM groups WHERE key = ?'),
      addGroup: db.prepare(`INSERT INTO groups (key, channel_key, created_at) VALUES (?, ?, unixepoch())
                            ON CONFLICT (key) DO UPDATE SET channel_key = excluded.channel_key RETURNING id`),
      member: db.prepare("SELECT id, name FROM members WHERE group_id = ? AND key = ? AND key <> ''"),
      addMember: db.prepare('INSERT INTO members (group_id, key, name, joined_at) VALUES (?, ?, ?, unixepoch()) RETURNING id, name'),
      seen: db.prepare('INSERT OR IGNORE INTO ref_seen_interactions (id, seen_at) VALUES (?, unixepoch())'),
      board: db.prepare(`SELECT t.number, t.title, t.slots,
                           (SELECT count(*) FROM claims c WHERE c.task_id = t.id AND c.state = 'active') AS taken
                         FROM tasks t WHERE t.group_id = ? AND t.state = 'open' ORDER BY t.number LIMIT 60`),
      suggest: db.prepare(`SELECT t.number, t.title FROM tasks t
                           WHERE t.group_id = ? AND t.state = 'open'
                             AND (t.title LIKE ? ESCAPE '\\' OR CAST(t.number AS TEXT) LIKE ?)
                             AND (SELECT count(*) FROM claims c WHERE c.task_id = t.id AND c.state = 'active') < t.slots
                           ORDER BY t.number LIMIT 25`),
      task: db.prepare('SELECT id, number, title, slots, state FROM tasks WHERE group_id = ? AND number = ?'),
      taken: db.prepare("SELECT count(*) AS n FROM claims WHERE task_id = ? AND state = 'active'"),
      myClaim: db.prepare("SELECT id FROM claims WHERE task_id = ? AND member_id = ? AND state = 'active'"),
      claim: db.prepare(`INSERT INTO claims (task_id, member_id, state, created_at, updated_at)
                         VALUES (?, ?, 'active', unixepoch(), unixepoch())`),
      claimers: db.prepare(`SELECT m.key FROM claims c JOIN members m ON m.id = c.member_id
                            WHERE c.task_id = ? AND c.state = 'active' ORDER BY c.id`),
      finishClaims: db.prepare(`UPDATE claims SET state = 'done', done_at = unixepoch(), updated_at = unixepoch(),
                                  note = CASE WHEN member_id = ? THEN ? ELSE note END
                                WHERE task_id = ? AND state = 'active'`),
      finishTask: db.prepare("UPDATE tasks SET state = 'done', done_at = unixepoch() WHERE id = ?"),
      checkin: db.prepare('INSERT INTO checkins (member_id, energy, note, created_at) VALUES (?, ?, \'\', unixepoch())'),
      thanksGiven: db.prepare('SELECT count(*) AS n FROM thanks WHERE from_member = ? AND created_at > unixepoch() - 86400'),
      thanks: db.prepare(`INSERT INTO thanks (group_id, from_member, to_member, reason, created_at)
                          VALUES (?, ?, ?, ?, unixepoch())`),
    };
    // one transaction per command that writes; `seen` first, so a redelivery changes nothing
    // store.once(interactionId, work): work runs in the same transaction, unless already seen
    this.once = db.transaction((interactionId, work) => {
      if (this.s.seen.run(interactionId).changes === 0) return { duplicate: true };
      return work() ?? {};
    });
  }

  groupId(guildId, channelId) {
    const key = `discord:${guildId}`;
    const row = this.s.group.get(key);
    return row ? row.id : this.s.addGroup.get(key, channelId ?? '').id;
  }

  member(groupId, userId, name) {
    return this.s.member.get(groupId, userId) ?? this.s.addMember.get(groupId, userId, name);
  }

  board(groupId, onlyWithRoom) {
    const rows = this.s.board.all(groupId);
    return onlyWithRoom ? rows.filter((t) => t.taken < t.slots) : rows;
  }

  suggest(groupId, typed) {
    const escaped = typed.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.s.suggest.all(groupId, `%${escaped}%`, `${escaped}%`);
  }

  close() {
    this.db.close();
  }
}

module.exports = { Store };
