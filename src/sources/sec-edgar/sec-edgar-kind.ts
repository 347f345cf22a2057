import { z } from 'zod';
import { WirewatchError } from '../../errors.js';
import { pollApi } from '../api-poll.js';
import type { SourceKind } from '../source-kind.js';
import { parseSecEdgar } from './parse-sec-edgar.js';

/** Filings per poll (EDGAR's browse pages offer 10, 20, 40, 80 or 100). */
const FILINGS_PER_POLL = 40;

/** Insider ownership forms: EDGAR lists them only with `owner=include`. */
const OWNERSHIP_FORMS = new Set(['3', '4', '5', '3/A', '4/A', '5/A']);

const secEdgarOptions = z
  .object({
    /** The company's Central Index Key, digits only (`1045810` or `0001045810`). */
    cik: z.string().trim().regex(/^\d{1,10}$/, 'sec-edgar "cik" is the company\'s CIK, up to 10 digits such as "0001045810"'),
    /** Form types to report, matched exactly (list `8-K/A` to get amendments too). */
    forms: z.array(z.string().trim().min(1)).min(1).default(['8-K', '6-K']),
    /** Display name in titles; the feed's conformed name (e.g. "NVIDIA CORP") when absent. */
    company: z.string().trim().min(1).optional(),
  })
  .strict();

/** The options of a `sec-edgar` source, after defaults. */
export type SecEdgarOptions = z.infer<typeof secEdgarOptions>;

/** `1045810` → `0001045810`, the form EDGAR URLs use. */
export function paddedCik(cik: string): string {
  return cik.trim().padStart(10, '0');
}

/**
 * One URL for all the forms: with a single form EDGAR filters (`type=8-K`, which also lists
 * 8-K/A); with several, the latest filings of every type are fetched and the parser keeps the
 * wanted ones. Ownership filings (Forms 3/4/5, frequent at large companies) are excluded unless
 * asked for, so they do not push the wanted forms out of the page.
 */
function secEdgarUrl(options: SecEdgarOptions): string {
  const forms = options.forms.map((f) => f.trim().toUpperCase());
  const params = new URLSearchParams({
    action: 'getcompany',
    CIK: paddedCik(options.cik),
    type: forms.length === 1 ? (forms[0] ?? '') : '',
    dateb: '',
    owner: forms.some((f) => OWNERSHIP_FORMS.has(f)) ? 'include' : 'exclude',
    count: String(FILINGS_PER_POLL),
    output: 'atom',
  });
  return `https://www.sec.gov/cgi-bin/browse-edgar?${params.toString()}`;
}

/**
 * A company's filings on SEC EDGAR (8-K and 6-K by default), from its Atom feed. SEC asks every
 * client to declare a contact in its User-Agent, so a poll without one (WIREWATCH_CONTACT) is
 * refused before anything is sent.
 */
export const secEdgarKind = {
  kind: 'sec-edgar',
  options: secEdgarOptions,
  defaultUrl: secEdgarUrl,
  poll: async (context, options) => {
    if (context.fetcher.contact === undefined) {
      throw new WirewatchError('config_invalid', 'sec-edgar needs WIREWATCH_CONTACT (SEC asks every client to declare a contact)');
    }
    return pollApi(context, ({ text }) =>
      parseSecEdgar(text, { sourceId: context.source.id, forms: options.forms, company: options.company, cik: paddedCik(options.cik) }),
    );
  },
} as const satisfies SourceKind<SecEdgarOptions>;
