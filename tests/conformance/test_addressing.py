"""§1.3 Addressing and broadcast: discovery, silence for other shelves and slots."""
import pytest

import aoe
from checks import clause, reply_ok, spec_choice


@clause("1.3 discovery by broadcast: dst ff:ff:ff:ff:ff:ff, shelf 0xFFFF, slot 0xFF -> reply from own address")
def test_discovery_broadcast(peer):
    r = peer.config(dst=aoe.BROADCAST, shelf=aoe.SHELF_ANY, slot=aoe.SLOT_ANY)
    reply_ok(r, peer, "broadcast Query Config")
    assert r.src == peer.target_mac and r.dst == peer.me, r.describe()


@clause("1.3 discovery by broadcast as Linux sends it: tag 0, AoE nibble 0, 8-byte argument all zero")
def test_discovery_linux_style(peer):
    raw = aoe.header(aoe.BROADCAST, peer.me, aoe.SHELF_ANY, aoe.SLOT_ANY, aoe.CMD_CONFIG, 0) + bytes(8)
    peer.send(raw)
    got = peer.collect([0])[0]
    assert got, "no reply to the Linux driver's discovery frame"
    r = reply_ok(got[0], peer, "Linux discovery")
    c = r.config()
    assert c.aoe == 1, f"reply AoE version nibble {c.aoe}"
    assert c.ccmd == aoe.CCMD_READ


@clause("1.3 discovery by address: unicast to the target MAC, exact shelf and slot -> reply")
def test_discovery_unicast(peer):
    reply_ok(peer.config(), peer, "unicast Query Config")


@clause("1.3 broadcast MAC with exact shelf and slot -> reply")
def test_broadcast_mac_exact_address(peer):
    reply_ok(peer.config(dst=aoe.BROADCAST), peer, "Query Config to ff:ff:ff:ff:ff:ff, exact address")


@clause("1.3 ATA by broadcast (shelf 0xFFFF, slot 0xFF): answered from the target's own address")
def test_ata_broadcast_address(peer):
    r = peer.read(7, 1, dst=aoe.BROADCAST, shelf=aoe.SHELF_ANY, slot=aoe.SLOT_ANY)
    reply_ok(r, peer, "READ EXT to the broadcast address")
    assert r.ata().data[:512] == peer.image.expected(7)


@spec_choice
@clause("1.3 wildcards independently: exact shelf + slot 0xFF, and shelf 0xFFFF + exact slot")
def test_mixed_wildcards(peer, choice):
    a = peer.replies_before_sentinel(peer.config_frame(slot=aoe.SLOT_ANY)[0])
    b = peer.replies_before_sentinel(peer.config_frame(shelf=aoe.SHELF_ANY)[0])
    for replies in (a, b):
        for r in replies:
            assert (r.shelf, r.slot) == (peer.shelf, peer.slot), f"reply not from own address: {r.describe()}"
    if a and b:
        choice("each wildcard on its own matches (VB aoe.c, GG, kvblade)")
    elif not a and not b:
        choice("only both wildcards together match (qaoed)")
    else:
        choice(f"shelf-wildcard {'answered' if b else 'ignored'}, slot-wildcard {'answered' if a else 'ignored'}")


OTHER_ADDRESSES = [
    ("shelf + 1", 0x1235, 0x56), ("shelf - 1", 0x1233, 0x56), ("shelf byte-swapped (0x3412)", 0x3412, 0x56),
    ("shelf low byte only (0x0034)", 0x0034, 0x56), ("shelf 0", 0, 0x56), ("slot + 1", 0x1234, 0x57),
    ("slot - 1", 0x1234, 0x55), ("slot 0", 0x1234, 0), ("slot 0xFE", 0x1234, 0xFE),
    ("other shelf, slot 0xFF", 0x1235, 0xFF), ("shelf 0xFFFF, other slot", 0xFFFF, 0x57),
    ("shelf 0xFFFE, slot 0xFE", 0xFFFE, 0xFE),
]


@clause("1.3 silence for other shelves and slots: {what} (Query Config and READ EXT)")
@pytest.mark.parametrize("what,shelf,slot", OTHER_ADDRESSES, ids=[o[0] for o in OTHER_ADDRESSES])
def test_other_address_silent(peer, what, shelf, slot):
    for dst in (peer.target_mac, aoe.BROADCAST):
        peer.expect_silence(peer.config_frame(dst=dst, shelf=shelf, slot=slot)[0],
                            what=f"Query Config to e{shelf}.{slot} ({what})")
        peer.expect_silence(peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=aoe.AF_EXT, dst=dst,
                                           shelf=shelf, slot=slot)[0],
                            what=f"READ EXT to e{shelf}.{slot} ({what})")


@clause("1.3 a frame unicast to another host's MAC (right shelf and slot) is not for us: no reply")
def test_other_destination_mac_silent(peer):
    other = aoe.mac("02:00:5e:c0:aa:01")
    peer.expect_silence(peer.config_frame(dst=other)[0], what="Query Config to another MAC")
    peer.expect_silence(peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=aoe.AF_EXT, dst=other)[0],
                        what="READ EXT to another MAC")


@clause("1.3 the reply carries the target's own shelf and slot when the request used wildcards ({which})")
@pytest.mark.parametrize("which", ["Query Config", "READ EXT", "MAC Mask read", "Reserve read"])
def test_own_address_in_reply(peer, which):
    kw = dict(dst=aoe.BROADCAST, shelf=aoe.SHELF_ANY, slot=aoe.SLOT_ANY)
    fr = {"Query Config": lambda: peer.config_frame(**kw),
          "READ EXT": lambda: peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=aoe.AF_EXT, **kw),
          "MAC Mask read": lambda: peer.mask_frame(aoe.MCMD_READ, **kw),
          "Reserve read": lambda: peer.reserve_frame(aoe.RCMD_READ, **kw)}[which]()
    r = reply_ok(peer.ask(fr), peer, f"broadcast {which}")
    assert r.src == peer.target_mac


@clause("3.3 Query Config replies identify the target: unicast ones come from the MAC a broadcast reply came from")
def test_mac_learned_from_config(peer):
    r = reply_ok(peer.config(dst=aoe.BROADCAST, shelf=aoe.SHELF_ANY, slot=aoe.SLOT_ANY), peer, "discovery")
    learned = r.src
    r2 = peer.read(0, 1, dst=learned)
    reply_ok(r2, peer, "READ EXT to the learned MAC")
    assert r2.src == learned


@spec_choice
@clause("3.3 announce at start: an unsolicited Query Config reply (R, CCmd 0, own address) or none")
def test_announce(peer, choice):
    ann = [f for f in peer.startup_frames if f.command == aoe.CMD_CONFIG and f.is_response]
    if not ann:
        choice("no announce seen")
        return
    a = ann[0]
    assert (a.shelf, a.slot) == (peer.shelf, peer.slot), a.describe()
    assert a.src == peer.target_mac, a.describe()
    assert not a.is_error and a.ver == 1, a.describe()
    c = a.config()
    assert c.ccmd == aoe.CCMD_READ and c.aoe == 1 and c.bufcnt >= 2, a.describe()
    choice(f"announced to {'broadcast' if a.dst == aoe.BROADCAST else aoe.mac_str(a.dst)}, tag {a.tag:#x}")
