"""§2 Issue ATA Command: every opcode, LBA28 and LBA48, boundaries, every sector count,
IDENTIFY words, status and error bits, writes and what lands in the image."""
import random

import pytest

import aoe
from checks import aoe_error, ata_failed, ata_ok, clause, outcome, sent, spec_choice, target

RW = aoe.AF_WRITE
EXT = aoe.AF_EXT


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


def identify_page(peer):
    r = peer.identify()
    a = ata_ok(r, peer, "IDENTIFY DEVICE")
    assert len(a.data) >= 512, f"IDENTIFY reply carries {len(a.data)} data bytes"
    return aoe.Identify(a.data)


def write_checked(peer, lba, data, ext=True, what=None, **kw):
    """Write, expect success, and check the image file itself: the data at LBA and
    its neighbours untouched."""
    count = len(data) // aoe.SECTOR
    what = what or f"{'WRITE EXT' if ext else 'WRITE'} of {count} sectors at {lba}"
    r = peer.write(lba, data, ext=ext, **kw)
    ata_ok(r, peer, what)
    on_disk = peer.image.read(lba, count)
    assert on_disk == data, f"{what}: the image does not hold the data written"
    if lba > 0:
        assert peer.image.read(lba - 1) == peer.image.expected(lba - 1), f"{what}: sector {lba - 1} changed"
    if lba + count < peer.image.sectors:
        assert peer.image.read(lba + count) == peer.image.expected(lba + count), \
            f"{what}: sector {lba + count} changed"
    return r


def read_checked(peer, lba, count, ext=True, what=None, **kw):
    what = what or f"{'READ EXT' if ext else 'READ'} of {count} sectors at {lba}"
    r = peer.read(lba, count, ext=ext, **kw)
    a = ata_ok(r, peer, what)
    assert len(a.data) >= count * aoe.SECTOR, \
        f"{what}: {len(a.data)} data bytes, {count * aoe.SECTOR} needed (§8.7)"
    got = a.data[:count * aoe.SECTOR]
    want = peer.image.expected(lba, count)
    if got != want:
        for i in range(count):
            g, w = got[i * 512:(i + 1) * 512], want[i * 512:(i + 1) * 512]
            if g != w:
                seen = int.from_bytes(g[:8], "little") if g[8:16] == b"aoekitCT" else None
                raise AssertionError(f"{what}: sector {lba + i} wrong" +
                                     (f" (it holds sector {seen})" if seen is not None else ""))
    return r


# ---------------------------------------------------------------------------
# Every opcode.

def _opcode_id(op):
    return f"{op:#04x}" + (f"-{aoe.ATA_NAMES[op].replace(' ', '_')}" if op in aoe.ATA_NAMES else "")


@clause("2.2 ATA opcode {opcode:#04x}: known opcodes do their job, unknown ones get ATA abort (ERR, ABRT)")
@pytest.mark.parametrize("opcode", range(256), ids=_opcode_id)
def test_opcode(peer, opcode):
    name = aoe.ATA_NAMES.get(opcode, "unknown")
    what = f"opcode {opcode:#04x} ({name})"
    if opcode in (aoe.ATA_READ, aoe.ATA_READ_EXT):
        ext = opcode == aoe.ATA_READ_EXT
        read_checked(peer, 9, 1, ext=ext, what=what)
    elif opcode in (aoe.ATA_WRITE, aoe.ATA_WRITE_EXT):
        data = rnd(512, opcode)
        write_checked(peer, 9, data, ext=opcode == aoe.ATA_WRITE_EXT, what=what)
    elif opcode == aoe.ATA_IDENTIFY:
        identify_page(peer)
    elif opcode == aoe.ATA_FLUSH:
        ata_ok(peer.ata(opcode), peer, what)
    elif opcode == aoe.ATA_FLUSH_EXT:
        page = identify_page(peer)
        r = peer.ata(opcode, aflags=EXT)
        if page.bit(83, 13):
            ata_ok(r, peer, what + " (IDENTIFY word 83 bit 13 advertises it)")
        else:
            ata_failed(r, peer, what + " (not advertised in IDENTIFY word 83 bit 13)", aoe.ER_ABRT)
    elif opcode == aoe.ATA_CHECK_POWER:
        a = ata_ok(peer.ata(opcode), peer, what)
        assert a.count in (0x00, 0x40, 0x41, 0x80, 0xFF), f"{what}: power mode {a.count:#04x} is not an ATA value"
    elif opcode == aoe.ATA_SMART:
        page = identify_page(peer)
        r = peer.ata(opcode, lba=0xC24F00, count=1, feature=0xDA)      # SMART RETURN STATUS
        if page.bit(82, 0):
            ata_ok(r, peer, what + " (SMART advertised)")
        else:
            ata_failed(r, peer, what + " (IDENTIFY word 82 bit 0 clear: SMART not supported)", aoe.ER_ABRT)
    else:
        raw, tag = peer.ata_frame(opcode, 0, 1)
        r = peer.ask((raw, tag))
        a = ata_failed(r, peer, f"{what}; {sent(raw)}", aoe.ER_ABRT)
        assert (r.shelf, r.slot) == (peer.shelf, peer.slot)
        assert a.status & aoe.ST_DRDY, f"{what}: abort status {a.status:#04x} lacks DRDY"
    peer.alive_check()


# ---------------------------------------------------------------------------
# Reply layout and status bits.

@clause("2.1 ATA reply layout: AFlags echoed, reserved bytes 34-35 zero, Linux status mask 0xA9 clear, error register 0")
def test_reply_layout(peer):
    for aflags in (EXT, EXT | aoe.AF_DEV):
        r = peer.read(2, 1, aflags=aflags)
        a = ata_ok(r, peer, f"READ EXT with AFlags {aflags:#04x}")
        assert a.aflags == aflags, f"AFlags {a.aflags:#04x} in reply, {aflags:#04x} sent"
        assert a.reserved == 0, f"reserved bytes 34-35 = {a.reserved:#06x}"
        assert a.error == 0, f"error register {a.error:#04x} on success"


@clause("2.2 status and error bits of a range error: status ERR+DRDY, error IDNF, no BSY/DRQ/DF, as ATA status not an AoE error (8.8)")
def test_range_error_bits(peer):
    r = peer.read(peer.image.sectors, 1)
    a = ata_failed(r, peer, "READ EXT one past the end", aoe.ER_IDNF)
    assert a.status & aoe.ST_DRDY, f"status {a.status:#04x} lacks DRDY"


# ---------------------------------------------------------------------------
# LBA28 and LBA48.

@clause("2.1 LBA28 READ (0x20) as Linux sends it: device register 0xE0 in lba3's high nibble")
def test_lba28_linux_device_nibble(peer):
    read_checked(peer, 0x0A0B, 1, ext=False)


@clause("2.1 LBA28 READ with device nibble {dev:#04x} in lba3: the nibble is not part of the address")
@pytest.mark.parametrize("dev", [0x00, 0x40, 0xA0, 0xF0])
def test_lba28_device_nibble_ignored(peer, dev):
    r = peer.ata(aoe.ATA_READ, aoe.lba28(0x0123, dev), 1)
    a = ata_ok(r, peer, f"READ with lba3 high nibble {dev >> 4:#x}")
    assert a.data[:512] == peer.image.expected(0x0123)


@clause("2.1 LBA byte order: six LBA bytes little-endian (sector 0x0C0B read by READ EXT)")
def test_lba_little_endian(peer):
    read_checked(peer, 0x0C0B, 1)


@clause("2.1 LBA48 uses all six bytes: LBA {lba:#x} is out of range (IDNF), not truncated to a small LBA")
@pytest.mark.parametrize("lba", [(1 << 32) + 5, (1 << 40) + 5, (1 << 47) + 5, (1 << 24) + 5])
def test_lba48_high_bytes(peer, lba):
    r = peer.read(lba, 1)
    ata_failed(r, peer, f"READ EXT at {lba:#x} (image has {peer.image.sectors} sectors)", aoe.ER_IDNF)


@spec_choice
@clause("2.1 LBA28 READ with junk in lba4-lba5: masked to 28 bits (vblade) or rejected")
def test_lba28_high_bytes(peer, choice):
    r = peer.ata(aoe.ATA_READ, aoe.lba28(0x0123) | (0xABCD << 32), 1)
    assert r is not None, "no reply"
    if not r.is_error and not r.ata().status & aoe.ST_ERR:
        assert r.ata().data[:512] == peer.image.expected(0x0123), "a masked read returned the wrong sector"
    choice(outcome(r))


@spec_choice
@clause("2.1 READ EXT (0x24) without the E flag: served as LBA48 (decided by opcode) or rejected")
def test_read_ext_without_e_flag(peer, choice):
    r = peer.ata(aoe.ATA_READ_EXT, 0x0777, 1, aflags=0)
    assert r is not None, "no reply"
    if not r.is_error and not r.ata().status & aoe.ST_ERR:
        assert r.ata().data[:512] == peer.image.expected(0x0777), "wrong sector"
    choice(outcome(r))


@spec_choice
@clause("2.1 READ (0x20) with the E flag: served (by opcode) or rejected")
def test_read28_with_e_flag(peer, choice):
    r = peer.ata(aoe.ATA_READ, aoe.lba28(0x0777), 1, aflags=EXT)
    assert r is not None, "no reply"
    if not r.is_error and not r.ata().status & aoe.ST_ERR:
        assert r.ata().data[:512] == peer.image.expected(0x0777), "wrong sector"
    choice(outcome(r))


@spec_choice
@clause("2.1 reserved bytes 34-35 non-zero in a request: ignored (vblade) or E + error 2")
def test_reserved_bytes_nonzero(peer, choice):
    r = peer.ata(aoe.ATA_READ_EXT, 3, 1, aflags=EXT, reserved=0xBEEF)
    assert r is not None, "no reply"
    if r.is_error:
        aoe_error(r, aoe.ERR_BAD_ARG, "READ EXT with reserved bytes set")
    else:
        assert r.ata().data[:512] == peer.image.expected(3)
    choice(outcome(r))


# ---------------------------------------------------------------------------
# First, last, one past the end (small image: LBA28 and LBA48 both reach it).

@clause("2.1 first sector (LBA 0): {op} reads it")
@pytest.mark.parametrize("op", ["READ", "READ EXT"])
def test_first_sector_read(peer, op):
    read_checked(peer, 0, 1, ext=op == "READ EXT")


@clause("2.1 last sector: {op} reads it")
@pytest.mark.parametrize("op", ["READ", "READ EXT"])
def test_last_sector_read(peer, op):
    read_checked(peer, peer.image.sectors - 1, 1, ext=op == "READ EXT")


@clause("2.1 first and last sector: {op} writes land exactly there")
@pytest.mark.parametrize("op", ["WRITE", "WRITE EXT"])
def test_first_last_sector_write(peer, op):
    ext = op == "WRITE EXT"
    write_checked(peer, 0, rnd(512, 1), ext=ext)
    write_checked(peer, peer.image.sectors - 1, rnd(512, 2), ext=ext)


@clause("2.2 / 8.8 one past the end: {op} at LBA = capacity gets ATA IDNF (ERR), not data, not an AoE error")
@pytest.mark.parametrize("op", ["READ", "READ EXT"])
def test_one_past_end_read(peer, op):
    ext = op == "READ EXT"
    r = peer.read(peer.image.sectors, 1, ext=ext)
    ata_failed(r, peer, f"{op} at LBA {peer.image.sectors} (capacity)", aoe.ER_IDNF)


@clause("2.2 a read that starts on the last sector and runs past the end ({op}, 2 sectors): IDNF")
@pytest.mark.parametrize("op", ["READ", "READ EXT"])
def test_read_across_end(peer, op):
    r = peer.read(peer.image.sectors - 1, 2, ext=op == "READ EXT")
    ata_failed(r, peer, f"{op} of 2 sectors at the last sector", aoe.ER_IDNF)


@clause("2.2 one past the end: {op} gets IDNF, and the image is neither changed nor extended")
@pytest.mark.parametrize("op", ["WRITE", "WRITE EXT"])
def test_one_past_end_write(peer, op):
    size = peer.image.size()
    last = peer.image.read(peer.image.sectors - 1)
    r = peer.write(peer.image.sectors, rnd(512, 3), ext=op == "WRITE EXT")
    ata_failed(r, peer, f"{op} at LBA = capacity", aoe.ER_IDNF)
    assert peer.image.size() == size, f"the image grew from {size} to {peer.image.size()} bytes"
    assert peer.image.read(peer.image.sectors - 1) == last


@clause("2.2 a write across the end (last sector, 2 sectors): IDNF and the last sector unchanged")
def test_write_across_end(peer):
    last = peer.image.read(peer.image.sectors - 1)
    r = peer.write(peer.image.sectors - 1, rnd(1024, 4))
    ata_failed(r, peer, "WRITE EXT of 2 sectors at the last sector", aoe.ER_IDNF)
    assert peer.image.read(peer.image.sectors - 1) == last, "the last sector was written"
    assert peer.image.size() == peer.image.sectors * 512


# ---------------------------------------------------------------------------
# Beyond LBA28: a sparse image of 2^28 + 4099 sectors.

@target(image="big")
@clause("2.1 LBA28 reaches its last address 0x0FFFFFFF (READ 0x20, lba3 = 0xEF)")
def test_big_lba28_last(peer):
    read_checked(peer, aoe.LBA28_MAX, 1, ext=False)


@target(image="big")
@clause("2.1 LBA48 beyond 28 bits: READ EXT at 2^28, 2^28 + 63 and the last sector")
def test_big_lba48_reads(peer):
    for lba in (1 << 28, (1 << 28) + 63, peer.image.sectors - 1):
        read_checked(peer, lba, 1)


@target(image="big")
@clause("2.1 LBA48 beyond 28 bits: WRITE EXT at 2^28 lands at byte offset 2^28 x 512")
def test_big_lba48_write(peer):
    write_checked(peer, (1 << 28) + 1, rnd(1024, 5))


@target(image="big")
@clause("2.2 LBA48 one past the end of a > 2^28-sector image: IDNF")
def test_big_one_past_end(peer):
    ata_failed(peer.read(peer.image.sectors, 1), peer, "READ EXT at capacity", aoe.ER_IDNF)


@target(image="big")
@clause("2.3 IDENTIFY of a > 2^28-sector disk: words 60-61 = 0x0FFFFFFF, words 100-103 = capacity, LBA48 bit set")
def test_big_identify(peer):
    page = identify_page(peer)
    assert page.lba28_sectors == aoe.LBA28_MAX, f"words 60-61 = {page.lba28_sectors:#x}"
    assert page.lba48_sectors == peer.image.sectors, f"words 100-103 = {page.lba48_sectors}"
    assert page.bit(83, 10) and page.bit(86, 10), "48-bit feature set not advertised (words 83/86 bit 10)"


# ---------------------------------------------------------------------------
# IDENTIFY DEVICE.

@clause("2.3 IDENTIFY: 512 data bytes, success status, sector count 1 consumed (8.4)")
def test_identify_basic(peer):
    r = peer.identify()
    a = ata_ok(r, peer, "IDENTIFY")
    assert len(a.data) >= 512, f"{len(a.data)} data bytes"


@clause("2.3 IDENTIFY as Linux sends it: AFlags 0, count 1, lba3 0xA0, tag bit 31 clear")
def test_identify_linux_style(peer):
    raw, tag = peer.ata_frame(aoe.ATA_IDENTIFY, 0xA0 << 24, 1, tag=0x00012345)
    r = peer.ask((raw, tag))
    ata_ok(r, peer, "Linux-style IDENTIFY")


@clause("2.3 IDENTIFY capacity: words 60-61 = capacity (< 2^28), words 100-103 = capacity (WinAoE reads them always)")
def test_identify_capacity(peer):
    page = identify_page(peer)
    assert page.lba28_sectors == peer.image.sectors, f"words 60-61 = {page.lba28_sectors}, capacity {peer.image.sectors}"
    assert page.lba48_sectors == peer.image.sectors, f"words 100-103 = {page.lba48_sectors}"


@clause("2.3 IDENTIFY words: 0 bit 15 clear (ATA device), 49 bit 9 (LBA), 83 bits 14/15 = 1/0 (valid)")
def test_identify_words(peer):
    page = identify_page(peer)
    assert not page.bit(0, 15), f"word 0 = {page.words[0]:#06x}: not an ATA device"
    assert page.bit(49, 9), f"word 49 = {page.words[49]:#06x}: LBA not supported"
    assert page.bit(83, 14) and not page.bit(83, 15), f"word 83 = {page.words[83]:#06x} is not marked valid"


@clause("2.3 / 8.4 IDENTIFY LBA48: word 83 and word 86 bit 10 (Linux decides LBA48 from them)")
def test_identify_lba48_bits(peer):
    page = identify_page(peer)
    assert page.bit(83, 10) or page.bit(86, 10), \
        f"words 83/86 = {page.words[83]:#06x}/{page.words[86]:#06x}: no LBA48, and READ EXT is served"


@clause("2.3 IDENTIFY strings: serial (10-19), firmware (23-26), model (27-46) are printable ASCII")
def test_identify_strings(peer):
    page = identify_page(peer)
    for name, s in (("serial", page.serial), ("firmware", page.firmware), ("model", page.model)):
        assert all(0x20 <= c < 0x7F for c in s), f"{name} {s!r} has non-printable bytes"
    assert page.model.strip(), "empty model"


@clause("2.3 IDENTIFY word 83 bit 12 (FLUSH CACHE supported) is honest: FLUSH CACHE succeeds when advertised")
def test_identify_flush_honest(peer):
    page = identify_page(peer)
    r = peer.ata(aoe.ATA_FLUSH)
    if page.bit(83, 12):
        ata_ok(r, peer, "FLUSH CACHE (advertised)")
    else:
        assert r is not None


@spec_choice
@clause("2.3 IDENTIFY with sector count {count} (not 1): E + error 2, ATA abort, or the page")
@pytest.mark.parametrize("count", [0, 2])
def test_identify_count(peer, count, choice):
    r = peer.ata(aoe.ATA_IDENTIFY, 0, count)
    assert r is not None, "no reply"
    if r.is_error:
        aoe_error(r, aoe.ERR_BAD_ARG, f"IDENTIFY count {count}")
    choice(outcome(r))


# ---------------------------------------------------------------------------
# FLUSH CACHE and CHECK POWER MODE.

@clause("2.2 FLUSH CACHE (0xE7): success with status DRDY (ATA normal output), no BSY/DF/DRQ/ERR")
def test_flush(peer):
    ata_ok(peer.ata(aoe.ATA_FLUSH), peer, "FLUSH CACHE")


@clause("2.2 FLUSH CACHE after a write: success, the write is in the image")
def test_flush_after_write(peer):
    data = rnd(512, 6)
    ata_ok(peer.write(500, data), peer, "WRITE EXT")
    ata_ok(peer.ata(aoe.ATA_FLUSH), peer, "FLUSH CACHE")
    assert peer.image.read(500) == data


@clause("2.2 CHECK POWER MODE (0xE5) with sector count {count}: answered, count = a power mode, status DRDY")
@pytest.mark.parametrize("count", [0, 1, 0xFF])
def test_check_power_mode(peer, count):
    r = peer.ata(aoe.ATA_CHECK_POWER, 0, count)
    a = ata_ok(r, peer, f"CHECK POWER MODE with count {count}")
    assert a.count in (0x00, 0x40, 0x41, 0x80, 0xFF), f"power mode {a.count:#04x}"


# ---------------------------------------------------------------------------
# Writes.

@clause("2.1 WRITE (0x30, LBA28) round trip: the image holds it and READ returns it")
def test_write_lba28_roundtrip(peer):
    data = rnd(1024, 7)
    write_checked(peer, 0x0345, data, ext=False)
    r = peer.read(0x0345, 2, ext=False)
    assert ata_ok(r, peer, "READ").data[:1024] == data


@clause("2.1 WRITE EXT (0x34) round trip: the image holds it and READ EXT returns it")
def test_write_lba48_roundtrip(peer):
    data = rnd(1024, 8)
    write_checked(peer, 0x0456, data)
    r = peer.read(0x0456, 2)
    assert ata_ok(r, peer, "READ EXT").data[:1024] == data


@clause("2.1 AFlags A (asynchronous) on a write: acknowledged, and the data is in the image")
def test_write_async_flag(peer):
    write_checked(peer, 0x0567, rnd(512, 9), aflags=EXT | RW | aoe.AF_ASYNC)


@clause("2.1 write frame with extra bytes after count x 512: only count x 512 bytes are written")
def test_write_trailing_bytes(peer):
    data = rnd(512, 10)
    r = peer.ata(aoe.ATA_WRITE_EXT, 0x0678, 1, aflags=EXT | RW, data=data + b"\xee" * 300)
    ata_ok(r, peer, "WRITE EXT of 1 sector with 300 trailing bytes")
    assert peer.image.read(0x0678) == data
    assert peer.image.read(0x0679) == peer.image.expected(0x0679), "the bytes after the sector were written"


@clause("2.1 / 8.11 READ with trailing payload (Linux path probe: 1024 zero bytes appended): answered normally")
def test_read_with_trailing_payload(peer):
    r = peer.ata(aoe.ATA_READ_EXT, 0, 1, aflags=EXT, data=bytes(1024 if peer.mtu >= 1500 else 0))
    a = ata_ok(r, peer, "READ EXT of 1 sector carrying 1024 trailing bytes")
    assert a.data[:512] == peer.image.expected(0)


@spec_choice
@clause("2.1 / 6 WRITE whose frame holds less than count x 512 bytes: E + error 2 or ATA abort; image unchanged")
@pytest.mark.parametrize("have", [0, 511, 512])
def test_write_short_data(peer, have, choice):
    lba = 0x0789
    r = peer.ata(aoe.ATA_WRITE_EXT, lba, 2, aflags=EXT | RW, data=rnd(have, 11))
    assert r is not None, f"no reply to a 2-sector WRITE EXT carrying {have} bytes"
    assert peer.image.read(lba, 2) == peer.image.expected(lba, 2), "the image changed"
    if r.is_error:
        aoe_error(r, aoe.ERR_BAD_ARG, "short write")
    else:
        ata_failed(r, peer, "short write", aoe.ER_ABRT)
    choice(outcome(r))


@target(opts=["-r"])
@clause("2.2 write to a read-only export (-r): ATA abort (ERR, ABRT), image unchanged; reads still served")
def test_read_only_export(peer):
    r = peer.write(0x100, rnd(512, 12))
    ata_failed(r, peer, "WRITE EXT to a read-only export", aoe.ER_ABRT)
    assert peer.image.read(0x100) == peer.image.expected(0x100), "the read-only image changed"
    read_checked(peer, 0x100, 1)


@spec_choice
@clause("2.1 READ with sector count 0: success without data, or an error")
def test_read_count_zero(peer, choice):
    r = peer.ata(aoe.ATA_READ_EXT, 0, 0, aflags=EXT)
    assert r is not None, "no reply"
    choice(outcome(r))


# ---------------------------------------------------------------------------
# Every sector count from 1 to the maximum, at MTU 1500 and 9000.

COUNTS = [(1500, c) for c in range(1, aoe.max_sectors_for_mtu(1500) + 1)] + \
         [(9000, c) for c in range(1, aoe.max_sectors_for_mtu(9000) + 1)]


@clause("2.1 READ EXT of {count} sectors at MTU {mtu} (every count up to the advertised maximum)")
@pytest.mark.parametrize("mtu,count", COUNTS, ids=[f"mtu{m}-{c}" for m, c in COUNTS])
def test_read_count(peer, mtu, count):
    top = peer.max_sectors()
    if count > top:
        pytest.skip(f"the target advertises {top} sectors at MTU {mtu}")
    read_checked(peer, 100 + count, count)


@clause("2.1 WRITE EXT of {count} sectors at MTU {mtu} (every count up to the advertised maximum)")
@pytest.mark.parametrize("mtu,count", COUNTS, ids=[f"mtu{m}-{c}" for m, c in COUNTS])
def test_write_count(peer, mtu, count):
    top = peer.max_sectors()
    if count > top:
        pytest.skip(f"the target advertises {top} sectors at MTU {mtu}")
    data = rnd(count * 512, count)
    write_checked(peer, 1000 + 3 * count, data)
    r = peer.read(1000 + 3 * count, count)
    assert ata_ok(r, peer, "read back").data[:count * 512] == data


@spec_choice
@clause("2.1 / 6 count above the advertised maximum at MTU {mtu} ({which}): E + error 2 or ATA abort, never silence")
@pytest.mark.parametrize("which", ["max+1", "255"])
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_count_above_max(peer, mtu, which, choice):
    top = peer.max_sectors()
    count = top + 1 if which == "max+1" else 255
    r = peer.read(0, count)
    assert r is not None, f"no reply to READ EXT of {count} sectors (advertised {top}) at MTU {mtu}"
    if r.is_error:
        aoe_error(r, aoe.ERR_BAD_ARG, f"READ EXT of {count}")
    else:
        ata_failed(r, peer, f"READ EXT of {count}", aoe.ER_ABRT)
    choice(outcome(r))


@spec_choice
@clause("2.1 / 6 WRITE of max+1 sectors at MTU {mtu} (the frame carries what fits): an error, image unchanged")
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_write_above_max(peer, mtu, choice):
    count = peer.max_sectors() + 1
    fits = (mtu + 14 - aoe.ATA_HDR_LEN) // aoe.SECTOR
    data = rnd(min(count, fits) * aoe.SECTOR, 13)
    r = peer.ata(aoe.ATA_WRITE_EXT, 3000, count, aflags=EXT | RW, data=data)
    assert r is not None, f"no reply to WRITE EXT of {count} sectors carrying {len(data)} bytes"
    assert peer.image.read(3000, count) == peer.image.expected(3000, count), "the image changed"
    assert r.is_error or r.ata().status & aoe.ST_ERR, f"accepted: {r.describe()}"
    choice(outcome(r))


# ---------------------------------------------------------------------------
# Frames shorter than the ATA argument.

@spec_choice
@clause("6 ATA frame shorter than its 12-byte argument ({length} bytes): no reply or an error reply; target unharmed")
@pytest.mark.parametrize("length", [24, 27, 30, 35])
def test_ata_short(peer, length, choice):
    raw, _ = peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=EXT)
    replies = peer.replies_before_sentinel(raw[:length])
    if replies:
        r = replies[0]
        assert r.is_error or (len(r.arg) >= 12 and r.ata().status & aoe.ST_ERR), \
            f"a {length}-byte ATA request answered with success: {r.describe()}"
    choice(outcome(replies[0] if replies else None))
    peer.alive_check()
