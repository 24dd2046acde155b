"""``ssh_config_file``: the device's ``host`` looked up in an OpenSSH client configuration, as
Netmiko users pass it (HostName, Port, User from the file; errors name the file and line)."""

import os

import pytest

from conftest import PASSWORD
from netkeep import ConnectHandler, NetkeepValueError


def write_config(tmp_path, text: str) -> str:
    path = tmp_path / "ssh_config"
    path.write_text(text)
    return str(path)


def alias_config(tmp_path, sim, extra: str = "") -> str:
    return write_config(
        tmp_path,
        "Host other\n  HostName 192.0.2.1\n"
        f"Host sw-alias\n  HostName {sim.host}\n  Port {sim.port}\n  User admin\n{extra}"
        "Host *\n  User nobody\n  Port 1\n",
    )


def test_alias_reaches_the_device_through_hostname_port_and_user(module_sims, tmp_path):
    sim = module_sims("hp_comware")
    path = alias_config(tmp_path, sim)
    with ConnectHandler(device_type="hp_comware", host="sw-alias", ssh_config_file=path,
                        password=PASSWORD) as conn:
        out = conn.send_command("display clock")
        assert out.strip(), "display clock answered nothing"
        assert "Unrecognized" not in out and "%" not in out, out
        assert conn.find_prompt().startswith("<"), conn.find_prompt()
    # Without the file, the alias is no address at all.
    with pytest.raises(Exception):
        ConnectHandler(device_type="hp_comware", host="sw-alias", username="admin",
                       password=PASSWORD, conn_timeout=3)


def test_arguments_win_over_the_file(module_sims, tmp_path):
    sim = module_sims("hp_comware")
    # The file's port is wrong; the call's port is right and wins.
    path = write_config(tmp_path, f"Host sw-alias\n  HostName {sim.host}\n  Port 1\n  User admin\n")
    with ConnectHandler(device_type="hp_comware", host="sw-alias", port=sim.port,
                        ssh_config_file=path, password=PASSWORD) as conn:
        assert conn.send_command("display clock").strip()


def test_missing_file_is_skipped_with_a_warning(module_sims, tmp_path):
    """As Netmiko skips it (scripts pass ``~/.ssh/config`` whether or not it exists)."""
    sim = module_sims("hp_comware")
    path = str(tmp_path / "no-such-config")
    with pytest.warns(UserWarning, match="no-such-config"):
        conn = ConnectHandler(**sim.kwargs(ssh_config_file=path))
    with conn:
        assert conn.send_command("display clock").strip()


def test_unreadable_file_is_a_clear_error(tmp_path):
    """A path that exists and cannot be read as a file (a directory: unreadable even for root)."""
    path = str(tmp_path)
    with pytest.raises(NetkeepValueError) as e:
        ConnectHandler(device_type="hp_comware", host="sw-alias", ssh_config_file=path,
                       password=PASSWORD)
    assert isinstance(e.value, ValueError)
    assert str(e.value).startswith(f"ssh_config_file: {path}"), str(e.value)
    assert PASSWORD not in str(e.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_file_without_read_permission_is_a_clear_error(module_sims, tmp_path):
    sim = module_sims("hp_comware")
    path = alias_config(tmp_path, sim)
    os.chmod(path, 0)
    with pytest.raises(NetkeepValueError) as e:
        ConnectHandler(device_type="hp_comware", host="sw-alias", ssh_config_file=path,
                       password=PASSWORD)
    assert path in str(e.value), str(e.value)


def test_invalid_file_names_file_and_line(module_sims, tmp_path):
    sim = module_sims("hp_comware")
    path = alias_config(tmp_path, sim, extra="  Port not-a-number\n")
    with pytest.raises(NetkeepValueError) as e:
        ConnectHandler(device_type="hp_comware", host="sw-alias", ssh_config_file=path,
                       password=PASSWORD)
    assert f"{path}:7" in str(e.value), str(e.value)
    assert PASSWORD not in str(e.value)


def test_proxy_command_is_the_route(module_sims, tmp_path):
    """The file's address is unreachable on purpose: only the ProxyCommand (a plain TCP relay
    to the simulator) can carry the session."""
    sim = module_sims("hp_comware")
    path = write_config(
        tmp_path,
        f"Host sw-alias\n  HostName 192.0.2.1\n  Port {sim.port}\n  User admin\n"
        f"  ProxyCommand busybox nc {sim.host} %p\n",
    )
    with ConnectHandler(device_type="hp_comware", host="sw-alias", ssh_config_file=path,
                        password=PASSWORD, conn_timeout=5) as conn:
        assert conn.send_command("display clock").strip()


def test_telnet_refuses_a_jump_route(tmp_path):
    path = write_config(tmp_path, "Host sw-alias\n  HostName 127.0.0.1\n  ProxyJump bastion\n")
    with pytest.raises(NetkeepValueError) as e:
        ConnectHandler(device_type="hp_comware_telnet", host="sw-alias", ssh_config_file=path,
                       username="admin", password=PASSWORD)
    assert "telnet" in str(e.value) and "jump host" in str(e.value), str(e.value)
