#!/usr/bin/env node
'use strict';
// bot.js — the benchmark's reference: tend's job for the bench mix (/tasks, /claim with
// autocomplete, /done, /checkin, /thanks, and the Claim / check-in buttons) written the usual way,
// with discord.js 14 and better-sqlite3. bench/driver plays Discord to it exactly as it does to tend.
//
//   bot.js --database FILE
// Environment (the names tend reads, so the driver starts either bot the same way):
//   DISCORD_TOKEN, TEND_DISCORD_API_BASE (e.g. http://127.0.0.1:PORT/api/v10),
//   TEND_STORE_SYNCHRONOUS (normal | full).
const { Client, Events, GatewayIntentBits, MessageFlags } = require('discord.js');
const { Store } = require('./store');
const { definitions } = require('./commands');
const { answer } = require('./answers');

function option(name) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

const database = option('--database');
if (!database || !process.env.DISCORD_TOKEN) {
  console.error('usage: DISCORD_TOKEN=... bot.js --database FILE');
  process.exit(2);
}

// discord.js speaks to whatever base it is given; the version is its own option
const base = process.env.TEND_DISCORD_API_BASE ?? 'https://discord.com/api/v10';
const versioned = base.match(/^(.*)\/v(\d+)$/);
const store = new Store(database, (process.env.TEND_STORE_SYNCHRONOUS ?? 'normal').toLowerCase());

const client = new Client({
  intents: [GatewayIntentBits.Guilds],
  rest: versioned ? { api: versioned[1], version: versioned[2] } : { api: base },
  allowedMentions: { parse: [] },
});

client.once(Events.ClientReady, async (c) => {
  console.log(`ready as ${c.user.username}`);
  try {
    await c.application.commands.set(definitions);
  } catch (err) {
    console.error('registering commands failed:', err.message);
  }
});

client.on(Events.InteractionCreate, async (interaction) => {
  try {
    await answer(store, interaction);
  } catch (err) {
    console.error(`interaction ${interaction.id} failed:`, err);
    if (interaction.isRepliable() && !interaction.replied && !interaction.deferred) {
      await interaction.reply({ content: 'Something went wrong on my side; please try again.',
        flags: MessageFlags.Ephemeral }).catch(() => {});
    }
  }
});

client.on(Events.Error, (err) => console.error('client error:', err.message));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    await client.destroy();
    store.close();
    process.exit(0);
  });
}

client.login(process.env.DISCORD_TOKEN);
