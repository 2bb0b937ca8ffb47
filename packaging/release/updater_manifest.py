#!/usr/bin/env python3
"""Writes the updater manifests (`latest.json`) for the stable and beta channels.

tauri-plugin-updater reads one JSON per endpoint: the version, notes, and per platform
the download URL and the minisign `signature` that `tauri build` wrote next to each
update artefact (`*.sig`, made with TAURI_SIGNING_PRIVATE_KEY after code signing).

Channels: a pre-release tag (v1.2.0-beta.1) goes to beta only; a plain tag (v1.2.0)
goes to stable and to beta, so beta users are never left behind a stable release.

Usage: updater_manifest.py --tag v1.2.0 --dist DIR --base-url URL --notes FILE --out DIR
"""
import argparse
import datetime
import json
import pathlib
import sys

# Update artefact suffix -> updater platform keys it serves. The plain `{os}-{arch}` key
# is the fallback every plugin version reads; `{os}-{arch}-{installer}` keys let an
# install made from the MSI, the deb or the rpm update with its own kind.
ARTEFACTS = [
    ("_x64-setup.exe", ["windows-x86_64", "windows-x86_64-nsis"]),
    ("_x64_zh-CN.msi", ["windows-x86_64-msi"]),
    ("_x86-setup.exe", ["windows-i686", "windows-i686-nsis"]),
    ("_x86_zh-CN.msi", ["windows-i686-msi"]),
    ("_aarch64.app.tar.gz", ["darwin-aarch64", "darwin-aarch64-app"]),
    ("_x64.app.tar.gz", ["darwin-x86_64", "darwin-x86_64-app"]),
    ("_amd64.AppImage", ["linux-x86_64", "linux-x86_64-appimage"]),
    ("_amd64.deb", ["linux-x86_64-deb"]),
    (".x86_64.rpm", ["linux-x86_64-rpm"]),
]


def platforms(dist: pathlib.Path, base_url: str) -> dict:
    found = {}
    for suffix, keys in ARTEFACTS:
        matches = [p for p in dist.rglob("*" + suffix) if p.is_file()]
        if len(matches) > 1:
            sys.exit(f"more than one *{suffix} in {dist}: {matches}")
        if not matches:
            continue
        artefact = matches[0]
        sig = artefact.with_name(artefact.name + ".sig")
        if not sig.is_file():
            if artefact.suffix in (".deb", ".rpm"):
                continue  # bundlers that do not sign deb/rpm updates: AppImage serves Linux
            sys.exit(f"{artefact.name} has no .sig: was TAURI_SIGNING_PRIVATE_KEY set?")
        entry = {
            "signature": sig.read_text().strip(),
            "url": f"{base_url.rstrip('/')}/{artefact.name}",
        }
        for key in keys:
            found[key] = entry
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag", required=True)
    ap.add_argument("--dist", required=True, type=pathlib.Path)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--notes", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--require", default="", help="comma-separated keys that must be present")
    args = ap.parse_args()

    version = args.tag.removeprefix("v")
    found = platforms(args.dist, args.base_url)
    missing = [k for k in args.require.split(",") if k and k not in found]
    if missing:
        sys.exit(f"no signed update artefact for {missing}")
    manifest = {
        "version": version,
        # zh-CN first, then English: the Settings page shows them as written.
        "notes": args.notes.read_text(encoding="utf-8").strip(),
        "pub_date": datetime.datetime.now(datetime.timezone.utc)
        .replace(microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
        "platforms": found,
    }
    channels = ["beta"] if "-" in version else ["stable", "beta"]
    for channel in channels:
        out = args.out / channel
        out.mkdir(parents=True, exist_ok=True)
        (out / "latest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"{channel}/latest.json: {version}, {len(found)} platform keys")


if __name__ == "__main__":
    main()
