"""``smartlock firmware …``: the vendor's signing tools and publishing to the cloud (A-OTA).

    smartlock firmware keygen --out vendor.key        # 0600 private key; prints the public key
    smartlock firmware sign --key vendor.key --image fw.bin --version 0.2.0 [--url U] > rel.json
    smartlock firmware publish rel.json [--vendor-key PUB] [--data-dir D | --database-url U]
    smartlock firmware list [--data-dir D | --database-url U]

The private key never leaves the vendor's machine; the cloud (`SMARTLOCK_FIRMWARE_VENDOR_KEY`)
and each lock (`smartlock lock run --vendor-key`) get the printed public key only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("firmware", help="sign and publish firmware releases (A-OTA)")
    sub = parser.add_subparsers(dest="firmware_command", metavar="ACTION")
    sub.required = True

    keygen = sub.add_parser(
        "keygen", help="new Ed25519 vendor key (file 0600); prints the public key"
    )
    keygen.add_argument("--out", type=Path, required=True, help="private key file to create")
    keygen.set_defaults(handler=_keygen)

    sign = sub.add_parser("sign", help="signed release JSON for an image")
    sign.add_argument("--key", type=Path, required=True, help="the vendor private key file")
    sign.add_argument("--image", type=Path, required=True, help="the firmware image")
    sign.add_argument("--version", required=True, help="e.g. 0.2.0")
    sign.add_argument("--model", default=None, help="lock model (default smartlock-v1)")
    sign.add_argument("--url", default=None, help="where locks fetch it (default: the file path)")
    sign.add_argument("--notes", default="", help="release notes shown in the app")
    sign.add_argument(
        "--downgrade-from",
        action="append",
        default=[],
        metavar="VERSION",
        help="sign an older release as a downgrade of this running version (repeatable; "
        "D-OTA-DOWNGRADE)",
    )
    sign.add_argument("--out", type=Path, default=None, help="write here instead of stdout")
    sign.set_defaults(handler=_sign)

    def cloud(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, help="cloud data directory (SMARTLOCK_DATA_DIR)")
        p.add_argument("--database-url", help="SQLAlchemy URL (SMARTLOCK_DATABASE_URL)")

    publish = sub.add_parser("publish", help="verify a signed release and store it in the cloud")
    cloud(publish)
    publish.add_argument("release", type=Path, help="signed release JSON (from `sign`)")
    publish.add_argument(
        "--vendor-key", default=None, help="vendor public key (SMARTLOCK_FIRMWARE_VENDOR_KEY)"
    )
    publish.set_defaults(handler=_publish)

    listing = sub.add_parser("list", help="releases published in the cloud")
    cloud(listing)
    listing.set_defaults(handler=_list)


def _keygen(args: argparse.Namespace) -> int:
    from smartlock.link import firmware as fw

    key = fw.new_private_key()
    try:
        fw.write_private_key(key, args.out)
    except FileExistsError:
        print(f"error: {args.out} exists; not overwriting a key", file=sys.stderr)
        return 1
    print(f"private key: {args.out} (keep it offline; mode 0600)")
    print(f"public key: {fw.public_key_text(key)}")
    return 0


def _sign(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from smartlock.link import firmware as fw

    try:
        key = fw.read_private_key(args.key)
        image = args.image.read_bytes()
        manifest = fw.manifest_for(
            image,
            version=args.version,
            url=args.url or str(args.image.resolve()),
            model=args.model or fw.DEFAULT_MODEL,
            notes=args.notes,
            downgrade_from=args.downgrade_from,
        )
        fw.parse_version(manifest.version)
    except (OSError, ValueError, ValidationError, fw.FirmwareError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(fw.sign_manifest(key, manifest).model_dump(mode="json"), indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, "utf-8")
        print(f"signed {manifest.model} {manifest.version} ({manifest.size} bytes): {args.out}")
    return 0


def _services(args: argparse.Namespace, **more: Any) -> Any:
    from smartlock.cloud.app import build_services
    from smartlock.cloud.core.config import Settings

    overrides: dict[str, Any] = {k: v for k, v in more.items() if v}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = Settings(**overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return build_services(settings)


def _publish(args: argparse.Namespace) -> int:
    from smartlock.cloud import firmware
    from smartlock.cloud.errors import CloudError

    try:
        release = json.loads(args.release.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {args.release}: {exc}", file=sys.stderr)
        return 1
    services = _services(args, firmware_vendor_key=args.vendor_key)
    try:
        with services.sessionmaker() as session:
            row = firmware.publish_release(
                session, release, vendor_key=services.settings.firmware_vendor_key
            )
            print(f"published {row.model} {row.version} (release {row.id})")
    except CloudError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    finally:
        services.engine.dispose()
    return 0


def _list(args: argparse.Namespace) -> int:
    from smartlock.cloud import firmware

    services = _services(args)
    try:
        with services.sessionmaker() as session:
            for row in firmware.releases(session):
                print(f"{row.id}\t{row.model}\t{row.version}\t{row.size}\t{row.sha256[:16]}…")
    finally:
        services.engine.dispose()
    return 0
