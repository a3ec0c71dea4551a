"""§5 Reserve/Release: the reserve list, error 6, release, forced takeover."""
import random

import pytest

import aoe
from checks import aoe_error, ata_ok, clause, outcome, reply_ok, sent, spec_choice
from harness import OTHER_MAC, THIRD_MAC


def reserve(peer, rcmd, macs, src=None):
    r = peer.reserve(rcmd, macs, src=src)
    reply_ok(r, peer, f"Reserve/Release RCmd {rcmd}")
    return r.reserve()


def current(peer):
    r = reply_ok(peer.reserve(aoe.RCMD_READ), peer, "Reserve read")
    v = r.reserve()
    assert v.complete, r.describe()
    return v.macs


@clause("5.1 RCmd 0 read of an empty reserve list: NMacs 0")
def test_read_empty(peer):
    v = reply_ok(peer.reserve(aoe.RCMD_READ), peer, "Reserve read").reserve()
    assert (v.rcmd, v.count) == (aoe.RCMD_READ, 0), vars(v)


@clause("5.2 RCmd 1 set on an empty list: allowed; the reply carries the resulting list")
def test_set_when_empty(peer):
    v = reserve(peer, aoe.RCMD_SET, [peer.me, THIRD_MAC])
    assert v.rcmd == aoe.RCMD_SET and v.macs == [peer.me, THIRD_MAC], vars(v)
    assert current(peer) == [peer.me, THIRD_MAC]


@clause("5.2 / 1.1 reserved: {what} from an unlisted host gets E + error 6 (target is reserved)")
@pytest.mark.parametrize("what", ["READ EXT", "READ", "WRITE EXT", "FLUSH CACHE"])
def test_error_6(peer, what):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    data = random.Random(1).randbytes(512)
    fr = {"READ EXT": lambda: peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=aoe.AF_EXT, src=OTHER_MAC),
          "READ": lambda: peer.ata_frame(aoe.ATA_READ, aoe.lba28(0), 1, src=OTHER_MAC),
          "WRITE EXT": lambda: peer.ata_frame(aoe.ATA_WRITE_EXT, 50, 1, aflags=aoe.AF_EXT | aoe.AF_WRITE,
                                              data=data, src=OTHER_MAC),
          "FLUSH CACHE": lambda: peer.ata_frame(aoe.ATA_FLUSH, src=OTHER_MAC)}[what]()
    r = peer.ask(fr)
    aoe_error(r, aoe.ERR_RESERVED, f"{what} from {aoe.mac_str(OTHER_MAC)} while reserved; {sent(fr[0])}")
    assert (r.shelf, r.slot) == (peer.shelf, peer.slot) and r.dst == OTHER_MAC, r.describe()
    assert peer.image.read(50) == peer.image.expected(50), "a refused write changed the image"


@clause("5.2 reserved: the reserving host's ATA commands are served")
def test_holder_served(peer):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    a = ata_ok(peer.read(3, 1), peer, "READ EXT by the holder")
    assert a.data[:512] == peer.image.expected(3)
    ata_ok(peer.write(60, random.Random(2).randbytes(512)), peer, "WRITE EXT by the holder")


@clause("5.2 RCmd 1 set from a host not on a non-empty list: E + error 6, list unchanged")
def test_set_by_other_refused(peer):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    r = peer.reserve(aoe.RCMD_SET, [OTHER_MAC], src=OTHER_MAC)
    aoe_error(r, aoe.ERR_RESERVED, "set by an unlisted host")
    assert current(peer) == [peer.me]


@clause("5.2 RCmd 1 set from a listed host: allowed (the list may change hands)")
def test_set_by_holder(peer):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    v = reserve(peer, aoe.RCMD_SET, [peer.me, OTHER_MAC])
    assert v.macs == [peer.me, OTHER_MAC], vars(v)
    ata_ok(peer.read(0, 1, src=OTHER_MAC), peer, "READ EXT by the newly listed host")


@clause("5.2 RCmd 2 force set from an unlisted host breaks the reservation; the old holder then gets error 6")
def test_force_set(peer):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    v = reserve(peer, aoe.RCMD_FORCE, [OTHER_MAC], src=OTHER_MAC)
    assert v.macs == [OTHER_MAC], vars(v)
    aoe_error(peer.read(0, 1), aoe.ERR_RESERVED, "READ EXT by the former holder")
    ata_ok(peer.read(0, 1, src=OTHER_MAC), peer, "READ EXT by the new holder")


@clause("5.2 release (set with NMacs 0): the list empties and every host is served again")
def test_release(peer):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    v = reserve(peer, aoe.RCMD_SET, [])
    assert v.count == 0, vars(v)
    ata_ok(peer.read(0, 1, src=OTHER_MAC), peer, "READ EXT by another host after release")


@clause("5.2 forced release (force set with NMacs 0) from any host")
def test_force_release(peer):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    v = reserve(peer, aoe.RCMD_FORCE, [], src=OTHER_MAC)
    assert v.count == 0, vars(v)
    ata_ok(peer.read(0, 1, src=OTHER_MAC), peer, "READ EXT after a forced release")


@clause("5.1 unknown RCmd {rcmd}: E + error 2 (bad argument), list unchanged")
@pytest.mark.parametrize("rcmd", [3, 0x7F, 0xFF])
def test_unknown_rcmd(peer, rcmd):
    raw, tag = peer.reserve_frame(rcmd, [OTHER_MAC])
    aoe_error(peer.ask((raw, tag)), aoe.ERR_BAD_ARG, f"RCmd {rcmd}; {sent(raw)}")
    assert current(peer) == []


@spec_choice
@clause("5.2 / 6 NMacs larger than the MACs present (RCmd {rcmd}): E + error 2 or no reply; list unchanged")
@pytest.mark.parametrize("rcmd", [1, 2])
def test_nmacs_lies(peer, rcmd, choice):
    raw, _ = peer.reserve_frame(rcmd, [peer.me], count=3)
    replies = peer.replies_before_sentinel(raw)
    assert current(peer) == [], "a set claiming 3 MACs with 1 present changed the list"
    if replies:
        aoe_error(replies[0], aoe.ERR_BAD_ARG, "reserve with a lying NMacs")
    choice(outcome(replies[0] if replies else None))


@spec_choice
@clause("5.2 reserved: IDENTIFY from an unlisted host: served (vblade: capacity stays visible) or error 6")
def test_identify_while_reserved(peer, choice):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    r = peer.identify(src=OTHER_MAC)
    assert r is not None, "no reply"
    if r.is_error:
        aoe_error(r, aoe.ERR_RESERVED, "IDENTIFY while reserved")
    else:
        ata_ok(r, peer, "IDENTIFY while reserved")
    choice(outcome(r))


@spec_choice
@clause("5.2 reserved: Query Config and MAC Mask read from an unlisted host (vblade and ggaoed serve them)")
def test_config_while_reserved(peer, choice):
    reserve(peer, aoe.RCMD_SET, [peer.me])
    rc = peer.config(src=OTHER_MAC)
    rm = peer.mask(aoe.MCMD_READ, src=OTHER_MAC)
    for r in (rc, rm):
        assert r is None or not r.is_error or r.error == aoe.ERR_RESERVED, r.describe()
    choice(f"Query Config: {outcome(rc)}; MAC Mask read: {outcome(rm)}")


@spec_choice
@clause("6 Reserve/Release frame shorter than its 2-byte argument ({length} bytes): no reply or an error reply")
@pytest.mark.parametrize("length", [24, 25])
def test_reserve_short(peer, length, choice):
    raw, _ = peer.reserve_frame(aoe.RCMD_READ)
    replies = peer.replies_before_sentinel(raw[:length])
    if replies:
        assert replies[0].is_error, f"a {length}-byte Reserve frame answered without error: {replies[0].describe()}"
    choice(outcome(replies[0] if replies else None))
