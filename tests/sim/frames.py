#!/usr/bin/python3
"""frames.py - numbered test frames for the aoe-sim tests, and their analysis.

  frames.py send --dst MAC [--count N] [--pps N] [--size N[,N...]] [--iface eth0]
      Send N frames of EtherType 0x88b5 (IEEE local experimental), each carrying
      a magic, its sequence number and a payload derived from that number, so a
      receiver can tell exactly which frame it holds and whether it was changed.
  frames.py recv --count N [--timeout S] [--iface eth0]
      Receive test frames until N have come (or S seconds pass) and print
      "received N frames: I intact, D damaged, in order|out of order, from MAC";
      exits 0 when N intact frames came in order.  For LANs without captures
      (the kernel's fast path), where the host itself must say what it got.
  frames.py check TEST DIR [options]
      Judge the captures DIR/*.pcap (and DIR/counters.json) of one fault test;
      prints one line and exits 0 if the fault did what it says, 1 if not.

Only the standard library: it runs under /usr/bin/python3 in a host's namespace.
"""
import argparse
import json
import math
import os
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5
MAGIC = b"AOES"
HDR = struct.Struct("!4sIQ")  # magic, sequence, send time (ns, CLOCK_MONOTONIC)


def pattern(seq, length):
    """The payload bytes after the header: a function of the sequence number only."""
    base = (seq * 131 + 7) & 0xFF
    return bytes((base + i) & 0xFF for i in range(length))


def build(dst, src, seq, size):
    """A frame of size bytes (header included, no FCS; at least 60)."""
    body = HDR.pack(MAGIC, seq, time.monotonic_ns())
    body += pattern(seq, max(size, 60) - 14 - len(body))
    return dst + src + struct.pack("!H", ETHERTYPE) + body


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def cmd_send(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    src = s.getsockname()[4][:6]
    dst = mac_bytes(args.dst)
    sizes = [int(x) for x in args.size.split(",")]
    start = time.monotonic()
    for seq in range(args.count):
        if args.pps:
            # Pace against the start, so a late frame does not slow the rest.
            ahead = start + seq / args.pps - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        s.send(build(dst, src, seq, sizes[seq % len(sizes)]))
    print(f"sent {args.count} frames in {time.monotonic() - start:.3f} s")


# ---------------------------------------------------------------- pcap reading

def read_pcap(path):
    """[(time_s, bytes)] of a classic little- or big-endian pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        endian, scale = "<", 1e-6
    elif magic == b"\xa1\xb2\xc3\xd4":
        endian, scale = ">", 1e-6
    elif magic == b"\x4d\x3c\xb2\xa1":
        endian, scale = "<", 1e-9
    else:
        raise SystemExit(f"{path}: not a pcap file")
    rec = struct.Struct(endian + "IIII")
    out, off = [], 24
    while off + rec.size <= len(data):
        sec, frac, caplen, _ = rec.unpack_from(data, off)
        off += rec.size
        out.append((sec + frac * scale, data[off:off + caplen]))
        off += caplen
    return out


class Frame:
    def __init__(self, t, raw):
        self.t, self.raw = t, raw
        self.dst, self.src = raw[0:6], raw[6:12]
        self.seq = None
        self.intact = False
        if len(raw) >= 14 + HDR.size and raw[12:14] == struct.pack("!H", ETHERTYPE):
            magic, seq, _ = HDR.unpack_from(raw, 14)
            if magic == MAGIC:
                self.seq = seq
                body = raw[14 + HDR.size:]
                self.intact = body == pattern(seq, len(body))


def test_frames(path, src=None, exclude_src=None):
    """Our test frames in a capture, optionally only from (or not from) one MAC."""
    frames = [Frame(t, raw) for t, raw in read_pcap(path)]
    frames = [f for f in frames if f.raw[12:14] == struct.pack("!H", ETHERTYPE)]
    if src is not None:
        frames = [f for f in frames if f.src == src]
    if exclude_src is not None:
        frames = [f for f in frames if f.src != exclude_src]
    return frames


def host_mac(counters, host):
    for p in counters["ports"]:
        if p["host"] == host:
            return mac_bytes(p["mac"])
    raise SystemExit(f"no host {host} in counters")


def port(counters, host):
    return next(p for p in counters["ports"] if p["host"] == host)


# ---------------------------------------------------------------- checks

class Check:
    """Loads DIR/a.pcap (what a sent) and DIR/RECV.pcap (what RECV got from a)."""

    def __init__(self, d, recv="b"):
        with open(os.path.join(d, "counters.json")) as f:
            self.counters = json.load(f)
        self.a_mac = host_mac(self.counters, "a")
        self.sent = test_frames(os.path.join(d, "a.pcap"), src=self.a_mac)
        self.got = test_frames(os.path.join(d, recv + ".pcap"), src=self.a_mac)
        self.recv = recv

    def c(self, host, direction, name):
        return port(self.counters, host)[direction][name]


def within(value, expect, n, p, sigmas=4.0):
    """Whether value is within sigmas standard deviations of a binomial mean."""
    sd = math.sqrt(n * p * (1 - p))
    return abs(value - expect) <= sigmas * sd, sd


def fail(msg):
    print("FAIL: " + msg)
    return 1


def ok(msg):
    print(msg)
    return 0


def check_loss(d, a):
    k = Check(d)
    n, got = len(k.sent), len(k.got)
    if n < a.min_sent:
        return fail(f"only {n} frames sent")
    lost = n - got
    good, sd = within(lost, n * a.p, n, a.p)
    host, direction = ("a", "in") if a.direction == "in" else ("b", "out")
    counted = k.c(host, direction, "drop_loss")
    msg = f"{n} sent, {lost} lost ({100 * lost / n:.2f}%, expected {100 * a.p:.1f}% +-{4 * sd:.0f} frames), counter {counted}"
    if not good:
        return fail(msg)
    if counted != lost:
        return fail(msg + ": counter disagrees with the captures")
    seqs = [f.seq for f in k.got]
    if len(set(seqs)) != len(seqs) or seqs != sorted(seqs):
        return fail(msg + ": loss alone must not duplicate or reorder")
    return ok(msg)


def check_dup(d, a):
    k = Check(d)
    n = len(k.sent)
    by_seq = {}
    for f in k.got:
        by_seq.setdefault(f.seq, []).append(f)
    dups = [v for v in by_seq.values() if len(v) > 1]
    good, sd = within(len(dups), n * a.p, n, a.p)
    msg = f"{n} sent, {len(k.got)} received, {len(dups)} duplicated (expected {n * a.p:.0f} +-{4 * sd:.0f})"
    if len(by_seq) != n:
        return fail(msg + f": {n - len(by_seq)} frames missing")
    if not good or not dups:
        return fail(msg)
    sent_raw = {f.seq: f.raw for f in k.sent}
    for v in dups:
        if len(v) != 2 or v[0].raw != v[1].raw or v[0].raw != sent_raw[v[0].seq]:
            return fail(msg + f": frame {v[0].seq} copies are not byte-identical to what was sent")
    if k.c("b", "out", "duplicated") != len(dups):
        return fail(msg + f": counter says {k.c('b', 'out', 'duplicated')}")
    return ok(msg + ", every copy byte-identical to the original")


def check_reorder(d, a):
    k = Check(d)
    n = len(k.sent)
    seqs = [f.seq for f in k.got]
    # A frame is "late" if some frame with a higher number was received before it.
    late, highest = 0, -1
    for s in seqs:
        if s < highest:
            late += 1
        highest = max(highest, s)
    good, sd = within(late, n * a.p, n, a.p)
    msg = f"{n} sent, {len(seqs)} received, {late} arrived after a later frame (expected {n * a.p:.0f} +-{4 * sd:.0f})"
    if sorted(seqs) != list(range(n)):
        return fail(msg + ": reordering lost or duplicated frames")
    if late == 0 or not good:
        return fail(msg)
    counted = k.c("b", "out", "reordered")
    if counted != late:
        return fail(msg + f": counter says {counted}")
    return ok(msg)


def check_delay(d, a):
    k = Check(d)
    sent_t = {f.seq: f.t for f in k.sent}
    delays = sorted((f.t - sent_t[f.seq]) * 1000 for f in k.got)
    if len(delays) != len(k.sent) or not delays:
        return fail(f"{len(k.sent)} sent but {len(delays)} received")
    med = delays[len(delays) // 2]
    lo, hi = a.ms - a.jitter_ms, a.ms + a.jitter_ms
    msg = f"{len(delays)} frames: delay min {delays[0]:.2f} ms, median {med:.2f} ms, max {delays[-1]:.2f} ms (configured {a.ms} +-{a.jitter_ms} ms)"
    seqs = [f.seq for f in k.got]
    if seqs != sorted(seqs):
        return fail(msg + ": delay and jitter must keep the order")
    # Lower bound is strict (the switch never sends early, bar capture clock
    # granularity); the upper bounds are generous for a loaded machine.
    if delays[0] < lo - 0.2 or med > hi + 10 or med < lo:
        return fail(msg)
    if a.jitter_ms and delays[-1] - delays[0] < a.jitter_ms * 0.5:
        return fail(msg + ": no visible jitter")
    return ok(msg)


def check_corrupt(d, a):
    k = Check(d)
    n = len(k.sent)
    # Compare with what was sent, position by position (corruption keeps the
    # order): a changed sequence number or timestamp is caught as well.
    if len(k.got) != n:
        return fail(f"{n} sent, {len(k.got)} received: corruption must not drop frames")
    bad = [g for s, g in zip(k.sent, k.got) if s.raw != g.raw]
    good, sd = within(len(bad), n * a.p, n, a.p)
    msg = f"{n} sent, {len(k.got)} received, {len(bad)} corrupted (expected {n * a.p:.0f} +-{4 * sd:.0f})"
    if not good or not bad:
        return fail(msg)
    if k.c("b", "out", "corrupted") != len(bad):
        return fail(msg + f": counter says {k.c('b', 'out', 'corrupted')}")
    for s, g in zip(k.sent, k.got):
        diff = [i for i in range(len(s.raw)) if s.raw[i] != g.raw[i]]
        if len(g.raw) != len(s.raw) or len(diff) > 1 or (diff and diff[0] < 14):
            return fail(msg + f": a frame differs at bytes {diff[:5]} (expected one byte past the header)")
    return ok(msg + ", each with exactly one byte changed past the Ethernet header")


def check_mtu(d, a):
    k = Check(d)
    big = [f for f in k.sent if len(f.raw) - 14 > a.mtu]
    small = [f for f in k.sent if len(f.raw) - 14 <= a.mtu]
    got_big = [f for f in k.got if len(f.raw) - 14 > a.mtu]
    counted = k.c("b", "out", "drop_mtu")
    msg = f"{len(small)} frames within MTU {a.mtu}, {len(big)} over; received {len(k.got)}, {len(got_big)} over; drop_mtu {counted}"
    if not big or not small or got_big or len(k.got) != len(small) or counted != len(big):
        return fail(msg)
    return ok(msg)


def gap_check(k, host, expect_s, counter, msg_prefix):
    """The longest run of missing frames, in seconds of send time."""
    got = {f.seq for f in k.got}
    sent = sorted(k.sent, key=lambda f: f.seq)
    missing = [f for f in sent if f.seq not in got]
    counted = k.c(host, "out", counter)
    if not missing:
        return fail(f"{msg_prefix}: nothing was missing")
    span = missing[-1].t - missing[0].t
    contiguous = missing[-1].seq - missing[0].seq + 1 == len(missing)
    msg = f"{msg_prefix}: {len(sent)} sent, {len(missing)} missing, contiguous={contiguous}, over {span:.3f} s (window {expect_s} s), {counter} {counted}"
    if not contiguous or abs(span - expect_s) > 0.25 or counted != len(missing):
        return fail(msg)
    return ok(msg)


def check_down(d, a):
    return gap_check(Check(d), "b", a.seconds, "drop_down", "link down")


def check_partition(d, a):
    k = Check(d, recv="b")
    c = Check(d, recv="c")
    if len(c.got) != len(c.sent):
        return fail(f"c is outside the partition but received {len(c.got)} of {len(c.sent)}")
    return gap_check(k, "b", a.seconds, "drop_partition", "partition a | b (c unaffected)")


def check_rate(d, a):
    k = Check(d)
    if len(k.got) < 2:
        return fail("nothing received")
    span = k.got[-1].t - k.got[0].t
    sent_span = k.sent[-1].t - k.sent[0].t
    bits = sum(len(f.raw) for f in k.got[1:]) * 8
    mbit = bits / span / 1e6 if span > 0 else float("inf")
    queue = k.c("b", "out", "drop_queue")
    msg = (f"{len(k.sent)} frames sent in {sent_span:.3f} s, {len(k.got)} received over {span:.3f} s: "
           f"{mbit:.2f} Mbit/s (limit {a.mbit} Mbit/s), drop_queue {queue}")
    # The limit must hold; below it, the switch may not throttle what was
    # offered.  On a loaded machine the sender itself may offer less than the
    # limit, so the floor is taken from what really came in, not the limit.
    sent_bits = sum(len(f.raw) for f in k.sent[1:]) * 8
    offered = sent_bits / sent_span / 1e6 if sent_span > 0 else float("inf")
    msg += f", offered {offered:.2f} Mbit/s"
    if mbit > a.mbit * 1.1 or mbit < min(a.mbit, offered) * 0.7:
        return fail(msg)
    if a.expect_queue_drops:
        if queue == 0 or len(k.got) + queue != len(k.sent):
            return fail(msg + ": expected queue drops accounting for every missing frame")
    elif len(k.got) != len(k.sent):
        return fail(msg + ": frames lost with a queue big enough")
    return ok(msg)


def check_flood(d, a):
    """b announced itself, then a sent unicast to b: c must have seen none of it."""
    with open(os.path.join(d, "counters.json")) as f:
        counters = json.load(f)
    a_mac = host_mac(counters, "a")
    to_b = test_frames(os.path.join(d, "b.pcap"), src=a_mac)
    to_c = test_frames(os.path.join(d, "c.pcap"), src=a_mac)
    flooded = counters["switch"]["flooded"]
    msg = f"b got {len(to_b)} unicast frames from a, c got {len(to_c)}; switch flooded {flooded}, learned {counters['switch']['learned']}"
    if len(to_b) != a.count or len(to_c) != 0:
        return fail(msg)
    return ok(msg)


def cmd_recv(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    # Room for every frame of a burst: Python reads slower than a veth delivers.
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE (we are root)
    s.bind((args.iface, ETHERTYPE))
    s.settimeout(0.2)
    deadline = time.monotonic() + args.timeout
    got, intact, in_order, last, sources = 0, 0, True, -1, set()
    while got < args.count and time.monotonic() < deadline:
        try:
            frame, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or frame[14:18] != MAGIC:
            continue
        _, seq, _ = HDR.unpack_from(frame, 14)
        got += 1
        sources.add(frame[6:12].hex(":"))
        if frame[14 + HDR.size:] == pattern(seq, len(frame) - 14 - HDR.size):
            intact += 1
        in_order = in_order and seq > last
        last = seq
    order = "in order" if in_order else "out of order"
    print(f"received {got} frames: {intact} intact, {got - intact} damaged, {order}, "
          f"from {' '.join(sorted(sources)) or 'nobody'}")
    return 0 if intact == args.count and in_order else 1


def cmd_check(args):
    checks = {
        "loss": check_loss, "dup": check_dup, "reorder": check_reorder, "delay": check_delay,
        "corrupt": check_corrupt, "mtu": check_mtu, "down": check_down,
        "partition": check_partition, "rate": check_rate, "flood": check_flood,
    }
    return checks[args.test](args.dir, args)


def seqs_of(args):
    """Print the sequence numbers b received (for the repeatability test)."""
    k = Check(args.dir)
    print(" ".join(str(f.seq) for f in k.got))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--iface", default="eth0")
    s.add_argument("--dst", required=True)
    s.add_argument("--count", type=int, default=1000)
    s.add_argument("--pps", type=float, default=0)
    s.add_argument("--size", default="100")
    c = sub.add_parser("check")
    c.add_argument("test")
    c.add_argument("dir")
    c.add_argument("--p", type=float, default=0.1)
    c.add_argument("--direction", default="out")
    c.add_argument("--min-sent", type=int, default=1)
    c.add_argument("--ms", type=float, default=0)
    c.add_argument("--jitter-ms", type=float, default=0)
    c.add_argument("--mtu", type=int, default=1500)
    c.add_argument("--seconds", type=float, default=1)
    c.add_argument("--mbit", type=float, default=10)
    c.add_argument("--expect-queue-drops", action="store_true")
    c.add_argument("--count", type=int, default=0)
    r = sub.add_parser("recv")
    r.add_argument("--iface", default="eth0")
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--timeout", type=float, default=10)
    q = sub.add_parser("seqs")
    q.add_argument("dir")
    args = ap.parse_args()
    if args.cmd == "send":
        return cmd_send(args)
    if args.cmd == "seqs":
        return seqs_of(args)
    if args.cmd == "recv":
        return cmd_recv(args)
    return cmd_check(args)


if __name__ == "__main__":
    sys.exit(main() or 0)
