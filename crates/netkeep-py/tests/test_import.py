"""What `import netkeep` loads: only the exceptions; the native module on first ConnectHandler,
the daemon client on first Client (a fresh process pays only for what it uses)."""

import subprocess
import sys

PROBE = """
import sys
import netkeep
loaded = [m for m in ("netkeep._native", "netkeep.client", "netkeep.connection", "socket", "json")
          if m in sys.modules]
assert not loaded, loaded
assert netkeep.Client.__module__ == "netkeep.client"
assert "socket" in sys.modules and "netkeep._native" not in sys.modules
assert netkeep.NetkeepConnection.__module__ == "netkeep.connection"
assert "netkeep._native" in sys.modules
print("ok")
"""


def test_import_loads_only_what_is_used():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_unknown_attribute_is_an_attribute_error():
    import netkeep

    try:
        netkeep.NoSuchThing  # noqa: B018
    except AttributeError as e:
        assert "NoSuchThing" in str(e)
    else:
        raise AssertionError("no AttributeError")
