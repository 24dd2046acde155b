"""The same calls through Netmiko 4.8 and through netkeep against the same simulated devices:
the same strings and the same records."""

import os

import pytest

netmiko = pytest.importorskip("netmiko")

from conftest import ENABLE_SECRET  # noqa: E402
import netkeep  # noqa: E402

# platform: commands whose output both must return identically
COMMANDS = {
    "hp_comware": ["display version", "display interface brief", "display arp",
                   "display current-configuration"],
    "huawei": ["display version", "display interface brief", "display arp all"],
    "cisco_ios": ["show version", "show ip interface brief", "show ip arp", "show running-config"],
    "juniper_junos": ["show version", "show arp no-resolve", "show configuration"],
    "arista_eos": ["show version", "show ip interface brief", "show interfaces description"],
    "cisco_nxos": ["show version", "show ip interface brief"],
}
# device_type as the TextFSM templates know it, where Netmiko would not map it (huawei).
TEXTFSM = {
    "hp_comware": ("hp_comware", ["display interface brief", "display arp"]),
    "huawei_vrp": ("huawei", ["display interface brief", "display arp all"]),
    "cisco_ios": ("cisco_ios", ["show version", "show ip interface brief", "show ip arp"]),
    "juniper_junos": ("juniper_junos", ["show version", "show arp no-resolve"]),
    "arista_eos": ("arista_eos", ["show version", "show ip interface brief"]),
}


@pytest.fixture(scope="module")
def pair(module_sims):
    """(netmiko connection, netkeep connection) per platform, on one simulated device."""
    opened = {}

    def get(platform, device_type=None):
        key = (platform, device_type)
        if key not in opened:
            sim = module_sims(platform)
            kw = sim.kwargs(device_type=device_type)
            if platform == "cisco_ios":
                kw["secret"] = ENABLE_SECRET
            nm = netmiko.ConnectHandler(**kw)
            nk = netkeep.ConnectHandler(**kw)
            if platform == "cisco_ios":
                nm.enable()
                nk.enable()
            opened[key] = (nm, nk)
        return opened[key]

    yield get
    for nm, nk in opened.values():
        nm.disconnect()
        nk.disconnect()


CASES = [(p, c) for p, cmds in COMMANDS.items() for c in cmds]


@pytest.mark.parametrize("platform,command", CASES)
def test_send_command_same_string(pair, platform, command):
    nm, nk = pair(platform)
    assert nk.send_command(command) == nm.send_command(command)


@pytest.mark.parametrize("platform", list(COMMANDS))
def test_find_prompt_and_base_prompt_same(pair, platform):
    nm, nk = pair(platform)
    assert nk.find_prompt() == nm.find_prompt()
    assert nk.base_prompt == nm.base_prompt


@pytest.mark.parametrize("platform", ["hp_comware", "cisco_ios", "juniper_junos"])
def test_send_command_expect_string_and_flags_same(pair, platform):
    nm, nk = pair(platform)
    cmd = COMMANDS[platform][0]
    for kw in (dict(strip_prompt=False), dict(strip_command=False),
               dict(strip_prompt=False, strip_command=False)):
        assert nk.send_command(cmd, **kw) == nm.send_command(cmd, **kw), kw


@pytest.mark.parametrize("platform", ["hp_comware", "cisco_ios", "juniper_junos"])
def test_check_config_mode_same(pair, platform):
    nm, nk = pair(platform)
    assert nk.check_config_mode() == nm.check_config_mode()


def test_check_enable_mode_same(pair):
    # Only where the platform has a privileged mode: Netmiko's answer elsewhere is per-class
    # (Comware's "enable mode" is its system view there; netkeep says True: nothing to enter).
    nm, nk = pair("cisco_ios")
    assert nk.check_enable_mode() == nm.check_enable_mode()


TEXTFSM_CASES = [(t, p, c) for t, (p, cmds) in TEXTFSM.items() for c in cmds]


@pytest.mark.skipif(not (os.environ.get("NET_TEXTFSM") or pytest.importorskip("ntc_templates")),
                    reason="no templates")
@pytest.mark.parametrize("device_type,platform,command", TEXTFSM_CASES)
def test_use_textfsm_same_records(pair, device_type, platform, command):
    nm, nk = pair(platform, device_type)
    mine = nk.send_command(command, use_textfsm=True)
    theirs = nm.send_command(command, use_textfsm=True)
    assert isinstance(theirs, list), "Netmiko found a template"
    assert mine == theirs
