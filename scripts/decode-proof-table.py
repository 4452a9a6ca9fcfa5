#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes docs/BODIES.md's decode-proof table from the results of test_decode_proof.

The test (tests/unit/sim/BodyDecodeProofTest.cpp) writes BUILD/Testing/artifacts/decode-proof/
libraw-<series>.json: per body, whether the LibRaw it ran with knows the body's model id, what the
camera does at connect, and per RAW type what LibRaw and the daemon's decoder made of the file.
Run it once per Debian release (natively on Debian 12, in the Debian 13 root of
scripts/platform-root.sh), then:

    scripts/decode-proof-table.py --debian12 build-ci/Testing/artifacts/decode-proof/libraw-0.20.json \\
        --debian13 /path/to/trixie/build-ci/Testing/artifacts/decode-proof/libraw-0.21.json \\
        [--update docs/BODIES.md]

Without --update the table goes to stdout. With it, the text between the markers
<!-- decode-proof:begin --> and <!-- decode-proof:end --> is replaced. Standard library only.
"""
import argparse
import json
import re
import sys

LETTER = {"uncompressed": "U", "compressed": "C", "lossless": "L"}
LETTER_OF_LABEL = {"Uncompressed RAW": "U", "Compressed RAW": "C", "Lossless Compressed RAW": "L"}
BEGIN = "<!-- decode-proof:begin -->"
END = "<!-- decode-proof:end -->"


def file_cell(f):
    """One file's fate in a few words: 'U exact', 'U crop 7040x4688 (data 7028x4688)'."""
    letter = LETTER.get(f["type"], f["type"])
    verdict = f["verdict"]
    if verdict == "exact":
        return f"{letter} exact"
    libraw = f["libraw"]
    if verdict == "wrong crop":
        return f"{letter} crop {libraw['visible']} (data {f['visible_in_data']})"
    if verdict == "garbage" and libraw["raw"] != f["raw"]:
        return f"{letter} garbage ({libraw['raw']} of {f['raw']} read)"
    return f"{letter} {verdict}"


def connect_cell(body):
    if not body["connect_refused"]:
        return f"served ({LETTER_OF_LABEL.get(body['connect_raw_type'], 'as set')})"
    reason = body["connect_refusal"]
    if "does not know this body" in reason:
        fix = reason.split("Fix: ", 1)[-1]
        if "Debian 13" in fix and fix.startswith("move to"):
            return "**refused**: id unknown; fix: Debian 13"
        if fix.startswith("none in Debian yet"):
            return "**refused**: id unknown; no Debian LibRaw knows it"
        return "**refused**: id unknown; no LibRaw knows it"
    return "**refused**: no RAW type it offers decodes"


def status_cell(body):
    return f"{connect_cell(body)} · {', '.join(file_cell(f) for f in body['files'])}"


def load(path):
    with open(path, encoding="utf-8") as source:
        report = json.load(source)
    return report, {body["model"]: body for body in report["bodies"]}


def table(old, new):
    old_report, old_bodies = load(old)
    new_report, new_bodies = load(new)
    lines = [
        f"Results of `test_decode_proof` with LibRaw {old_report['libraw_version']} ({old_report['os']}) and "
        f"LibRaw {new_report['libraw_version']} ({new_report['os']}); files at {old_report['sensor']}. "
        "Written by `scripts/decode-proof-table.py`; do not edit by hand.",
        "",
        f"| model | name | id | RAW types | libraw_min | Debian 12 (LibRaw {old_report['libraw_version']}) | "
        f"Debian 13 (LibRaw {new_report['libraw_version']}) |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, body in old_bodies.items():
        other = new_bodies.get(model)
        if other is None:
            sys.exit(f"decode-proof-table: {model} is in {old} but not in {new}: run both with the same data")
        types = " ".join(LETTER.get(t, t) for t in body["raw_types"])
        lines.append(
            f"| {model} | {body['display_name']} | {body['sony_model_id']} | {types} | {body['libraw_min']} | "
            f"{status_cell(body)} | {status_cell(other)} |")
    missing = set(new_bodies) - set(old_bodies)
    if missing:
        sys.exit(f"decode-proof-table: {', '.join(sorted(missing))} only in {new}: run both with the same data")

    def count(bodies):
        served = [b for b in bodies.values() if not b["connect_refused"]]
        refused = [b for b in bodies.values() if b["connect_refused"]]
        exact = sum(1 for b in served for f in b["files"] if f["verdict"] == "exact")
        files = sum(len(b["files"]) for b in served)
        refused_exact = sum(1 for b in refused for f in b["files"] if f["verdict"] == "exact")
        refused_files = sum(len(b["files"]) for b in refused)
        return (f"{len(served)} of {len(bodies)} bodies served, {exact} of their {files} files decoded exactly; "
                f"{len(refused)} refused, {refused_exact} of their {refused_files} files decoded exactly all the same")

    lines += ["", f"Debian 12: {count(old_bodies)}.", "", f"Debian 13: {count(new_bodies)}."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debian12", required=True, help="libraw-0.20.json of a Debian 12 run")
    parser.add_argument("--debian13", required=True, help="libraw-0.21.json of a Debian 13 run")
    parser.add_argument("--update", metavar="MARKDOWN", help="replace the table between the markers in this file")
    args = parser.parse_args()
    text = table(args.debian12, args.debian13)
    if not args.update:
        sys.stdout.write(text)
        return
    with open(args.update, encoding="utf-8") as source:
        document = source.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(document):
        sys.exit(f"decode-proof-table: {args.update} has no {BEGIN} ... {END} block")
    document = pattern.sub(lambda _: f"{BEGIN}\n{text}{END}", document)
    with open(args.update, "w", encoding="utf-8") as target:
        target.write(document)


if __name__ == "__main__":
    main()
