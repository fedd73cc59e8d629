// The page's own check of one document's codes (FORMAT §9.2), asynchronous because the browser's inflate
// (DecompressionStream) and digest (Web Crypto) are: parity recovery, container, signature, inflate, digest.
// Grouping, frames, Reed–Solomon and the container are the codec's own code, bundled.
import { parityPlan, recoverData } from '../../codec/erasure.js';
import { FLAG_ENCRYPTED, decodeContainer, signedBytes } from '../../codec/container.js';
import type { FrameGroup } from '../../codec/record-codec.js';

/** Which codes of a document are still out, and how many more of them would complete it. */
export interface CodeNeed { missing: number[]; needed: number }

/** FORMAT §7.3: data shard j (0-based) belongs to group j mod G. */
function groupMembers(k: number, groups: number, g: number): number[] {
  const out: number[] = [];
  for (let j = g; j < k; j += groups) out.push(j);
  return out;
}

/** The codes not yet read (1-based), and how many more are needed: each Reed–Solomon group may lose its parity's worth. */
export function codeNeed(group: FrameGroup): CodeNeed {
  const k = group.dataCount, plan = parityPlan(k);
  const held = (i: number): boolean => group.frames.has(i) && !group.conflicts.has(i);
  const missing: number[] = [];
  for (let i = 1; i <= group.total; i++) if (!held(i)) missing.push(i);
  let needed = 0;
  for (let g = 0; g < plan.groups; g++) {
    const members = groupMembers(k, plan.groups, g).map((j) => j + 1);
    for (let p = 0; p < plan.parityPerGroup; p++) members.push(k + g * plan.parityPerGroup + p + 1);
    needed += Math.max(0, members.length - members.filter(held).length - plan.parityPerGroup);
  }
  return { missing, needed };
}

export type SignatureCheck = 'valid' | 'absent' | 'left to restore' | 'BAD';

export interface CheckedDocument {
  /** The canonical JSON text, or null when the record is encrypted (restore decrypts it). */
  canonical: string | null;
  printedAt: string;
  signature: SignatureCheck;
  /** What failed, in words; null when the document checked. */
  problem: string | null;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function inflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Ed25519 through Web Crypto, where the browser has it (Debian's Chromium 156 does: test/station); otherwise restore checks it. */
async function checkSignature(publicKey: Uint8Array | null, signed: Uint8Array, signature: Uint8Array | null): Promise<SignatureCheck> {
  if (signature === null) return 'absent';
  if (publicKey === null) return 'left to restore';
  let key: CryptoKey;
  try { key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']); }
  catch { return 'left to restore'; }
  return (await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, signed as BufferSource)) ? 'valid' : 'BAD';
}

/** Rebuilds a document whose codeNeed is 0 and checks it; never throws for bad codes. */
export async function checkDocument(group: FrameGroup, publicKey: Uint8Array | null): Promise<CheckedDocument> {
  const k = group.dataCount, plan = parityPlan(k), len = group.shardBytes;
  const have = (i: number): Uint8Array | undefined => (group.conflicts.has(i + 1) ? undefined : group.frames.get(i + 1)?.shard);
  const joined = new Uint8Array(k * len);
  const fail = (problem: string): CheckedDocument => ({ canonical: null, printedAt: '', signature: 'absent', problem });
  try {
    for (let g = 0; g < plan.groups; g++) {
      const members = groupMembers(k, plan.groups, g);
      const slots: (Uint8Array | undefined)[] = members.map(have);
      for (let p = 0; p < plan.parityPerGroup; p++) slots.push(have(k + g * plan.parityPerGroup + p));
      recoverData(slots, members.length, plan.parityPerGroup).forEach((shard, t) => joined.set(shard, members[t]! * len));
    }
  } catch (e) { return fail(`parity recovery failed: ${(e as Error).message}`); }
  const c = decodeContainer(joined);
  if (typeof c === 'string') return fail(c);
  if (hex(c.digest).slice(0, 16).toUpperCase() !== group.digestPrefix) return fail('the digest differs from the codes\' digest prefix');
  const signature = await checkSignature(publicKey, signedBytes(group.kind, c.digest, group.runId, c.printedAt), c.signature);
  if (signature === 'BAD') return { canonical: null, printedAt: c.printedAt, signature, problem: 'the signature does not match the clinic key' };
  if (c.flags & FLAG_ENCRYPTED) return { canonical: null, printedAt: c.printedAt, signature, problem: null };
  let content: Uint8Array;
  try { content = await inflateRaw(c.body); } catch { return fail('the content does not inflate'); }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', content as BufferSource));
  if (hex(digest) !== hex(c.digest)) return fail('the content does not match its SHA-256 digest');
  try { return { canonical: new TextDecoder('utf-8', { fatal: true }).decode(content), printedAt: c.printedAt, signature, problem: null }; }
  catch { return fail('the content is not UTF-8'); }
}
