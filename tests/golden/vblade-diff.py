#!/usr/bin/python3
"""tests/golden/vblade-diff.py - where vblade's replies to a golden capture's
requests differ from ours, request by request, by field.

    vblade-diff.py GOLDEN.pcap VBLADE.pcap --target-mac MAC

GOLDEN.pcap holds our requests and replies; VBLADE.pcap the same requests (some
perhaps left out) and vblade's answers, as tests/golden/vblade-record.sh
records them.  Prints one heading line per capture and one line per request
whose answer differs (frame numbers are GOLDEN.pcap's, as tshark counts).
A listing for people (pcaps/vblade/README.md explains it), not a test.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live import mac_bytes, pairs, read_pcap  # noqa: E402

COMMANDS = {0: 'ATA', 1: 'Query Config', 2: 'MAC Mask', 3: 'Reserve/Release'}
IDENTIFY_WORDS = [(10, 19, 'serial'), (23, 26, 'firmware'), (27, 46, 'model'), (47, 47, 'max multiple'),
                  (49, 49, 'capabilities'), (60, 61, 'LBA28 capacity'), (80, 88, 'versions and features'),
                  (100, 103, 'LBA48 capacity')]


def fields(request, f):
    """(name, start, end) of every field of reply f that has a meaning; the rest is padding."""
    out = [('dst MAC', 0, 6), ('src MAC', 6, 12), ('version', 14, 15), ('error', 15, 16),
           ('shelf/slot', 16, 19), ('command', 19, 20), ('tag', 20, 24)]
    cmd = f[19] if len(f) > 19 else None
    if len(f) < 24:
        return out
    if cmd == 1 and len(f) >= 32:
        n = int.from_bytes(f[30:32], 'big')
        out += [('buffer count', 24, 26), ('firmware version', 26, 28), ('sectors per frame', 28, 29),
                ('AoE version/CCmd', 29, 30), ('string length', 30, 32), ('string', 32, 32 + n)]
    elif cmd == 0 and len(f) >= 36:
        out += [('AFlags', 24, 25), ('ATA error', 25, 26), ('sector count', 26, 27),
                ('ATA status', 27, 28), ('LBA', 28, 34), ('reserved', 34, 36)]
        # Data only in a reply to READ or IDENTIFY that did not fail.
        if len(request) > 27 and request[27] in (0x20, 0x24, 0xEC) and not f[27] & 0x01:
            sectors = 1 if request[27] == 0xEC else request[26]
            out.append(('data', 36, 36 + 512 * sectors))
    elif cmd == 2 and len(f) >= 28:
        out += [('MCmd', 25, 26), ('MError', 26, 27), ('Dir Count', 27, 28)]
        if f[26] == 0:
            out.append(('directives', 28, 28 + 8 * f[27]))
    elif cmd == 3 and len(f) >= 26:
        out += [('RCmd', 24, 25), ('NMacs', 25, 26), ('MACs', 26, 26 + 6 * f[25])]
    return out


def summary(f):
    if len(f) < 24:
        return '%d-byte runt' % len(f)
    what = COMMANDS.get(f[19], 'command %d' % f[19])
    if f[14] & 0x04:
        return '%s, E + error %d, %d bytes' % (what, f[15], len(f))
    if f[19] == 0 and len(f) >= 28:
        return 'ATA status 0x%02x error 0x%02x, %d bytes' % (f[27], f[25], len(f))
    if f[19] == 2 and len(f) >= 28 and f[26]:
        return 'MAC Mask MError %d at %d, %d bytes' % (f[26], f[27], len(f))
    return '%s reply, %d bytes' % (what, len(f))


def identify_words(ours, theirs):
    a, b = ours[36:36 + 512], theirs[36:36 + 512]
    words = [w for w in range(min(len(a), len(b)) // 2) if a[2 * w:2 * w + 2] != b[2 * w:2 * w + 2]]
    named = []
    for lo, hi, name in IDENTIFY_WORDS:
        if any(lo <= w <= hi for w in words):
            named.append(name)
    rest = [w for w in words if not any(lo <= w <= hi for lo, hi, _ in IDENTIFY_WORDS)]
    if rest:
        named.append('words %s' % ','.join(map(str, rest)))
    return 'IDENTIFY ' + ', '.join(named)


def differences(request, ours, theirs):
    out = []
    mine = fields(request, ours)
    if (ours[14] ^ theirs[14]) & 0x04:
        mine = mine[:7]  # one is an error reply: only the header compares
    for name, lo, hi in mine:
        a, b = ours[lo:hi], theirs[lo:hi]
        if a == b:
            continue
        if name == 'version':
            if a[0] >> 4 != b[0] >> 4:
                out.append('version %d / %d' % (a[0] >> 4, b[0] >> 4))
            if a[0] & 15 != b[0] & 15:
                out.append('flags 0x%x / 0x%x' % (a[0] & 15, b[0] & 15))
        elif name == 'data' and request[27] == 0xEC:
            out.append(identify_words(ours, theirs))
        elif name == 'data':
            out.append('data (%d / %d bytes)' % (len(a), len(b)))
        elif hi - lo <= 2:
            out.append('%s 0x%s / 0x%s' % (name, a.hex(), b.hex()))
        else:
            out.append(name)
    # Past the fields: padding.  Ours is zeros up to 60 bytes; say what vblade's is.
    theirs_end = max(hi for _, _, hi in fields(request, theirs))
    pad = theirs[theirs_end:]
    if len(ours) != len(theirs):
        out.append('length %d / %d' % (len(ours), len(theirs)))
    if any(pad):
        out.append('vblade\'s %d bytes past the fields are not zero' % len(pad))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('golden')
    p.add_argument('vblade')
    p.add_argument('--target-mac', required=True)
    p.add_argument('--pair', choices=('next', 'tag'), default='next')
    args = p.parse_args()
    target = mac_bytes(args.target_mac)
    golden, theirs = read_pcap(args.golden), read_pcap(args.vblade)
    # vblade's answers to each request: the target's frames up to the next request.
    pos, lines, same = 0, [], 0
    for i, request, ours, at in pairs(golden, target, args.pair == 'tag'):
        k = pos
        while k < len(theirs) and theirs[k] != request:
            k += 1
        if k == len(theirs):
            lines.append('  frame %d: not sent to vblade' % (i + 1))
            continue
        j = k + 1
        answers = []
        while j < len(theirs) and theirs[j][6:12] == target:
            answers.append(theirs[j])
            j += 1
        pos = j
        if ours is None and not answers:
            same += 1
            continue
        if ours is None:
            lines.append('  frame %d: ours: no reply; vblade: %s' % (i + 1, summary(answers[0])))
        elif not answers:
            lines.append('  frame %d: ours: %s; vblade: no reply' % (at + 1, summary(ours)))
        elif ours == answers[0]:
            same += 1
        else:
            lines.append('  frame %d: ours / vblade: %s' % (at + 1, '; '.join(differences(request, ours, answers[0]))))
        if len(answers) > 1:
            lines.append('  frame %d: vblade sent %d replies' % (i + 1, len(answers)))
    total = len(pairs(golden, target, args.pair == 'tag'))
    print('%s: %d requests, %d answered identically (or both silent), %d differ or not sent'
          % (os.path.basename(args.golden), total, same, total - same))
    for line in lines:
        print(line)


if __name__ == '__main__':
    main()
