// What the codec imports from Node, for the station page's bundle (write-station.ts maps node:zlib and
// node:crypto here). The page only decodes: CRC-32 is needed; the rest is Node's and throws if reached.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC), the value node:zlib's crc32 returns: FORMAT §4.3's check value. */
export function crc32(data: Uint8Array, value = 0): number {
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function nodeOnly(name: string): () => never {
  return () => { throw new Error(`${name} is not available in the scan station page`); };
}

export const deflateRawSync = nodeOnly('deflateRawSync');
export const inflateRawSync = nodeOnly('inflateRawSync');
export const createHash = nodeOnly('createHash');
export const createHmac = nodeOnly('createHmac');
export const createCipheriv = nodeOnly('createCipheriv');
export const createDecipheriv = nodeOnly('createDecipheriv');
export const sign = nodeOnly('sign');
export const verify = nodeOnly('verify');
