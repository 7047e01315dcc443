#!/usr/bin/python3
"""An avatar for a platform: POST /v1/avatar/generate with a photo and its options, then download the PNG.

usage: avatar.py [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, avatar.png)
Needs requests (Debian: python3-requests).
"""
import argparse
import os
import sys

import requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("photo")
    ap.add_argument("output", nargs="?", default="avatar.png")
    ap.add_argument("--url", default=os.environ.get("STROBE_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--key", default=os.environ.get("STROBE_KEY"))
    a = ap.parse_args()
    if not a.key:
        ap.error("set STROBE_KEY or pass --key")

    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {a.key}"
    # Options left out come from the platform (see /openapi.json, AvatarOptions).
    options = {"platform": "linkedin", "background": "studio_light", "palette": "cool_blue"}
    with open(a.photo, "rb") as photo:
        r = api.post(f"{a.url}/v1/avatar/generate", files={"image": photo}, data=options, timeout=300)
    job = r.json()
    if r.status_code != 200:  # every error is {"error": {"code", "message", "field"}}
        sys.exit(f"strobe: {job['error']['message']}")

    image = api.get(job["avatar_url"], timeout=60)
    image.raise_for_status()
    with open(a.output, "wb") as f:
        f.write(image.content)
    warnings = ", ".join(job["validation_warnings"]) or "none"
    print(f"{a.output}: likeness {job['likeness_score']:.3f} (needs {job['likeness_threshold']:.2f}), "
          f"warnings: {warnings}, {job['latency_ms']} ms")


if __name__ == "__main__":
    main()
