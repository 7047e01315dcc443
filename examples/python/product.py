#!/usr/bin/python3
"""A studio product photo: POST /v1/image/product-photo queues a job (202); poll GET /v1/image/{id} until it
is completed, then download the PNG.

usage: product.py [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, product.png)
Needs requests (Debian: python3-requests).
"""
import argparse
import os
import sys
import time

import requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("photo")
    ap.add_argument("output", nargs="?", default="product.png")
    ap.add_argument("--url", default=os.environ.get("STROBE_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--key", default=os.environ.get("STROBE_KEY"))
    a = ap.parse_args()
    if not a.key:
        ap.error("set STROBE_KEY or pass --key")

    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {a.key}"
    options = {"preset": "white-studio", "shadow_type": "soft", "aspect": "4:5"}
    with open(a.photo, "rb") as photo:
        r = api.post(f"{a.url}/v1/image/product-photo", files={"image": photo}, data=options, timeout=300)
    job = r.json()
    if r.status_code not in (200, 202):  # every error is {"error": {"code", "message", "field"}}
        sys.exit(f"strobe: {job['error']['message']}")

    deadline = time.time() + 300
    while job["status"] in ("queued", "processing"):
        if time.time() > deadline:
            sys.exit(f"strobe: job {job['id']} not done in 5 minutes")
        time.sleep(1)
        job = api.get(f"{a.url}/v1/image/{job['id']}", timeout=60).json()
    if job["status"] != "completed":
        sys.exit(f"strobe: {job.get('error', {}).get('message', job['status'])}")

    image = api.get(job["output_url"], timeout=60)
    image.raise_for_status()
    with open(a.output, "wb") as f:
        f.write(image.content)
    print(f"{a.output}: {job['width']}x{job['height']}, {job['latency_ms']} ms")


if __name__ == "__main__":
    main()
