#!/usr/bin/env python3
"""Reference decoder for the paperchart PC1 paper format (docs/FORMAT.md).

Written from FORMAT.md alone, Python 3 standard library only.

    python3 reference-decoder.py < codes.txt > records.jsonl

Reads code texts, one per line, in any order, with duplicates and codes of
several patients and runs mixed. Prints each restored document's canonical
JSON on its own line (records and manifests), sorted by run, kind, patient.
Problems go to standard error; the exit status is 1 if any document failed.

Limits (FORMAT §12): Python's standard library has no Ed25519 and no
AES-GCM, so this decoder does NOT verify signatures (it checks only the
SHA-256 digest, which proves the codes are intact, not who printed them)
and cannot read encrypted records.
"""
import hashlib
import re
import sys
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"  # FORMAT §3


def b45decode(s):
    """RFC 9285 base45 (FORMAT §3)."""
    val = [ALPHABET.index(c) for c in s]  # ValueError on a foreign character
    if len(val) % 3 == 1:
        raise ValueError("base45 length is 1 mod 3")
    out = bytearray()
    for i in range(0, len(val) - 2, 3):
        x = val[i] + val[i + 1] * 45 + val[i + 2] * 2025
        if x > 0xFFFF:
            raise ValueError("base45 triplet overflows")
        out += bytes([x >> 8, x & 0xFF])
    if len(val) % 3 == 2:
        x = val[-2] + val[-1] * 45
        if x > 0xFF:
            raise ValueError("base45 pair overflows")
        out.append(x)
    return bytes(out)


# FORMAT §7.1: GF(2^8), polynomial 0x11d, generator 2.
EXP = [0] * 512
LOG = [0] * 256
_x = 1
for _i in range(255):
    EXP[_i] = _x
    LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def gmul(a, b):
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def ginv(a):
    return EXP[255 - LOG[a]]


def recover(slots, k, m):
    """FORMAT §7.2: slots = k data then m parity shards (None if lost)."""
    present = [i for i, s in enumerate(slots) if s is not None][:k]
    if len(present) < k:
        return None
    rows = []
    for i in present:
        if i < k:
            rows.append([1 if j == i else 0 for j in range(k)])
        else:
            rows.append([ginv((k + (i - k)) ^ j) for j in range(k)])
    inv = [[1 if j == r else 0 for j in range(k)] for r in range(k)]
    for col in range(k):
        piv = next(r for r in range(col, k) if rows[r][col] != 0)
        rows[col], rows[piv] = rows[piv], rows[col]
        inv[col], inv[piv] = inv[piv], inv[col]
        f = ginv(rows[col][col])
        rows[col] = [gmul(v, f) for v in rows[col]]
        inv[col] = [gmul(v, f) for v in inv[col]]
        for r in range(k):
            c = rows[r][col]
            if r != col and c != 0:
                rows[r] = [a ^ gmul(c, b) for a, b in zip(rows[r], rows[col])]
                inv[r] = [a ^ gmul(c, b) for a, b in zip(inv[r], inv[col])]
    length = len(slots[present[0]])
    out = []
    for r in range(k):
        acc = bytearray(length)
        for t in range(k):
            c = inv[r][t]
            if c:
                src = slots[present[t]]
                for p in range(length):
                    if src[p]:
                        acc[p] ^= gmul(c, src[p])
        out.append(bytes(acc))
    return out


HEADER = re.compile(r"^PC1:([RM]):([0-9A-Z]{1,32}):((?:[0-9A-F]{2})*):([0-9A-F]{16}):([1-9][0-9]*)/([1-9][0-9]*):([1-9][0-9]*):")


def parse_frame(text):
    """FORMAT §4: returns (group key, index, shard) or raises ValueError."""
    m = HEADER.match(text)
    if not m:
        raise ValueError("not a PC1 code or damaged header")
    header = m.group(0)
    payload = b45decode(text[len(header):])
    if len(payload) < 5:
        raise ValueError("payload too short")
    shard, check = payload[:-4], int.from_bytes(payload[-4:], "big")
    if zlib.crc32(header.encode("ascii") + shard) != check:
        raise ValueError("check value fails")
    kind, run, pid, dig, idx, tot, k = m.groups()
    return (kind, run, pid, dig, int(tot), int(k), len(shard)), int(idx), shard


def parity_plan(k):
    """FORMAT §7.3."""
    groups = -(-k // 128)
    per = 2 if k + 1 >= 8 else 1
    return groups, per


def reassemble(key, frames):
    """FORMAT §9.2: returns canonical JSON bytes or raises ValueError."""
    kind, run, pid, dig, total, k, _ = key
    groups, per = parity_plan(k)
    if k + groups * per != total:
        raise ValueError("counts do not follow the parity rule")
    data = [None] * k
    for g in range(groups):
        members = list(range(g, k, groups))
        slots = [frames.get(j + 1) for j in members]
        slots += [frames.get(k + g * per + p + 1) for p in range(per)]
        rec = recover(slots, len(members), per)
        if rec is None:
            missing = [i for i in range(1, total + 1) if i not in frames]
            raise ValueError("codes %s missing" % ", ".join(map(str, missing)))
        for j, shard in zip(members, rec):
            data[j] = shard
    c = b"".join(data)
    # FORMAT §5.1: container layout.
    if c[0] != 1:
        raise ValueError("unknown container version")
    flags = c[1]
    digest = c[2:34]
    o = 34
    n = c[o]
    o += 1 + n  # printedAt
    if flags & 1:
        o += 64  # signature: not verified (no Ed25519 in the standard library)
    if flags & 2:
        raise ValueError("record is encrypted; AES-256-GCM is not in Python's standard library")
    body_len = int.from_bytes(c[o:o + 4], "big")
    body = c[o + 4:o + 4 + body_len]
    if digest.hex().upper()[:16] != dig:
        raise ValueError("digest differs from the header")
    content = zlib.decompress(body, -15)  # FORMAT §5.2: raw deflate
    if hashlib.sha256(content).digest() != digest:
        raise ValueError("digest mismatch: codes altered")
    return content


def main():
    groups = {}
    bad = 0
    for line in sys.stdin.read().splitlines():
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            key, idx, shard = parse_frame(line)
        except ValueError as e:
            print("skipped a code: %s" % e, file=sys.stderr)
            continue
        frames = groups.setdefault(key, {})
        if idx in frames and frames[idx] != shard:
            frames[idx] = None  # two different contents: trust neither
        else:
            frames.setdefault(idx, shard)
    for key in sorted(groups, key=lambda k: (k[1], k[0], k[2], k[3])):
        frames = {i: s for i, s in groups[key].items() if s is not None}
        who = "run %s %s" % (key[1], bytes.fromhex(key[2]).decode("utf-8") if key[2] else "manifest")
        try:
            content = reassemble(key, frames)
        except (ValueError, IndexError, zlib.error) as e:
            print("%s: %s" % (who, e), file=sys.stderr)
            bad += 1
            continue
        sys.stdout.buffer.write(content + b"\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
