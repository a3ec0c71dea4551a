"""§4 MAC Mask List: reading, edits in order, MError, and enforcement."""
import pytest

import aoe
from checks import aoe_error, clause, outcome, reply_ok, sent, spec_choice
from harness import OTHER_MAC, THIRD_MAC

ADD, DEL, NONE = aoe.DCMD_ADD, aoe.DCMD_DELETE, aoe.DCMD_NONE


def d(dcmd, m):
    return aoe.directive(dcmd, m)


def edit(peer, *dirs, src=None):
    r = peer.mask(aoe.MCMD_EDIT, list(dirs), src=src)
    reply_ok(r, peer, "MAC Mask edit")
    return r.mask()


def listed(peer, src=None):
    r = reply_ok(peer.mask(aoe.MCMD_READ, src=src), peer, "MAC Mask read")
    m = r.mask()
    assert m.merror == 0 and m.complete, r.describe()
    return m.macs


def served(peer, src):
    r = peer.config(src=src)
    return r is not None


@clause("4.1 MCmd 0 read of an empty list: MError 0, Dir Count 0")
def test_read_empty(peer):
    r = reply_ok(peer.mask(aoe.MCMD_READ), peer, "MAC Mask read")
    m = r.mask()
    assert (m.mcmd, m.merror, m.count) == (aoe.MCMD_READ, 0, 0), r.describe()


@clause("4.2 MCmd 1 edit, add: the reply carries the whole list as DCmd 0 directives, in order")
def test_add_reply_lists(peer):
    m = edit(peer, d(ADD, peer.me), d(ADD, OTHER_MAC))
    assert m.merror == 0 and m.mcmd == aoe.MCMD_EDIT, vars(m)
    assert m.count == 2 and m.complete, f"Dir Count {m.count}, {len(m.directives)} directives"
    assert m.macs == [peer.me, OTHER_MAC], [aoe.mac_str(x) for x in m.macs]
    assert all(res == 0 and dc == NONE for res, dc, _ in m.directives), m.directives
    assert m.reserved == 0, f"reserved byte 24 = {m.reserved:#04x} in the reply"
    assert listed(peer) == [peer.me, OTHER_MAC]


@clause("4.2 enforcement: a host not on a non-empty list gets no reply to {what}")
@pytest.mark.parametrize("what", ["unicast Query Config", "broadcast Query Config", "READ EXT",
                                  "IDENTIFY", "MAC Mask read", "Reserve read", "unknown command 7"])
def test_unlisted_host_ignored(peer, what):
    edit(peer, d(ADD, peer.me))
    bc = dict(dst=aoe.BROADCAST, shelf=aoe.SHELF_ANY, slot=aoe.SLOT_ANY)
    fr = {"unicast Query Config": lambda: peer.config_frame(src=OTHER_MAC),
          "broadcast Query Config": lambda: peer.config_frame(src=OTHER_MAC, **bc),
          "READ EXT": lambda: peer.ata_frame(aoe.ATA_READ_EXT, 0, 1, aflags=aoe.AF_EXT, src=OTHER_MAC),
          "IDENTIFY": lambda: peer.ata_frame(aoe.ATA_IDENTIFY, 0, 1, src=OTHER_MAC),
          "MAC Mask read": lambda: peer.mask_frame(aoe.MCMD_READ, src=OTHER_MAC),
          "Reserve read": lambda: peer.reserve_frame(aoe.RCMD_READ, src=OTHER_MAC),
          "unknown command 7": lambda: peer.frame(7, bytes(8), src=OTHER_MAC)}[what]()
    peer.expect_silence(fr[0], what=f"{what} from an unlisted MAC")
    reply_ok(peer.read(0, 1), peer, "READ EXT from the listed host")


@clause("4.2 enforcement: an unlisted host cannot edit the list (no reply, list unchanged)")
def test_unlisted_host_cannot_edit(peer):
    edit(peer, d(ADD, peer.me))
    peer.expect_silence(peer.mask_frame(aoe.MCMD_EDIT, [d(ADD, OTHER_MAC)], src=OTHER_MAC)[0],
                        what="MAC Mask edit from an unlisted MAC")
    assert listed(peer) == [peer.me]


@clause("4.2 enforcement: every listed host is served, the others not")
def test_listed_hosts_served(peer):
    edit(peer, d(ADD, peer.me), d(ADD, OTHER_MAC))
    assert served(peer, peer.me) and served(peer, OTHER_MAC), "a listed host was not served"
    peer.expect_silence(peer.config_frame(src=THIRD_MAC)[0], what="Query Config from an unlisted MAC")


@clause("4.2 delete the first of two MACs: it leaves the list, the other stays")
def test_delete_first(peer):
    edit(peer, d(ADD, peer.me), d(ADD, OTHER_MAC))
    r = peer.mask(aoe.MCMD_EDIT, [d(DEL, peer.me)])
    assert r is not None, "no reply to a MAC Mask edit deleting the first MAC of the list"
    m = r.mask()
    assert m.merror == 0 and m.macs == [OTHER_MAC], vars(m)
    assert listed(peer, src=OTHER_MAC) == [OTHER_MAC]


@clause("4.2 delete the second of two MACs: it leaves the list; deleting an absent MAC is not an error")
def test_delete(peer):
    edit(peer, d(ADD, peer.me), d(ADD, OTHER_MAC))
    m = edit(peer, d(DEL, OTHER_MAC))
    assert m.merror == 0 and m.macs == [peer.me], vars(m)
    m = edit(peer, d(DEL, THIRD_MAC))
    assert m.merror == 0 and m.macs == [peer.me], f"deleting an absent MAC: {vars(m)}"


@clause("4.2 adding a MAC already present ({which} of 3) is not an error and makes no duplicate")
@pytest.mark.parametrize("which", ["first", "last"])
def test_add_present(peer, which):
    edit(peer, d(ADD, peer.me), d(ADD, OTHER_MAC), d(ADD, THIRD_MAC))
    again = peer.me if which == "first" else THIRD_MAC
    m = edit(peer, d(ADD, again), d(ADD, again))
    assert m.merror == 0 and m.macs == [peer.me, OTHER_MAC, THIRD_MAC], \
        f"after adding {aoe.mac_str(again)} again the list is {[aoe.mac_str(x) for x in m.macs]}"


@clause("4.1 DCmd 0 (no directive) is skipped")
def test_dcmd_none(peer):
    m = edit(peer, d(NONE, OTHER_MAC), d(ADD, peer.me), d(NONE, THIRD_MAC))
    assert m.merror == 0 and m.macs == [peer.me], vars(m)


@clause("4.2 bad DCmd: MError 2, Dir Count = index of the failing directive, earlier directives applied, later not")
@pytest.mark.parametrize("bad", [3, 0x80, 0xFF])
def test_bad_dcmd(peer, bad):
    r = peer.mask(aoe.MCMD_EDIT, [d(ADD, peer.me), d(bad, OTHER_MAC), d(ADD, THIRD_MAC)])
    assert r is not None and r.is_response, "no reply to an edit with a bad DCmd"
    m = r.mask()
    assert m.merror == aoe.MERR_BAD_DCMD, f"MError {m.merror}, expected 2: {r.describe()}"
    assert m.count == 1, f"Dir Count {m.count}, expected 1 (the failing directive's index)"
    assert listed(peer) == [peer.me], "directives before the bad one not applied, or after it applied"


@clause("4.2 a host that deletes itself loses access; the remaining listed host keeps it")
def test_delete_self(peer):
    edit(peer, d(ADD, peer.me), d(ADD, OTHER_MAC))
    m = edit(peer, d(DEL, peer.me))
    assert m.macs == [OTHER_MAC], vars(m)
    peer.expect_silence(peer.config_frame()[0], sentinel_src=OTHER_MAC,
                        what="Query Config from the host that deleted itself")
    assert served(peer, OTHER_MAC)


@clause("4.2 an emptied list serves everyone again")
def test_empty_again(peer):
    edit(peer, d(ADD, peer.me))
    m = edit(peer, d(DEL, peer.me))
    assert m.count == 0, vars(m)
    assert served(peer, THIRD_MAC), "a host was not served after the list was emptied"


@spec_choice
@clause("4.2 list full: MError 3 with Dir Count = index of the first directive that did not fit (capacity is the target's)")
def test_list_full(peer, choice):
    edit(peer, d(ADD, peer.me))
    n, base = 1, 0
    while n < 255:
        batch = [d(ADD, bytes([0x02, 0x00, 0x5F, 0, (base + i) >> 8, (base + i) & 0xFF])) for i in range(100)]
        r = peer.mask(aoe.MCMD_EDIT, batch)
        assert r is not None, f"no reply to an edit adding 100 MACs (list at {n})"
        m = r.mask()
        if m.merror:
            assert m.merror == aoe.MERR_FULL, f"MError {m.merror}, expected 3 (full): {r.describe()}"
            cap = len(listed(peer))
            assert m.count == cap - n, f"Dir Count {m.count}: list had {n}, now {cap}, so {cap - n} fit"
            choice(f"full at {cap} entries (MError 3)")
            return
        n += 100
        base += 100
    choice("no limit reached at 255 entries")


@clause("4.1 unknown MCmd {mcmd}: E + error 2 (bad argument)")
@pytest.mark.parametrize("mcmd", [2, 0x7F, 0xFF])
def test_unknown_mcmd(peer, mcmd):
    raw, tag = peer.mask_frame(mcmd)
    aoe_error(peer.ask((raw, tag)), aoe.ERR_BAD_ARG, f"MCmd {mcmd}; {sent(raw)}")


@spec_choice
@clause("4.2 / 6 Dir Count larger than the directives present: E + error 2 or no reply; list unchanged")
@pytest.mark.parametrize("claimed", [2, 9])
def test_dir_count_lies(peer, claimed, choice):
    raw, _ = peer.mask_frame(aoe.MCMD_EDIT, [d(ADD, peer.me)], count=claimed)
    replies = peer.replies_before_sentinel(raw)
    after = listed(peer)
    assert after == [], (f"an edit claiming {claimed} directives with 1 present changed the list to "
                         f"{[aoe.mac_str(x) for x in after]}")
    if replies:
        aoe_error(replies[0], aoe.ERR_BAD_ARG, "edit with a lying Dir Count")
    choice(outcome(replies[0] if replies else None))


@spec_choice
@clause("6 MAC Mask frame shorter than its 4-byte argument ({length} bytes): no reply or an error reply")
@pytest.mark.parametrize("length", [24, 25, 27])
def test_mask_short(peer, length, choice):
    raw, _ = peer.mask_frame(aoe.MCMD_READ)
    replies = peer.replies_before_sentinel(raw[:length])
    if replies:
        assert replies[0].is_error, f"a {length}-byte MAC Mask frame answered without error: {replies[0].describe()}"
    choice(outcome(replies[0] if replies else None))
