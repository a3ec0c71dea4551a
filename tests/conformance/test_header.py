"""§1 Frame and header, §1.2 command codes, §1.4 tag, §6 frames a target must not answer."""
import pytest

import aoe
from checks import aoe_error, clause, outcome, reply_ok, sent, spec_choice


@clause("1 reply header: EtherType 0x88A2, Ver 1, flags R only, error 0")
def test_reply_header_fields(peer):
    r = reply_ok(peer.config(), peer, "Query Config read")
    assert r.ethertype == aoe.ETHERTYPE, f"reply EtherType {r.ethertype:#06x}"
    assert r.ver == 1, f"reply version {r.ver}"
    assert r.flags == aoe.F_RESPONSE, f"reply flags {r.flags:#x} (expected R only)"
    assert r.error == 0, f"error byte {r.error} in a successful reply"


@clause("1 reply addresses: to the requester's source MAC, from the target's interface MAC")
def test_reply_macs(peer):
    r = reply_ok(peer.config(), peer, "Query Config read")
    assert r.dst == peer.me, f"reply sent to {aoe.mac_str(r.dst)}, requester is {aoe.mac_str(peer.me)}"
    assert r.src == peer.target_mac, \
        f"reply from {aoe.mac_str(r.src)}, target interface is {aoe.mac_str(peer.target_mac)}"


@clause("1 Ethernet minimum: every reply is at least 60 bytes (short replies padded)")
def test_reply_min_length(peer):
    short = []
    for what, fr in (("Query Config read", peer.config_frame()),
                     ("MAC Mask read", peer.mask_frame(aoe.MCMD_READ)),
                     ("Reserve read", peer.reserve_frame(aoe.RCMD_READ)),
                     ("unknown command 5", peer.frame(5)),
                     ("FLUSH CACHE", peer.ata_frame(aoe.ATA_FLUSH)),
                     ("WRITE EXT", peer.ata_frame(aoe.ATA_WRITE_EXT, 0, 1, aflags=aoe.AF_EXT | aoe.AF_WRITE,
                                                  data=peer.image.expected(0)))):
        r = peer.ask(fr)
        assert r is not None, f"no reply to {what}"
        if len(r) < aoe.ETH_MIN:
            short.append(f"{what}: {len(r)} bytes")
    assert not short, "replies shorter than 60 bytes: " + ", ".join(short)


@clause("1.4 tag {tag:#010x} echoed unchanged on a Query Config reply")
@pytest.mark.parametrize("tag", [0, 1, 0x0000FFFF, 0x12345678, 0x7FFFFFFF, 0x80000000, 0x80001234, 0xFFFFFFFF])
def test_tag_echo(peer, tag):
    raw, _ = peer.config_frame(tag=tag)
    peer.send(raw)
    got = peer.collect([tag])[tag]
    assert got, f"no reply with tag {tag:#010x}"


@clause("1.4 tag {tag:#010x} echoed unchanged on an ATA reply (READ EXT)")
@pytest.mark.parametrize("tag", [0x00000000, 0x80000001, 0xDEADBEEF])
def test_tag_echo_ata(peer, tag):
    raw, _ = peer.ata_frame(aoe.ATA_READ_EXT, 1, 1, aflags=aoe.AF_EXT, tag=tag)
    peer.send(raw)
    got = peer.collect([tag])[tag]
    assert got, f"no reply with tag {tag:#010x}"
    assert got[0].ata().data[:512] == peer.image.expected(1)


@clause("1.4 duplicated tags: two requests sharing a tag are both answered, each with its own data")
def test_duplicate_tags(peer):
    tag = peer.new_tag()
    a, _ = peer.ata_frame(aoe.ATA_READ_EXT, 10, 1, aflags=aoe.AF_EXT, tag=tag)
    b, _ = peer.ata_frame(aoe.ATA_READ_EXT, 20, 1, aflags=aoe.AF_EXT, tag=tag)
    peer.send(a, b)
    got = peer.collect([tag], want={tag: 2})[tag]
    assert len(got) == 2, f"{len(got)} replies to two requests sharing tag {tag:#x}"
    datas = sorted(g.ata().data[:512] for g in got)
    assert datas == sorted([peer.image.expected(10), peer.image.expected(20)]), \
        "the two replies do not carry sectors 10 and 20"


@clause("8.9 retransmission: the same request sent twice gets two identical replies")
def test_retransmission_answered_twice(peer):
    raw, tag = peer.ata_frame(aoe.ATA_READ_EXT, 5, 1, aflags=aoe.AF_EXT)
    peer.send(raw, raw)
    got = peer.collect([tag], want={tag: 2})[tag]
    assert len(got) == 2, f"{len(got)} replies to a request sent twice"
    assert got[0].raw == got[1].raw


# ---- §1.2 command codes --------------------------------------------------

@clause("1.2 unknown command {cmd}: E + error 1 (unrecognized command code), own address, tag echoed")
@pytest.mark.parametrize("cmd", [4, 5, 16, 0x7F, 0xEF])
def test_unknown_command(peer, cmd):
    raw, tag = peer.frame(cmd, bytes(12))
    r = peer.ask((raw, tag))
    aoe_error(r, aoe.ERR_BAD_COMMAND, f"command {cmd}; {sent(raw)}")
    assert (r.shelf, r.slot, r.command) == (peer.shelf, peer.slot, cmd), r.describe()


@spec_choice
@clause("1.2 vendor command {cmd:#04x} (240-255 are vendor specific): E + error 1, or no reply")
@pytest.mark.parametrize("cmd", [0xF0, 0xFF])
def test_vendor_command(peer, cmd, choice):
    replies = peer.replies_before_sentinel(peer.frame(cmd, bytes(12))[0])
    if not replies:
        choice("no reply")
        return
    aoe_error(replies[0], aoe.ERR_BAD_COMMAND, f"vendor command {cmd:#x}")
    choice("E + error 1")


# ---- §6 frames a target must not answer ---------------------------------

@clause("6 EtherType {etype:#06x} (not 0x88A2) with an AoE body: no reply")
@pytest.mark.parametrize("etype", [0x88A3, 0xA288, 0x0800])
def test_other_ethertype(peer, etype):
    raw, _ = peer.config_frame(ethertype=etype)
    peer.expect_silence(raw, what=f"EtherType {etype:#06x}")


RESPONSE_CASES = [
    ("Query Config", aoe.F_RESPONSE, aoe.CMD_CONFIG),
    ("Query Config with R+E", aoe.F_RESPONSE | aoe.F_ERROR, aoe.CMD_CONFIG),
    ("ATA READ EXT", aoe.F_RESPONSE, aoe.CMD_ATA),
    ("MAC Mask read", aoe.F_RESPONSE, aoe.CMD_MASK),
    ("Reserve read", aoe.F_RESPONSE, aoe.CMD_RESERVE),
    ("unknown command 9", aoe.F_RESPONSE, 9),
]


@clause("6 a response (R set: {what}) is never answered, unicast or broadcast")
@pytest.mark.parametrize("what,flags,cmd", RESPONSE_CASES, ids=[c[0] for c in RESPONSE_CASES])
def test_response_not_answered(peer, what, flags, cmd):
    args = {aoe.CMD_CONFIG: aoe.config_arg(0),
            aoe.CMD_ATA: aoe.ata_arg(aoe.ATA_READ_EXT, 0, 1, aoe.AF_EXT),
            aoe.CMD_MASK: aoe.mask_arg(0), aoe.CMD_RESERVE: aoe.reserve_arg(0)}
    raw, _ = peer.frame(cmd, args.get(cmd, bytes(8)), flags=flags)
    peer.expect_silence(raw, what=f"a response ({what})")
    raw, _ = peer.frame(cmd, args.get(cmd, bytes(8)), flags=flags, dst=aoe.BROADCAST,
                        shelf=aoe.SHELF_ANY, slot=aoe.SLOT_ANY)
    peer.expect_silence(raw, what=f"a broadcast response ({what})")


@clause("6 frame shorter than the AoE header ({length} bytes): no reply")
@pytest.mark.parametrize("length", [14, 15, 19, 20, 23])
def test_shorter_than_header(peer, length):
    raw, _ = peer.config_frame()
    peer.expect_silence(raw[:length], what=f"a {length}-byte frame")


@spec_choice
@clause("6 Ver {ver} request: E + error 5 (unsupported version) with Ver 1, or no reply")
@pytest.mark.parametrize("ver", [0, 2, 15])
def test_bad_version(peer, ver, choice):
    raw, tag = peer.config_frame(ver=ver)
    replies = peer.replies_before_sentinel(raw)
    if not replies:
        choice("no reply")
        return
    r = replies[0]
    assert r.is_error and r.error == aoe.ERR_BAD_VERSION, \
        f"Ver {ver} request answered with {outcome(r)} and reply Ver {r.ver}: neither error 5 nor silence"
    assert r.ver == 1, f"error-5 reply carries Ver {r.ver}, not 1"
    choice("E + error 5, Ver 1")


@spec_choice
@clause("1 E flag set in a request: processed or dropped, never reflected into the reply")
def test_error_flag_in_request(peer, choice):
    raw, tag = peer.config_frame(flags=aoe.F_ERROR)
    replies = peer.replies_before_sentinel(raw)
    if not replies:
        choice("dropped")
        return
    r = replies[0]
    assert r.is_response and not r.is_error, \
        f"the reply to a request with E set has flags {r.flags:#x}, error {r.error}: E reflected"
    choice("processed normally")


@spec_choice
@clause("1 MBZ flag bits {bits:#x} set in a request: processed or dropped; the reply keeps them zero")
@pytest.mark.parametrize("bits", [0x01, 0x02, 0x03])
def test_mbz_flags_in_request(peer, bits, choice):
    raw, tag = peer.config_frame(flags=bits)
    replies = peer.replies_before_sentinel(raw)
    if not replies:
        choice("dropped")
        return
    r = replies[0]
    assert r.is_response, f"reply lacks R: {r.describe()}"
    assert r.flags & aoe.F_MBZ == 0, f"reply flags {r.flags:#x}: reserved bits sent non-zero"
    choice("processed, reply flags clean")


@clause("1.1 error 3 (device unavailable) is never sent by a healthy target")
def test_no_error_3_when_healthy(peer):
    for fr in (peer.config_frame(), peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=aoe.AF_EXT),
               peer.ata_frame(aoe.ATA_WRITE_EXT, 0, 1, aflags=aoe.AF_EXT | aoe.AF_WRITE,
                              data=peer.image.expected(0)),
               peer.ata_frame(aoe.ATA_IDENTIFY, 0, 1)):
        r = peer.ask(fr)
        assert r is not None, "no reply"
        assert not (r.is_error and r.error == aoe.ERR_DEVICE_UNAVAILABLE), r.describe()


# ---- trailing padding ------------------------------------------------------

PAD_CASES = ["Query Config read", "MAC Mask read", "Reserve read", "READ EXT"]


@clause("1 trailing padding: {what} padded to 60 bytes with {fill} is answered normally")
@pytest.mark.parametrize("fill", ["zeros", "garbage"])
@pytest.mark.parametrize("what", PAD_CASES)
def test_trailing_padding(peer, what, fill):
    raw, tag = {"Query Config read": lambda: peer.config_frame(),
                "MAC Mask read": lambda: peer.mask_frame(aoe.MCMD_READ),
                "Reserve read": lambda: peer.reserve_frame(aoe.RCMD_READ),
                "READ EXT": lambda: peer.ata_frame(aoe.ATA_READ_EXT, 3, 1, aflags=aoe.AF_EXT)}[what]()
    pad = 60 - len(raw)
    raw += bytes(pad) if fill == "zeros" else bytes((0xA5 + i * 7) & 0xFF for i in range(pad))
    r = reply_ok(peer.ask((raw, tag)), peer, f"{what} padded with {fill}")
    if what == "Query Config read":
        assert r.config().length == 0 and r.config().string == b"", r.describe()
    elif what == "MAC Mask read":
        assert r.mask().merror == 0 and r.mask().count == 0, r.describe()
    elif what == "Reserve read":
        assert r.reserve().count == 0, r.describe()
    else:
        assert r.ata().data[:512] == peer.image.expected(3), "wrong sector data"
