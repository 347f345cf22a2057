// One spelling per link, so the same story reached through different feeds, campaigns or
// anchors is recognised as one (story clustering, cross-source dedup). Pure, no I/O.

/** Query parameters that only track who clicked; names compared case-insensitively. */
const TRACKING_PARAMS = new Set(['fbclid', 'gclid', 'mc_cid', 'mc_eid']);

function isTrackingParam(segment: string): boolean {
  const rawName = segment.split('=', 1)[0] ?? '';
  let name: string;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    name = rawName.toLowerCase();
  }
  return name.startsWith('utm_') || TRACKING_PARAMS.has(name);
}

/**
 * The canonical form of an absolute http(s) URL: scheme and host lower-cased, default port
 * removed, the fragment and `utm_*`, `fbclid`, `gclid`, `mc_cid`, `mc_eid` parameters stripped;
 * the remaining query parameters are kept in their order and spelling. Undefined for anything
 * that is not an absolute http(s) URL.
 */
export function canonicalUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  // The WHATWG parser already lower-cases scheme and host and drops the default port.
  parsed.hash = '';
  const query = parsed.search.slice(1);
  if (query !== '') {
    const kept = query.split('&').filter((segment) => segment !== '' && !isTrackingParam(segment));
    parsed.search = kept.length === 0 ? '' : `?${kept.join('&')}`;
  } else {
    parsed.search = '';
  }
  return parsed.href;
}
