#!/usr/bin/python3
"""A styled portrait: POST /api/generate-portrait with the photo as a data URI and a prompt; the answer
carries the JPEG as a data URI (outputImages), saved here.

usage: portrait.py [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, portrait.jpg)
Needs requests (Debian: python3-requests).
"""
import argparse
import base64
import os
import sys

import requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("photo")
    ap.add_argument("output", nargs="?", default="portrait.jpg")
    ap.add_argument("--url", default=os.environ.get("STROBE_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--key", default=os.environ.get("STROBE_KEY"))
    a = ap.parse_args()
    if not a.key:
        ap.error("set STROBE_KEY or pass --key")

    with open(a.photo, "rb") as photo:
        data_uri = "data:image/jpeg;base64," + base64.b64encode(photo.read()).decode()
    body = {"prompt": "golden hour light, outdoor background, warm, half body", "seed": 42,
            "inputImages": [data_uri]}
    r = requests.post(f"{a.url}/api/generate-portrait", json=body,
                      headers={"Authorization": f"Bearer {a.key}"}, timeout=300)
    job = r.json()
    if r.status_code != 200:  # every error is {"error": {"code", "message", "field"}}
        sys.exit(f"strobe: {job['error']['message']}")

    image = job["outputImages"][0]  # "data:image/jpeg;base64,..."
    with open(a.output, "wb") as f:
        f.write(base64.b64decode(image.split(",", 1)[1]))
    ignored = ", ".join(job["ignoredTerms"]) or "none"
    print(f"{a.output}: seed {job['seed']}, likeness {job['likenessScores'][0]:.3f}, words not understood: {ignored}")


if __name__ == "__main__":
    main()
