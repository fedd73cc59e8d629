// The paper format's public API (FORMAT.md). Byte helpers and shared tables (bytes.ts, gf256.ts, alphanumeric.ts) stay out.
export { BASE45_ALPHABET, base45Length, encodeBase45, decodeBase45 } from './base45.js';
export { encodeParity, recoverData, parityPlan, MAX_SHARDS, MAX_GROUP_DATA } from './erasure.js';
export { FORMAT_TAG, DEFAULT_CAPACITY, encodeFrame, decodeFrame, type Frame, type FrameKind } from './frame.js';
export {
  encodeRecord, encodeDocument, decodeRecord, decodeRecords, groupFrames, reassembleDocument, parseRecord, DEFAULT_MAX_CODES,
  type EncodeOptions, type EncodedDocument, type DecodeOptions, type DecodedDocument, type FrameGroup,
  type RestoredRecord, type FailedDocument, type RejectedText, type SignatureStatus,
} from './record-codec.js';
export { encodeManifest, parseManifest, manifestContent, manifestJson, type Manifest, type ManifestEntry, type ManifestHead } from './manifest.js';
export { generateSigningKeys, fingerprintPublicKey, parseSigningKey, parsePublicKey, rawPublicKey, type SigningKeyPair } from './keys.js';
export * from '../errors.js';
