"""conftest.py - fixtures and the report of the AoE conformance suite.

Fixtures
  peer        a Peer (harness.py): a fresh target started from the template in
              namespace a of a private LAN, a fresh patterned image, and the
              wire in namespace b.  Marker @target(opts=[...], image="big",
              template=...) changes how the target is started.
  mtu         1500 unless a test parametrizes it (the LAN of that MTU is used).
  choice      choice("what the target did"): records the option a target took
              where the specification leaves a choice (@spec_choice tests).
  lans        the LANs, one per MTU, made on first use, removed at the end.

Markers
  @clause("3.2 CCmd 1 test, mismatch: no reply")   every test has one; "{name}"
              fields are filled from the test's parameters
  @spec_choice  the specification leaves this open: the test passes if the
              target picked one of the permitted options (reported "choice",
              not "pass"), and fails only outside them.

Report: one line per test (result, clause, test), then "N passed, M failed";
build/conformance/<target>/report.md, results.json and junit.xml (the latter
from pytest's --junitxml, given by run.sh).
"""
import atexit
import datetime
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time

import pytest

import harness

# ---------------------------------------------------------------------------
# Options and session state.


def pytest_addoption(parser):
    g = parser.getgroup("aoe conformance")
    g.addoption("--target", default=os.environ.get("AOE_CONFORMANCE_TARGET") or harness.DEFAULT_TEMPLATE,
                help="target command template with {iface} {shelf} {slot} {file} [{opts}]")
    g.addoption("--wire", default=os.environ.get("AOE_WIRE") or
                os.path.join(harness.ROOT, "build", "conformance", "aoe-wire"),
                help="the aoe-wire tool (make build/conformance/aoe-wire)")
    g.addoption("--out", default=os.environ.get("AOE_CONFORMANCE_OUT"),
                help="report directory (default build/conformance/<target name>)")
    g.addoption("--prefix", default=os.environ.get("AOE_CONFORMANCE_PREFIX") or f"aoekit-conf-{os.getpid()}",
                help="namespace name prefix (unique per run)")


def target_label(template):
    words = shlex.split(template)
    return os.path.basename(words[0]) if words else "target"


_STATE = {"lans": {}, "targets": [], "results": [], "start": time.time(), "out": None}


def _cleanup_everything():
    """Last resort (atexit, signals): stop our targets, remove our LANs."""
    for t in list(_STATE["targets"]):
        try:
            t.stop()
        except Exception:
            pass
    _STATE["targets"].clear()
    for lan in list(_STATE["lans"].values()):
        try:
            lan.down()
        except Exception as e:
            sys.stderr.write(f"conformance: could not remove LAN {lan.name}: {e}\n")
    _STATE["lans"].clear()


def _on_sigterm(signum, frame):
    # Turn SIGTERM into the same orderly stop as Ctrl-C: fixtures tear down.
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    for name, doc in (("clause(text)", "the specification clause a test checks"),
                      ("spec_choice", "the specification leaves a choice: do not fail a permitted option"),
                      ("target(opts, image, template)", "how to start the target")):
        config.addinivalue_line("markers", f"{name}: {doc}")
    template = config.getoption("--target")
    out = config.getoption("--out") or os.path.join(harness.ROOT, "build", "conformance",
                                                    target_label(template))
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    for old in os.listdir(os.path.join(out, "logs")):
        os.unlink(os.path.join(out, "logs", old))
    _STATE["out"] = out
    _STATE["template"] = template
    atexit.register(_cleanup_everything)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)


# ---------------------------------------------------------------------------
# Fixtures.

@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="aoekit-conf.")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def lans(request):
    if os.geteuid() != 0:
        pytest.exit("the conformance suite must run as root (network namespaces, raw sockets)", 2)
    wire = request.config.getoption("--wire")
    if not os.access(wire, os.X_OK):
        pytest.exit(f"{wire} is missing: make build/conformance/aoe-wire", 2)
    prefix = request.config.getoption("--prefix")

    def get(mtu):
        if mtu not in _STATE["lans"]:
            _STATE["lans"][mtu] = harness.Lan(f"{prefix}-{mtu}", mtu, wire)
        return _STATE["lans"][mtu]

    yield get
    for mtu in list(_STATE["lans"]):
        _STATE["lans"].pop(mtu).down()


@pytest.fixture
def mtu():
    return 1500


@pytest.fixture(scope="session")
def report_dir():
    return _STATE["out"]


@pytest.fixture(scope="session")
def template(request):
    return request.config.getoption("--target")


def _target_marker(node):
    m = node.get_closest_marker("target")
    return dict(m.kwargs) if m else {}


def start_target(lans, mtu, workdir, name, opts=(), image="small", template=None,
                 shelf=harness.SHELF, slot=harness.SLOT):
    """Start a target; return a Peer once it answers a Query Config read."""
    lan = lans(mtu)
    img = harness.make_image(os.path.join(workdir, f"{name}.img"), image)
    argv = harness.expand_template(template, list(opts), shelf, slot, img.path)
    lan.wire.drain()
    tgt = harness.Target(lan, argv, os.path.join(workdir, f"{name}.log"))
    _STATE["targets"].append(tgt)
    peer = harness.Peer(lan, tgt, img, shelf, slot)
    deadline = time.monotonic() + 10
    while True:
        if not tgt.alive():
            tgt.stop()
            raise harness.HarnessError(f"target exited at start (status {tgt.status}): "
                                       f"{' '.join(argv)}\n{tgt.log_tail()}")
        if time.monotonic() > deadline:
            raise harness.HarnessError(f"target did not answer a Query Config within 10 s: "
                                       f"{' '.join(argv)}\n{tgt.log_tail()}")
        raw, tag = peer.config_frame()
        peer.ignore_tags.add(tag)
        lan.wire.send(raw)
        for f in lan.wire.recv(0.1, max_frames=0, quiet=0.02):
            if f.tag == tag and f.is_response:
                peer.ready_reply = f
                break
            peer.startup_frames.append(f)
        else:
            continue
        break
    time.sleep(0.02)
    lan.wire.drain()
    return peer


def stop_target(peer, item=None):
    tgt = peer.target
    was_alive = tgt.alive()
    tgt.stop()
    if tgt in _STATE["targets"]:
        _STATE["targets"].remove(tgt)
    failed = item is not None and getattr(item, "_conf_failed", False)
    if failed or not was_alive:
        shutil.copy(tgt.log_path, os.path.join(_STATE["out"], "logs",
                                               _safe(item.nodeid if item else "target") + ".log"))
    try:
        os.unlink(peer.image.path)
    except OSError:
        pass
    return was_alive


def _safe(nodeid):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in nodeid)[:150]


@pytest.fixture
def aoe_target_factory(lans, workdir, template, request):
    """Start extra targets (another template, other options) inside one test."""
    started = []

    def make(name, mtu=1500, **kw):
        kw.setdefault("template", template)
        p = start_target(lans, mtu, workdir, f"{_safe(request.node.name)}-{name}", **kw)
        started.append(p)
        return p

    yield make
    for p in started:
        stop_target(p, request.node)


@pytest.fixture
def peer(lans, mtu, workdir, template, request):
    kw = _target_marker(request.node)
    kw.setdefault("template", template)
    peer = start_target(lans, mtu, workdir, _safe(request.node.name), **kw)
    yield peer
    if not peer.target.alive():
        status = peer.target.proc.returncode
        stop_target(peer, request.node)
        pytest.fail(f"the target exited during the test (status {status}):\n{peer.target.log_tail()}")
    stop_target(peer, request.node)


@pytest.fixture
def choice(request):
    def record(what):
        request.node._conf_choice = what
    return record


@pytest.fixture
def note(request):
    """note("...") : a fact shown in the report next to a passing result."""
    def record(what):
        request.node._conf_note = what
    return record


# ---------------------------------------------------------------------------
# Clauses and the report.

def clause_of(item):
    m = item.get_closest_marker("clause")
    if m is None:
        return None
    text = m.args[0]
    params = getattr(getattr(item, "callspec", None), "params", {})
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def pytest_collection_modifyitems(session, config, items):
    missing = [i.nodeid for i in items if i.get_closest_marker("clause") is None]
    if missing:
        raise pytest.UsageError("tests without @clause: " + ", ".join(missing))
    for item in items:
        item.user_properties.append(("clause", clause_of(item)))
        if item.get_closest_marker("spec_choice"):
            item.user_properties.append(("spec_choice", "yes"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        item._conf_failed = True
    if rep.when == "call" and rep.passed and getattr(item, "_conf_choice", None):
        item.user_properties.append(("choice", item._conf_choice))
    # One result per test, decided at teardown from all three phases.
    phases = item.__dict__.setdefault("_conf_phases", {})
    phases[rep.when] = rep
    if rep.when == "teardown":
        _record(item, phases)


def _first_line(rep):
    if rep.longrepr is None:
        return ""
    if isinstance(rep.longrepr, tuple):        # a skip: (file, line, reason)
        return str(rep.longrepr[2]).replace("Skipped: ", "")
    crash = getattr(getattr(rep.longrepr, "reprcrash", None), "message", None)
    text = crash or str(rep.longrepr)
    return text.strip()


def _record(item, phases):
    clause = clause_of(item)
    spec_choice = item.get_closest_marker("spec_choice") is not None
    failed = [r for r in phases.values() if r.failed]
    skipped = [r for r in phases.values() if r.skipped]
    if failed:
        result, detail = "FAIL", _first_line(failed[0])
        if failed[0].when != "call":
            detail = f"[{failed[0].when}] {detail}"
    elif skipped:
        result, detail = "skip", _first_line(skipped[0])
    elif spec_choice:
        result, detail = "choice", getattr(item, "_conf_choice", "") or "permitted option"
    else:
        result, detail = "pass", getattr(item, "_conf_note", "")
    duration = sum(r.duration for r in phases.values())
    entry = {"id": item.nodeid.split("::", 1)[-1], "file": item.nodeid.split("::", 1)[0],
             "function": getattr(item, "originalname", item.name),
             "template": item.get_closest_marker("clause").args[0],
             "clause": clause, "result": result, "detail": detail, "seconds": round(duration, 2)}
    _STATE["results"].append(entry)
    line = f"{result:<6} {'§' if clause[:1].isdigit() else ''}{clause}  [{entry['id']}]"
    if detail:
        shown = [x for x in detail.split("\n") if x.strip()][:8]
        line += "\n         " + "\n         ".join(x[:300] for x in shown)
    print(line, flush=True)
    if result == "FAIL":
        crash = getattr(failed[0].longrepr, "reprcrash", None)
        if crash is not None:
            print(f"         at {os.path.relpath(str(crash.path), harness.ROOT)}:{crash.lineno}", flush=True)


def pytest_collectreport(report):
    if report.failed:
        print(f"collection error in {report.nodeid}:\n{report.longrepr}", flush=True)


def pytest_sessionfinish(session, exitstatus):
    res = _STATE["results"]
    if not res and not session.testscollected:
        return
    count = {k: sum(1 for r in res if r["result"] == k) for k in ("pass", "FAIL", "choice", "skip")}
    elapsed = time.time() - _STATE["start"]
    out = _STATE["out"]
    template = _STATE["template"]
    meta = {"target": template.replace(harness.ROOT + "/", ""), "label": target_label(template),
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "seconds": round(elapsed), "passed": count["pass"], "failed": count["FAIL"],
            "choices": count["choice"], "skipped": count["skip"]}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": res}, f, indent=1)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(f"# AoE conformance: {meta['label']}\n\n")
        f.write(f"Target command: `{meta['target']}`  \n{meta['date']}, {elapsed:.0f} s.  \n")
        f.write(f"**{count['pass']} passed, {count['FAIL']} failed**; {count['choice']} spec choices "
                f"recorded, {count['skip']} skipped.\n\n")
        f.write("| result | clause | test | detail |\n|---|---|---|---|\n")
        for r in res:
            detail = r["detail"].split("\n")[0][:300].replace("|", "\\|")
            f.write(f"| {r['result']} | {r['clause'].replace('|', '/')} | `{r['id']}` | {detail} |\n")
    print()
    print(f"{count['choice']} spec choices recorded, {count['skip']} skipped; "
          f"{elapsed:.0f} s; report: {os.path.relpath(os.path.join(out, 'report.md'), harness.ROOT)}")
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        print(f"interrupted after {len(res)} of {session.testscollected} tests: counted as one failure")
        count["FAIL"] += 1
    print(f"{count['pass']} passed, {count['FAIL']} failed", flush=True)


def pytest_report_teststatus(report, config):
    # Our own line per test replaces pytest's progress letters.
    if report.when == "call" or report.outcome != "passed":
        return report.outcome if report.when == "call" else "error", "", ""
    return None
