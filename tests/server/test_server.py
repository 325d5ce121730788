"""The live server against real clients on 127.0.0.1: tokens, what each seat sees, the authorisation matrix,
malformed and hostile input, and recovery from kill -9 by replay of the journal."""

from __future__ import annotations

import json
import signal
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

NATIONS = ("north", "south")
OTHER = {"north": "south", "south": "north"}


def collect(ws, seconds: float) -> list[dict]:
    """Every message a socket receives within `seconds` of wall time."""
    out = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            out.append(json.loads(ws.recv(timeout=left)))
        except TimeoutError:
            break
    return out


def records(messages: list[dict]) -> list[dict]:
    return [r for m in messages if m.get("type") == "events" for r in m["events"]]


def test_a_token_is_required(partner_city_server):
    base = partner_city_server.base
    assert httpx.get(f"{base}/api/session").status_code == 401
    assert httpx.get(f"{base}/api/session", headers={"Authorization": "Bearer stolen"}).status_code == 401
    assert httpx.post(f"{base}/api/orders", json={"kind": "identify"}).status_code == 401
    with connect(f"ws://127.0.0.1:{partner_city_server.port}/ws?token=wrong") as ws, \
            pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_each_seat_sees_its_nation_and_only_the_white_cell_sees_truth(partner_city_server):
    server = partner_city_server
    with server.client("north.commander") as north:
        session = north.get("/api/session").json()
    assert session["seat"]["nation"] == "north" and "token" not in session["seat"]
    assert {b["owner"] for b in session["scenario"]["batteries"]} == {"north"}
    with connect(server.ws_url("north.commander")) as ws_n, connect(server.ws_url("south.commander")) as ws_s, \
            connect(server.ws_url("white")) as ws_w:
        assert json.loads(ws_n.recv(timeout=5))["type"] == "hello"
        with server.client("white") as white:
            assert white.post("/api/control", json={"action": "speed", "speed": 20}).status_code == 200
            assert white.post("/api/control", json={"action": "start"}).status_code == 200
        got = {"north": records(collect(ws_n, 8.0)), "south": records(collect(ws_s, 0.5)),
               "white": records(collect(ws_w, 0.5))}
    for nation in NATIONS:
        assert got[nation], f"{nation} received nothing"
        assert all(nation in r["visible_to"] for r in got[nation])
        assert not [r for r in got[nation] if r["kind"] in ("truth_snapshot", "threat_launched")]
        pictures = [r for r in got[nation] if r["kind"] == "air_picture"]
        assert pictures and all(r["data"]["nation"] == nation for r in pictures)
    assert any(r["kind"] == "truth_snapshot" for r in got["white"])
    replayed = server.events("north.commander")
    assert replayed and all("north" in r["visible_to"] for r in replayed)


def order_for(kind: str, nation: str) -> dict:
    return {
        "set_weapons_control": {"kind": kind, "nation": nation, "status": "tight"},
        "engage": {"kind": kind, "nation": nation, "battery_id": f"{nation}.bty1", "track_id": f"{nation}.T0999"},
        "deny_engagement": {"kind": kind, "nation": nation, "proposal_id": "P99999"},
        "identify": {"kind": kind, "nation": nation, "track_id": f"{nation}.T0999", "identity": "hostile"},
        "request_support": {"kind": kind, "nation": nation, "to_nation": OTHER[nation],
                            "track_id": f"{nation}.T0999"},
        "launch_ballistic": {"kind": kind, "threat_id": f"adhoc-{nation}", "threat_type": "srbm-b", "actor": "red",
                             "origin_lat_deg": -43.9, "origin_lon_deg": -176.5, "target": f"{nation}.capital"},
        "sensor_outage": {"kind": kind, "msel_id": "adhoc", "sensor_id": f"{nation}.ewr1", "duration_s": 30.0},
        "comms_cut": {"kind": kind, "msel_id": "adhoc", "between": [f"{nation}.ncc", f"{nation}.adoc"],
                      "duration_s": 30.0},
        "assign_role": {"kind": kind, "role": f"{nation}.ncc", "human": True},
    }[kind]


ORDER_KINDS = ("set_weapons_control", "engage", "deny_engagement", "identify", "request_support",
               "launch_ballistic", "sensor_outage", "comms_cut", "assign_role")


def allowed(seat: str, kind: str, nation: str) -> bool:
    """The specification (issue 5): the white cell injects and sets weapons control; a nation's commander gives
    its nation's command orders; a battery operator engages with its own battery; a seat takes over only its own
    command role (here the national command node's); nobody else orders."""
    if seat == "white":
        return kind in ("set_weapons_control", "launch_ballistic", "sensor_outage", "comms_cut")
    if seat.endswith(".commander"):
        return seat.startswith(nation + ".") and kind in ("set_weapons_control", "engage", "deny_engagement",
                                                          "identify", "request_support", "assign_role")
    if seat.endswith(".operator"):
        return seat == f"{nation}.bty1.operator" and kind in ("engage", "deny_engagement")
    return False


def test_the_authorisation_matrix(partner_city_server):
    server = partner_city_server
    seats = ["white", "ccc", "north.commander", "north.bty1.operator", "north.observer", "south.commander",
             "south.bty1.operator", "south.observer"]
    refused_by_nation: dict[str, int] = {"north": 0, "south": 0}
    for seat in seats:
        with server.client(seat) as client:
            for nation in NATIONS:
                for kind in ORDER_KINDS:
                    r = client.post("/api/orders", json=order_for(kind, nation))
                    want = 200 if allowed(seat, kind, nation) else 403
                    assert r.status_code == want, (seat, kind, nation, r.status_code, r.text)
                    assert r.json()["accepted"] is (want == 200)
                    if want == 403:
                        assert r.json()["reason"]
                        if seat.split(".")[0] in NATIONS:
                            refused_by_nation[seat.split(".")[0]] += 1
    for nation in NATIONS:  # every refusal is journaled and shown to the refused seat's nation
        log = server.events(f"{nation}.commander")
        assert len([r for r in log if r["kind"] == "seat_refused"]) == refused_by_nation[nation]


def test_malformed_and_hostile_input_gets_a_clear_error_and_the_server_stays_up(partner_city_server):
    server = partner_city_server
    with server.client("north.commander") as client:
        bad = client.post("/api/orders", content=b"{not json", headers={"content-type": "application/json"})
        assert bad.status_code == 422 and "not JSON" in bad.json()["reason"]
        unknown = client.post("/api/orders", json={"kind": "nuke_everything", "nation": "north"})
        assert unknown.status_code == 422 and "unknown order kind" in unknown.json()["reason"]
        fields = client.post("/api/orders", json={"kind": "identify", "nation": "north", "colour": "red"})
        assert fields.status_code == 422
        huge = client.post("/api/orders", content=b"[" + b"1," * 70_000 + b"1]")
        assert huge.status_code == 422 and "larger than" in huge.json()["reason"]
        assert client.post("/api/control", json={"action": "start"}).status_code == 403
    with connect(server.ws_url("north.commander")) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        for text in ("{oops", "[1, 2]", json.dumps({"type": "dance"}), "x" * 70_000,
                     json.dumps({"type": "order", "ref": "r1", "order": {"kind": "launch_ballistic"}})):
            ws.send(text)
            reply = next(m for m in collect(ws, 3.0) if m.get("type") in ("error", "ack"))
            assert reply.get("reason"), reply
        ws.send(json.dumps({"type": "order", "ref": "r2",
                            "order": {"kind": "set_weapons_control", "nation": "north", "status": "free"}}))
        ack = next(m for m in collect(ws, 3.0) if m.get("type") == "ack")
        assert ack == {"type": "ack", "ref": "r2", "accepted": True, "status": 200}


def test_kill_9_and_resume_rebuild_the_same_exercise(tmp_path, serve):
    from amdx.scenario import bundled_scenario_path

    out = tmp_path / "exercise"
    first = serve(out, str(bundled_scenario_path("accidental_partner_city")), "--out", str(out), "--seed", "4")
    tokens = first.tokens
    with first.client("white") as white, first.client("north.commander") as north:
        white.post("/api/control", json={"action": "speed", "speed": 20})
        white.post("/api/control", json={"action": "start"})
        time.sleep(3.0)
        assert north.post("/api/orders", json={"kind": "set_weapons_control", "nation": "north",
                                               "status": "free"}).json()["accepted"]
        time.sleep(4.0)
        before = first.events("white")
    first.kill(signal.SIGKILL)  # no shutdown, no flush: the journal must already hold everything acknowledged
    assert before and before[-1]["t_s"] > 60.0

    second = serve(out, "--resume", str(out))
    assert second.tokens == tokens  # the same seats and tokens
    with second.client("white") as white, second.client("north.commander") as north:
        after = second.events("white")
        clock = white.get("/api/session").json()["clock"]
        assert after[:len(before)] == before  # nothing acknowledged is lost, nothing rewritten
        assert clock["running"] is False and clock["t_s"] >= before[-1]["t_s"] - 1e-3  # clock shown to 1 ms
        changed = [r for r in after if r["kind"] == "weapons_control_changed"]
        assert [(r["data"]["nation"], r["data"]["status"]) for r in changed] == [("north", "free")]
        last_picture = [r for r in before if r["kind"] == "air_picture" and r["data"]["nation"] == "north"][-1]
        assert last_picture in after
        white.post("/api/control", json={"action": "speed", "speed": 20})
        white.post("/api/control", json={"action": "resume"})
        time.sleep(2.0)
        later = north.get("/api/events", params={"since": after[-1]["seq"]}).json()["events"]
    assert later and later[0]["t_s"] >= before[-1]["t_s"]


def test_replay_serves_any_view_of_a_journal(tmp_path, serve):
    import subprocess
    import sys

    from amdx.scenario import bundled_scenario_path

    run = tmp_path / "run"
    subprocess.run([sys.executable, "-m", "amdx", "run", str(bundled_scenario_path("accidental_open_sea")),
                    "--seed", "3", "--out", str(run), "--quiet"], check=True, capture_output=True)
    review = serve(run, str(run), command="replay")
    token = review.ready()["token"]
    with httpx.Client(base_url=review.base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        session = client.get("/api/session").json()
        assert session["mode"] == "replay" and session["views"] == ["controller", "north", "south"]
        truth = client.get("/api/events", params={"view": "controller"}).json()["events"]
        north = client.get("/api/events", params={"view": "north"}).json()["events"]
        early = client.get("/api/events", params={"view": "north", "until_t_s": 100.0}).json()["events"]
        assert client.get("/api/events", params={"view": "mars"}).status_code == 422
    assert any(r["kind"] == "truth_snapshot" for r in truth)
    assert north and all("north" in r["visible_to"] for r in north) and len(north) < len(truth)
    assert early == [r for r in north if r["t_s"] <= 100.0]
    assert httpx.get(f"{review.base}/api/session").status_code == 401
