#!/usr/bin/python3
"""sidebyside.py - the conformance results of two targets as one markdown table.

  sidebyside.py A/results.json B/results.json [--doc docs/conformance.md]

Prints the table; with --doc, replaces what lies between the lines
"<!-- results:begin -->" and "<!-- results:end -->" of that file instead, so
the hand-written explanations around it survive a regeneration.  Tests of one
function whose results agree on both sides are folded into one row.
"""
import argparse
import json
import re
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def cell(r):
    if r is None:
        return "—"
    res = r["result"]
    if res == "pass":
        return "pass"
    if res == "choice":
        return f"choice: {r['detail']}"
    if res == "skip":
        return f"skip: {r['detail'].splitlines()[0][:80]}"
    return "**FAIL**"


def md(text):
    return text.replace("|", "\\|").replace("\n", " ")


def generic(template):
    return re.sub(r"\{(\w+)[^}]*\}", r"*\1*", template)


def table(a, b):
    la, lb = a["meta"]["label"], b["meta"]["label"]
    rb = {(r["file"], r["id"]): r for r in b["results"]}
    groups = {}
    order = []
    for r in a["results"]:
        key = (r["file"], r.get("function", r["id"].split("[")[0]))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((r, rb.get((r["file"], r["id"]))))
    seen = {(r["file"], r["id"]) for r in a["results"]}
    for r in b["results"]:
        if (r["file"], r["id"]) not in seen:
            key = (r["file"], r.get("function", r["id"]))
            groups.setdefault(key, []).append((None, r))
            if key not in order:
                order.append(key)
    files = ["test_header.py", "test_addressing.py", "test_ata.py", "test_config.py", "test_mask.py",
             "test_reserve.py", "test_load.py", "test_clients.py"]
    order.sort(key=lambda k: next((i for i, f in enumerate(files) if k[0].endswith(f)), len(files)))
    out = [f"| clause | test | {la} | {lb} |", "|---|---|---|---|"]
    for key in order:
        members = groups[key]
        # Fold the cases of one test function that came out the same on both sides.
        parts, porder = {}, []
        for x, y in members:
            k = (cell(x), cell(y))
            if k not in parts:
                parts[k] = []
                porder.append(k)
            parts[k].append((x, y))
        for k in porder:
            same = parts[k]
            r = same[0][0] or same[0][1]
            if len(same) == 1:
                label = f"`{r['id']}`" if len(members) == 1 else f"`{r['id']}`"
                out.append(f"| {md(r['clause'])} | {label} | {md(k[0])} | {md(k[1])} |")
                continue
            what = "all" if len(same) == len(members) else "the other"
            out.append(f"| {md(generic(r.get('template', r['clause'])))} | `{key[1]}` "
                       f"({what} {len(same)} cases) | {md(k[0])} | {md(k[1])} |")
    summary = ["| target | passed | failed | spec choices | skipped | time |", "|---|---|---|---|---|---|"]
    for d in (a, b):
        m = d["meta"]
        summary.append(f"| {m['label']} (`{m['target']}`) | {m['passed']} | {m['failed']} | {m['choices']} | "
                       f"{m['skipped']} | {m['seconds']} s |")
    return "\n".join(summary) + "\n\n" + "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--doc")
    args = ap.parse_args()
    text = table(load(args.a), load(args.b))
    if not args.doc:
        sys.stdout.write(text)
        return
    with open(args.doc) as f:
        doc = f.read()
    begin, end = "<!-- results:begin -->\n", "<!-- results:end -->"
    if begin not in doc or end not in doc:
        sys.exit(f"{args.doc}: no {begin.strip()} ... {end} block")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(args.doc, "w") as f:
        f.write(head + begin + text + end + tail)


if __name__ == "__main__":
    main()
