"""checks.py - markers and the assertions the conformance tests share."""
import pytest

import aoe


def clause(text):
    """The clause of docs/aoe-protocol.md (or of the Linux contract, §8) a test checks."""
    return pytest.mark.clause(text)


spec_choice = pytest.mark.spec_choice


def target(**kw):
    """How to start the target: opts=[...] (vblade-style options), image="big"."""
    return pytest.mark.target(**kw)


def sent(raw):
    return f"sent {len(raw)} bytes {bytes(raw[:48]).hex()}{'...' if len(raw) > 48 else ''}"


def reply_ok(r, peer, what):
    """A reply exists, is a response, carries no error, and comes from the target."""
    assert r is not None, f"no reply to {what}"
    assert r.is_response, f"reply to {what} lacks the R flag: {r.describe()}"
    assert not r.is_error, f"{what}: AoE error reply: {r.describe()}"
    assert (r.shelf, r.slot) == (peer.shelf, peer.slot), \
        f"{what}: reply from e{r.shelf}.{r.slot}, not e{peer.shelf}.{peer.slot}"
    return r


def aoe_error(r, code, what):
    """An AoE error reply with this code."""
    assert r is not None, f"no reply to {what} (expected AoE error {code}, {aoe.ERROR_NAMES[code]})"
    assert r.is_response, f"{what}: reply lacks the R flag: {r.describe()}"
    assert r.is_error and r.error == code, \
        f"{what}: expected E + error {code} ({aoe.ERROR_NAMES[code]}), got {r.describe()}"
    return r


def ata_ok(r, peer, what):
    """ATA success: no AoE error; none of BSY, DF, DRQ, ERR (what fails a bio in Linux);
    DRDY set (ATA: a device that completed a command is ready)."""
    reply_ok(r, peer, what)
    assert r.command == aoe.CMD_ATA, f"{what}: reply command {r.command}"
    a = r.ata()
    assert a.status & aoe.ST_LINUX_FAIL == 0, \
        f"{what}: ATA status {a.status:#04x} has BSY/DF/DRQ/ERR (error register {a.error:#04x})"
    assert a.status & aoe.ST_DRDY, f"{what}: ATA status {a.status:#04x} lacks DRDY"
    return a


def ata_failed(r, peer, what, error_bit):
    """An ATA error: ERR set, no BSY/DRQ/DF, the given error-register bit set."""
    assert r is not None, f"no reply to {what}"
    assert not r.is_error, f"{what}: AoE error {r.error} where an ATA error was expected: {r.describe()}"
    a = r.ata()
    assert a.status & aoe.ST_ERR, f"{what}: ATA status {a.status:#04x} lacks ERR"
    assert a.status & (aoe.ST_BSY | aoe.ST_DRQ | aoe.ST_DF) == 0, \
        f"{what}: ATA status {a.status:#04x} has BSY/DRQ/DF"
    assert a.error & error_bit, f"{what}: ATA error register {a.error:#04x} lacks {error_bit:#04x}"
    return a


def outcome(r):
    """A short name for what a reply says, for choices."""
    if r is None:
        return "no reply"
    if r.is_error:
        return f"AoE error {r.error} ({aoe.ERROR_NAMES.get(r.error, '?')})"
    if r.command == aoe.CMD_ATA and len(r.arg) >= 12:
        a = r.ata()
        if a.status & aoe.ST_ERR:
            bits = [n for b, n in ((aoe.ER_ABRT, "ABRT"), (aoe.ER_IDNF, "IDNF"), (aoe.ER_UNC, "UNC"))
                    if a.error & b]
            return f"ATA error ({'+'.join(bits) or hex(a.error)}, status {a.status:#04x})"
        return f"ATA success (status {a.status:#04x}, {len(a.data)} data bytes)"
    return "normal reply"
