import { z } from 'zod';
import { pollApi } from '../api-poll.js';
import type { SourceKind } from '../source-kind.js';
import { parseGoogleNews } from './parse-google-news.js';

const googleNewsOptions = z
  .object({
    /** Google News search syntax: `Nvidia OR TSMC`, `"AI chips"`, `when:1d`. */
    query: z.string().trim().min(1, 'google-news needs a non-empty "query"'),
    /** Language of the edition, ISO 639-1 such as `en` or `fr`. */
    lang: z
      .string()
      .trim()
      .regex(/^[a-zA-Z]{2,3}$/, 'google-news "lang" is a language code such as "en" or "fr"')
      .transform((l) => l.toLowerCase()),
    /** Country of the edition, ISO 3166-1 alpha-2 such as `US`, `GB`, `FR`, `CA`; defaults to the language's main country (US for en, FR for fr). */
    region: z
      .string()
      .trim()
      .regex(/^[a-zA-Z]{2}$/, 'google-news "region" is a country code such as "US" or "FR"')
      .transform((r) => r.toUpperCase())
      .optional(),
  })
  .strict();

/** The options of a `google-news` source, after validation. */
export type GoogleNewsOptions = z.infer<typeof googleNewsOptions>;

/** Languages whose code is not their main country's code. */
const DEFAULT_REGION: Record<string, string> = { en: 'US', ja: 'JP', ko: 'KR', sv: 'SE', da: 'DK', cs: 'CZ', uk: 'UA', he: 'IL', el: 'GR', hi: 'IN' };

/**
 * Google's edition parameters: en → hl=en-US&gl=US&ceid=US:en, fr → hl=fr&gl=FR&ceid=FR:fr,
 * en + GB → hl=en-GB&gl=GB&ceid=GB:en, fr + CA → hl=fr&gl=CA&ceid=CA:fr.
 */
export function googleNewsEdition(lang: string, region?: string): { hl: string; gl: string; ceid: string } {
  const gl = region ?? DEFAULT_REGION[lang] ?? lang.toUpperCase();
  return { hl: lang === 'en' ? `en-${gl}` : lang, gl, ceid: `${gl}:${lang}` };
}

function googleNewsUrl(options: GoogleNewsOptions): string {
  const params = new URLSearchParams({ q: options.query, ...googleNewsEdition(options.lang, options.region) });
  return `https://news.google.com/rss/search?${params.toString()}`;
}

/** A Google News search as RSS, in one language edition; items name their outlet. */
export const googleNewsKind = {
  kind: 'google-news',
  options: googleNewsOptions,
  defaultUrl: googleNewsUrl,
  poll: (context, _options) => pollApi(context, ({ text }) => parseGoogleNews(text, { sourceId: context.source.id })),
} as const satisfies SourceKind<GoogleNewsOptions>;
