"""The Nornir connection plugin `netkeep` and its tasks."""

import pytest

nornir = pytest.importorskip("nornir")
from nornir import InitNornir  # noqa: E402
from nornir.core.plugins.connections import ConnectionPluginRegister  # noqa: E402

from conftest import ENABLE_SECRET, PASSWORD  # noqa: E402
from daemon import fleet  # noqa: E402
from netkeep.nornir import (  # noqa: E402
    Netkeep,
    netkeep_commit,
    netkeep_save_config,
    netkeep_send_command,
    netkeep_send_config,
)


def write_inventory(tmp_path, hosts: str):
    (tmp_path / "hosts.yaml").write_text(hosts)
    (tmp_path / "groups.yaml").write_text("{}\n")
    (tmp_path / "defaults.yaml").write_text("{}\n")
    return InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": 4}},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(tmp_path / "hosts.yaml"),
            "group_file": str(tmp_path / "groups.yaml"),
            "defaults_file": str(tmp_path / "defaults.yaml")}},
        logging={"enabled": False},
    )


def test_entry_point_registers_the_plugin():
    ConnectionPluginRegister.auto_register()
    assert ConnectionPluginRegister.get_plugin("netkeep") is Netkeep


@pytest.fixture
def nr(sim_factory, tmp_path):
    sw = sim_factory("hp_comware")
    secret = tmp_path / "secret"
    secret.write_text(ENABLE_SECRET + "\n")
    ios = sim_factory("cisco_ios", secret_file=str(secret))
    junos = sim_factory("juniper_junos")
    hosts = f"""
sw1:
  hostname: {sw.host}
  port: {sw.port}
  username: admin
  password: {PASSWORD}
  platform: hp_comware
r1:
  hostname: {ios.host}
  port: {ios.port}
  username: admin
  password: {PASSWORD}
  platform: ios
  connection_options:
    netkeep:
      extras:
        secret: {ENABLE_SECRET}
edge1:
  hostname: {junos.host}
  port: {junos.port}
  username: admin
  password: {PASSWORD}
  platform: junos
"""
    n = write_inventory(tmp_path, hosts)
    yield n
    n.close_connections()


def test_send_command_on_every_host(nr):
    r = nr.run(task=netkeep_send_command, command_string="show version")
    assert not r.failed, {h: repr(r[h].exception) for h in r.failed_hosts}
    assert "Cisco IOS Software" in r["r1"].result
    assert "Junos:" in r["edge1"].result
    sw = nr.filter(name="sw1").run(task=netkeep_send_command, command_string="display version")
    assert "Comware Software" in sw["sw1"].result


def test_send_config_save_and_commit(nr, tmp_path):
    ios = nr.filter(name="r1")
    r = ios.run(task=netkeep_send_command, command_string="show privilege", enable=True)
    assert not r.failed, r["r1"].exception
    r = ios.run(task=netkeep_send_config,
                config_commands=["interface GigabitEthernet0/2", "description from-nornir"])
    assert not r.failed and r["r1"].changed
    assert not ios.run(task=netkeep_save_config).failed
    running = ios.run(task=netkeep_send_command, command_string="show running-config")
    assert " description from-nornir" in running["r1"].result

    f = tmp_path / "junos.cfg"
    f.write_text("set interfaces ge-0/0/1 description nornir-file\n")
    junos = nr.filter(name="edge1")
    assert not junos.run(task=netkeep_send_config, config_file=str(f)).failed
    assert not junos.run(task=netkeep_commit).failed
    shown = junos.run(task=netkeep_send_command, command_string="show configuration")
    assert "nornir-file" in shown["edge1"].result


def test_use_textfsm_through_nornir(nr):
    r = nr.filter(name="r1").run(task=netkeep_send_command,
                                 command_string="show ip interface brief", use_textfsm=True)
    result = r["r1"].result
    if isinstance(result, str):
        pytest.skip("no TextFSM templates installed")
    assert result and "interface" in result[0]


def test_daemon_extras_use_the_warm_session(tmp_path):
    d = fleet()
    try:
        hosts = f"""
sw1:
  hostname: 203.0.113.1
  platform: hp_comware
  connection_options:
    netkeep:
      extras:
        daemon: true
        socket: {d.socket}
"""
        n = write_inventory(tmp_path, hosts)
        before = {x["device"]: x for x in __import__("netkeep").Client(socket=d.socket).status()}
        r = n.run(task=netkeep_send_command, command_string="display version")
        assert not r.failed, r["sw1"].exception
        assert "Comware Software" in r["sw1"].result
        after = {x["device"]: x for x in __import__("netkeep").Client(socket=d.socket).status()}
        # No new login: the daemon's session served it (203.0.113.1 was never dialled).
        assert after["sw1"]["reconnects"] == before["sw1"]["reconnects"]
        n.close_connections()
    finally:
        d.stop()
