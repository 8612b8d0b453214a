'use strict';
// cooldowns.js — tend's per-minute budgets (30 commands a member, 300 a group, refilling evenly),
// kept in memory the way the discord.js guide keeps command cooldowns: a Map, pruned now and then.
const MINUTE_MS = 60_000;

class Cooldowns {
  constructor(memberPerMinute = 30, groupPerMinute = 300) {
    this.member = { every: MINUTE_MS / memberPerMinute, due: new Map() };
    this.group = { every: MINUTE_MS / groupPerMinute, due: new Map() };
    setInterval(() => this.prune(Date.now()), MINUTE_MS).unref();
  }

  // Counts one command, unless the member's or the group's budget for the minute is spent.
  take(guildId, userId, now = Date.now()) {
    const mKey = `${guildId}:${userId}`;
    const mNext = Math.max(this.member.due.get(mKey) ?? 0, now) + this.member.every;
    const gNext = Math.max(this.group.due.get(guildId) ?? 0, now) + this.group.every;
    if (mNext - now > MINUTE_MS || gNext - now > MINUTE_MS) return false;
    this.member.due.set(mKey, mNext);
    this.group.due.set(guildId, gNext);
    return true;
  }

  prune(now) {
    for (const { due } of [this.member, this.group]) {
      for (const [key, at] of due) if (at < now) due.delete(key);
    }
  }
}

module.exports = { Cooldowns };
