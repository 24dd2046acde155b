"""Threads (the GIL is released while a call waits), Ctrl-C, and fork."""

import multiprocessing
import os
import signal
import threading
import time

import pytest

from netkeep import ConnectHandler, _native


def test_threads_run_sessions_in_parallel(sim_factory):
    sim = sim_factory("hp_comware", count=4)
    conns = [ConnectHandler(**sim.kwargs(i=i)) for i in range(4)]
    results = {}

    def work(i):
        # Each ping takes 2.5 s on the simulator; four in a row would take 10 s.
        results[i] = conns[i].send_command("ping 192.0.2.1", read_timeout=20)

    t0 = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    assert all("Ping statistics" in results[i] for i in range(4))
    assert elapsed < 7.5, f"four 2.5 s commands on four threads took {elapsed:.1f} s: not parallel"
    for c in conns:
        c.disconnect()


def test_gil_released_while_waiting(module_sims):
    sim = module_sims("hp_comware")
    with ConnectHandler(**sim.kwargs()) as conn:
        counter = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                counter[0] += 1

        t = threading.Thread(target=spin)
        t.start()
        try:
            conn.send_command("ping 192.0.2.1", read_timeout=20)
        finally:
            stop.set()
            t.join()
        # A call holding the GIL for 2.5 s would leave the counter at a few switch intervals.
        assert counter[0] > 100_000


def test_ctrl_c_interrupts_a_command_and_the_session_stays_consistent(module_sims):
    sim = module_sims("hp_comware")
    with ConnectHandler(**sim.kwargs()) as conn:
        before = conn.send_command("display version")
        # Python leaves SIGINT ignored when it started ignored (a background job of a
        # non-interactive shell): Ctrl-C as a person at a terminal sends it needs the handler.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
        t0 = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            conn.send_command("ping 192.0.2.1", read_timeout=20)
        interrupted = time.monotonic() - t0
        # SIGINT at 0.5 s; checked every 50 ms. Generous bound for a loaded machine.
        assert interrupted < 1.5, f"Ctrl-C took {interrupted - 0.5:.2f} s to interrupt"
        after = conn.send_command("display version", read_timeout=10)
        assert after == before, "the ping's late output leaked into the next answer"
        signal.signal(signal.SIGINT, previous)


def _child_uses_parent_connection(conn, q):
    try:
        conn.send_command("display version")
        q.put("no error")
    except RuntimeError as e:
        q.put("RuntimeError: " + str(e))
    except BaseException as e:  # noqa: BLE001 (report anything else to the parent)
        q.put(f"{type(e).__name__}: {e}")


def _child_opens_its_own(kwargs, q):
    try:
        with ConnectHandler(**kwargs) as c:
            q.put((os.getpid(), _native.runtime_pid(), c.send_command("display version")))
    except BaseException as e:  # noqa: BLE001
        q.put((os.getpid(), -1, f"{type(e).__name__}: {e}"))


def test_fork_child_gets_clear_error_or_works(module_sims):
    sim = module_sims("hp_comware")
    ctx = multiprocessing.get_context("fork")
    with ConnectHandler(**sim.kwargs()) as conn:
        expected = conn.send_command("display version")
        q = ctx.Queue()
        p = ctx.Process(target=_child_uses_parent_connection, args=(conn, q))
        p.start()
        p.join(20)
        assert p.exitcode == 0, "the child hung or crashed"
        msg = q.get(timeout=1)
        assert msg.startswith("RuntimeError:") and "before a fork" in msg, msg

        p = ctx.Process(target=_child_opens_its_own, args=(sim.kwargs(), q))
        p.start()
        p.join(30)
        assert p.exitcode == 0, "the child hung or crashed"
        pid, rt_pid, out = q.get(timeout=1)
        assert rt_pid == pid, out
        assert out == expected
        # The parent's connection is untouched.
        assert conn.send_command("display version") == expected
