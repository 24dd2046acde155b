"""Exceptions as Netmiko users catch them, raised in the same situations."""

import socket
import time

import pytest

import netkeep
import netkeep.exceptions as nx
from conftest import PASSWORD
from netkeep import (
    ConfigInvalidException,
    ConnectHandler,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)


def test_names_and_legacy_spellings():
    assert netkeep.NetMikoTimeoutException is netkeep.NetmikoTimeoutException
    assert netkeep.NetMikoAuthenticationException is netkeep.NetmikoAuthenticationException
    for name in ("NetmikoTimeoutException", "NetmikoAuthenticationException", "ReadTimeout",
                 "ConfigInvalidException", "NetMikoTimeoutException",
                 "NetMikoAuthenticationException"):
        assert getattr(nx, name) is getattr(netkeep, name)
        assert issubclass(getattr(nx, name), nx.NetmikoBaseException)


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_closed_port_is_a_timeout_exception():
    with pytest.raises(NetmikoTimeoutException) as e:
        ConnectHandler(device_type="hp_comware", host="127.0.0.1", port=closed_port(),
                       username="admin", password=PASSWORD, conn_timeout=3)
    assert e.value.kind == "unreachable"
    assert "127.0.0.1" in str(e.value)


def test_silent_port_times_out_within_conn_timeout():
    # A listener that never speaks SSH: the login cannot finish.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    try:
        t0 = time.monotonic()
        with pytest.raises(NetmikoTimeoutException):
            ConnectHandler(device_type="hp_comware", host="127.0.0.1", port=srv.getsockname()[1],
                           username="admin", password=PASSWORD, conn_timeout=1)
        assert time.monotonic() - t0 < 5
    finally:
        srv.close()


def test_refused_login_is_an_authentication_exception(module_sims):
    sim = module_sims("hp_comware")
    with pytest.raises(NetmikoAuthenticationException) as e:
        ConnectHandler(**sim.kwargs(password="wrong-Pa55"))
    assert "wrong-Pa55" not in str(e.value) and PASSWORD not in str(e.value)
    assert e.value.kind == "auth"


def test_read_timeout_leaves_the_connection_usable(module_sims):
    sim = module_sims("hp_comware")
    with ConnectHandler(**sim.kwargs()) as conn:
        clock = conn.send_command("display version")
        # `ping` prints a line every 500 ms for 2.5 s: 0.6 s is not enough.
        with pytest.raises(ReadTimeout) as e:
            conn.send_command("ping 192.0.2.1", read_timeout=0.6)
        assert "ping" in str(e.value) and e.value.partial_output is not None
        assert "icmp_seq" not in clock
        # The ping's late lines are dropped, never part of the next answer.
        after = conn.send_command("display version", read_timeout=10)
        assert after == clock
        assert "icmp_seq" not in after and "Ping statistics" not in after


def test_expect_string_not_seen_is_a_read_timeout(module_sims):
    sim = module_sims("hp_comware")
    with ConnectHandler(**sim.kwargs()) as conn:
        # The ping's 2.5 s of lines never show the pattern within the read timeout.
        with pytest.raises(ReadTimeout):
            conn.send_command("ping 192.0.2.1", expect_string=r"never-shows-up", read_timeout=0.5)
        assert "Comware" in conn.send_command("display version")


def test_read_timeout_override(module_sims):
    sim = module_sims("hp_comware")
    with ConnectHandler(**sim.kwargs(read_timeout_override=0.5)) as conn:
        with pytest.raises(ReadTimeout):
            conn.send_command("ping 192.0.2.1", read_timeout=100)


def test_rejected_configuration_line(module_sims):
    sim = module_sims("hp_comware")
    with ConnectHandler(**sim.kwargs()) as conn:
        with pytest.raises(ConfigInvalidException) as e:
            conn.send_config_set(["interface GigabitEthernet1/0/2", "no-such-command here"])
        assert "no-such-command" in str(e.value)
        assert e.value.kind == "rejected"
        assert not conn.check_config_mode()
        assert "Comware" in conn.send_command("display version")


def test_unknown_device_type(module_sims):
    sim = module_sims("hp_comware")
    with pytest.raises(ValueError):
        ConnectHandler(**sim.kwargs(device_type="no_such_platform"))
