import { z } from 'zod';
import { pollApi } from '../api-poll.js';
import type { SourceKind } from '../source-kind.js';
import { parseGdelt } from './parse-gdelt.js';

/** GDELT's cap on `maxrecords`. */
const GDELT_MAX_RECORDS = 250;

const gdeltOptions = z
  .object({
    /** GDELT DOC query syntax: keywords, `"phrases"`, `(a OR b)`, `domain:`, `theme:` … */
    query: z.string().trim().min(1, 'gdelt needs a non-empty "query"'),
    /** Articles per poll, newest first (GDELT allows at most 250). */
    maxRecords: z.number().int().min(1).max(GDELT_MAX_RECORDS).default(75),
    /** How far back to search: a number and a unit, `15min`, `1h`, `24h`, `3d`, `1w`. */
    timespan: z
      .string()
      .trim()
      .regex(/^\d+(?:min|h|d|w|m)$/i, 'gdelt "timespan" is a number and a unit: 15min, 1h, 24h, 3d, 1w')
      .default('24h'),
    /** Only articles in this language (GDELT `sourcelang:`, e.g. `english`, `french`, `fra`). */
    sourceLang: z
      .string()
      .trim()
      .regex(/^[a-zA-Z]{2,20}$/, 'gdelt "sourceLang" is a language name or code such as "english" or "fra"')
      .optional(),
  })
  .strict();

/** The options of a `gdelt` source, after defaults. */
export type GdeltOptions = z.infer<typeof gdeltOptions>;

function gdeltUrl(options: GdeltOptions): string {
  const query = options.sourceLang === undefined ? options.query : `${options.query} sourcelang:${options.sourceLang.toLowerCase()}`;
  const params = new URLSearchParams({
    query,
    mode: 'artlist',
    format: 'json',
    maxrecords: String(options.maxRecords),
    sort: 'datedesc',
    timespan: options.timespan.toLowerCase(),
  });
  return `https://api.gdeltproject.org/api/v2/doc/doc?${params.toString()}`;
}

/** Worldwide news coverage matching a query, from the GDELT DOC 2.0 article list; items name their outlet's domain. */
export const gdeltKind = {
  kind: 'gdelt',
  options: gdeltOptions,
  defaultUrl: gdeltUrl,
  poll: (context, _options) => pollApi(context, ({ text }) => parseGdelt(text, { sourceId: context.source.id })),
} as const satisfies SourceKind<GdeltOptions>;
