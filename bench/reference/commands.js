'use strict';
// commands.js — the slash commands of the benchmark's mix, as discord.js's builders define them.
const { SlashCommandBuilder } = require('discord.js');

const ENERGIES = ['great', 'ok', 'low', 'out'];

const definitions = [
  new SlashCommandBuilder().setName('tasks').setDescription("The group's open tasks")
    .addStringOption((o) => o.setName('filter').setDescription('Which tasks')
      .addChoices({ name: 'open', value: 'open' }, { name: 'mine', value: 'mine' })),
  new SlashCommandBuilder().setName('claim').setDescription('Take on a task')
    .addStringOption((o) => o.setName('task').setDescription('Its number').setRequired(true).setAutocomplete(true)),
  new SlashCommandBuilder().setName('done').setDescription('Mark a task you claimed as done')
    .addStringOption((o) => o.setName('task').setDescription('Its number').setRequired(true).setAutocomplete(true))
    .addStringOption((o) => o.setName('note').setDescription('How it went')),
  new SlashCommandBuilder().setName('checkin').setDescription('How is your energy this week?')
    .addStringOption((o) => o.setName('energy').setDescription('Your energy').setRequired(true)
      .addChoices(...ENERGIES.map((e) => ({ name: e, value: e })))),
  new SlashCommandBuilder().setName('thanks').setDescription('Thank someone in the group')
    .addUserOption((o) => o.setName('member').setDescription('Who').setRequired(true))
    .addStringOption((o) => o.setName('for').setDescription('What for')),
].map((b) => b.toJSON());

module.exports = { definitions, ENERGIES };
