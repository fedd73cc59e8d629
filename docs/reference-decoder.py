#!/usr/bin/env python3
"""The reference decoder of docs/FORMAT.md is the binder's own decoder,
templates/decoder/decode.py (printed in every binder as codes and as a listing).
This name runs it in its reference mode: every document restored, one canonical
JSON a line, problems on standard error.

    python3 reference-decoder.py [--pubkey KEY] [--record-key FILE] < codes.txt
"""
import os, runpy, sys

sys.argv = [sys.argv[0], "--lines"] + sys.argv[1:]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates", "decoder", "decode.py"), run_name="__main__")
