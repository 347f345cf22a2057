// Shared pieces of the fault tests: a feed server whose documents can be slow, RSS for items that
// only a watch term matches (no known entity: they never merge into one story, so each is exactly
// one chat.postMessage), and counting what the fake Slack received.
import type { FakeSlack } from '../support/fake-slack.js';
import { startServer, type LocalServer } from '../sources/local-server.js';

/** The watch term every test item carries. */
export const TERM = 'zorblax';

export interface FaultFeeds {
  origin: string;
  /** Publishes `count` more items on `path` (their titles are returned). */
  publish(path: string, count: number): string[];
  /** Answers `path` `ms` late from now on (0: at once). */
  setDelay(path: string, ms: number): void;
  /** Requests that arrived for `path` and whose answer is still pending. */
  inFlight(path: string): number;
  /** Every title published on `path`. */
  titles(path: string): string[];
  close(): Promise<void>;
}

const WORDS = ['amber', 'basalt', 'cobalt', 'dune', 'ember', 'fjord', 'garnet', 'harbor', 'indigo', 'juniper', 'kelp', 'lagoon', 'meadow', 'nectar', 'onyx', 'prairie', 'quartz', 'russet', 'sierra', 'tundra'];

/** A title made of words no other title shares (besides the term), e.g. `zorblax w12 basalt-12 …`. */
function titleFor(path: string, n: number): string {
  const tag = path.replace(/\W/g, '');
  return `${TERM} bulletin ${tag}${n} ${WORDS[n % WORDS.length] ?? 'x'}${n} ${WORDS[(n * 7 + 3) % WORDS.length] ?? 'y'}${n * 13}`;
}

export async function startFaultFeeds(): Promise<FaultFeeds> {
  const items = new Map<string, string[]>();
  const delays = new Map<string, number>();
  const pending = new Map<string, number>();
  const server: LocalServer = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const titles = items.get(path);
    if (!titles) {
      res.writeHead(404).end();
      return;
    }
    // Newest first, the last 50, as feeds do; guids are stable.
    const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>Fault wire ${path}</title>${titles
      .map((t, i) => ({ t, i }))
      .slice(-50)
      .reverse()
      .map(({ t, i }) => `<item><guid>${path}#${i}</guid><title>${t}</title><link>http://127.0.0.1/${encodeURIComponent(path)}/${i}</link></item>`)
      .join('')}</channel></rss>`;
    pending.set(path, (pending.get(path) ?? 0) + 1);
    const answer = () => {
      pending.set(path, (pending.get(path) ?? 1) - 1);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(body);
    };
    const ms = delays.get(path) ?? 0;
    if (ms > 0) setTimeout(answer, ms);
    else answer();
  });
  return {
    origin: server.origin,
    publish(path, count) {
      const list = items.get(path) ?? [];
      items.set(path, list);
      const added: string[] = [];
      for (let i = 0; i < count; i++) {
        const t = titleFor(path, list.length);
        list.push(t);
        added.push(t);
      }
      return added;
    },
    setDelay(path, ms) {
      delays.set(path, ms);
    },
    inFlight: (path) => pending.get(path) ?? 0,
    titles: (path) => [...(items.get(path) ?? [])],
    close: () => server.close(),
  };
}

/** How many accepted chat.postMessage calls carry each title (a title appears in the alert's text or blocks). */
export function postsPerTitle(slack: FakeSlack, titles: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(titles.map((t) => [t, 0]));
  for (const post of slack.posts) {
    const text = JSON.stringify(post);
    for (const t of titles) if (text.includes(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return counts;
}

/** The titles posted 0 times, and the number of extra posts (duplicates) over all titles. */
export function tally(counts: ReadonlyMap<string, number>): { missing: string[]; duplicates: number; delivered: number } {
  let duplicates = 0;
  let delivered = 0;
  const missing: string[] = [];
  for (const [t, n] of counts) {
    if (n === 0) missing.push(t);
    else delivered += 1;
    if (n > 1) duplicates += n - 1;
  }
  return { missing, duplicates, delivered };
}
