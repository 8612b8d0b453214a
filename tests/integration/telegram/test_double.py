"""The double is checked against a third-party client: python-telegram-bot, pointed at it with
base_url, calls getMe, getUpdates, sendMessage and answerCallbackQuery and parses every answer, and
gets Telegram's documented refusals as its own exception types. If python-telegram-bot cannot talk
to the double, the double is wrong, and the tests against tend prove nothing."""
import asyncio
import threading
import time

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

import double as dd


def bot_for(double, token=dd.TOKEN):
    return telegram.Bot(token, base_url=double.api_base + "/bot")


def run(coro):
    return asyncio.run(coro)


def test_ptb_reads_me_updates_and_sends_a_message_with_a_mention_and_a_button(double):
    async def main():
        async with bot_for(double) as bot:
            me = await bot.get_me()
            assert me.id == dd.BOT["id"] and me.username == dd.BOT["username"] and me.is_bot
            msg, uid = double.says("ben", "/thanks {ana} for the soup \U0001F963")
            updates = await bot.get_updates(timeout=2, allowed_updates=["message", "callback_query"])
            assert [u.update_id for u in updates] == [uid]
            m = updates[0].message
            assert m.chat.id == dd.GROUP_ID and m.chat.type == "supergroup" and m.from_user.id == 5002
            assert m.text == "/thanks Ana for the soup \U0001F963"
            ment = [e for e in m.entities if e.type == MessageEntity.TEXT_MENTION][0]
            assert m.parse_entity(ment) == "Ana" and ment.user.id == 5001
            # the offset confirms: asked again past it, nothing comes back
            assert await bot.get_updates(offset=uid + 1, timeout=0) == ()
            # a message that mentions one member with a text_mention after an emoji
            text = "\U0001F49B Ben thanks Ana!"
            sent = await bot.send_message(
                dd.GROUP_ID, text,
                entities=[MessageEntity(MessageEntity.TEXT_MENTION, dd.units("\U0001F49B Ben thanks "), 3,
                                        user=telegram.User(5001, "Ana", False))],
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("\u2705 Claim", callback_data="1|x|claim 1")]]))
            assert sent.chat.id == dd.GROUP_ID and sent.text == text
            assert sent.parse_entity(sent.entities[0]) == "Ana"
            cid = double.press("cai", sent.to_dict(), "Claim")
            updates = await bot.get_updates(offset=uid + 1, timeout=2)
            q = updates[0].callback_query
            assert q.id == cid and q.data == "1|x|claim 1" and q.from_user.id == 5003
            assert await bot.answer_callback_query(q.id) is True
            with pytest.raises(BadRequest, match="(?i)query is too old"):
                await bot.answer_callback_query(q.id)  # once per press
    run(main())
    assert double.sent[-1]["pings"] == [5001]


def test_ptb_meets_telegrams_refusals(double):
    async def main():
        async with bot_for(double) as bot:
            # a member who never opened the private chat
            with pytest.raises(Forbidden, match="(?i)bot can.t initiate conversation with a user"):
                await bot.send_message(5003, "hello")
            # 429 with retry_after, as parameters
            double.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", {"retry_after": 7})
            with pytest.raises(RetryAfter) as e:
                await bot.send_message(dd.GROUP_ID, "hi")
            ra = e.value.retry_after
            assert (ra.total_seconds() if hasattr(ra, "total_seconds") else ra) == 7
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await bot.send_message(-100999, "hi")
            with pytest.raises(BadRequest, match="(?i)message text is empty"):
                await bot.send_message(dd.GROUP_ID, " ")
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(dd.GROUP_ID, "x", reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="y" * 65)]]))
            with pytest.raises(BadRequest, match="(?i)entit"):
                await bot.send_message(dd.GROUP_ID, "short", entities=[MessageEntity("bold", 3, 10)])
            # a webhook in the way of getUpdates
            await bot.set_webhook("https://example.invalid/hook")
            with pytest.raises(Conflict, match="(?i)webhook is active"):
                await bot.get_updates(timeout=0)
            await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""
        # a wrong token: 401, which the library turns into InvalidToken as it starts
        with pytest.raises(InvalidToken):
            async with bot_for(double, token="7012345678:AAEwrongwrongwrongwrongwrongwrong12") as bad:
                await bad.get_me()
    run(main())


def test_a_second_poller_gets_the_first_one_a_409(double):
    got = {}

    def first():
        async def main():
            async with bot_for(double) as bot:
                try:
                    await bot.get_updates(timeout=10)
                    got["first"] = "answered"
                except Conflict as e:
                    got["first"] = str(e)
        run(main())

    t = threading.Thread(target=first)
    t.start()
    assert double.wait(lambda: double.pending_poll is not None, 5)

    async def second():
        async with bot_for(double) as bot:
            return await bot.get_updates(timeout=1)
    run(second())
    t.join(15)
    assert "terminated by other getUpdates request" in got["first"]


def test_the_bots_command_menu_is_kept_per_scope(double):
    async def main():
        async with bot_for(double) as bot:
            await bot.set_my_commands([("claim", "Take a slot")])
            await bot.set_my_commands([("claim", "Take a slot"), ("pause_new", "Pause")],
                                      scope=telegram.BotCommandScopeAllChatAdministrators())
            assert [c.command for c in await bot.get_my_commands()] == ["claim"]
            with pytest.raises(BadRequest):
                await bot.set_my_commands([("pause-new", "a hyphen is not allowed")])
    run(main())


def test_privacy_mode_hides_plain_messages_and_other_bots_commands(double):
    _m, uid = double.says("ben", "just chatting about soup")
    assert uid is None
    _m, uid = double.says("ben", "/claim 1")
    assert uid is not None  # no other bot spoke last: a plain command reaches tend
    double.other_bot_says("Sunny, 21 degrees")
    _m, uid = double.says("ben", "/claim 1")
    assert uid is None      # now it is the weather bot's turn for plain commands
    _m, uid = double.says("ben", "/claim@tend_test_bot 1")
    assert uid is not None


def test_ptb_uploads_a_document_and_meets_the_upload_limits(double):
    """python-telegram-bot's own multipart upload is what the double takes: the file arrives byte
    for byte with its name and type; Telegram's refusals come back as its exception types (a
    private chat never opened, an empty file, a caption past 1024 characters, a file past 50 MB)."""
    data = "{\"tasks\": [\"Pantry shift \U0001F96B caf\u00e9\"]}\n".encode()

    async def main():
        async with bot_for(double) as bot:
            sent = await bot.send_document(5001, document=data, filename="tend-export.json",
                                           caption="Your export")
            assert sent.document.file_name == "tend-export.json" and sent.document.file_size == len(data)
            assert sent.caption == "Your export" and sent.text is None
            with pytest.raises(Forbidden, match="can't initiate conversation"):
                await bot.send_document(5003, document=data, filename="x.json")
            with pytest.raises(BadRequest, match="(?i)non-empty"):
                await bot.send_document(5001, document=b"", filename="empty.json")
            await asyncio.sleep(1)
            with pytest.raises(BadRequest, match="(?i)caption is too long"):
                await bot.send_document(5001, document=data, filename="x.json", caption="x" * 1025)
            with pytest.raises(telegram.error.TelegramError, match="(?i)too large"):
                await bot.send_document(5001, document=b"x" * (dd.UPLOAD_MAX + 1), filename="big.json",
                                        write_timeout=60)
    run(main())
    docs = double.documents_to(5001)
    assert len(docs) == 1 and docs[0]["data"] == data and docs[0]["document"]["mime_type"] == "application/json"
    assert not double.violations
