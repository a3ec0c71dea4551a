"""Real clients, not only our frames: Debian's aoetools (aoeping, aoecfg) against the
target under test, aoe-initiator against it and against Debian's vblade, and the
Linux kernel's aoe driver under QEMU (tests/vm/linux-aoe.sh) at MTU 1500 and 9000."""
import os
import random
import shutil
import subprocess

import pytest

import aoe
import harness
from checks import clause, reply_ok

AOEPING = "/usr/sbin/aoeping"
AOECFG = "/usr/sbin/aoecfg"
INITIATOR = os.path.join(harness.ROOT, "bin", "aoe-initiator")
VM_SCRIPT = os.path.join(harness.ROOT, "tests", "vm", "linux-aoe.sh")


def on_b(peer, argv, timeout=20):
    """Run a command on the test's host (namespace b); (status, output)."""
    try:
        p = subprocess.run(["ip", "netns", "exec", peer.lan.ns_b] + argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return 124, out
    return p.returncode, p.stdout


def need(path):
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not installed (make deps installs it)")


# ---- aoetools ------------------------------------------------------------

@clause("client aoeping -v -I: config query response, the target found at its MAC, IDENTIFY fields with a model")
def test_aoeping(peer):
    need(AOEPING)
    rc, out = on_b(peer, [AOEPING, "-v", "-I", "-s", "5", str(peer.shelf), str(peer.slot), harness.IFACE])
    assert rc == 0, (f"aoeping exited {'on signal %d' % -rc if rc < 0 else rc} (SIGALRM = 14: no reply it "
                     f"accepted within 5 s; aoeping ignores frames shorter than 60 bytes):\n{out}")
    assert "config query response:" in out, out
    mac = peer.target_mac.hex()
    assert f"found e{peer.shelf}.{peer.slot} with mac {mac}" in out, out
    assert "device identify fields:" in out, out
    model = [ln for ln in out.splitlines() if ln.startswith("model:")]
    assert model and model[0][6:].strip(), f"no model in aoeping's IDENTIFY output:\n{out}"


def aoecfg(peer, cmd, string=None):
    need(AOECFG)
    argv = [AOECFG, "-c", cmd, "-t", "1"]
    if string is not None:
        argv += ["-s", string]
    rc, out = on_b(peer, argv + [str(peer.shelf), str(peer.slot), harness.IFACE])
    assert rc == 0, f"aoecfg -c {cmd} exited {rc}:\n{out}"
    return [ln for ln in out.splitlines() if ln.strip()]


@clause("client aoecfg (3.2) read / set / test / prefix / set-over (error 4) / fset against the target")
def test_aoecfg(peer):
    assert aoecfg(peer, "read") == [], "aoecfg read of an empty string printed something"
    assert aoecfg(peer, "set", "rack7") == ["rack7"], "aoecfg set"
    assert reply_ok(peer.config(), peer, "read").config().string == b"rack7", "set did not store the string"
    assert aoecfg(peer, "read") == ["rack7"]
    assert aoecfg(peer, "test", "rack7") == ["rack7"], "aoecfg test with the exact string"
    assert aoecfg(peer, "test", "rack") == [], "aoecfg test with a prefix got a reply"
    assert aoecfg(peer, "prefix", "rack") == ["rack7"], "aoecfg prefix"
    assert aoecfg(peer, "prefix", "rock") == [], "aoecfg prefix with a non-prefix got a reply"
    assert aoecfg(peer, "set", "other") == ["*badcfg*"], "aoecfg set over a present string (error 4)"
    assert aoecfg(peer, "fset", "other") == ["other"], "aoecfg fset"
    assert reply_ok(peer.config(), peer, "read").config().string == b"other"


@clause("client aoecfg (3.2) discovery (broadcast shelf and slot) lists the target as shelf.slot with its string")
def test_aoecfg_broadcast(peer):
    need(AOECFG)
    reply_ok(peer.config(aoe.CCMD_FORCE, b"bcast"), peer, "force set")
    rc, out = on_b(peer, [AOECFG, "-c", "read", "-t", "2", harness.IFACE])
    assert rc == 0, out
    assert f"{peer.shelf}.{peer.slot}\tbcast" in out, f"aoecfg printed:\n{out}"


# ---- aoe-initiator -------------------------------------------------------

def initiator_roundtrip(peer, tmpdir):
    if not os.access(INITIATOR, os.X_OK):
        pytest.fail(f"{INITIATOR} is missing: make bin/aoe-initiator")
    name = f"e{peer.shelf}.{peer.slot}"
    rc, out = on_b(peer, [INITIATOR, "discover", "-i", harness.IFACE, "--timeout", "1"])
    assert rc == 0, f"aoe-initiator discover exited {rc}:\n{out}"
    line = [ln for ln in out.splitlines() if ln.split()[:1] == [name]]
    assert line, f"discover did not list {name}:\n{out}"
    assert f" {peer.image.sectors} sectors" in line[0], f"wrong size for {name}: {line[0]}"
    data = random.Random(5).randbytes(1 << 20)
    src, back = os.path.join(tmpdir, "data"), os.path.join(tmpdir, "back")
    with open(src, "wb") as f:
        f.write(data)
    offset = 777 * 512 + 123
    rc, out = on_b(peer, [INITIATOR, "write", name, "-i", harness.IFACE, "--offset", str(offset), "-f", src], 60)
    assert rc == 0, f"aoe-initiator write exited {rc}:\n{out}"
    rc, out = on_b(peer, [INITIATOR, "read", name, "-i", harness.IFACE, "--offset", str(offset),
                          "--length", str(len(data)), "-o", back], 60)
    assert rc == 0, f"aoe-initiator read exited {rc}:\n{out}"
    with open(back, "rb") as f:
        assert f.read() == data, "the data read back differs from what was written"
    with open(peer.image.path, "rb") as f:
        f.seek(offset)
        assert f.read(len(data)) == data, "the image does not hold what aoe-initiator wrote"
        f.seek(offset - 123)
        assert f.read(123) == peer.image.expected(777)[:123], "the bytes before the write changed"


@clause("client aoe-initiator discovers the target under test, writes 1 MiB at an odd offset, reads it back")
def test_initiator_vs_target(peer, tmp_path):
    initiator_roundtrip(peer, str(tmp_path))


@clause("client aoe-initiator against Debian's vblade: discover, write 1 MiB at an odd offset, read back")
def test_initiator_vs_vblade(aoe_target_factory, tmp_path):
    if not os.access("/usr/sbin/vblade", os.X_OK):
        pytest.fail("/usr/sbin/vblade is not installed (make deps installs it)")
    peer = aoe_target_factory("vblade", template=harness.VBLADE_TEMPLATE)
    initiator_roundtrip(peer, str(tmp_path))


# ---- the Linux kernel's aoe driver ----------------------------------------

def qemu_cannot_run():
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        return "qemu-system-x86_64 is not installed and could not be installed"
    try:
        p = subprocess.run([qemu, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"qemu-system-x86_64 does not run: {e}"
    if p.returncode != 0:
        return f"qemu-system-x86_64 does not run: {p.stdout.strip()[:200]}"
    return None


def run_linux_driver(template, options, what):
    """tests/vm/linux-aoe.sh against the target with these options; fails the test unless it passes."""
    if not os.path.exists(VM_SCRIPT):
        pytest.fail(f"{VM_SCRIPT} is missing")
    tmpl = harness.expand_template_for_vm(template)
    argv = ["bash", VM_SCRIPT, "--target", tmpl, "--timeout", "400"] + options
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"linux-aoe.sh {what} ran over 600 s:\n{(e.stdout or b'')[-3000:]}")
    if p.returncode != 0:
        why = qemu_cannot_run()
        if why:
            pytest.skip(why)
        pytest.fail(f"linux-aoe.sh {what} failed ({p.returncode}):\n" + "\n".join(p.stdout.splitlines()[-40:]))
    summary = [ln for ln in p.stdout.splitlines() if "PASS" in ln or "guest:" in ln or "lost" in ln]
    print("\n".join(summary[-14:]))


@clause("client (8) the Linux kernel aoe driver (Debian kernel under QEMU) at MTU {mtu}: discover, ext4, fsck, raw patterns, image checked on the host")
@pytest.mark.parametrize("mtu", [1500, 9000])
def test_linux_driver(mtu, template, report_dir):
    run_linux_driver(template, ["--mtu", str(mtu), "--capture",
                                os.path.join(report_dir, f"linux-aoe-mtu{mtu}.pcap"), "--snaplen", "128"],
                     f"--mtu {mtu}")


@clause("client (8) the Linux kernel aoe driver through 2% loss of AoE frames each way and a restart of the target (SIGTERM, 8 s away) before a write (MTU 1500): it retransmits its way through; ext4, fsck, raw patterns and the image intact")
def test_linux_driver_through_loss(template):
    run_linux_driver(template, ["--mtu", "1500", "--loss", "2%", "--restart"], "--loss 2% --restart")
