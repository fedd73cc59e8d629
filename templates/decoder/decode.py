#!/usr/bin/env python3
# paperchart binder decoder, format PC1 (docs/FORMAT.md). Python 3 standard
# library only; openssl checks signatures and the `cryptography` package
# decrypts, each only when present.
# python3 decode.py codes.txt [--pubkey KEY] [--record-key FILE] > clinic.json
# codes.txt: the codes' texts, one per line, any order, repeats and other lines
# allowed (zbarimg --raw output of every page). Writes the clinic as
# `paperchart export` does; the report goes to standard error. Exit 1 when a
# document could not be restored or a patient of a manifest is missing.
# --lines: every document restored, one canonical JSON a line, no report.
import base64, hashlib, json, os, re, subprocess, sys, tempfile, zlib

SCHEMA_VERSION = 3 # the store schema the records follow (docs/SCHEMA.md); version 2 records are version 3 records (its fields are additive)
A45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" # FORMAT 3
HEAD = re.compile(r"PC1:([RMX]):([0-9A-Z]{1,32}):((?:[0-9A-F]{2})*):"
    r"([0-9A-F]{16}):([1-9][0-9]*)/([1-9][0-9]*):([1-9][0-9]*):")


def b45(s): # RFC 9285
    v = [A45.index(c) for c in s]
    if len(v) % 3 == 1:
        raise ValueError("base45 length")
    out = bytearray()
    for i in range(0, len(v) - 2, 3):
        x = v[i] + v[i + 1] * 45 + v[i + 2] * 2025
        if x > 0xFFFF:
            raise ValueError("base45 triplet")
        out += bytes((x >> 8, x & 255))
    if len(v) % 3 == 2:
        x = v[-2] + v[-1] * 45
        if x > 255:
            raise ValueError("base45 pair")
        out.append(x)
    return bytes(out)


EXP, LOG = [0] * 512, [0] * 256 # FORMAT 7.1: GF(256), 0x11D, generator 2
x = 1
for i in range(255):
    EXP[i] = EXP[i + 255] = x
    LOG[x] = i
    x = (x << 1) ^ (0x11D if x & 128 else 0)


def mul(a, b):
    return EXP[LOG[a] + LOG[b]] if a and b else 0


def inv(a):
    return EXP[255 - LOG[a]]


def recover(slots, k):
    """FORMAT 7.2: k data then parity shards (None if lost) -> k data shards."""
    have = [i for i, s in enumerate(slots) if s is not None][:k]
    if len(have) < k:
        return None
    if have == list(range(k)):
        return slots[:k]
    rows = [[int(i == j) if i < k else inv(i ^ j) for j in range(k)] for i in have]
    m = [[int(r == c) for c in range(k)] for r in range(k)]
    for c in range(k): # Gauss-Jordan: m becomes rows' inverse
        p = next(r for r in range(c, k) if rows[r][c])
        rows[c], rows[p], m[c], m[p] = rows[p], rows[c], m[p], m[c]
        f = inv(rows[c][c])
        rows[c] = [mul(v, f) for v in rows[c]]
        m[c] = [mul(v, f) for v in m[c]]
        for r in range(k):
            g = rows[r][c]
            if r != c and g:
                rows[r] = [a ^ mul(g, b) for a, b in zip(rows[r], rows[c])]
                m[r] = [a ^ mul(g, b) for a, b in zip(m[r], m[c])]
    out = []
    for r in range(k):
        acc = bytearray(len(slots[have[0]]))
        for t in range(k):
            if m[r][t]:
                row = [mul(m[r][t], v) for v in range(256)]
                for p, v in enumerate(slots[have[t]]):
                    acc[p] ^= row[v]
        out.append(bytes(acc))
    return out


def canon(v): # FORMAT 5.3: keys by UTF-16 code units, JSON.stringify escapes
    if isinstance(v, dict):
        ks = sorted(v, key=lambda s: s.encode("utf-16-be"))
        return "{" + ",".join(canon(k) + ":" + canon(v[k]) for k in ks) + "}"
    if isinstance(v, list):
        return "[" + ",".join(canon(e) for e in v) + "]"
    return json.dumps(v, ensure_ascii=False)


class Bad(Exception):
    pass


def which(tool):
    return any(os.access(os.path.join(d, tool), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))


def verify(pem, msg, sig): # FORMAT 6: Ed25519 through openssl 3
    with tempfile.TemporaryDirectory() as d:
        for n, b in (("k", pem), ("m", msg), ("s", sig)):
            open(os.path.join(d, n), "wb").write(b)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(d, "k"), "-rawin",
                            "-in", os.path.join(d, "m"), "-sigfile", os.path.join(d, "s")], capture_output=True)
        return r.returncode == 0


def decrypt(key, nonce, body, aad): # FORMAT 8
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise Bad("encrypted: decrypting needs Python's `cryptography` package (pip install cryptography)")
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except Exception:
        raise Bad("E_DECRYPT: the record key does not open it (wrong key or altered codes)")


def xor(p, c): # FORMAT 17: p ^= c
    n = min(len(p), len(c))
    p[:n] = (int.from_bytes(p[:n], "big") ^ int.from_bytes(c[:n], "big")).to_bytes(n, "big")


def joined(key, frames):
    """FORMAT 9.2 steps 1-2: the container, from the frames read, or raises Bad."""
    kind, run, pid, dig, total, k, _ = key
    G, q = -(-k // 128), (2 if k + 1 >= 8 else 1)
    if k + G * q != total:
        raise Bad("E_CORRUPT_FRAME: counts do not follow the parity rule")
    data = [None] * k
    for g in range(G): # data shard j is in group j mod G (FORMAT 7.3)
        members = list(range(g, k, G))
        slots = [frames.get(j + 1) for j in members] + [frames.get(k + g * q + p + 1) for p in range(q)]
        got = recover(slots, len(members))
        if got is None:
            raise Bad("E_MISSING_CODES: codes %s missing (of %d)" % (", ".join(str(i) for i in range(1, total + 1) if i not in frames), total))
        for j, s in zip(members, got):
            data[j] = s
    return b"".join(data)


def opened(key, c, opt):
    """FORMAT 9.2 steps 3-7: (printed_at, signature state, text, value, content) or raises Bad."""
    kind, run, pid, dig = key[:4]
    try:
        if c[0] != 1 or c[1] & ~3:
            raise Bad("E_DIGEST_MISMATCH: unknown container version or flags")
        flags, D, t = c[1], c[2:34], c[34]
        at, o = c[35:35 + t].decode("ascii"), 35 + t
        sig = c[o:o + 64] if flags & 1 else None
        o += 64 if flags & 1 else 0
        nonce = c[o:o + 12] if flags & 2 else None
        o += 12 if flags & 2 else 0
        n = int.from_bytes(c[o:o + 4], "big")
        body, pad = c[o + 4:o + 4 + n], c[o + 4 + n:]
    except (IndexError, UnicodeDecodeError):
        raise Bad("E_DIGEST_MISMATCH: malformed container")
    if len(body) != n or pad.strip(b"\0") or D.hex().upper()[:16] != dig:
        raise Bad("E_DIGEST_MISMATCH: container does not fit its codes")
    S = b"PC1SIG" + kind.encode() + D + bytes([len(run)]) + run.encode() + bytes([t]) + at.encode()
    if sig is None:
        state = "absent"
    elif opt["pem"] and opt["openssl"]:
        if not verify(opt["pem"], S, sig):
            raise Bad("E_BAD_SIGNATURE: the signature does not verify with the key given")
        state = "valid"
    else:
        state = "unchecked"
    if nonce is not None:
        if not opt["rkey"]:
            raise Bad("encrypted: add --record-key FILE (the clinic's paperchart-record.key)")
        body = decrypt(opt["rkey"], nonce, body, S)
    try:
        content = zlib.decompressobj(-15).decompress(body, 64 << 20)
        text = (content.split(b"\n")[0] if kind == "X" else content).decode("utf-8") # FORMAT 17.2
    except (zlib.error, UnicodeDecodeError):
        raise Bad("E_DIGEST_MISMATCH: body does not inflate to UTF-8")
    if hashlib.sha256(content).digest() != D:
        raise Bad("E_DIGEST_MISMATCH: content differs from its digest")
    try:
        value = json.loads(text)
    except ValueError:
        raise Bad("E_CORRUPT_FRAME: content is not JSON")
    if canon(value) != text:
        raise Bad("E_CORRUPT_FRAME: content is not canonical JSON")
    if kind == "R" and (value.get("patient") or {}).get("id") != bytes.fromhex(pid).decode("utf-8", "replace"):
        raise Bad("E_CORRUPT_FRAME: record of another patient")
    if kind == "M" and (value.get("format") != "PC1-manifest" or value.get("run") != run or value.get("printed_at") != at):
        raise Bad("E_CORRUPT_FRAME: not this run's manifest")
    if kind == "X" and (value.get("format") != "PC1-parity" or value.get("run") != run):
        raise Bad("E_CORRUPT_FRAME: not this run's parity")
    return at, state, text, value, content


def read_key(arg):
    """--pubkey: a PEM file, or the key's 60 characters as the cover prints them."""
    text = open(arg).read() if os.path.exists(arg) else arg
    body = "".join(l.strip() for l in text.splitlines() if l.strip() and not l.startswith("-----")).replace(" ", "")
    if len(base64.b64decode(body)) != 44:
        sys.exit("--pubkey: not an Ed25519 public key (expected 60 characters starting MCowBQYDK2VwAyEA)")
    return ("-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % body).encode()


def main(argv):
    args, opt = [], {"pem": None, "rkey": None, "openssl": which("openssl"), "lines": False}
    it = iter(argv)
    for a in it:
        if a == "--pubkey":
            opt["pem"] = read_key(next(it))
        elif a == "--lines":
            opt["lines"] = True
        elif a == "--record-key":
            opt["rkey"] = bytes.fromhex(open(next(it)).read().strip())
        else:
            args.append(a)
    raw = open(args[0], "rb").read() if args and args[0] != "-" else sys.stdin.buffer.read()
    say = lambda s: print(s, file=sys.stderr)
    groups, junk = {}, 0
    for line in raw.decode("utf-8", "replace").split("\n"):
        line = line.rstrip("\r\n")
        m = HEAD.match(line)
        if not m:
            junk += bool(line.strip()) and not line.startswith("PCDEC ")
            continue
        try:
            p = b45(line[m.end():])
        except ValueError:
            p = b""
        shard, check = p[:-4], p[-4:]
        if len(p) < 5 or zlib.crc32(m.group(0).encode() + shard) != int.from_bytes(check, "big"):
            junk += 1
            continue
        kind, run, pid, dig, i, tot, k = m.groups()
        f = groups.setdefault((kind, run, pid, dig, int(tot), int(k), len(shard)), {})
        f[int(i)] = shard if f.get(int(i), shard) == shard else False # two readings differ: trust neither
    best, manifests, failed, bad, parity, owner = {}, [], set(), 0, [], {}

    def keep(pid, at, state, text, value):
        rank = (state == "valid", at, text) # FORMAT 9.4: verified, then latest print, then greater text
        if pid not in best or rank > best[pid][0]:
            best[pid] = (rank, value["patient"]["id"], text, state)
    for key in sorted(groups, key=lambda k: (k[0] != "X", k)): # FORMAT 17: parity documents first
        kind, run, pid, dig = key[:4]
        who = "run %s %s" % (run, {"M": "manifest", "X": "parity"}.get(kind) or "patient " + bytes.fromhex(pid).decode("utf-8", "replace"))
        try:
            c = joined(key, {i: s for i, s in groups[key].items() if s})
            at, state, text, value, content = opened(key, c, opt)
        except Bad as e:
            say("%s: %s" % (who, e))
            bad += 1
            failed.add((run, pid, dig))
            continue
        if kind == "X": # [run, members, P XOR the members read so far, members read]
            g = [run, value["members"], bytearray(content[len(text.encode("utf-8")) + 1:]), set()]
            parity.append(g)
            for m in g[1]:
                owner[(run, m["patient"].encode("utf-8").hex().upper(), m["digest"])] = g
            continue
        if opt["lines"]:
            sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
        if kind == "M":
            manifests.append((at, value))
        else:
            g = owner.get((run, pid, dig))
            if g and pid + dig not in g[3]:
                xor(g[2], c)
                g[3].add(pid + dig)
            keep(pid, at, state, text, value)
    for run, members, p, seen in parity: # FORMAT 17.3: one member not read is the parity XOR the others
        lost = [(m, m["patient"].encode("utf-8").hex().upper()) for m in members]
        lost = [(m, pid) for m, pid in lost if pid + m["digest"] not in seen]
        if len(lost) != 1:
            continue
        m, pid = lost[0]
        try: # the bytes after its container must be zero: opened() checks them as padding
            at, state, text, value, _ = opened(("R", run, pid, m["digest"]), bytes(p), opt)
        except Bad as e:
            say("run %s patient %s, from parity: %s" % (run, m["patient"], e))
            continue
        say("rebuilt from parity: patient %s of run %s" % (m["patient"], run))
        bad -= (run, pid, m["digest"]) in failed
        if opt["lines"]:
            sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
        keep(pid, at, state, text, value)
    if opt["lines"]:
        return 1 if bad else 0
    manifests.sort(key=lambda m: m[0])
    listed, gone = {}, {} # FORMAT 11.4: removed by a supplement, so not from a run printed before it
    for at, man in manifests:
        for e in man["patients"]: # FORMAT 11: a volume is a whole number from 1, else none
            v = e.get("volume")
            v = v if type(v) is int and v >= 1 else 0
            listed[e["id"].encode("utf-8").hex().upper()] = (man["run"], e["pages"], at, v)
        for i in man.get("supplement", {}).get("removed", []):
            gone[i.encode("utf-8").hex().upper()] = at
    for pid in sorted(p for p in best if best[p][0][1] < gone.get(p, "")):
        say("removed from the records before a supplement was printed: patient %s" % best.pop(pid)[1])
    for pid, (run, pages, at, vol) in sorted(listed.items()):
        if pid not in best and at >= gone.get(pid, ""):
            say("missing: patient %s of run %s; rescan %sbinder page%s %s" % (bytes.fromhex(pid).decode("utf-8", "replace"),
                run, "volume %d, " % vol if vol else "", "s" if len(pages) > 1 else "", ", ".join(map(str, pages))))
            bad += 1
    states = {}
    for r in best.values():
        states[r[3]] = states.get(r[3], 0) + 1
    meta = manifests[-1][1].get("clinic", {}) if manifests else {}
    recs = sorted(best.values(), key=lambda r: r[1])
    out = '{"format":"paperchart-export","meta":%s,"patients":[%s],"schema_version":%d}\n' % (
        canon(meta), "".join(("\n" if i == 0 else ",\n") + r[2] for i, r in enumerate(recs)) + ("\n" if recs else ""), SCHEMA_VERSION)
    sys.stdout.buffer.write(out.encode("utf-8"))
    say("restored %d patients (signature: %s); %d unreadable lines; %d problems" % (
        len(recs), ", ".join("%s %d" % kv for kv in sorted(states.items())) or "none", junk, bad))
    if not manifests:
        say("no run manifest was read: patients with no code read cannot be named, and the clinic's facts (meta) are empty")
    if states.get("unchecked"):
        say("signatures NOT checked (%s): the digests prove the codes intact, not who printed them" % (
            "no --pubkey given" if not opt["pem"] else "openssl not found"))
    if states.get("absent"):
        say("%d records carry no signature at all" % states["absent"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
