#!/usr/bin/python3
"""A corporate headshot: POST /api/v1/ai-headshot with a photo, then download the PNG at output_url.

usage: headshot.py [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, headshot.png)
Needs requests (Debian: python3-requests).
"""
import argparse
import os
import sys

import requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("photo")
    ap.add_argument("output", nargs="?", default="headshot.png")
    ap.add_argument("--url", default=os.environ.get("STROBE_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--key", default=os.environ.get("STROBE_KEY"))
    a = ap.parse_args()
    if not a.key:
        ap.error("set STROBE_KEY or pass --key")

    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {a.key}"
    with open(a.photo, "rb") as photo:
        r = api.post(f"{a.url}/api/v1/ai-headshot", files={"image": photo},
                     data={"output_format": "png", "size": 800}, timeout=300)
    job = r.json()
    if r.status_code != 200:  # every error is {"error": {"code", "message", "field"}}
        sys.exit(f"strobe: {job['error']['message']}")

    image = api.get(job["output_url"], timeout=60)
    image.raise_for_status()
    with open(a.output, "wb") as f:
        f.write(image.content)
    print(f"{a.output}: {job['width']}x{job['height']}, {job['latency_ms']} ms")


if __name__ == "__main__":
    main()
