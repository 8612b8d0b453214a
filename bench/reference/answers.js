'use strict';
// answers.js — one handler per interaction of the mix. Private answers (claims, check-ins, refusals)
// and the board are ephemeral; a finished task and a thanks are for the whole channel, as in tend.
const { MessageFlags } = require('discord.js');
const { ENERGIES } = require('./commands');
const { Cooldowns } = require('./cooldowns');

const cooldowns = new Cooldowns();
const THANKS_PER_DAY = 5;

const EPHEMERAL = MessageFlags.Ephemeral;
const MAX_CONTENT = 2000;

const ENERGY_REPLY = {
  great: 'Glad to hear it. Thanks for checking in.',
  ok: 'Thanks for checking in.',
  low: 'Thanks for telling me. Low weeks happen to all of us; /stepback hands your tasks back, no questions asked.',
  out: 'Thanks for telling me. Rest comes first; /stepback hands your tasks back, no questions asked.',
};

function displayName(interaction) {
  return interaction.member?.displayName ?? interaction.user.globalName ?? interaction.user.username;
}

function who(store, interaction) {
  const groupId = store.groupId(interaction.guildId, interaction.channelId);
  const member = store.member(groupId, interaction.user.id, displayName(interaction));
  return { groupId, member };
}

function line(t) {
  return `#${t.number} ${t.title} (${t.taken} of ${t.slots} hands)`;
}

function tasksBoard(store, interaction) {
  const { groupId } = who(store, interaction);
  const rows = store.board(groupId, interaction.options.getString('filter') === 'open');
  if (rows.length === 0) {
    return interaction.reply({ content: 'No open tasks right now. /task add starts one.', flags: EPHEMERAL });
  }
  let content = 'Open tasks:';
  for (const t of rows) {
    const next = `${content}\n${line(t)}`;
    if (next.length > MAX_CONTENT) break;
    content = next;
  }
  return interaction.reply({ content, flags: EPHEMERAL });
}

function claimTask(store, interaction, number) {
  const { groupId, member } = who(store, interaction);
  const s = store.s;
  const result = store.once(interaction.id, () => {
    const task = s.task.get(groupId, number);
    if (!task) return { text: `I couldn't find task #${number} to claim.` };
    if (task.state !== 'open') return { text: `#${number} is already ${task.state}.` };
    if (s.myClaim.get(task.id, member.id)) return { text: `You're already on #${number}. Thank you!` };
    const taken = s.taken.get(task.id).n;
    if (taken >= task.slots) return { text: `#${number} has all the hands it needs (claimed by ${taken}).` };
    s.claim.run(task.id, member.id);
    return { text: `${line({ ...task, taken: taken + 1 })} is yours. Thank you! If plans change, /unclaim ${number} is always fine.` };
  });
  if (result.duplicate) return undefined;
  return interaction.reply({ content: result.text, flags: EPHEMERAL });
}

function finishTask(store, interaction) {
  const number = Number.parseInt(interaction.options.getString('task', true), 10);
  const note = interaction.options.getString('note') ?? '';
  const { groupId, member } = who(store, interaction);
  const s = store.s;
  const result = store.once(interaction.id, () => {
    const task = Number.isInteger(number) ? s.task.get(groupId, number) : undefined;
    if (!task) return { text: `I couldn't find task #${number} to mark done.`, private: true };
    if (task.state === 'done') return { text: `#${number} is already marked done. Thank you all the same!`, private: true };
    if (task.state !== 'open') return { text: `#${number} was ${task.state}; nothing to mark.`, private: true };
    // whoever did it gets the credit, claimed or not
    if (!s.myClaim.get(task.id, member.id)) s.claim.run(task.id, member.id);
    const people = s.claimers.all(task.id).map((r) => r.key);
    s.finishClaims.run(member.id, note, task.id);
    s.finishTask.run(task.id);
    return { text: `🎉 #${number} ${task.title} is done! Thank you, ${people.map((id) => `<@${id}>`).join(' and ')}.`
      + (note ? `\n"${note}"` : ''), people };
  });
  if (result.duplicate) return undefined;
  if (result.private) return interaction.reply({ content: result.text, flags: EPHEMERAL });
  return interaction.reply({ content: result.text, allowedMentions: { parse: [], users: result.people } });
}

function checkIn(store, interaction, energy) {
  if (!ENERGIES.includes(energy)) {
    return interaction.reply({ content: `Energy is one of ${ENERGIES.join(', ')}.`, flags: EPHEMERAL });
  }
  const { member } = who(store, interaction);
  const result = store.once(interaction.id, () => { store.s.checkin.run(member.id, energy); });
  if (result.duplicate) return undefined;
  return interaction.reply({ content: ENERGY_REPLY[energy], flags: EPHEMERAL });
}

function thank(store, interaction) {
  const user = interaction.options.getUser('member', true);
  const reason = interaction.options.getString('for') ?? '';
  const { groupId, member } = who(store, interaction);
  if (user.id === interaction.user.id) {
    return interaction.reply({ content: 'Thanking yourself counts too, but it stays between us. 💛', flags: EPHEMERAL });
  }
  const to = store.member(groupId, user.id, user.globalName ?? user.username);
  const result = store.once(interaction.id, () => {
    const given = store.s.thanksGiven.get(member.id).n;
    if (given >= THANKS_PER_DAY) return { given };
    store.s.thanks.run(groupId, member.id, to.id, reason);
    return {};
  });
  if (result.duplicate) return undefined;
  if (result.given !== undefined) {
    return interaction.reply({ content: `That's ${result.given} thanks in the last day already, the most I pass on. More tomorrow!`,
      flags: EPHEMERAL });
  }
  return interaction.reply({
    content: `💛 ${member.name} thanks <@${user.id}>${reason ? ` for ${reason}` : ''}!`,
    allowedMentions: { parse: [], users: [user.id] },
  });
}

function suggest(store, interaction) {
  const { groupId } = who(store, interaction);
  const typed = String(interaction.options.getFocused() ?? '');
  const choices = store.suggest(groupId, typed).map((t) => ({
    name: `#${t.number} ${t.title}`.slice(0, 100),
    value: String(t.number),
  }));
  return interaction.respond(choices);
}

function press(store, interaction) {
  // tend's buttons: "tend:<command>" or "tend:<guild>:<command>"
  const command = interaction.customId.replace(/^tend:(\d+:)?/, '');
  const [name, arg] = command.split(' ');
  if (name === 'claim') return claimTask(store, interaction, Number.parseInt(arg, 10));
  if (name === 'checkin') return checkIn(store, interaction, arg);
  return interaction.reply({ content: "That button isn't one I know any more.", flags: EPHEMERAL });
}

async function answer(store, interaction) {
  if (!interaction.inGuild()) return undefined;
  if (interaction.isAutocomplete()) return suggest(store, interaction);
  if (!cooldowns.take(interaction.guildId, interaction.user.id)) {
    return interaction.reply({ content: "That's a lot of commands in a minute; give me a moment and try again.",
      flags: EPHEMERAL });
  }
  if (interaction.isButton()) return press(store, interaction);
  if (!interaction.isChatInputCommand()) return undefined;
  switch (interaction.commandName) {
    case 'tasks': return tasksBoard(store, interaction);
    case 'claim': return claimTask(store, interaction, Number.parseInt(interaction.options.getString('task', true), 10));
    case 'done': return finishTask(store, interaction);
    case 'checkin': return checkIn(store, interaction, interaction.options.getString('energy', true));
    case 'thanks': return thank(store, interaction);
    default:
      return interaction.reply({ content: `I don't know /${interaction.commandName} yet.`, flags: EPHEMERAL });
  }
}

module.exports = { answer };
