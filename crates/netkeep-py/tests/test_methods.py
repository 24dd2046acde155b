"""Each ConnectHandler method against simulated Comware, VRP, IOS and Junos devices."""

import os
import re

import pytest

from conftest import ENABLE_SECRET, PASSWORD
from netkeep import ConnectHandler, NetmikoBaseException, UnsupportedOperation

# platform: (version command, version mark, config lines, running-config command, line to find)
CASES = {
    "hp_comware": ("display version", "Comware Software",
                   ["interface GigabitEthernet1/0/2", "description py-was-here"],
                   "display current-configuration", " description py-was-here"),
    "huawei": ("display version", "Versatile Routing Platform",
               ["interface GigabitEthernet0/0/2", "description py-was-here"],
               "display current-configuration", " description py-was-here"),
    "cisco_ios": ("show version", "Cisco IOS Software",
                  ["interface GigabitEthernet0/2", "description py-was-here"],
                  "show running-config", " description py-was-here"),
    "juniper_junos": ("show version", "Junos:",
                      ["set interfaces ge-0/0/1 description py-was-here"],
                      "show configuration", "description py-was-here;"),
}
PLATFORMS = list(CASES)


def connect(module_sims, platform, **extra):
    sim = module_sims(platform)
    if platform == "cisco_ios":
        extra.setdefault("secret", ENABLE_SECRET)
    return ConnectHandler(**sim.kwargs(**extra))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_send_command_and_prompt(module_sims, platform):
    version, mark, *_ = CASES[platform]
    with connect(module_sims, platform) as conn:
        out = conn.send_command(version)
        assert mark in out
        prompt = conn.find_prompt()
        assert prompt and prompt not in out, "the prompt is stripped"
        assert version not in out.splitlines()[0], "the echo is stripped"
        kept = conn.send_command(version, strip_prompt=False, strip_command=False)
        assert kept.startswith(version) and kept.rstrip().endswith(prompt)
        base = conn.set_base_prompt()
        assert base and base in prompt and base == conn.base_prompt
        assert conn.is_alive()
    assert not conn.is_alive(), "closed by the context manager"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_send_command_timing_and_expect_string(module_sims, platform):
    version, mark, *_ = CASES[platform]
    with connect(module_sims, platform) as conn:
        out = conn.send_command_timing(version, last_read=0.3)
        assert mark in out
        # expect_string ends the read early: the output up to the pattern.
        part = conn.send_command(version, expect_string=re.escape(mark))
        assert mark in part
        # ...and the rest of that output never shows up in the next answer.
        again = conn.send_command(version)
        assert again.count(mark) == 1 and again == out


@pytest.mark.parametrize("platform", PLATFORMS)
def test_config_mode_and_checks(module_sims, platform):
    with connect(module_sims, platform) as conn:
        if platform == "cisco_ios":
            conn.enable()
        assert not conn.check_config_mode()
        conn.config_mode()
        assert conn.check_config_mode()
        conn.exit_config_mode()
        assert not conn.check_config_mode()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_send_config_set_and_save_or_commit(module_sims, platform, tmp_path):
    _, _, lines, running, expect = CASES[platform]
    with connect(module_sims, platform) as conn:
        if platform == "cisco_ios":
            conn.enable()
        out = conn.send_config_set(lines)
        for line in lines:
            assert line in out
        if platform == "juniper_junos":
            # Two-stage: still in configuration mode, nothing committed yet.
            assert conn.check_config_mode()
            assert expect not in conn.send_command(running)
            conn.commit()
            conn.exit_config_mode()
            with pytest.raises(UnsupportedOperation):
                conn.save_config()
        else:
            assert not conn.check_config_mode()
            conn.save_config()
            with pytest.raises(UnsupportedOperation):
                conn.commit()
        assert expect in conn.send_command(running, read_timeout=30)
        # send_config_from_file: the same through a file.
        f = tmp_path / "cfg.txt"
        f.write_text("\n".join(l.replace("py-was-here", "from-file") for l in lines) + "\n")
        out = conn.send_config_from_file(str(f))
        if platform == "juniper_junos":
            conn.commit()
            conn.exit_config_mode()
        assert expect.replace("py-was-here", "from-file") in conn.send_command(running)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_send_multiline(module_sims, platform):
    version, mark, *_ = CASES[platform]
    with connect(module_sims, platform) as conn:
        prompt = conn.find_prompt()
        out = conn.send_multiline([version, version])
        assert out.count(mark) == 2
        assert out.count(version) >= 2, "echoes kept, as Netmiko's send_multiline"
        assert prompt in out


@pytest.mark.parametrize("platform", PLATFORMS)
def test_write_channel_read_channel_read_until_pattern(module_sims, platform):
    version, mark, *_ = CASES[platform]
    with connect(module_sims, platform) as conn:
        prompt = conn.find_prompt()
        conn.write_channel(version + "\n")
        out = conn.read_until_pattern(re.escape(prompt))
        assert mark in out and out.rstrip().endswith(prompt)
        assert conn.read_channel() == ""
        conn.write_channel("\n")
        got = conn.read_until_pattern(re.escape(prompt))
        assert prompt in got
        # The session is in step afterwards.
        assert mark in conn.send_command(version)


def test_ios_enable_with_secret(module_sims):
    with connect(module_sims, "cisco_ios") as conn:
        assert conn.find_prompt().endswith(">")
        assert not conn.check_enable_mode()
        conn.enable()
        assert conn.check_enable_mode()
        assert conn.find_prompt().endswith("#")
        conn.exit_enable_mode()
        assert not conn.check_enable_mode()
        assert conn.find_prompt().endswith(">")


def test_ios_enable_with_wrong_secret_is_refused(module_sims):
    from netkeep import NetmikoAuthenticationException

    conn = connect(module_sims, "cisco_ios", secret="not-the-secret")
    with pytest.raises(NetmikoAuthenticationException) as e:
        conn.enable()
    assert "not-the-secret" not in str(e.value)
    assert e.value.kind == "auth"


def test_session_log_has_no_password(module_sims, tmp_path):
    log = tmp_path / "session.log"
    with connect(module_sims, "cisco_ios", session_log=str(log)) as conn:
        conn.enable()
        conn.send_command("show version")
    text = log.read_text()
    assert "show version" in text and "Cisco IOS Software" in text
    assert PASSWORD not in text and ENABLE_SECRET not in text


def test_auto_connect_false_and_ignored_arguments(module_sims):
    sim = module_sims("hp_comware")
    conn = ConnectHandler(**sim.kwargs(auto_connect=False, fast_cli=True, global_delay_factor=2,
                                        timeout=100, session_timeout=60, encoding="utf-8",
                                        allow_agent=False, keepalive=0, banner_timeout=15,
                                        auth_timeout=10, conn_timeout=5,
                                        ssh_config_file="/nonexistent/ssh_config"))
    assert not conn.is_alive(), "not connected yet"
    conn.establish_connection()
    assert "Comware" in conn.send_command("display version")
    conn.disconnect()
    conn.disconnect()  # twice is fine
    with pytest.raises(TypeError):
        ConnectHandler(**sim.kwargs(no_such_argument=1))


def test_ip_instead_of_host(module_sims):
    sim = module_sims("hp_comware")
    kw = sim.kwargs()
    kw["ip"] = kw.pop("host")
    with ConnectHandler(**kw) as conn:
        assert conn.find_prompt() == "<" + sim.devices[0].hostname + ">"


TEXTFSM_CASES = [
    ("hp_comware", "display interface brief", "interface"),
    ("huawei", "display interface brief", "interface"),
    ("cisco_ios", "show ip interface brief", "interface"),
    ("juniper_junos", "show version", "hostname"),
]


@pytest.mark.parametrize("platform,command,key", TEXTFSM_CASES)
def test_use_textfsm(module_sims, platform, command, key):
    if not (os.environ.get("NET_TEXTFSM") or _has_ntc_templates()):
        pytest.skip("no TextFSM templates: set NET_TEXTFSM or pip install ntc-templates")
    with connect(module_sims, platform) as conn:
        records = conn.send_command(command, use_textfsm=True)
        assert isinstance(records, list) and records and key in records[0]
        # No template for this command: the text, as Netmiko; or the error when asked.
        raw = conn.send_command("display clock" if platform in ("hp_comware", "huawei") else "show clock",
                                use_textfsm=True, textfsm_template="/nonexistent.textfsm")
        assert isinstance(raw, str)
        from netkeep import NetmikoParsingException
        with pytest.raises(NetmikoParsingException):
            conn.send_command(command, use_textfsm=True, textfsm_template="/nonexistent.textfsm",
                              raise_parsing_error=True)


def test_textfsm_template_file(module_sims, tmp_path):
    t = tmp_path / "clock.textfsm"
    t.write_text("Value TIME (\\d+:\\d+:\\d+)\n\nStart\n  ^.*?${TIME} -> Record\n")
    with connect(module_sims, "hp_comware") as conn:
        records = conn.send_command("display clock", use_textfsm=True, textfsm_template=str(t))
        assert isinstance(records, list) and re.match(r"\d+:\d+:\d+", records[0]["time"])


def _has_ntc_templates():
    try:
        import ntc_templates  # noqa: F401
        return True
    except ImportError:
        return False


@pytest.mark.parametrize("platform", ["hp_comware", "cisco_ios"])
def test_telnet_device_types(sim_factory, platform):
    # Netmiko's `<platform>_telnet` names log in over telnet (the simulator's telnet front end).
    sim = sim_factory(platform, "--protocol", "telnet")
    version, mark, *_ = CASES[platform]
    kw = sim.kwargs(device_type=platform + "_telnet")
    with ConnectHandler(**kw) as conn:
        assert mark in conn.send_command(version)
        assert conn.is_alive()
    # A telnet name on an SSH port is not SSH by mistake: the login fails with a clear error.
    ssh = sim_factory(platform)
    with pytest.raises(NetmikoBaseException) as e:
        ConnectHandler(**ssh.kwargs(device_type=platform + "_telnet", conn_timeout=1))
    assert "telnet login" in str(e.value) and "SSH-2.0" in str(e.value)
    assert PASSWORD not in str(e.value)
