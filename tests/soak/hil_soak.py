#!/usr/bin/env python3
"""HIL soak (not part of CI): drives the real fleetsim and fleetsim-board binaries for many cycles.

  hil_soak.py flash  --cycles N [--seed S]   N `fleetsim hil flash` cycles, one random board fault each
  hil_soak.py gate   --gates M  [--seed S]   M `fleetsim run --boards` gates on 3 boards (2 UDP, 1 pty)
  hil_soak.py points [--seed S]             SIGINT and SIGTERM at 10 increasing delays of a gate,
                                            each followed by a good gate on the same boards

Each cycle's or gate's expected verdict is derived from what was injected (see EXPECT_* below) and
checked against the exit code and output; after each one every board's slots are read
(`fleetsim hil state`): a board with no confirmed bootable image is "bricked". Every wait is
bounded; a command that exceeds its bound is killed and counted as a hang. Every board process is
stopped and the temporary directory removed at the end. Exit 0 when nothing was wrong, 1 otherwise.
Python 3 standard library only.
"""

import argparse
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASH_BOUND_S = 60.0   # one `hil flash`, including the known-state recovery
GATE_BOUND_S = 120.0   # one `fleetsim run` gate
STATE_BOUND_S = 15.0   # one `hil state`
RESET_TIME = "0.2"     # seconds a board stays silent after a reset: keeps cycles short
IMAGE_BODY = 40000     # bytes of the raw binary wrapped into each image


class Hang(Exception):
    pass


def run(cmd, timeout, **kw):
    """(exit code, combined output, seconds); raises Hang after killing a command past `timeout`."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise Hang(f"{' '.join(map(str, cmd))} still running after {timeout} s") from e
    return p.returncode, p.stdout, time.monotonic() - start


class Board:
    """A fleetsim-board process on a state directory that outlives it (restarts keep the flash)."""

    all = []

    def __init__(self, bin_path, state_dir, link, reset_time=RESET_TIME):
        self.bin, self.state_dir, self.link, self.reset_time = bin_path, state_dir, link, reset_time
        self.port = 0
        self.proc = None
        self.uri = None
        self.flags = []
        Board.all.append(self)

    def start(self, flags=()):
        self.stop()
        self.flags = list(flags)
        where = ["--udp", f"127.0.0.1:{self.port}"] if self.link == "udp" else ["--pty"]
        self.proc = subprocess.Popen([self.bin, *where, "--state-dir", str(self.state_dir), "--reset-time",
                                      self.reset_time, *self.flags], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline() if ready else ""
        m = re.match(r"fleetsim-board: listening on (udp|pty) (\S+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"board on {self.state_dir} did not start: {line!r}")
        if m.group(1) == "udp":
            self.uri = "udp://" + m.group(2)
            self.port = int(m.group(2).rsplit(":", 1)[1])  # restarts keep the port
        else:
            self.uri = f"serial://{m.group(2)}?baud=115200"
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_code(self, timeout=5.0):
        """The process's exit status once it ends within `timeout`, else None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()
        self.proc = None

    @classmethod
    def stop_all(cls):
        for b in cls.all:
            b.stop()


class Soak:
    def __init__(self, args):
        self.args = args
        self.fleetsim = str(Path(args.build) / "fleetsim")
        self.board_bin = str(Path(args.build) / "fleetsim-board")
        self.tmp = Path(tempfile.mkdtemp(prefix="hil-soak-"))
        self.lock_dir = self.tmp / "locks"
        self.lock_dir.mkdir()
        self.rng = random.Random(args.seed)
        self.wrong, self.hangs, self.bricked, self.early_signals = [], [], [], []
        self.slowest = (0.0, None)

    def hil(self, *words, timeout=STATE_BOUND_S):
        return run([self.fleetsim, "hil", *words, "--board-lock-dir", str(self.lock_dir)], timeout)

    def image(self, version):
        path = self.tmp / f"v{version}.bin"
        if not path.exists():
            raw = self.tmp / f"raw-{version}.bin"
            raw.write_bytes(random.Random(version).randbytes(IMAGE_BODY))
            rc, out, _ = run([self.fleetsim, "hil", "image", "create", str(raw), "--version", version, "--out",
                              str(path)], STATE_BOUND_S)
            if rc != 0:
                raise RuntimeError(out)
        return path

    def slots(self, board):
        """(rc, {slot: (version, flags)}, text) of `hil state` on a board."""
        rc, out, _ = self.hil("state", board.uri)
        slots = {}
        for m in re.finditer(r"^\s+slot (\d)\s+(\S+)\s+(\S*)$", out, re.M):
            if m.group(2) != "empty":
                slots[int(m.group(1))] = (m.group(2), set(m.group(3).split(",")))
        return rc, slots, out

    def check_not_bricked(self, board, where):
        """Bootable = some slot holds a confirmed bootable image MCUboot boots (or reverts to)."""
        rc, slots, out = self.slots(board)
        ok = rc == 0 and any({"confirmed", "bootable"} <= flags for _, flags in slots.values())
        if not ok:
            self.bricked.append(f"{where}: {board.uri} rc {rc}: {out.strip()}")
        return slots

    def note_time(self, seconds, what):
        if seconds > self.slowest[0]:
            self.slowest = (seconds, what)

    def wrong_verdict(self, what, detail):
        self.wrong.append(f"{what}: {detail}")
        print(f"  WRONG {what}: {detail}", flush=True)

    def cleanup(self):
        Board.stop_all()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- flash mode

FLASH_FAULTS = ["none", "drop", "corrupt", "die", "no-confirm", "echo-fail", "boot-fail", "slow"]

# Exit codes accepted per fault, and why:
#  none, slow     0: nothing fails; a slow flash only lengthens the upload (bounded well below the
#                    timeouts).
#  drop, corrupt  0 or 3: at 1-5 % the client's retransmission normally hides the loss (0); a run
#                    of losses longer than its retries is an unreachable board (3). Never 1: a lost or
#                    damaged frame says nothing about the firmware.
#  die            3: the power goes mid-upload, the board stops answering: infrastructure. Unless an
#                    earlier cut left the same image in slot 1 beyond this offset: the upload resumes
#                    past it, the power never goes, 0.
#  no-confirm     1: the confirm does not persist, the flow's reset shows MCUboot reverting.
#  echo-fail      1: the new image's health probe fails, it is not confirmed and reverts. But the
#                    emulator's switch also fails the echo of a running image that an earlier update
#                    swapped in (state.json "slot0_from_update", kept across confirm and restarts):
#                    such a board is unhealthy before the update, 3 "board unhealthy before the
#                    update" - the new firmware was never run, so it cannot be judged.
#  boot-fail      1: the new image never comes up healthy: rolled back.
EXPECT_FLASH = {"none": {0}, "slow": {0}, "drop": {0, 3}, "corrupt": {0, 3}, "die": {3}, "no-confirm": {1},
                "echo-fail": {1}, "echo-fail/updated-image": {3}, "boot-fail": {1},
                "die/offset already uploaded": {0}}
OUTCOME_OF_RC = {0: "updated", 1: "rolled_back|install_failed", 3: "infrastructure"}


def flash_fault_flags(fault, rng, target, image_size, cycle):
    if fault == "drop":
        return [f"--drop={rng.uniform(0.01, 0.05):.3f}", f"--seed={cycle}"]
    if fault == "corrupt":
        return [f"--corrupt={rng.uniform(0.01, 0.05):.3f}", f"--seed={cycle}"]
    if fault == "die":
        return [f"--die-at-offset={rng.randrange(1000, image_size - 1000)}"]
    if fault == "no-confirm":
        return ["--no-confirm"]
    if fault == "echo-fail":
        return ["--echo-fail-after-boot"]
    if fault == "boot-fail":
        return ["--boot-fail", target]
    if fault == "slow":
        return [f"--flash-rate={rng.randrange(40000, 120000)}"]  # 0.3-1 s for a 40 kB image
    return []


def flash_mode(s: Soak):
    images = {v: s.image(v) for v in ("2.0.0", "3.0.0")}
    size = images["2.0.0"].stat().st_size
    boards = {link: Board(s.board_bin, s.tmp / f"state-{link}", link) for link in ("udp", "pty")}
    for b in boards.values():
        b.state_dir.mkdir()
    running = {"udp": "1.0.0", "pty": "1.0.0"}  # a fresh emulator runs 1.0.0
    mix, outcomes, times = Counter(), Counter(), {}
    deadline = time.monotonic() + s.args.max_minutes * 60
    done = 0
    for cycle in range(s.args.cycles):
        if time.monotonic() > deadline:
            print(f"stopped after {done} cycles: --max-minutes {s.args.max_minutes} reached", flush=True)
            break
        link = "pty" if s.rng.random() < 0.25 else "udp"
        fault = s.rng.choice(FLASH_FAULTS)
        target = "3.0.0" if running[link] == "2.0.0" else "2.0.0"
        flags = flash_fault_flags(fault, s.rng, target, size, cycle)
        board = boards[link]
        what = f"cycle {cycle} ({link}, {fault} {' '.join(flags)}, {running[link]} -> {target})"
        mix[fault] += 1
        if fault == "echo-fail" and json.loads((board.state_dir / "state.json").read_text()
                                               if (board.state_dir / "state.json").exists() else "{}").get(
                                                   "slot0_from_update", False):
            fault = "echo-fail/updated-image"
        start = time.monotonic()
        try:
            board.start(flags)
            rc, out, secs = s.hil("flash", board.uri, str(images[target]), "--reboot-timeout", "5",
                                  timeout=FLASH_BOUND_S)
        except Hang as e:
            s.hangs.append(f"{what}: {e}")
            print(f"  HANG {what}: {e}", flush=True)
            board.stop()
            board.start()
            s.check_not_bricked(board, what)
            done += 1
            continue
        resumed = re.search(r"from offset (\d+) in", out)
        if fault == "die" and rc == 0 and resumed and int(resumed.group(1)) >= int(flags[0].split("=")[1]):
            # An earlier cycle's cut left this image in slot 1 beyond the offset: the upload resumed
            # past it, so the power never went (the board must still run).
            fault = "die/offset already uploaded"
            if not board.alive():
                s.wrong_verdict(what, "the upload resumed past the offset but the board died")
        outcomes[(fault, rc)] += 1
        if fault == "die":
            code = board.exit_code(5)
            if code != 4:
                s.wrong_verdict(what, f"board exit {code}, expected 4 (power cut at the offset)")
        board.start()  # the same flash, no fault: read what the cycle left
        slots = s.check_not_bricked(board, what)
        now = slots.get(0, ("?", set()))
        if rc not in EXPECT_FLASH[fault]:
            s.wrong_verdict(what, f"exit {rc}, expected {sorted(EXPECT_FLASH[fault])}: {out.strip()[-400:]}")
        elif not re.search(rf": ({OUTCOME_OF_RC[rc]}): ", out) and \
                not (rc == 3 and "could not be brought to a known state" in out):
            s.wrong_verdict(what, f"exit {rc} but its message does not say so: {out.strip()[-400:]}")
        elif fault == "echo-fail/updated-image" and "board unhealthy before the update" not in out:
            s.wrong_verdict(what, f"exit {rc} but its message does not say so: {out.strip()[-400:]}")
        elif rc == 0 and not (now[0] == target and "confirmed" in now[1]):
            s.wrong_verdict(what, f"exit 0 but the board runs {now}, not {target} confirmed")
        elif rc == 1 and not (now[0] == running[link] and "confirmed" in now[1]):
            s.wrong_verdict(what, f"exit 1 but the board runs {now}, not {running[link]} confirmed (rolled back)")
        if "confirmed" in now[1]:
            running[link] = now[0]
        elif 1 in slots and "confirmed" in slots[1][1]:
            running[link] = slots[1][0]  # an unconfirmed test image: the next reset reverts to slot 1
        seconds = time.monotonic() - start
        s.note_time(seconds, what)
        times.setdefault(fault, []).append(seconds)
        done += 1
        if cycle % 50 == 0:
            print(f"cycle {cycle}: {fault} exit {rc} in {seconds:.2f} s", flush=True)
    print("\n== flash soak ==")
    print(f"cycles: {done} (seed {s.args.seed})")
    print("fault mix: " + ", ".join(f"{f} {mix[f]}" for f in FLASH_FAULTS))
    print("seconds per fault (mean/max): " + ", ".join(f"{f} {sum(v) / len(v):.2f}/{max(v):.2f}"
                                                     for f, v in sorted(times.items())))
    print("exit codes per fault: " + ", ".join(f"{f}/{rc}: {n}" for (f, rc), n in sorted(outcomes.items())))
    return done


# ---------------------------------------------------------------- gate mode

def write_gate_files(s: Soak):
    """The scenario: 300 devices of model m on 1.0.0, target 2.0.0, a canary of 3 (the boards), then 100 %."""
    model = json.loads("""{
      "link": {"type": "wifi", "downlink": "1000B/s", "rtt": "1s"},
      "storage": {"layout": "ab"},
      "phases": {"verify": "5s", "install": "7s", "reboot": "11s", "health_check": "13s"},
      "behaviour": {"notification": "push",
                    "retry": {"max_attempts": 3, "backoff_base": "10s", "backoff_cap": "1h", "jitter": 0}}}""")
    scenario = {
        "name": "hil-soak", "seed": 1, "duration": "2h",
        "regions": {"r": {"rtt": "2s"}},
        "platform": {"cdn": {"regions": {"r": {"egress": "1GB/s"}}}},
        "fleet": {"cohorts": [{"name": "c", "model": "m", "count": 300, "region": "r", "firmware": {"1.0.0": 1}}]},
        "firmware": {"target": "2.0.0", "size": "10000B"},
        "device_models": {"m": model},
        "rollout": {"strategy": "waves", "waves": [{"devices": 3, "soak": "10m"}, {"percent": "100%"}],
                    "gates": {"max_failure": 0, "action": "pause"}},
        "assertions": [{"metric": "rollout.state", "op": "==", "value": "completed"}],
        "hil": {"image": str(s.image("2.0.0")), "baseline": str(s.image("1.0.0")), "boards_in": "wave:0",
                "pace": 1.0},
    }
    path = s.tmp / "scenario.json"
    path.write_text(json.dumps(scenario, indent=2))
    return path


class Gates:
    def __init__(self, s: Soak, base_flags=(), reset_time=RESET_TIME):
        self.s = s
        self.base_flags = list(base_flags)  # switches every board of these gates carries
        self.scenario = write_gate_files(s)
        self.boards = [Board(s.board_bin, s.tmp / f"gate-b{i}", link, reset_time)
                       for i, link in enumerate(("udp", "udp", "pty"))]
        for b in self.boards:
            b.state_dir.mkdir()
            b.start(self.base_flags)
        self.n = 0

    def boards_json(self):
        path = self.s.tmp / "boards.json"
        path.write_text(json.dumps({"boards": [{"id": f"b{i}", "uri": b.uri, "stands_for": "m"}
                                               for i, b in enumerate(self.boards)]}))
        return path

    def set_flags(self, flags_by_board):
        """Restarts the boards whose fault switches change (a board process carries its faults)."""
        for i, b in enumerate(self.boards):
            want = self.base_flags + flags_by_board.get(i, [])
            if want != b.flags or not b.alive():
                b.start(want)

    def command(self, out, wait=None):
        cmd = [self.s.fleetsim, "run", str(self.scenario), "--boards", str(self.boards_json()), "--out", str(out),
               "--board-lock-dir", str(self.s.lock_dir)]
        if wait is not None:
            cmd += ["--board-wait", str(wait)]
        return cmd

    def out_dir(self):
        self.n += 1
        return self.s.tmp / f"out-{self.n}"

    def gate(self, what):
        """One gate: (rc, output, seconds, out folder); raises Hang."""
        out = self.out_dir()
        rc, text, secs = run(self.command(out), GATE_BOUND_S)
        self.s.note_time(secs, what)
        return rc, text, secs, out

    def after(self, what):
        for b in self.boards:
            if b.alive():
                self.s.check_not_bricked(b, what)

    def interrupted_gate(self, what, sig, delay):
        """A gate sent `sig` after `delay` s: (rc, output, signalled, folder, board states right after)."""
        out = self.out_dir()
        start = time.monotonic()
        p = subprocess.Popen(self.command(out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            p.wait(delay)
            signalled = False
        except subprocess.TimeoutExpired:
            p.send_signal(sig)
            signalled = True
        sent = time.monotonic()
        try:
            text, _ = p.communicate(timeout=GATE_BOUND_S)
            self.exit_after_signal = time.monotonic() - sent
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate(timeout=10)
            raise Hang(f"{what}: still running {GATE_BOUND_S} s after {signal.Signals(sig).name}")
        self.s.note_time(time.monotonic() - start, what)
        states = []
        for b in self.boards:  # what the signal left on each board, e.g. "2.0.0 active / 1.0.0 confirmed,bootable"
            rc, slots, _ = self.s.slots(b)
            states.append(" / ".join(f"{v} {','.join(sorted(f))}" for _, (v, f) in sorted(slots.items()))
                          if rc == 0 else f"state read exit {rc}")
        return p.returncode, text, signalled, out, states

    def check_interrupted(self, what, sig, rc, text, signalled, out):
        if not signalled:  # the gate ended before the signal: an ordinary good gate
            if rc != 0:
                self.s.wrong_verdict(what, f"ended before the signal with exit {rc}: {text[-300:]}")
            return
        name = signal.Signals(sig).name
        if rc == -sig:  # the signal came before fleetsim's handler: it ended the process, no folder
            self.s.early_signals.append(f"{what}: killed by {name} {self.exit_after_signal:.2f} s later")
            return
        summary = json.loads((out / "summary.json").read_text()) if (out / "summary.json").exists() else {}
        junit = (out / "junit.xml").read_text() if (out / "junit.xml").exists() else ""
        problems = []
        if rc != 3:
            problems.append(f"exit {rc}, expected 3")
        if summary.get("state") != "interrupted":
            problems.append(f"summary.json state {summary.get('state')!r}, expected 'interrupted'")
        if "<error" not in junit:
            problems.append("junit.xml has no <error>")
        if f"interrupted by {name}" not in text + junit:
            problems.append(f"no 'interrupted by {name}' in the output or junit")
        if problems:
            self.s.wrong_verdict(what, "; ".join(problems) + f": {text[-300:]}")


# Exit codes accepted per gate kind, and why:
#  good         0: a good build on healthy boards (the known-state step first flashes the baseline
#                  1.0.0 over the 2.0.0 the previous gate left, or recovers what an interrupted one left).
#  bad          1: the target boot-fails on 1-3 boards: a demonstrated firmware failure, the canary gate
#                  pauses the rollout.
#  die          3: one board loses power mid-upload: withdrawn, only its <error>; the others pass.
#  dead         3: one board is off before the gate starts: its health check fails (infrastructure).
#  die+bad      1: a firmware failure on one board wins over another board's infrastructure error.
#  kill         0 or 3: one board is SIGKILLed at a random moment: 3 when it was still being updated,
#                  0 only when its own case had already passed (checked: "PASS board bN").
#  interrupt    3 with an interrupted result (summary.json state interrupted, junit <error>), then the
#                  next gate, good, on the same boards: 0.
#  concurrent   two gates at once on the same boards: with --board-wait 0 one passes (0) and the other
#                  exits 3 "busy"; with --board-wait 300 both pass (the second waits, then recovers the
#                  boards from 2.0.0 with the baseline).
GATE_KINDS = [("good", 30), ("bad", 18), ("die", 10), ("dead", 5), ("die+bad", 7), ("kill", 8), ("interrupt", 17),
              ("concurrent", 5)]


def gate_mode(s: Soak):
    g = Gates(s)
    mix = Counter()
    kinds, weights = zip(*GATE_KINDS)
    deadline = time.monotonic() + s.args.max_minutes * 60
    count = 0
    force_good = False
    while count < s.args.gates:
        if time.monotonic() > deadline:
            print(f"stopped after {count} gates: --max-minutes {s.args.max_minutes} reached", flush=True)
            break
        kind = "good-after-interrupt" if force_good else s.rng.choices(kinds, weights)[0]
        force_good = False
        what = f"gate {count} ({kind})"
        flags, victim, sig, delay = {}, s.rng.randrange(3), None, None
        if kind == "bad":
            for i in s.rng.sample(range(3), s.rng.randint(1, 3)):
                flags[i] = ["--boot-fail", "2.0.0"]
        elif kind in ("die", "die+bad"):
            flags[victim] = [f"--die-at-offset={s.rng.randrange(2000, 38000)}"]
            if kind == "die+bad":
                flags[(victim + 1) % 3] = ["--boot-fail", "2.0.0"]
        g.set_flags(flags)
        what += f" flags {flags}" if flags else ""
        try:
            if kind == "dead":
                g.boards[victim].stop()
                g.boards[victim].proc = None
                what += f" b{victim} off"
                rc, text, secs, _ = g.gate(what)
                expect = {3}
            elif kind == "kill":
                out = g.out_dir()
                delay = s.rng.uniform(0.05, 3.0)
                what += f" b{victim} killed at {delay:.2f} s"
                start = time.monotonic()
                p = subprocess.Popen(g.command(out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                time.sleep(delay)
                g.boards[victim].proc.kill()
                g.boards[victim].proc.wait(5)
                try:
                    text, _ = p.communicate(timeout=GATE_BOUND_S)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.communicate(timeout=10)
                    raise Hang(f"{what}: still running after {GATE_BOUND_S} s")
                rc = p.returncode
                s.note_time(time.monotonic() - start, what)
                expect = {0, 3}
                mix[f"kill: exit {rc}"] += 1
                if rc == 0 and f"PASS board b{victim} update" not in text:
                    s.wrong_verdict(what, f"exit 0 though b{victim} was killed before its case passed: {text[-300:]}")
            elif kind == "interrupt":
                sig = s.rng.choice([signal.SIGINT, signal.SIGTERM])
                delay = s.rng.uniform(0.05, 3.0)
                what += f" {signal.Signals(sig).name} at {delay:.2f} s"
                rc, text, signalled, out, states = g.interrupted_gate(what, sig, delay)
                g.check_interrupted(what, sig, rc, text, signalled, out)
                expect = {3, -sig} if signalled else {0}  # -sig: see check_interrupted
                force_good = True
                mix[f"interrupt {signal.Signals(sig).name} " +
                    (f"exit {rc}" if signalled else "(gate ended first)")] += 1
            elif kind == "concurrent":
                wait = s.rng.choice([0, 300])
                what += f" --board-wait {wait}"
                procs = [subprocess.Popen(g.command(g.out_dir(), wait), stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True) for _ in range(2)]
                start = time.monotonic()
                results = []
                for p in procs:
                    try:
                        results.append((p.wait(2 * GATE_BOUND_S - (time.monotonic() - start)), p.stdout.read()))
                    except subprocess.TimeoutExpired:
                        for q in procs:
                            q.kill()
                            q.wait(10)
                        raise Hang(f"{what}: still running")
                s.note_time(time.monotonic() - start, what)
                codes = sorted(r for r, _ in results)
                rc, text = codes, "\n".join(t for _, t in results)
                expect = None
                if wait == 0:
                    busy = [t for r, t in results if r == 3]
                    if codes != [0, 3] or not busy or " busy, held by " not in busy[0]:
                        s.wrong_verdict(what, f"exits {codes}, expected [0, 3] with 'busy': {text[-400:]}")
                elif codes != [0, 0]:
                    s.wrong_verdict(what, f"exits {codes}, expected [0, 0] (the second waits): {text[-400:]}")
                mix[f"concurrent wait {wait}: exits {codes}"] += 1
            else:
                rc, text, secs, _ = g.gate(what)
                expect = {"good": {0}, "good-after-interrupt": {0}, "bad": {1}, "die": {3}, "die+bad": {1}}[kind]
                if kind == "bad" and rc == 1 and "paused" not in text:
                    s.wrong_verdict(what, f"exit 1 but the rollout was not paused: {text[-300:]}")
        except Hang as e:
            s.hangs.append(str(e))
            print(f"  HANG {e}", flush=True)
            count += 1
            mix[kind] += 1
            g.set_flags({})
            continue
        mix[kind] += 1
        if expect is not None and rc not in expect:
            s.wrong_verdict(what, f"exit {rc}, expected {sorted(expect)}: {text[-500:]}")
        g.after(what)
        g.set_flags({})  # board faults last one gate: the next starts clean (same state dirs)
        count += 1
        if count % 10 == 0:
            print(f"gate {count}: {kind} exit {rc}", flush=True)
    print("\n== gate soak ==")
    print(f"gates: {count} (seed {s.args.seed})")
    print("mix: " + ", ".join(f"{k} {n}" for k, n in sorted(mix.items())))
    return count


def points_mode(s: Soak):
    # Uploads held to 60 kB/s (0.7 s per 40 kB image) and resets of 0.5 s, so that points fall in
    # the upload and in the reset wait.
    g = Gates(s, ["--flash-rate=60000"], reset_time="0.5")
    for k in range(2):  # the second gate is the reference: it flashes the baseline over 2.0.0 first
        rc, text, good_s, out = g.gate("points: reference good gate")
        if rc != 0:
            s.wrong_verdict("points: reference good gate", f"exit {rc}: {text[-400:]}")
    # Where the boards' updates lie in the gate: they end before the results are written (a short
    # tail, taken as 0.15 s) and last as long as the slowest board's check says.
    update_s = max(c["seconds"] for c in json.loads((out / "checks.json").read_text())["checks"]
                   if c["group"] == "hil")
    update_start = max(0.3, good_s - 0.15 - update_s)
    # 3 points in the known-state step (baseline flash), 7 across the update (upload, reset wait, confirm).
    delays = [0.1 + k * (update_start - 0.1) / 3 for k in range(3)] + \
             [update_start + k * update_s / 7 for k in range(7)]
    print(f"reference good gate (baseline flash + update of 3 boards): {good_s:.2f} s, updates from ~"
          f"{update_start:.2f} s for {update_s:.2f} s; points at {', '.join(f'{d:.2f}' for d in delays)} s", flush=True)
    rows = []
    n = 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        for delay in delays:
            what = f"points: {signal.Signals(sig).name} at {delay:.2f} s"
            try:
                rc, text, signalled, out, states = g.interrupted_gate(what, sig, delay)
                g.check_interrupted(what, sig, rc, text, signalled, out)
                g.after(what)
                nrc, ntext, nsecs, _ = g.gate(what + ", next good gate")
                if nrc != 0:
                    s.wrong_verdict(what + ", next good gate", f"exit {nrc}: {ntext[-400:]}")
                g.after(what + ", next good gate")
                recovered = re.findall(r"hil: (b\d) \([^)]*\) healthy, ([^\n]*)", ntext)
            except Hang as e:
                s.hangs.append(str(e))
                print(f"  HANG {e}", flush=True)
                continue
            n += 1
            row = (signal.Signals(sig).name, delay, rc, signalled, states, nrc, nsecs,
                   "; ".join(f"{b}: {r[:90]}" for b, r in recovered))
            rows.append(row)
            print(f"{row[0]} at {delay:5.2f} s: exit {rc}{'' if signalled else ' (ended first)'} "
                  f"{g.exit_after_signal:.2f} s after it, boards left: "
                  f"{' | '.join(states)}; next good gate exit {nrc} in {nsecs:.2f} s", flush=True)
            for b, r in recovered:
                print(f"    next gate's known state {b}: {r}", flush=True)
    # The run waits up to 10 s for board operations still running (sim/cli/main.cpp), so the points
    # above end with the boards' updates finished. A board whose upload outlasts that bound is
    # abandoned mid-upload: b0 here uploads at 2.5 kB/s (16 s); the next gate must still pass.
    g.base_flags = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        for b in g.boards:  # fresh boards on 1.0.0: the signal lands in b0's upload, not in a baseline flash
            b.stop()
            shutil.rmtree(b.state_dir)
            b.state_dir.mkdir()
        g.set_flags({0: ["--flash-rate=2500"]})
        what = f"points: {signal.Signals(sig).name} at 3 s, in a 16 s upload"
        try:
            rc, text, signalled, out, states = g.interrupted_gate(what, sig, 3.0)
            g.check_interrupted(what, sig, rc, text, signalled, out)
            if "abandoned" not in text:
                s.wrong_verdict(what, f"no 'abandoned' after the 10 s bound: {text[-300:]}")
            latency = g.exit_after_signal
            g.after(what)
            nrc, ntext, nsecs, _ = g.gate(what + ", next good gate")
            if nrc != 0:
                s.wrong_verdict(what + ", next good gate", f"exit {nrc}: {ntext[-400:]}")
            g.after(what + ", next good gate")
        except Hang as e:
            s.hangs.append(str(e))
            print(f"  HANG {e}", flush=True)
            continue
        n += 1
        known = re.findall(r"hil: b0 \([^)]*\) healthy, ([^\n]*)", ntext)
        print(f"{what}: exit {rc} {latency:.2f} s after it ({'abandoned' if 'abandoned' in text else '?'}), "
              f"b0 left: {states[0]}; next good gate exit {nrc} in {nsecs:.2f} s, b0's known state: "
              f"{known[0] if known else '?'}", flush=True)
    print("\n== interrupt points ==")
    print(f"interrupted gates: {n}, each followed by a good gate")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["flash", "gate", "points"])
    ap.add_argument("--cycles", type=int, default=1000, help="flash mode: update cycles")
    ap.add_argument("--gates", type=int, default=200, help="gate mode: gates")
    ap.add_argument("--seed", type=int, default=1, help="draws of faults, rates, offsets and moments")
    ap.add_argument("--max-minutes", type=float, default=1e9, help="stop starting cycles/gates after this long")
    ap.add_argument("--build", default=str(ROOT / "build"), help="folder of fleetsim and fleetsim-board")
    args = ap.parse_args()
    s = Soak(args)
    stop = lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt())
    signal.signal(signal.SIGTERM, stop)
    # Started in the background by a non-interactive shell, this process (and so each fleetsim it
    # starts) would ignore SIGINT: a SIGINT before fleetsim installs its handler would then be lost
    # and the gate run to its end. A handler here is reset to the default in every child at exec.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.monotonic()
    try:
        {"flash": flash_mode, "gate": gate_mode, "points": points_mode}[args.mode](s)
    finally:
        s.cleanup()
    print(f"wrong verdicts: {len(s.wrong)}")
    for w in s.wrong:
        print(f"  {w}")
    print(f"hangs: {len(s.hangs)}")
    for h in s.hangs:
        print(f"  {h}")
    print(f"bricked: {len(s.bricked)}")
    for b in s.bricked:
        print(f"  {b}")
    if s.early_signals:
        print(f"signals before fleetsim's handler (the process ended by the signal itself): {len(s.early_signals)}")
        for e in s.early_signals:
            print(f"  {e}")
    print(f"slowest: {s.slowest[0]:.2f} s ({s.slowest[1]})")
    print(f"total: {time.monotonic() - start:.0f} s")
    return 0 if not (s.wrong or s.hangs or s.bricked) else 1


if __name__ == "__main__":
    sys.exit(main())
