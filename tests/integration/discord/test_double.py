"""The double is checked against a third-party client: discord.py connects to it, receives READY
and an INTERACTION_CREATE, and answers through the double's REST API. If discord.py cannot talk to
the double, the double is wrong, and the tests against tend prove nothing."""
import asyncio

import discord
import discord.gateway
import discord.http

import double as dd


def test_discord_py_gets_ready_and_answers_an_interaction(double):
    discord.http.Route.BASE = double.api_base
    double.require_user_agent = False  # discord.py's webhook client sends aiohttp's own
    # discord.py goes straight to Discord's gateway unless told otherwise; send it to the double
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = discord.gateway.yarl.URL(double.gateway_url)
    seen = {}

    async def main():
        client = discord.Client(intents=discord.Intents(guilds=True, guild_messages=True))
        done = asyncio.Event()

        @client.event
        async def on_ready():
            seen["user"] = client.user.id
            seen["guilds"] = [g.id for g in client.guilds]
            double.slash("ben", "claim", {"task": "1"})

        @client.event
        async def on_interaction(interaction):
            seen["member"] = interaction.user.id
            seen["command"] = interaction.data["name"]
            await interaction.response.send_message("hello from discord.py", ephemeral=True)
            await interaction.followup.send("and a follow-up")
            done.set()

        task = asyncio.create_task(client.start(dd.TOKEN))
        try:
            await asyncio.wait_for(done.wait(), 20)
        finally:
            await client.close()
            task.cancel()

    asyncio.run(main())
    assert seen["user"] == int(dd.BOT_ID)
    assert seen["guilds"] == [int(dd.GUILD_ID)]
    assert seen["member"] == int(double.members["ben"]["id"])
    assert seen["command"] == "claim"
    bodies = list(double.callbacks.values())[0]
    assert bodies[0] == {"type": 4, "data": {"content": "hello from discord.py", "flags": 64}} or \
        bodies[0]["data"]["content"] == "hello from discord.py"
    assert bodies[1]["content"] == "and a follow-up"
    assert double.heartbeats, "discord.py sent no heartbeat the double saw"
    assert not double.violations, double.violations


def test_double_flags_a_body_that_breaks_the_spec(double):
    # the validator must be able to fail: an interaction callback with a wrong type is a violation
    import json
    import urllib.request
    req = urllib.request.Request(double.api_base + "/interactions/1/tok/callback",
                                 data=json.dumps({"type": "four", "data": {"content": 5}}).encode(),
                                 headers={"Content-Type": "application/json",
                                          "User-Agent": "DiscordBot (x, 1)"}, method="POST")
    try:
        urllib.request.urlopen(req, timeout=5)
    except Exception:
        pass
    assert any("/interactions/" in v for v in double.violations), double.violations
