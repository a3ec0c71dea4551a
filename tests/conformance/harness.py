"""harness.py - the conformance suite's machinery: private LANs, the wire
co-process, the target under test, its disk image, and Peer, the test's view
of all of it.

Everything runs in network namespaces this module creates (two per MTU, named
PREFIX-MTU-a and -b, joined by a veth pair, built by sim/lan.sh) and removes
again; nothing is ever sent on the root namespace's interfaces.  Only
processes started here are signalled, by PID.
"""
import os
import shlex
import signal
import subprocess
import time

import aoe

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LAN_SH = os.path.join(ROOT, "sim", "lan.sh")
IFACE = "eth0"

SHELF = 0x1234          # 4660: a 16-bit major, so a byte-order slip shows (0x3412)
SLOT = 0x56             # 86
OTHER_MAC = aoe.mac("02:00:5e:c0:ff:01")    # hosts that do not exist: spoofed sources
THIRD_MAC = aoe.mac("02:00:5e:c0:ff:02")

SMALL_SECTORS = 32768 + 131                 # 16 MiB and a bit: nothing is a power of two
BIG_SECTORS = (1 << 28) + 4099              # just past LBA28's reach (sparse, 128 GiB)

DEFAULT_TEMPLATE = os.path.join(ROOT, "bin", "aoe-target") + " {opts} {iface} {shelf} {slot} {file}"
VBLADE_TEMPLATE = "/usr/sbin/vblade {opts} {shelf} {slot} {iface} {file}"

REPLY_WAIT = 2.0        # seconds a request may take to be answered
SILENCE_GRACE = 0.08    # after the sentinel's reply, how long a late reply may still come


class HarnessError(Exception):
    pass


def run(cmd, check=True, timeout=30, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise HarnessError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stdout.strip()}")
    return p.stdout


def lan_sh(*args):
    """Call a function of sim/lan.sh (sourced, so its checks and cleanup apply)."""
    script = f'. {shlex.quote(LAN_SH)} && ' + " ".join(shlex.quote(a) for a in args)
    return run(["bash", "-c", script])


# ---------------------------------------------------------------------------
# The wire: tests/conformance/aoe-wire (libnet out, libpcap in) in namespace b.

class Wire:
    def __init__(self, ns, tool):
        self.ns = ns
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, tool, IFACE],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1 << 20)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise HarnessError(f"aoe-wire did not start in {ns}: {line!r} {err.strip()}")
        self.mac = aoe.mac(self._ask("mac").split()[1])
        self.drops = 0

    def _write(self, text):
        try:
            self.proc.stdin.write(text)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise HarnessError(f"aoe-wire in {self.ns} died: {self.proc.stderr.read().strip()}")

    def _line(self):
        line = self.proc.stdout.readline()
        if not line:
            raise HarnessError(f"aoe-wire in {self.ns} died: {self.proc.stderr.read().strip()}")
        return line.rstrip("\n")

    def _ask(self, cmd):
        self._write(cmd + "\n")
        return self._line()

    def send(self, *frames):
        """Inject frames, in order, exactly as given."""
        if frames:
            self._write("".join(f"send {bytes(f).hex()}\n" for f in frames))

    def sync(self):
        """(sent, failed, last error) since the previous sync."""
        parts = self._ask("sync").split(" ", 3)
        return int(parts[1]), int(parts[2]), parts[3] if len(parts) > 3 else ""

    def recv(self, wait, quiet=0.0, max_frames=0):
        self._write(f"recv {int(wait * 1000)} {int(quiet * 1000)} {max_frames}\n")
        frames = []
        while True:
            line = self._line()
            if line.startswith("frame "):
                frames.append(aoe.Frame(bytes.fromhex(line[6:])))
            elif line.startswith("end "):
                self.drops = int(line.split()[2])      # the kernel's count since the wire started
                return frames
            else:
                raise HarnessError(f"aoe-wire: unexpected line {line!r}")

    def drain(self):
        parts = self._ask("drain").split()
        self.drops = int(parts[2])
        return int(parts[1])

    def close(self):
        if self.proc.poll() is None:
            try:
                self._write("quit\n")
                self.proc.wait(timeout=3)
            except (HarnessError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------------------
# A LAN: two namespaces, one veth pair, at one MTU, with a wire in side b.

class Lan:
    def __init__(self, name, mtu, tool):
        self.name, self.mtu = name, mtu
        self.ns_a, self.ns_b = f"{name}-a", f"{name}-b"
        self.wire = None
        lan_sh("lan_up", name, str(mtu))
        try:
            self.mac_a = aoe.mac(run(["ip", "netns", "exec", self.ns_a, "cat",
                                      f"/sys/class/net/{IFACE}/address"]).strip())
            self.wire = Wire(self.ns_b, tool)
        except Exception:
            self.down()
            raise

    def down(self):
        if self.wire:
            self.wire.close()
            self.wire = None
        lan_sh("lan_down", self.name)


# ---------------------------------------------------------------------------
# The disk image: zeros, with known patterns in a few regions.

_PATTERN_CACHE = {}


def region_bytes(start, end):
    if (start, end) not in _PATTERN_CACHE:
        _PATTERN_CACHE[(start, end)] = b"".join(aoe.sector_pattern(lba) for lba in range(start, end))
    return _PATTERN_CACHE[(start, end)]


class Image:
    def __init__(self, path, sectors, regions):
        self.path, self.sectors, self.regions = path, sectors, regions
        with open(path, "wb") as f:
            f.truncate(sectors * aoe.SECTOR)
            for start, end in regions:
                f.seek(start * aoe.SECTOR)
                f.write(region_bytes(start, end))

    def patterned(self, lba):
        return any(s <= lba < e for s, e in self.regions)

    def expected(self, lba, count=1):
        """What sectors LBA.. should hold if nobody wrote them."""
        out = []
        for x in range(lba, lba + count):
            region = next(((s, e) for s, e in self.regions if s <= x < e), None)
            if region:
                off = (x - region[0]) * aoe.SECTOR
                out.append(region_bytes(*region)[off:off + aoe.SECTOR])
            else:
                out.append(bytes(aoe.SECTOR))
        return b"".join(out)

    def read(self, lba, count=1):
        """What the file holds now (through the page cache, as the target sees it)."""
        with open(self.path, "rb") as f:
            f.seek(lba * aoe.SECTOR)
            return f.read(count * aoe.SECTOR)

    def size(self):
        return os.stat(self.path).st_size


def make_image(path, kind):
    if kind == "big":
        top = 1 << 28
        return Image(path, BIG_SECTORS, [(0, 64), (top - 64, top + 64), (BIG_SECTORS - 64, BIG_SECTORS)])
    return Image(path, SMALL_SECTORS, [(0, 4096), (SMALL_SECTORS - 256, SMALL_SECTORS)])


# ---------------------------------------------------------------------------
# The target under test, from its command template.

def expand_template(template, opts, shelf, slot, file):
    """{opts} {iface} {shelf} {slot} {file}; without {opts}, options follow the
    program name (vblade and aoe-target both take options first)."""
    words = shlex.split(template)
    if not words:
        raise HarnessError("empty target template")
    if not any("{opts}" in w for w in words):
        words.insert(1, "{opts}")
    out = []
    for w in words:
        if w == "{opts}":
            out.extend(opts)
            continue
        out.append(w.replace("{iface}", IFACE).replace("{shelf}", str(shelf))
                    .replace("{slot}", str(slot)).replace("{file}", file).replace("{opts}", ""))
    if not os.path.isabs(out[0]) and "/" in out[0]:
        out[0] = os.path.join(ROOT, out[0])
    return out


def expand_template_for_vm(template):
    """The template for tests/vm/linux-aoe.sh: no {opts}, an absolute program path."""
    words = [w for w in shlex.split(template) if w != "{opts}"]
    if words and not os.path.isabs(words[0]) and "/" in words[0]:
        words[0] = os.path.join(ROOT, words[0])
    return " ".join(shlex.quote(w) if "{" not in w else w for w in words)


class Target:
    def __init__(self, lan, argv, log_path):
        self.lan, self.argv, self.log_path = lan, argv, log_path
        self.mac = lan.mac_a
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(["ip", "netns", "exec", lan.ns_a] + argv,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.status = None

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip("\n").split("\n")[-lines:])

    def stop(self):
        """SIGTERM, then SIGKILL after 5 s: only our own process, by PID."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.status = self.proc.returncode
        self.log.close()


# ---------------------------------------------------------------------------
# Peer: one test's side of the wire.

class Peer:
    """The test's host on side b, talking to the target on side a."""

    _tag = 0x00010000

    def __init__(self, lan, target, image, shelf=SHELF, slot=SLOT):
        self.lan, self.wire, self.target, self.image = lan, lan.wire, target, image
        self.mtu = lan.mtu
        self.shelf, self.slot = shelf, slot
        self.me = lan.wire.mac
        self.target_mac = lan.mac_a
        self.startup_frames = []
        self.ignore_tags = set() # the readiness queries': a late reply to one is not news
        self.stray = []          # frames that answered nothing we were waiting for
        self.sent_log = []       # (description, frame) of what this test sent, for reports

    # Tags -----------------------------------------------------------------

    @classmethod
    def new_tag(cls):
        Peer._tag = (Peer._tag + 1) & 0x7FFFFFFF
        return Peer._tag

    # Frames -----------------------------------------------------------------

    def frame(self, command, arg=b"", *, dst=None, src=None, shelf=None, slot=None, tag=None,
              ver=1, flags=0, error=0, ethertype=aoe.ETHERTYPE):
        """A request addressed to the target (unicast, exact shelf and slot) from us."""
        tag = self.new_tag() if tag is None else tag
        raw = aoe.header(self.target_mac if dst is None else dst, self.me if src is None else src,
                         self.shelf if shelf is None else shelf, self.slot if slot is None else slot,
                         command, tag, ver=ver, flags=flags, error=error, ethertype=ethertype) + arg
        return raw, tag

    def ata_frame(self, opcode, lba=0, count=0, aflags=0, data=b"", feature=0, reserved=0, **kw):
        return self.frame(aoe.CMD_ATA, aoe.ata_arg(opcode, lba, count, aflags, feature, reserved) + data, **kw)

    def config_frame(self, ccmd=aoe.CCMD_READ, string=b"", length=None, aoe_nibble=0, **kw):
        return self.frame(aoe.CMD_CONFIG, aoe.config_arg(ccmd, string, length, aoe=aoe_nibble), **kw)

    def mask_frame(self, mcmd, directives=(), count=None, **kw):
        return self.frame(aoe.CMD_MASK, aoe.mask_arg(mcmd, directives, count), **kw)

    def reserve_frame(self, rcmd, macs=(), count=None, **kw):
        return self.frame(aoe.CMD_RESERVE, aoe.reserve_arg(rcmd, macs, count), **kw)

    # Exchanges ----------------------------------------------------------------

    def send(self, *frames):
        self.wire.send(*frames)
        for f in frames:
            self.sent_log.append(f)

    def collect(self, tags, want=None, wait=REPLY_WAIT):
        """Replies by tag until `want` replies per tag (default 1 each) or `wait`.
        Frames with other tags are kept in self.stray."""
        tags = list(tags)
        want = want or {t: 1 for t in tags}
        got = {t: [] for t in tags}
        deadline = time.monotonic() + wait
        while any(len(got[t]) < want[t] for t in tags):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for f in self.wire.recv(left, quiet=0, max_frames=1):
                if f.tag in self.ignore_tags and f.is_response:
                    continue
                if f.tag in got and f.is_response and not f.short:
                    got[f.tag].append(f)
                else:
                    self.stray.append(f)
        return got

    def ask(self, frame_and_tag, wait=REPLY_WAIT):
        """Send one request; its reply (the first frame with its tag), or None."""
        raw, tag = frame_and_tag
        self.send(raw)
        got = self.collect([tag], wait=wait)[tag]
        return got[0] if got else None

    def sentinel(self, src=None):
        return self.config_frame(src=src)

    def replies_before_sentinel(self, *frames, sentinel_src=None, grace=SILENCE_GRACE):
        """Send frames, then a Query Config read (the sentinel) from sentinel_src.
        The target handles frames in order, so once the sentinel is answered, a
        reply to the frames before it would have come already (plus a grace
        period).  Returns every frame received that is not the sentinel's reply.
        Raises if the sentinel is never answered (the target is dead or deaf)."""
        s_raw, s_tag = self.sentinel(src=sentinel_src)
        self.send(*frames)
        self.send(s_raw)
        others = []
        deadline = time.monotonic() + REPLY_WAIT * 2
        answered = False
        while not answered:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the target did not answer the sentinel Query Config "
                                     f"after the probe (tag {s_tag:#x}): dead or deaf. "
                                     f"Target log:\n{self.target.log_tail()}")
            for f in self.wire.recv(left, max_frames=1):
                if f.tag == s_tag and f.is_response and f.command == aoe.CMD_CONFIG:
                    answered = True
                else:
                    others.append(f)
        others += self.wire.recv(grace)
        return [f for f in others if not (f.tag in self.ignore_tags and f.is_response and
                                          f.command == aoe.CMD_CONFIG and f.dst == self.me)]

    def expect_silence(self, *frames, sentinel_src=None, what="the probe"):
        replies = self.replies_before_sentinel(*frames, sentinel_src=sentinel_src)
        assert not replies, (f"expected no reply to {what}; got {len(replies)}: " +
                             "; ".join(r.describe() for r in replies[:3]) +
                             f". Sent: {frames[0].hex()[:160]}")

    # Shorthands -----------------------------------------------------------

    def ata(self, opcode, lba=0, count=0, aflags=0, data=b"", **kw):
        return self.ask(self.ata_frame(opcode, lba, count, aflags, data, **kw))

    def read(self, lba, count=1, ext=True, **kw):
        """READ EXT (E flag, as Linux sends for LBA48 disks) or READ (LBA28, 0xE0 in lba3)."""
        if ext:
            kw.setdefault("aflags", aoe.AF_EXT)
            return self.ata(aoe.ATA_READ_EXT, lba, count, **kw)
        return self.ata(aoe.ATA_READ, aoe.lba28(lba), count, **kw)

    def write(self, lba, data, ext=True, **kw):
        count = kw.pop("count", len(data) // aoe.SECTOR)
        if ext:
            kw.setdefault("aflags", aoe.AF_EXT | aoe.AF_WRITE)
            return self.ata(aoe.ATA_WRITE_EXT, lba, count, data=data, **kw)
        kw.setdefault("aflags", aoe.AF_WRITE)
        return self.ata(aoe.ATA_WRITE, aoe.lba28(lba), count, data=data, **kw)

    def config(self, ccmd=aoe.CCMD_READ, string=b"", **kw):
        return self.ask(self.config_frame(ccmd, string, **kw))

    def mask(self, mcmd, directives=(), **kw):
        return self.ask(self.mask_frame(mcmd, directives, **kw))

    def reserve(self, rcmd, macs=(), **kw):
        return self.ask(self.reserve_frame(rcmd, macs, **kw))

    def identify(self, **kw):
        r = self.ata(aoe.ATA_IDENTIFY, aoe.lba28(0, 0xA0), 1, **kw)
        return r

    def max_sectors(self):
        """The target's advertised sector count (0 means 2, per §3.1)."""
        r = self.config()
        assert r is not None, "no reply to Query Config read"
        scnt = r.config().scnt
        return scnt or 2

    def alive_check(self):
        """The target answers a Query Config read and a one-sector read correctly."""
        r = self.config()
        assert r is not None and not r.is_error, "target no longer answers Query Config"
        r = self.read(0, 1)
        assert r is not None, "target no longer answers a one-sector READ EXT"
        assert r.ata().data[:aoe.SECTOR] == self.image.read(0, 1), "sector 0 reads back wrong"
