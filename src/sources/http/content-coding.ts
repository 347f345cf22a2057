// Bodies as the fetcher keeps them: Content-Encoding undone with node:zlib streams, and every form
// of the body (as sent, and after each decoding step) held to one byte cap, so neither a
// compression bomb nor an endless stream of padding that decodes to nothing can outgrow it.
import type { Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

/** A content coding we can undo. */
export type Coding = 'gzip' | 'deflate' | 'br';

/** What to do with a body, read from its Content-Encoding header. */
export type DecodingPlan =
  | { kind: 'decode'; /** In the order to undo them (the last one applied first); empty for none. */ codings: Coding[] }
  | { kind: 'unsupported'; coding: string }
  | { kind: 'too-many'; count: number };

/** More codings than this is an attack, not a server (the same limit as curl and undici's fetch). */
export const MAX_CODINGS = 5;

/** Compression codings that are certainly not identity but that we cannot undo. */
const UNSUPPORTED = new Set(['compress', 'x-compress', 'zstd', 'x-bzip2', 'bzip2', 'lzma', 'xz']);

const NO_CODINGS: DecodingPlan = { kind: 'decode', codings: [] };

/**
 * Reads a Content-Encoding header. `identity` and tokens that name no compression at all (servers
 * do send `Content-Encoding: utf-8`) leave the body as sent; a real compression we cannot undo is
 * `unsupported` rather than handed on as garbage.
 */
export function planDecoding(header: string | undefined): DecodingPlan {
  if (header === undefined || header === '') return NO_CODINGS;
  const tokens = header.split(',');
  if (tokens.length > MAX_CODINGS) return { kind: 'too-many', count: tokens.length };
  const codings: Coding[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = (tokens[i] ?? '').trim().toLowerCase();
    if (token === 'gzip' || token === 'x-gzip') codings.push('gzip');
    else if (token === 'deflate') codings.push('deflate');
    else if (token === 'br') codings.push('br');
    else if (UNSUPPORTED.has(token)) return { kind: 'unsupported', coding: token };
  }
  return codings.length === 0 ? NO_CODINGS : { kind: 'decode', codings };
}

/** Thrown (passed to `done`) when the body, or one of its decoded forms, passes the cap. */
export class BodyTooLarge extends Error {
  constructor() {
    super('body larger than the cap');
    this.name = 'BodyTooLarge';
  }
}

/** Collects a body chunk by chunk. */
export interface BodyCollector {
  /** Takes a chunk as sent; false asks the sender to pause until `onDrain` is called. */
  write(chunk: Buffer): boolean;
  /** The sender has no more; `done` follows (at once for an identity body). */
  end(): void;
  /** Stops everything; `done` is not called afterwards. */
  destroy(): void;
  /** Called when a paused sender may go on. */
  onDrain: (() => void) | undefined;
}

// Lenient like browsers and curl: a body cut short still yields what was decoded of it.
const ZLIB_OPTIONS = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = { flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH };

/** "deflate" is zlib-wrapped by the RFC but raw from some servers: the first byte tells which. */
function decoderFor(coding: Coding, firstByte: number): Transform {
  if (coding === 'gzip') return createGunzip(ZLIB_OPTIONS);
  if (coding === 'br') return createBrotliDecompress(BROTLI_OPTIONS);
  return (firstByte & 0x0f) === 0x08 ? createInflate(ZLIB_OPTIONS) : createInflateRaw(ZLIB_OPTIONS);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** One decoding step, made at its first byte (deflate needs to see it), feeding the next step or the body. */
interface Stage {
  coding: Coding;
  stream: Transform | undefined;
  /** Bytes it produced: the cap applies to every decoded form, not just the last. */
  produced: number;
  ended: boolean;
}

/** See `createBodyCollector`. */
class Collector implements BodyCollector {
  onDrain: (() => void) | undefined = undefined;
  readonly #stages: Stage[];
  readonly #maxBytes: number;
  readonly #done: (result: Uint8Array | Error) => void;
  readonly #chunks: Uint8Array[] = [];
  /** Decoded bytes kept, and bytes as sent (counted apart only when there is something to decode). */
  #total = 0;
  #sent = 0;
  #finished = false;

  constructor(codings: readonly Coding[], maxBytes: number, done: (result: Uint8Array | Error) => void) {
    this.#stages = codings.map((coding) => ({ coding, stream: undefined, produced: 0, ended: false }));
    this.#maxBytes = maxBytes;
    this.#done = done;
  }

  write(chunk: Buffer): boolean {
    if (this.#finished) return true;
    if (this.#stages.length === 0) {
      this.#keep(chunk);
      return true;
    }
    this.#sent += chunk.length;
    if (this.#sent > this.#maxBytes) {
      this.#finish(new BodyTooLarge());
      return true;
    }
    return this.#feed(0, chunk);
  }

  end(): void {
    this.#close(0);
  }

  destroy(): void {
    this.#finished = true;
    for (const stage of this.#stages) stage.stream?.destroy();
  }

  #finish(result: Uint8Array | Error): void {
    if (this.#finished) return;
    this.destroy();
    this.#done(result);
  }

  #keep(chunk: Uint8Array): void {
    this.#total += chunk.byteLength;
    if (this.#total > this.#maxBytes) this.#finish(new BodyTooLarge());
    else this.#chunks.push(chunk);
  }

  #feed(index: number, chunk: Buffer): boolean {
    const stage = this.#stages[index];
    if (stage === undefined) {
      this.#keep(chunk);
      return true;
    }
    if (chunk.length === 0) return true;
    if (stage.stream === undefined) {
      const stream = decoderFor(stage.coding, chunk[0] ?? 0);
      stage.stream = stream;
      stream.on('data', (out: Buffer) => {
        if (this.#finished) return;
        stage.produced += out.length;
        if (stage.produced > this.#maxBytes) this.#finish(new BodyTooLarge());
        else this.#feed(index + 1, out);
      });
      stream.on('end', () => this.#close(index + 1));
      stream.on('error', (err: Error) => this.#finish(err));
      // Only the step fed from the network pushes back on it; later steps are bounded by the cap.
      if (index === 0) stream.on('drain', () => this.onDrain?.());
    }
    return stage.stream.write(chunk);
  }

  /** No more input for step `index`: end its stream, or pass the end on if it never started. */
  #close(index: number): void {
    if (this.#finished) return;
    const stage = this.#stages[index];
    if (stage === undefined) {
      this.#finish(concat(this.#chunks, this.#total));
      return;
    }
    if (stage.ended) return;
    stage.ended = true;
    if (stage.stream === undefined) this.#close(index + 1);
    else stage.stream.end();
  }
}

/**
 * A collector that undoes `codings` (in order) and calls `done` once with the decoded body, with
 * `BodyTooLarge` when the body as sent or any decoded form passes `maxBytes`, or with the decoder's
 * error for a corrupt body.
 */
export function createBodyCollector(codings: readonly Coding[], maxBytes: number, done: (result: Uint8Array | Error) => void): BodyCollector {
  return new Collector(codings, maxBytes, done);
}
