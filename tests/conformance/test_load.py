"""§3.1 buffer count: that many requests in flight at once; §6 robustness: a burst
of thousands of random and mutated frames, after which the target still answers
correctly."""
import random

import pytest

import aoe
from checks import ata_ok, clause, reply_ok
from harness import OTHER_MAC

EXT, RW = aoe.AF_EXT, aoe.AF_WRITE


@clause("3.1 buffer count at MTU {mtu}: that many READ EXT of the maximum size in flight at once, all answered correctly")
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_bufcnt_reads_in_flight(peer, mtu):
    r = reply_ok(peer.config(), peer, "Query Config read")
    bufcnt, top = r.config().bufcnt, peer.max_sectors()
    frames = [peer.ata_frame(aoe.ATA_READ_EXT, 200 + (i * top) % 3500, top, aflags=EXT) for i in range(bufcnt)]
    peer.send(*(f for f, _ in frames))
    got = peer.collect([t for _, t in frames], wait=10)
    missing = [i for i, (_, t) in enumerate(frames) if not got[t]]
    assert not missing, (f"{len(missing)} of {bufcnt} (the advertised buffer count) READ EXT of {top} sectors "
                         f"sent back to back got no reply: requests {missing[:10]}")
    for i, (_, t) in enumerate(frames):
        lba = 200 + (i * top) % 3500
        a = ata_ok(got[t][0], peer, f"READ EXT {i}")
        assert a.data[:top * 512] == peer.image.expected(lba, top), f"request {i} (LBA {lba}) returned wrong data"


@clause("3.1 buffer count at MTU {mtu}: that many WRITE EXT of the maximum size in flight at once, all stored")
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_bufcnt_writes_in_flight(peer, mtu):
    r = reply_ok(peer.config(), peer, "Query Config read")
    bufcnt, top = r.config().bufcnt, peer.max_sectors()
    rng = random.Random(mtu)
    plan = [(2000 + (i * top) % 2000, rng.randbytes(top * 512)) for i in range(bufcnt)]
    frames = [peer.ata_frame(aoe.ATA_WRITE_EXT, lba, top, aflags=EXT | RW, data=data) for lba, data in plan]
    peer.send(*(f for f, _ in frames))
    got = peer.collect([t for _, t in frames], wait=10)
    missing = [i for i, (_, t) in enumerate(frames) if not got[t]]
    assert not missing, (f"{len(missing)} of {bufcnt} (the advertised buffer count) WRITE EXT of {top} sectors "
                         f"sent back to back got no reply: requests {missing[:10]}")
    final = {}
    for i, (_, t) in enumerate(frames):
        ata_ok(got[t][0], peer, f"WRITE EXT {i}")
        final[plan[i][0]] = plan[i][1]          # later writes to one LBA win
    for lba, data in final.items():
        assert peer.image.read(lba, top) == data, f"the write at LBA {lba} is not in the image"


# ---------------------------------------------------------------------------
# The burst.

BURST = 5000
TAG_BASE = 0x5E000000


def _random_frame(peer, rng, i):
    me, tm = peer.me, peer.target_mac
    tag = TAG_BASE + i
    dst = tm if rng.random() < 0.7 else aoe.BROADCAST
    src = me if rng.random() < 0.85 else rng.choice([OTHER_MAC, bytes([2]) + rng.randbytes(5)])
    shelf = rng.choice([peer.shelf] * 5 + [aoe.SHELF_ANY, peer.shelf + 1, rng.randrange(65536)])
    slot = rng.choice([peer.slot] * 5 + [aoe.SLOT_ANY, rng.randrange(256)])
    ver = 1 if rng.random() < 0.9 else rng.randrange(16)
    flags = 0 if rng.random() < 0.85 else rng.randrange(16)
    cmd = rng.choices([0, 1, 2, 3, None], [45, 20, 10, 10, 15])[0]
    if cmd is None:
        cmd = rng.randrange(4, 256)
        arg = rng.randbytes(rng.randrange(0, 64))
    elif cmd == aoe.CMD_ATA:
        op = rng.choice([0x20, 0x24, 0x30, 0x34, 0xEC, 0xE7, 0xEA, 0xE5, 0xB0, rng.randrange(256)])
        count = rng.choice([0, 1, 1, 2, 2, 3, 17, 255, rng.randrange(256)])
        lba = rng.choice([rng.randrange(peer.image.sectors + 10), rng.randrange(1 << 48), aoe.lba28(rng.randrange(4096))])
        aflags = rng.choice([0, EXT, RW, EXT | RW, rng.randrange(256)])
        dlen = rng.choice([0, 512 * count, 512, rng.randrange(0, peer.mtu - 22)])
        arg = aoe.ata_arg(op, lba, count & 0xFF, aflags, rng.randrange(256) if rng.random() < 0.2 else 0) + \
            rng.randbytes(max(0, min(dlen, peer.mtu - 22)))
    elif cmd == aoe.CMD_CONFIG:
        s = rng.randbytes(rng.randrange(0, 40))
        length = len(s) if rng.random() < 0.8 else rng.randrange(65536)
        arg = aoe.config_arg(rng.randrange(16), s, length, aoe=rng.randrange(16))
    elif cmd == aoe.CMD_MASK:
        n = rng.randrange(0, 5)
        dirs = [aoe.directive(rng.randrange(4), rng.randbytes(6)) for _ in range(n)]
        arg = aoe.mask_arg(rng.choice([0, 0, 2, rng.randrange(256)]), dirs,
                           n if rng.random() < 0.8 else rng.randrange(256))
    else:
        n = rng.randrange(0, 4)
        arg = aoe.reserve_arg(rng.choice([0, 0, 3, rng.randrange(256)]), [rng.randbytes(6) for _ in range(n)],
                              n if rng.random() < 0.8 else rng.randrange(256))
    raw = bytearray(aoe.header(dst, src, shelf, slot, cmd, tag, ver=ver, flags=flags) + arg)
    # Mutations: flipped bytes, truncation, trailing junk.
    if rng.random() < 0.3:
        for _ in range(rng.randrange(1, 4)):
            pos = rng.randrange(14, len(raw))
            raw[pos] = rng.randrange(256)
    if rng.random() < 0.1:
        raw = raw[:rng.randrange(14, len(raw) + 1)]
    elif rng.random() < 0.1:
        raw += rng.randbytes(rng.randrange(1, 100))
    raw = raw[:peer.mtu + 14]
    if len(raw) >= 24:
        raw[20:24] = tag.to_bytes(4, "big")        # tags stay unique
        raw[12:14] = b"\x88\xa2"
    # Keep the run recoverable: no MAC Mask edits (they could lock us out) and no
    # reserve set/force (they would turn later ATA into error 6).  Both have their own tests.
    if len(raw) > 25 and raw[19] == aoe.CMD_MASK and raw[25] == aoe.MCMD_EDIT:
        raw[25] = aoe.MCMD_READ
    if len(raw) > 24 and raw[19] == aoe.CMD_RESERVE and raw[24] in (aoe.RCMD_SET, aoe.RCMD_FORCE):
        raw[24] = aoe.RCMD_READ
    return bytes(raw)


@clause("6 a burst of 5000 random and mutated frames: every reply well-formed, none to a response, another shelf or a runt, one per request; afterwards the target answers correctly")
def test_random_burst(peer, note):
    rng = random.Random(20240601)
    frames = [_random_frame(peer, rng, i) for i in range(BURST)]
    sent = {}
    for f in frames:
        if len(f) >= 24:
            sent[int.from_bytes(f[20:24], "big")] = aoe.Frame(f)
    peer.wire.drain()
    drops_before = peer.wire.drops
    replies = []
    for i in range(0, BURST, 250):
        peer.wire.send(*frames[i:i + 250])
        peer.wire.sync()
        replies += peer.wire.recv(0.01)
    replies += peer.wire.recv(10, quiet=1.0)
    lost = peer.wire.drops - drops_before
    assert lost == 0, f"the capture dropped {lost} frames: the result is incomplete"
    problems, per_tag = [], {}
    for r in replies:
        req = sent.get(r.tag)
        if req is None:
            problems.append(f"reply with a tag never sent: {r.describe()}")
            continue
        per_tag[r.tag] = per_tag.get(r.tag, 0) + 1
        why = []
        if req.is_response:
            why.append("the request was a response (R set)")
        if req.shelf not in (peer.shelf, aoe.SHELF_ANY) or req.slot not in (peer.slot, aoe.SLOT_ANY):
            why.append(f"the request was for e{req.shelf}.{req.slot}")
        if req.dst not in (peer.target_mac, aoe.BROADCAST):
            why.append("the request was for another MAC")
        if not r.is_response:
            why.append("the reply lacks R")
        if (r.shelf, r.slot) != (peer.shelf, peer.slot):
            why.append(f"the reply claims e{r.shelf}.{r.slot}")
        if r.src != peer.target_mac or r.dst != req.src:
            why.append("the reply's MACs are wrong")
        if why:
            problems.append(f"tag {r.tag:#x}: {'; '.join(why)}: request {req.raw[:40].hex()} reply {r.describe()}")
    dup = [t for t, n in per_tag.items() if n > 1]
    if dup:
        problems.append(f"{len(dup)} requests answered more than once, e.g. tag {dup[0]:#x}")
    assert not problems, f"{len(problems)} bad replies among {len(replies)}:\n" + "\n".join(problems[:8])
    kinds = {}
    for r in replies:
        k = "AoE error" if r.is_error else {0: "ATA", 1: "config", 2: "mask", 3: "reserve"}.get(r.command, "?")
        kinds[k] = kinds.get(k, 0) + 1
    note(f"{len(replies)} replies to {BURST} frames ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))})")
    # Still correct afterwards: config, IDENTIFY, and data matching the image as it now is.
    reply_ok(peer.config(), peer, "Query Config after the burst")
    ata_ok(peer.identify(), peer, "IDENTIFY after the burst")
    for lba in (0, 17, 2047, peer.image.sectors - 1):
        a = ata_ok(peer.read(lba, 1), peer, f"READ EXT {lba} after the burst")
        assert a.data[:512] == peer.image.read(lba), f"sector {lba} differs from the image after the burst"
    data = random.Random(99).randbytes(1024)
    ata_ok(peer.write(3333, data), peer, "WRITE EXT after the burst")
    assert peer.image.read(3333, 2) == data
    a = ata_ok(peer.read(3333, 2), peer, "read back after the burst")
    assert a.data[:1024] == data
    m = reply_ok(peer.mask(aoe.MCMD_READ), peer, "MAC Mask read").mask()
    v = reply_ok(peer.reserve(aoe.RCMD_READ), peer, "Reserve read").reserve()
    assert m.count == 0 and v.count == 0, "mask or reserve list changed without an edit"
