// `paperchart keygen --sheet FILE.pdf`: the clinic's keys on one page, to keep in the safe (issue 27).
import { readFileSync } from 'node:fs';
import { AtomicOutput } from '../pdf/atomic-output.js';
import { BinderDocument } from '../pdf/binder-document.js';
import { bodyBox, pageFrame } from '../pdf/draw-page.js';
import { Flow } from '../layout/flow.js';
import { PAPER } from '../layout/template.js';
import { TextShaper } from '../text/shape-text.js';
import type { WrittenKeys } from '../keys/key-files.js';

/** One key file's text on lines of their own, never wrapped, so it can be typed back exactly. */
function fileLines(flow: Flow, title: string, note: string, text: string): void {
  flow.heading(title, 11, 60);
  flow.paragraph(note, { size: 8.5, color: '#333333' });
  flow.space(3);
  for (const line of text.replace(/\n$/, '').split('\n')) {
    flow.paragraph(line, { size: flow.shaper.fit(line, 10, 'regular', flow.box.width - 12), indent: 12, width: flow.box.width });
  }
}

/**
 * Writes a one-page PDF holding the three key files keygen wrote, as text to
 * type back, with the fingerprint. Written under a temporary name and put in
 * place only when complete; never over an existing file.
 * @throws OutputExistsError and the other output refusals of AtomicOutput
 */
export async function writeKeySheet(path: string, keys: WrittenKeys, madeAt: Date): Promise<void> {
  const output = await AtomicOutput.open(path);
  try {
    const frame = pageFrame(...PAPER.LETTER);
    const shaper = new TextShaper();
    const doc = new BinderDocument(output, frame, { title: 'paperchart key backup sheet', createdAt: madeAt, lang: 'en' }, shaper, 0);
    const flow = new Flow(shaper, bodyBox(frame));
    flow.paragraph('paperchart key backup sheet', { size: 18, weight: 'bold' });
    flow.paragraph(`Made ${madeAt.toISOString().slice(0, 16).replace('T', ' ')} UTC. Signing key fingerprint (printed on every binder's cover):`, { size: 9.5 });
    flow.paragraph(keys.fingerprint, { size: 10, weight: 'bold' });
    flow.space(4);
    flow.paragraph('SECRET. Keep this sheet in the clinic\'s safe, away from the server. Whoever holds it can sign binders as the clinic and read every encrypted binder; without the record key, an encrypted binder cannot be restored by anyone. To rebuild a file, type each block below into a text file of the name shown, line by line.', { size: 9.5, weight: 'bold' });
    fileLines(flow, 'paperchart-record.key (record key: decrypts the records in the codes)', 'One line of 64 hex digits. The binder\'s recipe asks for this file (python3 decode.py … --record-key paperchart-record.key).', readFileSync(keys.recordKey, 'utf8'));
    fileLines(flow, 'paperchart-signing.key (signing private key: prints signed binders)', 'PKCS#8 PEM, three lines.', readFileSync(keys.signingKey, 'utf8'));
    fileLines(flow, 'paperchart-signing.pub (signing public key: checks binders)', 'SPKI PEM, three lines; the middle line is the 60 characters every binder prints on its cover.', readFileSync(keys.publicKey, 'utf8'));
    for (const body of flow.pages) doc.page(body, { title: 'paperchart keys', detail: 'SECRET — keep in the safe', titleRight: '', detailRight: '', footerLeft: keys.fingerprint, footerRight: '' });
    await doc.end();
    await output.commit();
  } catch (e) {
    output.discard();
    throw e;
  }
}
