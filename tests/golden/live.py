#!/usr/bin/python3
"""tests/golden/live.py - send a golden capture's requests to a real target on a
virtual LAN, one at a time, and compare (or record) what comes back.

Runs inside the initiator's network namespace (tests/golden/live.sh starts it
with `ip netns exec`); it never opens a socket anywhere else.

    live.py compare PCAP --target-mac MAC [options]
    live.py record  PCAP --target-mac MAC --out OUT.pcap [options]

PCAP is a classic pcap file; frames whose source MAC is --target-mac are the
golden replies, all others are requests.  Before the first request the
program waits for the target's start-up announcement (a Query Config reply),
so the target must be started after --ready FILE appears.

compare: each request followed in the capture by a reply (--pair tag: with a
later reply carrying its tag) must get exactly that reply (every byte, padding
included); any other request must get nothing within --silent-wait seconds.
Requests go out one at a time, each after the previous one's answer.  Nothing is rewritten:
live.sh gives the veth interfaces the capture's MACs, and the requests from
the capture's other hosts (B, C) go out with their own source MACs, because
the MAC Mask and Reserve captures depend on hosts being told apart.
record: the requests (less --skip) and whatever the target sends back go into
OUT.pcap, with fixed timestamps (2026-01-01, 1 ms apart) so a re-recording
differs only where the target's answers do.

Exit status 0 if every comparison held (record: if the target answered at all).
"""
import argparse
import select
import socket
import struct
import sys
import time

ETH_P_AOE = 0x88A2
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_OUTGOING = 4
START_SEC = 1767225600  # 2026-01-01 00:00:00 UTC, as tests/golden/gen.c


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        sys.exit(f'live.py: {path}: not a pcap file')
    magic = struct.unpack_from('<I', data)[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = '<'
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = '>'
    else:
        sys.exit(f'live.py: {path}: not a classic pcap file (pcapng? convert with editcap -F pcap)')
    if struct.unpack_from(endian + 'I', data, 20)[0] != 1:
        sys.exit(f'live.py: {path}: not an Ethernet capture')
    frames, pos = [], 24
    while pos + 16 <= len(data):
        caplen, length = struct.unpack_from(endian + 'II', data, pos + 8)
        if caplen != length:
            sys.exit(f'live.py: {path}: frame {len(frames) + 1} truncated in the capture')
        frames.append(bytes(data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return frames


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(':'))


def open_port(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_AOE))
    s.bind((iface, ETH_P_AOE))
    # Promiscuous for this socket only: replies go to hosts B and C too, which are not our MAC.
    ifindex = socket.if_nametoindex(iface)
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP,
                 struct.pack('iHH8s', ifindex, PACKET_MR_PROMISC, 0, b''))
    s.setblocking(False)
    return s


def receive(s, timeout):
    """The next frame arriving on the wire (not one we sent), or None after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return None
        frame, addr = s.recvfrom(65536)
        if addr[2] != PACKET_OUTGOING:
            return frame


def wait_announcement(s, target, timeout):
    """The target says it is up with a Query Config reply; anything else first is an error."""
    frame = receive(s, timeout)
    if frame is None:
        return 'no announcement (Query Config reply) from the target within %gs' % timeout
    # Only the command is checked: vblade 25 announces with version 0 (it echoes a request's).
    if frame[6:12] != target or len(frame) < 20 or frame[19] != 1:
        return 'the first frame from the target is not its announcement: %s' % frame[:24].hex()
    return None


def pairs(frames, target, by_tag=False):
    """(index, request, golden reply or None) for every request of the capture.

    The reply is the next frame if it is the target's, or with by_tag (pair=tag in
    INDEX.md: an initiator with several requests in flight) the first later reply
    from the target carrying the request's tag."""
    out, taken = [], set()
    for i, f in enumerate(frames):
        if f[6:12] == target:
            continue
        reply = None
        if not by_tag:
            if i + 1 < len(frames) and frames[i + 1][6:12] == target:
                reply = i + 1
        else:
            reply = next((j for j in range(i + 1, len(frames))
                          if j not in taken and frames[j][6:12] == target and frames[j][20:24] == f[20:24]),
                         None)
        if reply is not None:
            taken.add(reply)
        out.append((i, f, frames[reply] if reply is not None else None, reply))
    return out


def first_difference(a, b):
    n = min(len(a), len(b))
    at = next((i for i in range(n) if a[i] != b[i]), n)
    return ('%d bytes, capture %d; first difference at byte %d: live %s / capture %s'
            % (len(a), len(b), at, a[at:at + 8].hex(' '), b[at:at + 8].hex(' ')))


def send(s, frame):
    try:
        s.send(frame)
        return None
    except OSError as e:
        return str(e)


def compare(args, s, frames, target):
    failures = compared = silent = 0

    def fail(i, msg):
        nonlocal failures
        failures += 1
        print('live.py: %s: frame %d: %s' % (args.pcap, i + 1, msg), file=sys.stderr)

    todo = pairs(frames, target, args.pair == 'tag')
    for i, request, golden, at in todo:
        err = send(s, request)
        if err:
            fail(i, 'cannot send the request: ' + err)
            continue
        if golden is None:
            got = receive(s, args.silent_wait)
            if got is not None:
                fail(i, 'the capture has no reply; the target sent %d bytes' % len(got))
            else:
                silent += 1
            continue
        compared += 1
        got = receive(s, args.reply_timeout)
        if got is None:
            fail(at, 'the target sent no reply within %gs' % args.reply_timeout)
        elif got != golden:
            fail(at, 'reply differs: ' + first_difference(got, golden))
    # A reply nobody asked for (a duplicate, say) shows up after the last request.
    extra = receive(s, args.silent_wait)
    if extra is not None:
        fail(len(frames) - 1, 'a frame after the last reply: %s' % extra[:24].hex())
    print('%d requests, %d replies compared, %d rightly unanswered, %d failures'
          % (len(todo), compared, silent, failures))
    return failures == 0


def mask_delete(frame):
    """A MAC Mask edit (MCmd 1) with a delete directive (DCmd 2): vblade 25 aborts on it."""
    if len(frame) < 28 or frame[19] != 2 or frame[25] != 1:
        return False
    directives = frame[28:28 + 8 * frame[27]]
    return any(directives[d + 1] == 2 for d in range(0, len(directives) - 7, 8))


def record(args, s, frames, target):
    skip = {int(x) for x in args.skip.split(',') if x} if args.skip else set()
    if args.skip_mask_deletes:
        deletes = [i + 1 for i, f, _, _ in pairs(frames, target) if mask_delete(f)]
        if deletes:
            print('not sent (MAC Mask deletes): frames %s' % ','.join(map(str, deletes)))
        skip |= set(deletes)
    out = [struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    usec = 0

    def dump(frame):
        nonlocal usec
        out.append(struct.pack('<IIII', START_SEC + usec // 1000000, usec % 1000000,
                               len(frame), len(frame)))
        out.append(frame)
        usec += 1000

    answered = sent = 0
    for i, request, golden, _ in pairs(frames, target, args.pair == 'tag'):
        if i + 1 in skip:
            continue
        if send(s, request):
            continue
        sent += 1
        dump(request)
        # Everything that comes back: a reply we expect may be missing, an extra one may come.
        got = receive(s, args.reply_timeout if golden is not None else args.silent_wait)
        while got is not None:
            answered += 1
            dump(got)
            got = receive(s, args.silent_wait / 4)
    with open(args.out, 'wb') as f:
        f.write(b''.join(out))
    print('%d requests sent, %d frames received' % (sent, answered))
    return answered > 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('action', choices=('compare', 'record'))
    p.add_argument('pcap')
    p.add_argument('--target-mac', required=True, help="the row's mac: frames from it are replies")
    p.add_argument('--iface', default='eth0')
    p.add_argument('--pair', choices=('next', 'tag'), default='next',
                   help="how a request finds its golden reply (the row's pair=)")
    p.add_argument('--ready', help='create this file once the socket is open')
    p.add_argument('--announce-timeout', type=float, default=10.0)
    p.add_argument('--reply-timeout', type=float, default=5.0,
                   help='how long to wait for a reply the capture has (only a failure waits this long)')
    p.add_argument('--silent-wait', type=float, default=0.2,
                   help='how long a request the capture leaves unanswered is watched')
    p.add_argument('--out', help='record: the capture to write')
    p.add_argument('--skip', help='record: request frame numbers (1-based) not to send')
    p.add_argument('--skip-mask-deletes', action='store_true',
                   help='record: do not send MAC Mask deletes (vblade 25 aborts on them)')
    args = p.parse_args()
    target = mac_bytes(args.target_mac)
    frames = read_pcap(args.pcap)
    s = open_port(args.iface)
    if args.ready:
        open(args.ready, 'w').close()
    err = wait_announcement(s, target, args.announce_timeout)
    if err:
        print('live.py: %s: %s' % (args.pcap, err), file=sys.stderr)
        return 1
    if args.action == 'compare':
        return 0 if compare(args, s, frames, target) else 1
    if not args.out:
        p.error('record needs --out')
    return 0 if record(args, s, frames, target) else 1


if __name__ == '__main__':
    sys.exit(main())
