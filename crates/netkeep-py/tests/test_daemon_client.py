"""netkeep.Client against a running `netkeep serve` with simulated devices."""

import os
import subprocess
import sys
import time

import pytest

from daemon import fleet
from netkeep import (
    Client,
    ConfigInvalidException,
    DaemonError,
    DaemonUnavailable,
    NetmikoAuthenticationException,
    NetmikoParsingException,
    ReadTimeout,
)


@pytest.fixture(scope="module")
def daemon():
    d = fleet()
    yield d
    d.stop()


@pytest.fixture
def client(daemon):
    return Client(socket=daemon.socket)


def test_send_command(client):
    out = client.send_command("sw1", "display version")
    assert "Comware Software" in out
    assert "<" not in out.splitlines()[-1], "prompt stripped"


def test_exec_many_devices(client):
    answer = client.exec(["display clock", "display version"], devices=["sw1", "sw2"])
    assert answer["ok"] is True
    assert [r["device"] for r in answer["results"]] == ["sw1", "sw2"]
    for r in answer["results"]:
        assert [o["command"] for o in r["outputs"]] == ["display clock", "display version"]
        assert "Comware" in r["outputs"][1]["output"]


def test_exec_reports_device_failures_without_raising(client):
    answer = client.exec(["display clock"], devices=["sw1", "locked"], read_timeout=5)
    assert answer["ok"] is False
    by = {r["device"]: r for r in answer["results"]}
    assert by["sw1"]["ok"] and by["locked"]["error_kind"] == "auth"


def test_errors_map_to_netmiko_exceptions(client):
    with pytest.raises(NetmikoAuthenticationException):
        client.send_command("locked", "display clock")
    with pytest.raises(ReadTimeout):
        client.send_command("sw1", "ping 192.0.2.1", read_timeout=0.5)
    # The daemon's session is still fine afterwards.
    assert "Comware" in client.send_command("sw1", "display version")
    with pytest.raises(DaemonError) as e:
        client.send_command("no-such-device", "display clock")
    assert e.value.status == 404


def test_status_fields(client):
    status = {d["device"]: d for d in client.status()}
    assert status["sw1"]["state"] in ("ready", "busy")
    for key in ("device", "state", "sessions", "max_sessions", "platform", "address",
                "keepalives_sent", "reconnects"):
        assert key in status["sw1"]


def test_send_config_set_and_commit(client):
    out = client.send_config_set("sw2", ["interface GigabitEthernet1/0/2", "description from-client"])
    assert "description from-client" in out
    assert " description from-client" in client.send_command("sw2", "display current-configuration")
    client.send_config_set("edge1", ["set interfaces ge-0/0/1 description committed-by-client"],
                           commit=True)
    assert "committed-by-client" in client.send_command("edge1", "show configuration")
    with pytest.raises(ConfigInvalidException):
        client.send_config_set("sw2", ["no-such-command at all"])


def test_connection_object(client, daemon):
    with client.connection("r1") as conn:
        assert "Cisco IOS Software" in conn.send_command("show version")
        assert conn.find_prompt().startswith("R")
        assert conn.is_alive()
        conn.send_config_set(["interface GigabitEthernet0/2", "description via-daemon"])
        conn.save_config()
        assert "description via-daemon" in conn.send_command("show running-config")
        timing = conn.send_command_timing("show clock", last_read=0.3)
        assert timing.strip()
    # The context manager left the daemon's session open.
    status = {d["device"]: d for d in client.status()}
    assert status["r1"]["state"] in ("ready", "busy") and status["r1"]["sessions"] >= 1


def test_no_daemon_is_a_clear_error(tmp_path):
    with pytest.raises(DaemonUnavailable) as e:
        Client(socket=str(tmp_path / "nothing.sock")).status()
    assert "netkeep serve" in str(e.value)


def test_socket_from_environment(daemon, monkeypatch):
    monkeypatch.setenv("NETKEEP_SOCKET", daemon.socket)
    assert "Comware" in Client().send_command("sw1", "display version")


def test_fresh_process_warm_command(daemon):
    """A fresh interpreter imports netkeep and runs one command through the daemon."""
    code = ("import netkeep, sys; "
            "print(netkeep.Client().send_command('sw1', 'display version'))")
    env = dict(os.environ, NETKEEP_SOCKET=daemon.socket)
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=30)
    elapsed = time.monotonic() - t0
    assert out.returncode == 0, out.stderr
    assert "Comware Software" in out.stdout
    print(f"fresh process, warm command: {elapsed * 1000:.1f} ms")


# --- parse: true (the daemon parses; needs the parse field of the API: parseint's branch) -------

def _templates_available():
    if os.environ.get("NET_TEXTFSM"):
        return True
    try:
        import ntc_templates  # noqa: F401
        return True
    except ImportError:
        return False


@pytest.mark.skipif(not _templates_available(), reason="no TextFSM templates")
def test_daemon_parses_with_use_textfsm(client):
    records = client.send_command("r1", "show ip interface brief", use_textfsm=True)
    assert isinstance(records, list) and records and "interface" in records[0]
    answer = client.exec(["show ip interface brief", "show clock"], devices="r1", parse=True)
    outs = answer["results"][0]["outputs"]
    assert isinstance(outs[0]["parsed"], list)
    # A command without a template: text, and with raise_parsing_error the daemon's note.
    text = client.send_command("r1", "show privilege", use_textfsm=True)
    assert isinstance(text, str) and "privilege level" in text.lower()
    with pytest.raises(NetmikoParsingException) as e:
        client.send_command("r1", "show privilege", use_textfsm=True, raise_parsing_error=True)
    assert "show privilege" in str(e.value)
    # VRP output is parsed with the huawei_vrp templates.
    vrp = client.send_command("vrp1", "display interface brief", use_textfsm=True)
    assert isinstance(vrp, list) and vrp and "interface" in vrp[0]
