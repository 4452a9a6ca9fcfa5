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

The Debian 13 column also says where its libgphoto2 (2.5.31) refuses the body before any file is
taken: the bodies data/sony-bodies.json says 2.5.31 opens in Sony protocol 3.00 (the rule of
config/GphotoSupport: libgphoto2 #937).

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


def status_cell(body, gphoto_refuses=False):
    cell = f"{connect_cell(body)} · {', '.join(file_cell(f) for f in body['files'])}"
    if gphoto_refuses:
        # The LibRaw results still say what the files would give with a libgphoto2 that drives it.
        return "**refused**: libgphoto2 2.5.31 misreads its protocol 3.00 · with 2.5.32+: " + cell
    return cell


def protocol_3_on_2_5_31(data_file):
    """Models libgphoto2 2.5.31 opens in Sony protocol 3.00 (data: libgphoto2.protocol)."""
    with open(data_file, encoding="utf-8") as source:
        rows = json.load(source)["bodies"]
    models = set()
    for row in rows:
        protocol = row.get("libgphoto2", {}).get("protocol", {})
        known = [release for release in protocol if tuple(map(int, release.split("."))) <= (2, 5, 31)]
        if known and protocol[max(known, key=lambda r: tuple(map(int, r.split("."))))] == 3:
            models.add(row["model"])
    return models


def load(path):
    with open(path, encoding="utf-8") as source:
        report = json.load(source)
    return report, {body["model"]: body for body in report["bodies"]}


def table(old, new, data_file):
    old_report, old_bodies = load(old)
    new_report, new_bodies = load(new)
    gphoto_refused = protocol_3_on_2_5_31(data_file)
    lines = [
        f"Results of `test_decode_proof` with LibRaw {old_report['libraw_version']} ({old_report['os']}) and "
        f"LibRaw {new_report['libraw_version']} ({new_report['os']}); files at {old_report['sensor']}. "
        "Written by `scripts/decode-proof-table.py`; do not edit by hand.",
        "",
        f"| model | name | id | RAW types | libraw_min | Debian 12 (LibRaw {old_report['libraw_version']}, "
        f"libgphoto2 2.5.30) | Debian 13 (LibRaw {new_report['libraw_version']}, libgphoto2 2.5.31) |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, body in old_bodies.items():
        other = new_bodies.get(model)
        if other is None:
            sys.exit(f"decode-proof-table: {model} is in {old} but not in {new}: run both with the same data")
        types = " ".join(LETTER.get(t, t) for t in body["raw_types"])
        lines.append(
            f"| {model} | {body['display_name']} | {body['sony_model_id']} | {types} | {body['libraw_min']} | "
            f"{status_cell(body)} | {status_cell(other, model in gphoto_refused)} |")
    missing = set(new_bodies) - set(old_bodies)
    if missing:
        sys.exit(f"decode-proof-table: {', '.join(sorted(missing))} only in {new}: run both with the same data")

    def count(bodies, gphoto_refuses=frozenset()):
        served = [b for b in bodies.values() if not b["connect_refused"] and b["model"] not in gphoto_refuses]
        refused = [b for b in bodies.values() if b["connect_refused"] or b["model"] in gphoto_refuses]
        exact = sum(1 for b in served for f in b["files"] if f["verdict"] == "exact")
        files = sum(len(b["files"]) for b in served)
        refused_exact = sum(1 for b in refused for f in b["files"] if f["verdict"] == "exact")
        refused_files = sum(len(b["files"]) for b in refused)
        return (f"{len(served)} of {len(bodies)} bodies served, {exact} of their {files} files decoded exactly; "
                f"{len(refused)} refused, {refused_exact} of their {refused_files} files decoded exactly all the same")

    lines += ["", f"Debian 12: {count(old_bodies)}.", "",
              f"Debian 13: {count(new_bodies, gphoto_refused)} ({len(gphoto_refused)} of the refusals by "
              "libgphoto2 2.5.31)."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debian12", required=True, help="libraw-0.20.json of a Debian 12 run")
    parser.add_argument("--debian13", required=True, help="libraw-0.21.json of a Debian 13 run")
    parser.add_argument("--data", default="data/sony-bodies.json", help="the body data (libgphoto2 protocols)")
    parser.add_argument("--update", metavar="MARKDOWN", help="replace the table between the markers in this file")
    args = parser.parse_args()
    text = table(args.debian12, args.debian13, args.data)
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
