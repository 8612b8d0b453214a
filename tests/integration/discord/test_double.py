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


# ---------------------------------------------------------------- the gateway's sessions and shards

def _point_discord_py_at(double):
    discord.http.Route.BASE = double.api_base
    double.require_user_agent = False
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = discord.gateway.yarl.URL(double.gateway_url)


def test_discord_py_resumes_a_dropped_session_on_the_resume_url_and_gets_what_was_sent_meanwhile(double):
    _point_discord_py_at(double)
    seen = {}

    async def main():
        client = discord.Client(intents=discord.Intents(guilds=True, guild_messages=True))
        ready, resumed_event = asyncio.Event(), asyncio.Event()

        @client.event
        async def on_ready():
            ready.set()

        @client.event
        async def on_interaction(interaction):
            seen["interaction"] = interaction.id
            resumed_event.set()

        task = asyncio.create_task(client.start(dd.TOKEN))
        try:
            await asyncio.wait_for(ready.wait(), 20)
            # the connection drops; an interaction comes while discord.py is away
            await asyncio.get_running_loop().run_in_executor(None, double.drop)
            seen["sent"] = await asyncio.get_running_loop().run_in_executor(None, double.slash, "ben", "help")
            await asyncio.wait_for(resumed_event.wait(), 30)
        finally:
            await client.close()
            task.cancel()

    asyncio.run(main())
    assert seen["interaction"] == int(seen["sent"])  # replayed by the double's RESUME
    assert double.identifies == 1
    resumes = [r for r in double.resume_log if r["ok"]]
    assert resumes and all(r["on_resume_url"] for r in double.resume_log), double.resume_log
    # discord.py's close() says goodbye with 1000: Discord ends that session, a RESUME of it fails
    assert double.close_log[-1]["code"] == 1000
    assert double.session_objs[resumes[-1]["session"]].invalid
    assert not double.violations, double.violations


def test_a_resume_of_an_ended_session_gets_op9_false(double):
    import aiohttp

    async def main():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(double.resume_url + "?v=10&encoding=json") as ws:
                hello = await ws.receive_json()
                assert hello["op"] == 10
                await ws.send_json({"op": 6, "d": {"token": dd.TOKEN, "session_id": "gone", "seq": 3}})
                return await ws.receive_json()

    answer = asyncio.run(main())
    assert answer["op"] == 9 and answer["d"] is False


def test_discord_py_shards_agree_with_the_double_on_which_guild_goes_where(double):
    _point_discord_py_at(double)
    double.populate(2, 2)
    double.recommended_shards = 2
    seen = {}

    async def main():
        client = discord.AutoShardedClient(intents=discord.Intents(guilds=True, guild_messages=True))
        done = asyncio.Event()

        @client.event
        async def on_ready():
            seen["shards"] = sorted(client.shards)
            seen["guild_shards"] = {str(g.id): g.shard_id for g in client.guilds}
            done.set()

        task = asyncio.create_task(client.start(dd.TOKEN))
        try:
            await asyncio.wait_for(done.wait(), 30)
        finally:
            await client.close()
            task.cancel()

    asyncio.run(main())
    assert seen["shards"] == [0, 1]
    assert sorted((i["shard"], i["count"]) for i in double.identify_log) == [(0, 2), (1, 2)]
    # discord.py computes guild -> shard itself; the double sent each guild to that shard
    sent_to = {}
    for s in double.session_objs.values():
        for _, p in s.events:
            if p["t"] == "GUILD_CREATE":
                sent_to[p["d"]["id"]] = s.shard
    assert sent_to == seen["guild_shards"] and set(sent_to) == set(double.guild_ids)
    # and discord.py waited the 5 s between its two IDENTIFYs (max_concurrency 1): no violation
    assert not double.violations, double.violations


def test_discord_py_is_refused_with_4011_past_2500_guilds(double):
    _point_discord_py_at(double)
    double.populate(2501, 1)

    async def main():
        client = discord.Client(intents=discord.Intents(guilds=True))
        try:
            await asyncio.wait_for(client.start(dd.TOKEN), 20)
        except discord.errors.ConnectionClosed as e:
            return e.code
        finally:
            await client.close()

    assert asyncio.run(main()) == 4011
