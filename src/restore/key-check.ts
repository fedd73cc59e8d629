// Names a key problem from the first codes read, before a restore or verify
// scans the rest: a missing --decrypt-key, codes that are unsigned, or signed
// or encrypted with another clinic's key would otherwise be found patient by
// patient after every page was read (1,026 pages, six minutes), and reported as
// pages to rescan.
import type { KeyObject } from 'node:crypto';
import { fingerprintPublicKey } from '../codec/keys.js';
import { BadSignatureError, DecryptError } from '../errors.js';
import { CONTAINER_VERSION, FLAG_ENCRYPTED, FLAG_SIGNED, PRINTED_AT_PATTERN, signedBytes, verifyBytes } from '../codec/container.js';
import { groupFrames, reassembleDocument, type FrameGroup } from '../codec/record-codec.js';
import { toHex } from '../codec/bytes.js';
import { KeyProblemError } from '../errors.js';

export interface KeyCheckOptions {
  publicKey?: KeyObject;
  /** The file --pubkey named, for the message. */
  publicKeyFile?: string;
  trustUnsigned?: boolean;
  decryptKey?: Uint8Array;
  /** The file --decrypt-key named, for the message. */
  decryptKeyFile?: string;
}

/** What is wrong with the keys for one document. */
export type KeyProblem = 'encrypted-no-key' | 'unsigned' | 'signed-no-pubkey' | 'other-key' | 'wrong-record-key';

/**
 * Documents that must agree before a restore is stopped: one forged or odd
 * document among good ones never stops it (those are refused one by one).
 */
const DOCUMENTS_TO_AGREE = 2;

type Verdict = 'ok' | KeyProblem | 'whole' | undefined;

/**
 * Judges each document as soon as its first data frame, or enough of its
 * frames, has been read (FORMAT §5.1: the container's flags, digest, print time
 * and signature sit at its start, in data frame 1; §6: the signature covers only
 * those). Stops at the first document whose keys fit.
 */
export class KeyCheck {
  private readonly groups = new Map<string, FrameGroup>();
  private readonly judged = new Set<string>();
  private readonly problems = new Map<KeyProblem, number>();
  private fits = false;

  constructor(private readonly o: KeyCheckOptions) {}

  /**
   * Takes the texts of one more page (anything not a paperchart code is ignored).
   * @throws KeyProblemError once DOCUMENTS_TO_AGREE documents show the same key problem and none fits
   */
  add(texts: readonly string[]): void {
    if (this.fits || texts.length === 0) return;
    const touched = new Set<string>();
    for (const g of groupFrames(texts).groups) {
      const key = groupKey(g);
      const had = this.groups.get(key);
      if (!had) this.groups.set(key, g);
      else for (const [i, f] of g.frames) if (!had.frames.has(i)) had.frames.set(i, f);
      touched.add(key);
    }
    for (const key of touched) {
      if (this.judged.has(key)) continue;
      const verdict = this.judge(this.groups.get(key)!);
      if (verdict === undefined || verdict === 'whole') continue;
      this.judged.add(key);
      this.groups.delete(key);
      if (verdict === 'ok') { this.fits = true; this.groups.clear(); return; }
      this.problems.set(verdict, (this.problems.get(verdict) ?? 0) + 1);
    }
    const [problem, n] = this.worst() ?? [];
    if (problem !== undefined && n! >= DOCUMENTS_TO_AGREE) throw this.error(problem);
  }

  /**
   * After the last page: fewer documents than DOCUMENTS_TO_AGREE (a one-patient
   * restore) still name their key problem when no document fits.
   * @throws KeyProblemError
   */
  finish(): void {
    const [problem] = this.worst() ?? [];
    if (!this.fits && problem !== undefined) throw this.error(problem);
  }

  private worst(): [KeyProblem, number] | undefined {
    return [...this.problems].sort((a, b) => b[1] - a[1])[0];
  }

  private judge(g: FrameGroup): Verdict {
    // FORMAT §17.4: cross parity is never signed nor encrypted, so it says nothing of the keys.
    if (g.kind === 'X') return undefined;
    const early = this.judgeFirstFrame(g);
    if (early !== 'whole' && early !== undefined) return early;
    // Only a document that may be complete is rebuilt; an incomplete one waits for more pages.
    if (g.frames.size < g.dataCount) return undefined;
    return this.judgeWhole(g);
  }

  /** FORMAT §5.1 from data frame 1 alone: version, flags, digest, print time, signature. */
  private judgeFirstFrame(g: FrameGroup): Verdict {
    const b = g.frames.get(1)?.shard;
    if (!b || g.conflicts.has(1) || b.length < 35 || b[0] !== CONTAINER_VERSION) return undefined;
    const flags = b[1]!;
    if ((flags & ~(FLAG_SIGNED | FLAG_ENCRYPTED)) !== 0) return undefined;
    const digest = b.subarray(2, 34);
    if (toHex(digest.subarray(0, 8)).toUpperCase() !== g.digestPrefix) return undefined;
    const signed = (flags & FLAG_SIGNED) !== 0;
    const encrypted = (flags & FLAG_ENCRYPTED) !== 0;
    if (encrypted && !this.o.decryptKey) return 'encrypted-no-key';
    if (!signed && !this.o.trustUnsigned) return 'unsigned';
    if (signed && !this.o.publicKey && !this.o.trustUnsigned) return 'signed-no-pubkey';
    if (signed && this.o.publicKey) {
      const at = b[34]!;
      if (b.length < 35 + at + 64) return 'whole';
      const printedAt = String.fromCharCode(...b.subarray(35, 35 + at));
      if (!PRINTED_AT_PATTERN.test(printedAt)) return undefined;
      const signature = b.subarray(35 + at, 35 + at + 64);
      if (!verifyBytes(signedBytes(g.kind, digest, g.runId, printedAt), signature, this.o.publicKey)) return 'other-key';
    }
    // Only the whole document tells whether the record key decrypts it (the GCM tag is at its end).
    return encrypted ? 'whole' : 'ok';
  }

  private judgeWhole(g: FrameGroup): Verdict {
    try {
      const d = reassembleDocument(g, {
        trustUnsigned: true, ...(this.o.publicKey ? { publicKey: this.o.publicKey } : {}), ...(this.o.decryptKey ? { decryptKey: this.o.decryptKey } : {}),
      });
      if (d.signature === 'absent' && !this.o.trustUnsigned) return 'unsigned';
      if (d.signature === 'unverified' && !this.o.trustUnsigned) return 'signed-no-pubkey';
      return 'ok';
    } catch (e) {
      if (e instanceof BadSignatureError) return 'other-key';
      if (e instanceof DecryptError) return this.o.decryptKey ? 'wrong-record-key' : 'encrypted-no-key';
      // Missing or damaged codes are the paper's problem, not the keys': the restore reports them.
      return undefined;
    }
  }

  private error(problem: KeyProblem): KeyProblemError {
    const pub = this.o.publicKeyFile ?? 'the --pubkey file';
    switch (problem) {
      case 'encrypted-no-key':
        return new KeyProblemError(problem, 'this binder is encrypted and no --decrypt-key was given',
          'add --decrypt-key FILE: the record key the binder was printed with (paperchart-record.key from keygen)');
      case 'unsigned':
        return this.o.publicKey
          ? new KeyProblemError(problem, `these codes are unsigned, and --pubkey ${pub} asks for signed codes`,
            'add --trust-unsigned to accept unsigned paper, or leave out --pubkey')
          : new KeyProblemError(problem, 'these codes are unsigned',
            'add --trust-unsigned to accept unsigned paper (the binder cover says "unsigned")');
      case 'signed-no-pubkey':
        return new KeyProblemError(problem, 'these codes are signed and no --pubkey was given to check them',
          'add --pubkey FILE with the clinic\'s public key (paperchart-signing.pub), or --trust-unsigned to accept them unchecked');
      case 'other-key':
        return new KeyProblemError(problem,
          `these codes are signed by another key than ${pub} (fingerprint ${fingerprintPublicKey(this.o.publicKey!)})`,
          'pass with --pubkey the public key whose fingerprint is printed on the binder\'s cover; if no key of the clinic matches, do not use this paper');
      case 'wrong-record-key':
        return new KeyProblemError(problem, `the record key ${this.o.decryptKeyFile ?? 'given'} does not decrypt these codes`,
          'check --decrypt-key: use the record key the binder was printed with (paperchart-record.key beside the signing key)');
    }
  }
}

/** The identity of one document's frames, as groupFrames sorts them (FORMAT §9.1). */
function groupKey(g: FrameGroup): string {
  return [g.kind, g.runId, g.patientId ?? '', g.digestPrefix, g.total, g.dataCount, g.shardBytes].join('\u0000');
}
