"""A human with a real end-to-end encryption client: matrix-nio with libolm (python-olm), driven
synchronously so the tests read like mxclient's. Every timeline event it sees is kept as the
client decrypted it, with whether it was encrypted on the wire and whether it decrypted."""
import asyncio
import time
import uuid

import requests
from nio import AsyncClient, AsyncClientConfig, MegolmEvent


class Human:
    def __init__(self, base, user_id, password, store_dir):
        self.user_id = user_id
        self.base = base
        self.loop = asyncio.new_event_loop()
        cfg = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True)
        self.nio = AsyncClient(base, user_id, store_path=store_dir, config=cfg)
        resp = self.run(self.nio.login(password, device_name="e2ee test"))
        assert getattr(resp, "access_token", None), resp
        self.token = resp.access_token
        self.device_id = resp.device_id
        self.events = []      # (room_id, dict) as the client read them
        self.seen = []        # the same, never cleared by catch_up (a record of the whole test)
        self.undecrypted = []  # (room_id, event_id) of events it could not decrypt
        self.run(self.nio.keys_upload())
        self.sync(0)

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self):
        self.run(self.nio.close())
        self.loop.close()

    def _keys(self):
        if self.nio.should_upload_keys:
            self.run(self.nio.keys_upload())
        if self.nio.should_query_keys:
            self.run(self.nio.keys_query())
        if self.nio.should_claim_keys:
            self.run(self.nio.keys_claim(self.nio.get_users_for_key_claiming()))

    def sync(self, timeout_ms=1000):
        resp = self.run(self.nio.sync(timeout=timeout_ms, full_state=False))
        assert hasattr(resp, "next_batch"), resp
        new = []
        for room_id, info in resp.rooms.join.items():
            for ev in info.timeline.events:
                if isinstance(ev, MegolmEvent):
                    self.undecrypted.append((room_id, ev.event_id))
                    continue
                d = dict(ev.source)
                d["_decrypted"] = bool(getattr(ev, "decrypted", False))
                d["_verified"] = bool(getattr(ev, "verified", False))
                self.events.append((room_id, d))
                self.seen.append((room_id, d))
                new.append((room_id, d))
        for room_id in resp.rooms.invite:
            self.run(self.nio.join(room_id))
        self._keys()
        return new

    def catch_up(self):
        self.sync(0)
        self.events = []

    def wait_for(self, pred, timeout=30, what="an event"):
        deadline = time.monotonic() + timeout
        for room_id, ev in self.events:
            if pred(room_id, ev):
                return room_id, ev
        while time.monotonic() < deadline:
            for room_id, ev in self.sync(1000):
                if pred(room_id, ev):
                    return room_id, ev
        raise AssertionError(f"{self.user_id} did not see {what} within {timeout} s")

    def create_room(self, name, invite=(), direct=False):
        """The way Element makes a room: encrypted from its first state (m.megolm.v1.aes-sha2)."""
        from nio.api import RoomPreset
        resp = self.run(self.nio.room_create(
            name=None if direct else name, invite=list(invite), is_direct=direct,
            preset=RoomPreset.trusted_private_chat if direct else RoomPreset.private_chat,
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]))
        assert hasattr(resp, "room_id"), resp
        self.sync(0)
        return resp.room_id

    def invite(self, room, user_id):
        resp = self.run(self.nio.room_invite(room, user_id))
        assert not hasattr(resp, "status_code"), resp

    def join(self, room):
        self.run(self.nio.join(room))
        self.sync(0)

    def leave(self, room):
        self.run(self.nio.room_leave(room))

    def _send(self, room, type_, content):
        self.sync(0)
        self.run(self.nio.joined_members(room))
        self._keys()
        resp = self.run(self.nio.room_send(room, type_, content, tx_id=uuid.uuid4().hex,
                                           ignore_unverified_devices=True))
        assert hasattr(resp, "event_id"), resp
        return resp.event_id

    def send(self, room, body, html=None):
        content = {"msgtype": "m.text", "body": body}
        if html:
            content.update(format="org.matrix.custom.html", formatted_body=html)
        return self._send(room, "m.room.message", content)

    def react(self, room, event_id, key):
        """Encrypted, as Element sends reactions (nio's room_send leaves reactions in clear)."""
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        self.sync(0)
        self.run(self.nio.joined_members(room))
        self._keys()
        if self.nio.olm.should_share_group_session(room):
            self.run(self.nio.share_group_session(room, ignore_unverified_devices=True))
        type_, encrypted = self.nio.encrypt(room, "m.reaction", content)
        assert type_ == "m.room.encrypted"
        r = requests.put(f"{self.base}/_matrix/client/v3/rooms/{room}/send/{type_}/{uuid.uuid4().hex}",
                         json=encrypted, headers={"Authorization": "Bearer " + self.token}, timeout=30)
        r.raise_for_status()
        return r.json()["event_id"]


def from_bot(bot_id, room=None, contains=None, reply_to=None, type_="m.room.message"):
    def pred(room_id, ev):
        if ev.get("sender") != bot_id or ev.get("type") != type_:
            return False
        if room is not None and room_id != room:
            return False
        c = ev.get("content", {})
        if contains is not None and contains not in c.get("body", ""):
            return False
        if reply_to is not None and c.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") != reply_to:
            return False
        return True
    return pred
