"""§3 Query Config Information: every CCmd, matching and non-matching strings."""
import pytest

import aoe
from checks import aoe_error, clause, outcome, reply_ok, sent, spec_choice


def current(peer):
    r = reply_ok(peer.config(), peer, "Query Config read")
    return r.config().string


def force(peer, s):
    r = reply_ok(peer.config(aoe.CCMD_FORCE, s), peer, f"force set {s!r}")
    assert r.config().string == s, r.describe()


@clause("3.1 reply fields: AoE version 1, CCmd echoed, buffer count >= 2 (8.2), length = string length")
def test_reply_fields(peer):
    r = reply_ok(peer.config(), peer, "Query Config read")
    c = r.config()
    assert c.aoe == 1, f"AoE version nibble {c.aoe}"
    assert c.ccmd == aoe.CCMD_READ, f"CCmd {c.ccmd} in reply to CCmd 0"
    assert c.bufcnt >= 2, f"buffer count {c.bufcnt}: the Linux driver's window would be 0 (§8.2)"
    assert c.length == 0 and c.complete, r.describe()


@clause("3.1 request with AoE nibble {nibble} in byte 29 is answered (initiators send 0)")
@pytest.mark.parametrize("nibble", [0, 1, 2, 15])
def test_request_aoe_nibble_ignored(peer, nibble):
    reply_ok(peer.ask(peer.config_frame(aoe_nibble=nibble)), peer, f"Query Config with AoE nibble {nibble}")


@clause("3.1 sector count at MTU {mtu}: max sectors x 512 + 36 fits the MTU (0 counts as 2)")
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_sector_count_fits_mtu(peer, mtu):
    scnt = peer.max_sectors()
    assert scnt * aoe.SECTOR + aoe.ATA_HDR_LEN - 14 <= mtu, \
        f"advertises {scnt} sectors: a {scnt * 512 + 36}-byte frame does not fit MTU {mtu}"


@spec_choice
@clause("3.1 sector count at MTU {mtu} is (MTU - 36) / 512, as vblade, ggaoed and Linux compute")
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_sector_count_formula(peer, mtu, choice):
    scnt = peer.config().config().scnt
    want = aoe.max_sectors_for_mtu(mtu)
    choice(f"advertises {scnt}" + (" = (MTU-36)/512" if scnt == want else f"; the formula gives {want}"))


@spec_choice
@clause("3.1 firmware version (informational)")
def test_firmware_version(peer, choice):
    r = reply_ok(peer.config(), peer, "Query Config read")
    choice(f"firmware {r.config().firmware:#06x}")


@clause("3.2 CCmd 0 read: the argument string is ignored (aoeping's 1024 bytes of 0xED) and the string kept")
def test_read_ignores_argument(peer):
    force(peer, b"kept")
    r = reply_ok(peer.config(aoe.CCMD_READ, b"\xed" * 1024), peer, "read with 1024-byte filler")
    assert r.config().string == b"kept", r.describe()
    assert current(peer) == b"kept"


@spec_choice
@clause("3.2 CCmd 0 read whose length field (1024) runs past the frame: a normal reply (the string is ignored) or E + error 2")
def test_read_with_lying_length(peer, choice):
    force(peer, b"kept")
    r = peer.ask(peer.config_frame(aoe.CCMD_READ, b"", length=1024))
    assert r is not None, "no reply to a read (CCmd 0 is always answered)"
    if r.is_error:
        aoe_error(r, aoe.ERR_BAD_ARG, "read with a lying length")
    else:
        assert r.config().string == b"kept", r.describe()
    assert current(peer) == b"kept"
    choice(outcome(r))


# ---- CCmd 1 test ---------------------------------------------------------

@clause("3.2 CCmd 1 test, exact match: reply carrying the string")
def test_ccmd_test_match(peer):
    force(peer, b"rack 7 blade 3")
    r = reply_ok(peer.config(aoe.CCMD_TEST, b"rack 7 blade 3"), peer, "test, exact match")
    assert r.config().ccmd == aoe.CCMD_TEST and r.config().string == b"rack 7 blade 3", r.describe()


@clause("3.2 CCmd 1 test, empty string against an empty config string: reply")
def test_ccmd_test_empty_matches_empty(peer):
    reply_ok(peer.config(aoe.CCMD_TEST, b""), peer, "test '' with empty config")


TEST_MISMATCHES = [
    ("different bytes", b"rack 7 blade 4"), ("a prefix only", b"rack 7"),
    ("longer", b"rack 7 blade 3 and more"), ("empty", b""), ("other case", b"RACK 7 BLADE 3"),
    ("trailing NUL", b"rack 7 blade 3\x00"),
]


@clause("3.2 CCmd 1 test, mismatch ({what}): no reply")
@pytest.mark.parametrize("what,arg", TEST_MISMATCHES, ids=[m[0] for m in TEST_MISMATCHES])
def test_ccmd_test_mismatch(peer, what, arg):
    force(peer, b"rack 7 blade 3")
    peer.expect_silence(peer.config_frame(aoe.CCMD_TEST, arg)[0], what=f"CCmd 1 test with {arg!r}")


@clause("3.2 CCmd 1 test, non-empty string against an empty config string: no reply")
def test_ccmd_test_nonempty_vs_empty(peer):
    peer.expect_silence(peer.config_frame(aoe.CCMD_TEST, b"x")[0], what="test 'x' with empty config")


# ---- CCmd 2 test prefix -----------------------------------------------------

PREFIX_MATCHES = [("proper prefix", b"rack 7"), ("whole string", b"rack 7 blade 3"),
                  ("empty", b""), ("one byte", b"r")]


@clause("3.2 CCmd 2 prefix, match ({what}): reply")
@pytest.mark.parametrize("what,arg", PREFIX_MATCHES, ids=[m[0] for m in PREFIX_MATCHES])
def test_ccmd_prefix_match(peer, what, arg):
    force(peer, b"rack 7 blade 3")
    r = reply_ok(peer.config(aoe.CCMD_PREFIX, arg), peer, f"prefix {arg!r}")
    assert r.config().ccmd == aoe.CCMD_PREFIX and r.config().string == b"rack 7 blade 3", r.describe()


PREFIX_MISMATCHES = [("not a prefix", b"rack 8"), ("longer than the string", b"rack 7 blade 3 x"),
                     ("a suffix", b"blade 3"), ("differs in the last byte", b"rack 7 blade 4")]


@clause("3.2 CCmd 2 prefix, mismatch ({what}): no reply")
@pytest.mark.parametrize("what,arg", PREFIX_MISMATCHES, ids=[m[0] for m in PREFIX_MISMATCHES])
def test_ccmd_prefix_mismatch(peer, what, arg):
    force(peer, b"rack 7 blade 3")
    peer.expect_silence(peer.config_frame(aoe.CCMD_PREFIX, arg)[0], what=f"CCmd 2 prefix {arg!r}")


@clause("3.2 CCmd 2 prefix, empty string against an empty config string: reply")
def test_ccmd_prefix_empty_on_empty(peer):
    reply_ok(peer.config(aoe.CCMD_PREFIX, b""), peer, "prefix '' with empty config")


# ---- CCmd 3 set, CCmd 4 force set -------------------------------------------

@clause("3.2 CCmd 3 set on an empty string: stored, reply carries the new string")
def test_ccmd_set_when_empty(peer):
    r = reply_ok(peer.config(aoe.CCMD_SET, b"first"), peer, "set 'first'")
    assert r.config().string == b"first" and r.config().ccmd == aoe.CCMD_SET, r.describe()
    assert current(peer) == b"first"


@clause("3.2 / 1.1 CCmd 3 set over a different string: E + error 4 (config string present), current string kept")
def test_ccmd_set_when_present(peer):
    force(peer, b"first")
    r = aoe_error(peer.config(aoe.CCMD_SET, b"second"), aoe.ERR_CONFIG_PRESENT, "set over 'first'")
    assert r.command == aoe.CMD_CONFIG
    c = r.config()
    assert c.string == b"first", f"error-4 reply carries {c.string!r}, not the current string"
    assert c.aoe == 1 and c.bufcnt >= 2, r.describe()
    assert current(peer) == b"first"


@spec_choice
@clause("3.2 CCmd 3 set with the identical string: success (vblade, ggaoed) or error 4")
def test_ccmd_set_identical(peer, choice):
    force(peer, b"same")
    r = peer.config(aoe.CCMD_SET, b"same")
    assert r is not None, "no reply"
    assert not r.is_error or r.error == aoe.ERR_CONFIG_PRESENT, r.describe()
    assert current(peer) == b"same"
    choice(outcome(r) if r.is_error else "success (idempotent)")


@clause("3.2 CCmd 4 force set: replaces a present string, reply carries it")
def test_ccmd_force_set(peer):
    force(peer, b"first")
    r = reply_ok(peer.config(aoe.CCMD_FORCE, b"second"), peer, "force set")
    assert r.config().string == b"second" and r.config().ccmd == aoe.CCMD_FORCE, r.describe()
    assert current(peer) == b"second"


@clause("3.2 CCmd 4 force set to the empty string clears it; CCmd 3 set then works again")
def test_ccmd_force_clear(peer):
    force(peer, b"first")
    force(peer, b"")
    assert current(peer) == b""
    r = reply_ok(peer.config(aoe.CCMD_SET, b"again"), peer, "set after clearing")
    assert r.config().string == b"again"


@clause("3.2 a 1024-byte config string (the maximum, binary bytes) is stored and returned whole")
def test_config_max_length(peer):
    s = bytes((i * 37 + 11) & 0xFF for i in range(aoe.CONFIG_MAX))
    force(peer, s)
    r = reply_ok(peer.config(), peer, "read")
    assert r.config().length == 1024 and r.config().complete and r.config().string == s


@clause("3.2 CCmd {ccmd} (undefined 5-15): E + error 2 (bad argument)")
@pytest.mark.parametrize("ccmd", [5, 6, 15])
def test_ccmd_undefined(peer, ccmd):
    raw, tag = peer.config_frame(ccmd, b"x")
    aoe_error(peer.ask((raw, tag)), aoe.ERR_BAD_ARG, f"CCmd {ccmd}; {sent(raw)}")


# ---- lying lengths --------------------------------------------------------

@spec_choice
@clause("3.2 / 6 CCmd {ccmd} with length 1025 (over 1024): E + error 2 or no reply (a read may also answer normally); string unchanged")
@pytest.mark.parametrize("ccmd", [0, 1, 2, 3, 4])
def test_config_length_over_max(peer, ccmd, choice):
    force(peer, b"orig")
    raw, _ = peer.config_frame(ccmd, b"y" * 1025)
    replies = peer.replies_before_sentinel(raw)
    assert current(peer) == b"orig", f"string changed to {current(peer)[:40]!r}"
    if replies and not (ccmd == aoe.CCMD_READ and not replies[0].is_error):
        aoe_error(replies[0], aoe.ERR_BAD_ARG, f"CCmd {ccmd}, length 1025")
    choice(outcome(replies[0] if replies else None))


@spec_choice
@clause("3.2 / 6 CCmd {ccmd} whose length ({excess} past the frame) lies: E + error 2 or no reply; nothing stored")
@pytest.mark.parametrize("excess", [1, 31, 200])
@pytest.mark.parametrize("ccmd", [3, 4])
def test_config_length_past_frame(peer, ccmd, excess, choice):
    force(peer, b"")
    if ccmd == aoe.CCMD_FORCE:
        force(peer, b"orig")
    before = current(peer)
    raw, _ = peer.config_frame(ccmd, b"abcdefgh", length=8 + excess)
    replies = peer.replies_before_sentinel(raw)
    after = current(peer)
    assert after == before, (f"a {8 + excess}-byte string claimed with 8 bytes present changed the string "
                             f"to {after[:48]!r}: bytes from past the frame were stored")
    if replies:
        aoe_error(replies[0], aoe.ERR_BAD_ARG, f"CCmd {ccmd} with lying length")
    choice(outcome(replies[0] if replies else None))


@spec_choice
@clause("3.2 / 6 CCmd 1 test with a length past the frame: E + error 2 or no reply, never a match")
def test_config_test_length_past_frame(peer, choice):
    force(peer, b"abcdefgh" + bytes(24))
    raw, _ = peer.config_frame(aoe.CCMD_TEST, b"abcdefgh", length=32)
    replies = peer.replies_before_sentinel(raw)
    if replies:
        aoe_error(replies[0], aoe.ERR_BAD_ARG, "test with a length past the frame")
    choice(outcome(replies[0] if replies else None))


@spec_choice
@clause("6 Query Config frame shorter than its 8-byte argument ({length} bytes): no reply or an error reply")
@pytest.mark.parametrize("length", [24, 26, 29, 31])
def test_config_short(peer, length, choice):
    raw, _ = peer.config_frame()
    replies = peer.replies_before_sentinel(raw[:length])
    if replies:
        assert replies[0].is_error, f"a {length}-byte Query Config answered without error: {replies[0].describe()}"
    choice(outcome(replies[0] if replies else None))
