// One-shot digests, shared by every hot path that hashes: `crypto.hash` where Node has it (20.12+,
// no Hash object per call), else a Hash object. `binary` is one char per byte (latin1).
import * as crypto from 'node:crypto';

export type DigestEncoding = 'hex' | 'base64url' | 'binary';

export const digest: (algorithm: 'sha1' | 'sha256', data: string | Uint8Array, encoding: DigestEncoding) => string =
  typeof crypto.hash === 'function'
    ? (algorithm, data, encoding) => crypto.hash(algorithm, data, encoding)
    : (algorithm, data, encoding) => crypto.createHash(algorithm).update(data).digest(encoding);
