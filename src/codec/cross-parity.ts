// Cross parity (FORMAT §17): one document of kind X per group of records, the XOR of their containers, so that a
// group whose every record but one is read gives that one back; a lost sheet holds one patient's codes only.
import { inflateRawSync } from 'node:zlib';
import { canonicalJson } from '../record/canonical-json.js';
import { concatBytes, toHex, utf8 } from './bytes.js';
import { CorruptFrameError, PaperchartError } from '../errors.js';
import type { DecodedDocument, DocumentHead } from './record-codec.js';

export const CROSS_PARITY_FORMAT = 'PC1-parity';

/** One record of a group: its document key (FORMAT §4.2) and its container's length. */
export interface CrossParityMember {
  patientId: string;
  /** The digest field of the record's frames (FORMAT §4.2): first 8 bytes of its SHA-256, 16 upper-case hex digits. */
  digest: string;
  /** Bytes of the record's container (FORMAT §5.1), padding excluded. */
  length: number;
}

/** A cross parity document, read. */
export interface CrossParity { runId: string; printedAt: string; digestPrefix: string; members: CrossParityMember[]; parity: Uint8Array }

/** FORMAT §17.2: the XOR of the containers, each zero-padded to the longest. */
export function xorContainers(containers: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(Math.max(0, ...containers.map((c) => c.length)));
  for (const c of containers) xorInto(out, c);
  return out;
}

/** out ^= b over out's length (b zero beyond its own). */
function xorInto(out: Uint8Array, b: Uint8Array): void {
  const n = Math.min(out.length, b.length);
  for (let i = 0; i < n; i++) out[i]! ^= b[i]!;
}

/** A record joining a group: its document key and its container. */
type Joining = { patientId: string; digest: Uint8Array; container: Uint8Array };
const headOf = (m: Joining): CrossParityMember => ({ patientId: m.patientId, digest: toHex(m.digest.subarray(0, 8)).toUpperCase(), length: m.container.length });

/**
 * FORMAT §17.2: the X document's content from its members' keys and lengths and the XOR of their containers.
 * @throws RangeError for an empty group
 */
function parityContent(runId: string, heads: readonly CrossParityMember[], parity: Uint8Array): Uint8Array {
  if (heads.length === 0) throw new RangeError('cross parity of 0 records, expected at least 1');
  const head = canonicalJson({ format: CROSS_PARITY_FORMAT, run: runId, members: heads.map((m) => ({ patient: m.patientId, digest: m.digest, length: m.length })) });
  return concatBytes(utf8.encode(head), Uint8Array.of(0x0a), parity);
}

/**
 * FORMAT §17.2: the content of the cross parity document of a group of records of one run, in binder order
 * (encodeDocument('X', null, content, …) makes its codes; print/cross-parity-pages.ts).
 * @throws RangeError for an empty group
 */
export function crossParityContent(runId: string, members: readonly Joining[]): Uint8Array {
  return parityContent(runId, members.map(headOf), xorContainers(members.map((m) => m.container)));
}

/**
 * crossParityContent for a group that grows one record at a time: the XOR kept running, so each container is XORed in
 * once (not once for every record after it), and only the members' keys and lengths kept.
 */
export class GrowingCrossParity {
  private parity: Uint8Array = new Uint8Array(0);
  private readonly heads: CrossParityMember[] = [];
  private next?: { m: Joining; parity: Uint8Array };

  constructor(private readonly runId: string) {}

  get size(): number { return this.heads.length; }

  /** The content were `m` to join, the same bytes crossParityContent gives; its XOR kept for add(m). */
  contentWith(m: Joining): Uint8Array {
    if (this.next?.m !== m) {
      const parity = new Uint8Array(Math.max(this.parity.length, m.container.length));
      parity.set(this.parity);
      xorInto(parity, m.container);
      this.next = { m, parity };
    }
    return parityContent(this.runId, [...this.heads, headOf(m)], this.next.parity);
  }

  add(m: Joining): void {
    if (this.next?.m !== m) this.contentWith(m);
    this.parity = this.next!.parity;
    this.heads.push(headOf(m));
    this.next = undefined;
  }

  /** @throws RangeError for an empty group */
  contentNow(): Uint8Array {
    return parityContent(this.runId, this.heads, this.parity);
  }
}

/**
 * FORMAT §17.2: a decoded X document's members and parity bytes.
 * @throws CorruptFrameError when the content is not a cross parity document of its run
 */
export function parseCrossParity(doc: Pick<DecodedDocument, 'runId' | 'printedAt' | 'digest' | 'canonical' | 'compressed'>): CrossParity {
  const bad = (why: string): CorruptFrameError => new CorruptFrameError(`run ${doc.runId}: cross parity ${doc.digest.slice(0, 16)} ${why}`);
  let head: unknown;
  try { head = JSON.parse(doc.canonical); } catch { throw bad('does not start with JSON'); }
  const h = head as { format?: unknown; run?: unknown; members?: unknown };
  if (typeof h !== 'object' || h === null || h.format !== CROSS_PARITY_FORMAT || h.run !== doc.runId || !Array.isArray(h.members) || h.members.length === 0) {
    throw bad(`is not a ${CROSS_PARITY_FORMAT} document of run ${doc.runId}`);
  }
  if (canonicalJson(head) !== doc.canonical) throw bad('is not canonical JSON');
  const members = (h.members as unknown[]).map((m): CrossParityMember => {
    const e = m as { patient?: unknown; digest?: unknown; length?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.patient !== 'string' || typeof e.digest !== 'string' || !/^[0-9A-F]{16}$/.test(e.digest)
      || !Number.isSafeInteger(e.length) || (e.length as number) < 1) throw bad('lists a member without patient, digest and length');
    return { patientId: e.patient, digest: e.digest, length: e.length as number };
  });
  const content = inflateRawSync(doc.compressed);
  const headBytes = utf8.encode(doc.canonical).length + 1;
  const parity = new Uint8Array(content.buffer, content.byteOffset + headBytes, content.length - headBytes);
  if (members.some((m) => m.length > parity.length)) throw bad('lists a member longer than its parity');
  return { runId: doc.runId, printedAt: doc.printedAt, digestPrefix: doc.digest.slice(0, 16).toUpperCase(), members, parity };
}

/** The key a record's frames carry (FORMAT §4.2), without the counts: run, patient, digest prefix. */
function memberKey(runId: string, patientId: string, digestPrefix: string): string {
  return `${runId}\u0000${patientId}\u0000${digestPrefix}`;
}

/** A record rebuilt from a cross parity document, or why it could not be. */
export type Rebuilt = { ok: true; doc: DecodedDocument; parity: CrossParity } | { ok: false; member: CrossParityMember; runId: string; error: PaperchartError };

/**
 * FORMAT §17.3 as records are read: each record's container is XORed into its group's parity as it is decoded (so
 * no container is kept), and once all are read, a group missing exactly one member gives that one back.
 */
export class CrossParityRecovery {
  private readonly groups: { parity: CrossParity; rest: Uint8Array; seen: Set<number> }[] = [];
  private readonly byMember = new Map<string, { group: number; member: number }>();

  constructor(parities: readonly CrossParity[]) {
    for (const parity of parities) {
      // The same group read twice (a volume's copy, a rescan) is kept once.
      if (this.groups.some((g) => g.parity.runId === parity.runId && g.parity.digestPrefix === parity.digestPrefix)) continue;
      const group = this.groups.length;
      this.groups.push({ parity, rest: parity.parity.slice(), seen: new Set() });
      parity.members.forEach((m, member) => { this.byMember.set(memberKey(parity.runId, m.patientId, m.digest), { group, member }); });
    }
  }

  /** A record read and checked: its container (joined data shards, zero padding allowed) leaves its group's parity. */
  offer(doc: DecodedDocument, joined: Uint8Array): void {
    if (doc.kind !== 'R' || doc.patientId === null) return;
    const at = this.byMember.get(memberKey(doc.runId, doc.patientId, doc.digest.slice(0, 16).toUpperCase()));
    if (!at) return;
    const g = this.groups[at.group]!;
    if (g.seen.has(at.member)) return;
    g.seen.add(at.member);
    xorInto(g.rest, joined);
  }

  /** Every group with exactly one member not offered: that member, rebuilt and checked (FORMAT §9.2 steps 3–6), or its error. */
  *rebuild(open: (container: Uint8Array, head: DocumentHead) => DecodedDocument): Generator<Rebuilt> {
    for (const { parity, rest, seen } of this.groups) {
      if (seen.size !== parity.members.length - 1) continue;
      const i = parity.members.findIndex((_m, k) => !seen.has(k));
      const member = parity.members[i]!;
      try {
        if (rest.subarray(member.length).some((b) => b !== 0)) throw new CorruptFrameError(`run ${parity.runId}: cross parity ${parity.digestPrefix} does not add up for patient ${member.patientId}`);
        // Checked as a read record is (FORMAT §9.2 steps 3–6): its digest against the listed one, its own signature.
        const doc = open(rest.subarray(0, member.length), { kind: 'R', runId: parity.runId, patientId: member.patientId, digestPrefix: member.digest });
        yield { ok: true, doc: { ...doc, rebuiltFrom: parity.digestPrefix }, parity };
      } catch (e) {
        if (!(e instanceof PaperchartError)) throw e;
        yield { ok: false, member, runId: parity.runId, error: e };
      }
    }
  }

  /** Groups whose every member was read but whose parity does not add up to zero: a misprinted or altered X document (verify). */
  unbalanced(): CrossParity[] {
    return this.groups.filter((g) => g.seen.size === g.parity.members.length && g.rest.some((b) => b !== 0)).map((g) => g.parity);
  }

  /** The groups read. */
  get parities(): CrossParity[] { return this.groups.map((g) => g.parity); }
}
