// The real CLI, run in-process with captured output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { startFeedServer, type FeedServer } from '../../src/demo/feed-server.js';
import { startFakeDiscord } from '../support/fake-discord.js';
import { testPrefix, testRedisUrl } from '../support/redis.js';

const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'wirewatch', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env, logger: createLogger({ level: 'silent' }) });
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
};

const rss = (titles: string[]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>CLI wire</title><link>https://cli.example/</link>
${titles.map((t, i) => `<item><guid>${t}</guid><title>${t}</title><link>https://cli.example/${i}</link><pubDate>Sun, 29 Nov 2026 08:0${i}:00 GMT</pubDate></item>`).join('')}
</channel></rss>`;

describe('wirewatch CLI', () => {
  let server: FeedServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFeedServer();
    dir = mkdtempSync(join(tmpdir(), 'wirewatch-cli-'));
    writeFileSync(
      join(dir, 'wirewatch.yaml'),
      `sources:\n  - id: wire\n    url: ${server.origin}/wire.xml\nchannels:\n  - id: desk\n    adapter: console\n    topics: [crypto]\n    watch: [coreweave]\n`,
    );
  });
  afterAll(async () => server.close());

  it('--help lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'poll', 'classify', 'demo']) expect(r.out).toContain(cmd);
  });

  it('an invalid config is refused with every problem and exit code 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'sources:\n  - id: x\n    url: gopher://x\nchannels:\n  - id: a\n    adapter: pager\n');
    const r = await run(['poll', '--once'], { WIREWATCH_CONFIG: bad });
    expect(r.code).toBe(2);
    expect(r.err).toContain(bad);
    expect(r.err).toMatch(/sources\[0\]\.url/);
    expect(r.err).toMatch(/channels\[0\]\.adapter/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('classify reads JSON lines from stdin and answers one line per input, in order, with shared story ids', async () => {
    const input = [
      { id: 'a', title: 'Nvidia pulls out of $100 billion OpenAI investment', source: 'WSJ', published: '2026-11-28T10:00:00Z' },
      { id: 'b', title: 'Nvidia renonce à investir 100 milliards de dollars dans OpenAI', lang: 'fr', source: 'Les Echos', published: '2026-11-28T12:00:00Z' },
      { id: 'c', title: 'Bitcoin slides 5% as XRP tumbles', published: '2026-11-28T12:00:00Z' },
    ].map((o) => JSON.stringify(o));
    const out: string[] = [];
    const code = await main(['node', 'wirewatch', 'classify'], {
      out: (l) => out.push(l),
      err: () => undefined,
      env: {},
      stdin: Readable.from([`${input.join('\n')}\nnot json\n`]),
      logger: createLogger({ level: 'silent' }),
    });
    const rows = out.map((l) => JSON.parse(l) as { id: string; topics: string[]; storyId: string; amounts: Array<{ text: string }>; matched: string[]; error?: string });
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', null]);
    expect(rows[0]?.topics).toEqual(['ai-chips']);
    expect(rows[0]?.storyId).toBe(rows[1]?.storyId);
    expect(rows[2]?.storyId).not.toBe(rows[0]?.storyId);
    expect(rows[0]?.amounts.map((a) => a.text)).toContain('$100 billion');
    expect(rows[2]?.topics).toEqual(['crypto']);
    expect(rows[3]?.error).toMatch(/line 4: not JSON/);
    expect(code).toBe(1);
  });

  it('register-commands registers the Discord commands in one server, or says why it cannot', async () => {
    const discord = await startFakeDiscord();
    try {
      const r = await run(['register-commands', '--guild', discord.guildId], { DISCORD_TOKEN: 'token', DISCORD_API_URL: discord.apiUrl });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/registered 7 Discord command\(s\) in server/);
      const names = (discord.commands.at(-1)?.body ?? []).map((c) => c.name).sort();
      expect(names).toEqual(['alerts', 'news', 'price', 'source', 'status', 'watch', 'wirewatch']);
      const missing = await run(['register-commands'], {});
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/DISCORD_TOKEN is not set/);
    } finally {
      await discord.close();
    }
  });

  it('classify explains its decision', async () => {
    const r = await run(['classify', 'La Chine autorise Alibaba à commander des puces H200 de Nvidia']);
    expect(r.out).toMatch(/^ai-chips: .*H200/m);
    expect((await run(['classify', 'Potato chips prices rise'])).out).toBe('no topic');
  });

  it.skipIf(!testRedisUrl())('poll --once --json: the first run seeds, the next prints one JSON object per alert', async () => {
    const env = {
      WIREWATCH_CONFIG: join(dir, 'wirewatch.yaml'),
      WIREWATCH_FETCH_ALLOW: '127.0.0.1/32',
      WIREWATCH_HOST_SPACING: '0',
      REDIS_URL: testRedisUrl(),
      WIREWATCH_REDIS_PREFIX: testPrefix('cli'),
    };
    server.set('/wire.xml', rss(['Bitcoin hits a record']));
    const first = await run(['poll', '--once', '--json'], env);
    expect(first.code).toBe(0);
    expect(first.out).toBe('');

    server.set('/wire.xml', rss(['XRP slides 7%', 'CoreWeave raises debt', 'Bakery opens', 'Bitcoin hits a record']));
    const second = await run(['poll', '--once', '--json'], env);
    expect(second.code).toBe(0);
    const objects = second.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => o.title).sort()).toEqual(['CoreWeave raises debt', 'XRP slides 7%']);
    expect(Object.keys(objects[0] ?? {})).toEqual(['channel', 'adapter', 'title', 'url', 'source', 'published', 'topics', 'matched']);
    expect(objects.find((o) => o.title === 'XRP slides 7%')).toMatchObject({ channel: 'desk', adapter: 'console', source: 'CLI wire', topics: ['crypto'] });

    const third = await run(['poll', '--once', '--json'], env);
    expect(third.out).toBe('');
  });

  it('poll --dry-run judges what is in the feeds now and remembers nothing', async () => {
    server.set('/wire.xml', rss(['XRP slides 7%', 'Bakery opens']));
    const env = { WIREWATCH_CONFIG: join(dir, 'wirewatch.yaml'), WIREWATCH_FETCH_ALLOW: '127.0.0.1/32', WIREWATCH_HOST_SPACING: '0' };
    const r = await run(['poll', '--once', '--dry-run', '--json'], env);
    expect(r.lines.map((l) => (JSON.parse(l) as { title: string }).title)).toEqual(['XRP slides 7%']);
  });

  it('a refused feed is reported and the run fails when every source failed', async () => {
    const r = await run(['poll', '--once'], { WIREWATCH_CONFIG: join(dir, 'wirewatch.yaml') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/wire: .*127\.0\.0\.1.*loopback/);
  });

  it('demo runs offline and shows seeding, alerts and a quiet re-poll', async () => {
    const r = await run(['demo', '--fast']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/remembered as backlog, nothing alerted/);
    expect(r.out).toMatch(/#markets \[ai-chips\] Nvidia pulls back from planned \$100 billion OpenAI investment/);
    // The French report of the same story updates the first alert instead of posting a new one.
    expect(r.out).toMatch(/↳ #markets also reported by 1 outlet: La Puce — Nvidia renonce à investir 100 milliards de dollars dans OpenAI/);
    expect(r.out).not.toMatch(/▶ #markets \[ai-chips\] Nvidia renonce/);
    expect(r.out).toMatch(/#markets \[crypto\] Bitcoin et XRP s’effondrent/);
    expect(r.out).toMatch(/#infra-desk .*CoreWeave/);
    const alertLines = r.lines.join('\n').split('\n').filter((l) => l.includes('▶'));
    expect(alertLines.length).toBe(8);
    expect(alertLines.join('\n')).not.toMatch(/Potato chip|ETH Zurich|Lagarde|Robinhood/);
    const lastStep = r.out.slice(r.out.indexOf('Step 5'));
    expect(lastStep).toMatch(/delivered 0 alert/);
    expect(lastStep).not.toMatch(/▶/);
  });

  describe('feed test', () => {
    const allow = { WIREWATCH_FETCH_ALLOW: '127.0.0.1/32', WIREWATCH_HOST_SPACING: '0' };
    it('describes a feed: format, encoding, identity and the newest items with their topics', async () => {
      server.set('/ft.xml', rss(['Old item', 'XRP slides 7%']));
      const r = await run(['feed', 'test', `${server.origin}/ft.xml`, '--json'], allow);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.out) as { format: string; encoding: string; idField: string; items: Array<Record<string, unknown>> };
      expect(out).toMatchObject({ format: 'rss-2.0', encoding: 'utf-8', idField: 'guid' });
      expect(out.items[0]).toEqual({ id: 'XRP slides 7%', title: 'XRP slides 7%', url: 'https://cli.example/1', published: '2026-11-29T08:01:00.000Z' });
      const human = await run(['feed', 'test', `${server.origin}/ft.xml`], allow);
      expect(human.out).toMatch(/format rss-2\.0 · encoding utf-8/);
      expect(human.out).toMatch(/XRP slides 7%[\s\S]*crypto \(XRP\)/);
    });

    it('fails with a code and a message, and a non-zero exit status', async () => {
      server.set('/page.html', '<!doctype html><html><body>hello</body></html>', { contentType: 'text/html' });
      const cases: Array<[string, NodeJS.ProcessEnv, string]> = [
        [`${server.origin}/ft.xml`, {}, 'ssrf_blocked'],
        [`${server.origin}/page.html`, allow, 'not_a_feed'],
        [`${server.origin}/nope.xml`, allow, 'http_status'],
        [`${server.origin}/ft.xml`, { ...allow, WIREWATCH_FETCH_MAX_BYTES: '1024' }, 'too_large'],
        ['file:///etc/passwd', allow, 'ssrf_blocked'],
      ];
      server.set('/ft.xml', rss(Array.from({ length: 40 }, (_, i) => `Item number ${i} with a longer title to pass a kilobyte`)));
      for (const [url, env, code] of cases) {
        const r = await run(['feed', 'test', url, '--json'], env);
        expect(r.code, url).toBe(1);
        const out = JSON.parse(r.out) as { error: { code: string; message: string } };
        expect(out.error.code, url).toBe(code);
        expect(out.error.message.length).toBeGreaterThan(5);
      }
    });
  });
});
