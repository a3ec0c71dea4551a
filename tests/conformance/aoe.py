"""aoe.py - AoE frames byte by byte: the conformance suite's own oracle.

Written from docs/aoe-protocol.md (AoEr11 as the peers implement it), with
struct packing only.  It deliberately shares nothing with lib/aoe.c: a bug in
the project's codec must not be able to agree with itself here.

Byte layout (frame offsets; all big-endian except the 6 LBA bytes):
   0 dst(6)  6 src(6)  12 type=0x88A2(2)  14 ver<<4|flags(1)  15 error(1)
  16 major(2)  18 minor(1)  19 command(1)  20 tag(4)  24 argument...
"""
import random
import struct

ETHERTYPE = 0x88A2
BROADCAST = b"\xff" * 6
SHELF_ANY = 0xFFFF
SLOT_ANY = 0xFF
HDR_LEN = 24            # Ethernet + AoE header
ATA_HDR_LEN = 36        # ... + the ATA argument
CFG_HDR_LEN = 32        # ... + the Query Config argument
MASK_HDR_LEN = 28
RSRV_HDR_LEN = 26
ETH_MIN = 60            # Ethernet minimum frame without FCS
SECTOR = 512
CONFIG_MAX = 1024

# Header flags (low nibble of byte 14).
F_RESPONSE = 0x08
F_ERROR = 0x04
F_MBZ = 0x03

# Commands.
CMD_ATA, CMD_CONFIG, CMD_MASK, CMD_RESERVE = 0, 1, 2, 3

# AoE error codes.
ERR_BAD_COMMAND = 1
ERR_BAD_ARG = 2
ERR_DEVICE_UNAVAILABLE = 3
ERR_CONFIG_PRESENT = 4
ERR_BAD_VERSION = 5
ERR_RESERVED = 6
ERROR_NAMES = {1: "unrecognized command", 2: "bad argument", 3: "device unavailable",
               4: "config string present", 5: "unsupported version", 6: "target reserved"}

# ATA argument.
AF_EXT = 0x40
AF_DEV = 0x10
AF_ASYNC = 0x02
AF_WRITE = 0x01

ATA_READ = 0x20
ATA_READ_EXT = 0x24
ATA_WRITE = 0x30
ATA_WRITE_EXT = 0x34
ATA_IDENTIFY = 0xEC
ATA_FLUSH = 0xE7
ATA_FLUSH_EXT = 0xEA
ATA_CHECK_POWER = 0xE5
ATA_SMART = 0xB0
ATA_NAMES = {ATA_READ: "READ SECTORS", ATA_READ_EXT: "READ SECTORS EXT",
             ATA_WRITE: "WRITE SECTORS", ATA_WRITE_EXT: "WRITE SECTORS EXT",
             ATA_IDENTIFY: "IDENTIFY DEVICE", ATA_FLUSH: "FLUSH CACHE",
             ATA_FLUSH_EXT: "FLUSH CACHE EXT", ATA_CHECK_POWER: "CHECK POWER MODE",
             ATA_SMART: "SMART"}

ST_BSY, ST_DRDY, ST_DF, ST_DRQ, ST_ERR = 0x80, 0x40, 0x20, 0x08, 0x01
ST_LINUX_FAIL = ST_BSY | ST_DF | ST_DRQ | ST_ERR      # 0xA9: what fails a bio in Linux
ER_UNC, ER_IDNF, ER_ABRT = 0x40, 0x10, 0x04

LBA28_MAX = 0x0FFFFFFF

# Query Config.
CCMD_READ, CCMD_TEST, CCMD_PREFIX, CCMD_SET, CCMD_FORCE = 0, 1, 2, 3, 4

# MAC Mask List.
MCMD_READ, MCMD_EDIT = 0, 1
MERR_UNSPEC, MERR_BAD_DCMD, MERR_FULL = 1, 2, 3
DCMD_NONE, DCMD_ADD, DCMD_DELETE = 0, 1, 2

# Reserve/Release.
RCMD_READ, RCMD_SET, RCMD_FORCE = 0, 1, 2


def mac(text):
    """'aa:bb:cc:dd:ee:ff' -> 6 bytes."""
    b = bytes(int(x, 16) for x in text.split(":"))
    assert len(b) == 6, text
    return b


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


# ---------------------------------------------------------------------------
# Builders.  Every field can be set to any value, legal or not.

def header(dst, src, shelf, slot, command, tag, ver=1, flags=0, error=0, ethertype=ETHERTYPE):
    return (bytes(dst) + bytes(src) +
            struct.pack("!HBBHBBI", ethertype, (ver << 4 | flags) & 0xFF, error,
                        shelf, slot, command, tag))


def ata_arg(cmd, lba=0, count=0, aflags=0, feature=0, reserved=0):
    return (bytes([aflags, feature, count, cmd]) + (lba & 0xFFFFFFFFFFFF).to_bytes(6, "little") +
            struct.pack("!H", reserved))


def lba28(lba, device=0xE0):
    """LBA bytes of an LBA28 command: bits 24-27 in lba3's low nibble, the
    device register in its high nibble (Linux sends 0xE0)."""
    return (lba & LBA28_MAX) | (device << 24)


def config_arg(ccmd, string=b"", length=None, bufcnt=0, firmware=0, scnt=0, aoe=0):
    if length is None:
        length = len(string)
    return struct.pack("!HHBBH", bufcnt, firmware, scnt, (aoe << 4 | ccmd) & 0xFF, length) + string


def directive(dcmd, mac_bytes, reserved=0):
    return bytes([reserved, dcmd]) + bytes(mac_bytes)


def mask_arg(mcmd, directives=(), count=None, merror=0):
    if count is None:
        count = len(directives)
    return bytes([0, mcmd, merror, count]) + b"".join(directives)


def reserve_arg(rcmd, macs=(), count=None):
    if count is None:
        count = len(macs)
    return bytes([rcmd, count]) + b"".join(bytes(m) for m in macs)


# ---------------------------------------------------------------------------
# Parser for what comes back.

class Frame:
    """One received frame, decoded field by field from its bytes."""

    def __init__(self, raw):
        self.raw = bytes(raw)
        r = self.raw
        self.short = len(r) < HDR_LEN
        pad = r + bytes(max(0, HDR_LEN - len(r)))
        self.dst, self.src = pad[0:6], pad[6:12]
        (self.ethertype, vf, self.error, self.shelf, self.slot, self.command,
         self.tag) = struct.unpack("!HBBHBBI", pad[12:24])
        self.ver = vf >> 4
        self.flags = vf & 0x0F
        self.arg = r[HDR_LEN:]

    @property
    def is_response(self):
        return bool(self.flags & F_RESPONSE)

    @property
    def is_error(self):
        return bool(self.flags & F_ERROR)

    def __len__(self):
        return len(self.raw)

    def describe(self):
        if self.short:
            return f"{len(self.raw)}-byte runt {self.raw.hex()}"
        s = (f"{len(self.raw)} bytes ver {self.ver} flags {self.flags:#x} err {self.error} "
             f"e{self.shelf}.{self.slot} cmd {self.command} tag {self.tag:#010x}")
        if self.is_error:
            s += f" [E: {ERROR_NAMES.get(self.error, 'unknown')}]"
        if self.command == CMD_ATA and len(self.arg) >= 12:
            a = self.ata()
            s += (f" ata aflags {a.aflags:#04x} err {a.error:#04x} count {a.count} "
                  f"status {a.status:#04x} lba {a.lba:#x} data {len(a.data)}")
        elif self.command == CMD_CONFIG and len(self.arg) >= 8:
            c = self.config()
            s += (f" cfg bufcnt {c.bufcnt} fw {c.firmware:#06x} scnt {c.scnt} aoe {c.aoe} "
                  f"ccmd {c.ccmd} len {c.length} {c.string[:40]!r}")
        elif self.command == CMD_MASK and len(self.arg) >= 4:
            m = self.mask()
            s += f" mask mcmd {m.mcmd} merror {m.merror} count {m.count} macs {[mac_str(x) for x in m.macs]}"
        elif self.command == CMD_RESERVE and len(self.arg) >= 2:
            v = self.reserve()
            s += f" reserve rcmd {v.rcmd} count {v.count} macs {[mac_str(x) for x in v.macs]}"
        return s

    def __repr__(self):
        return f"<Frame {self.describe()}>"

    # Arguments --------------------------------------------------------------

    def ata(self):
        return Ata(self.arg)

    def config(self):
        return Config(self.arg)

    def mask(self):
        return Mask(self.arg)

    def reserve(self):
        return Reserve(self.arg)


class Ata:
    def __init__(self, arg):
        if len(arg) < 12:
            raise ValueError(f"ATA argument of {len(arg)} bytes (12 needed)")
        self.aflags, self.error, self.count, self.status = arg[0], arg[1], arg[2], arg[3]
        self.lba = int.from_bytes(arg[4:10], "little")
        self.reserved = struct.unpack("!H", arg[10:12])[0]
        self.data = arg[12:]


class Config:
    def __init__(self, arg):
        if len(arg) < 8:
            raise ValueError(f"Query Config argument of {len(arg)} bytes (8 needed)")
        self.bufcnt, self.firmware, self.scnt, vc, self.length = struct.unpack("!HHBBH", arg[:8])
        self.aoe = vc >> 4
        self.ccmd = vc & 0x0F
        self.string = arg[8:8 + self.length]
        self.complete = len(arg) - 8 >= self.length


class Mask:
    def __init__(self, arg):
        if len(arg) < 4:
            raise ValueError(f"MAC Mask argument of {len(arg)} bytes (4 needed)")
        self.reserved, self.mcmd, self.merror, self.count = arg[0], arg[1], arg[2], arg[3]
        self.directives = []
        body = arg[4:]
        if self.merror == 0:
            for i in range(self.count):
                d = body[i * 8:i * 8 + 8]
                if len(d) < 8:
                    break
                self.directives.append((d[0], d[1], d[2:8]))
        self.complete = self.merror != 0 or len(self.directives) == self.count

    @property
    def macs(self):
        return [d[2] for d in self.directives]


class Reserve:
    def __init__(self, arg):
        if len(arg) < 2:
            raise ValueError(f"Reserve/Release argument of {len(arg)} bytes (2 needed)")
        self.rcmd, self.count = arg[0], arg[1]
        body = arg[2:]
        self.macs = [body[i * 6:i * 6 + 6] for i in range(self.count) if len(body) >= i * 6 + 6]
        self.complete = len(self.macs) == self.count


# ---------------------------------------------------------------------------
# IDENTIFY DEVICE page.

class Identify:
    def __init__(self, page):
        if len(page) < 512:
            raise ValueError(f"IDENTIFY page of {len(page)} bytes")
        self.page = page[:512]
        self.words = struct.unpack("<256H", self.page)

    def string(self, first, count):
        """An ATA string: two characters per word, the first in the high byte."""
        out = bytearray()
        for w in self.words[first:first + count]:
            out += bytes([w >> 8, w & 0xFF])
        return bytes(out)

    @property
    def serial(self):
        return self.string(10, 10)

    @property
    def firmware(self):
        return self.string(23, 4)

    @property
    def model(self):
        return self.string(27, 20)

    @property
    def lba28_sectors(self):
        return self.words[60] | self.words[61] << 16

    @property
    def lba48_sectors(self):
        w = self.words
        return w[100] | w[101] << 16 | w[102] << 32 | w[103] << 48

    def bit(self, word, bit):
        return bool(self.words[word] >> bit & 1)


# ---------------------------------------------------------------------------
# The disk image's known content.

def sector_pattern(lba):
    """What sector LBA holds in a patterned region of the test image: its own
    LBA (8 bytes, little-endian), a marker, then bytes that depend on the LBA,
    so a wrong sector, a shifted buffer or a byte-order slip all show."""
    head = lba.to_bytes(8, "little") + b"aoekitCT"
    return head + random.Random(lba).randbytes(SECTOR - len(head))


def max_sectors_for_mtu(mtu):
    """What every peer computes: (MTU - 36) / 512, at most 255 (one byte)."""
    return min(255, max(0, (mtu - ATA_HDR_LEN) // SECTOR))


def fits_mtu(frame_len, mtu):
    """Whether a frame (Ethernet header included, FCS excluded) fits the MTU."""
    return frame_len - 14 <= mtu
