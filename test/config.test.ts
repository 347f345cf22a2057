import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DEFAULT_SOURCES } from '../src/sources/catalog.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wirewatch-config-'));
const write = (d: string, text: string) => {
  const path = join(d, 'wirewatch.yaml');
  writeFileSync(path, text);
  return path;
};
const write2 = (d: string) => {
  write(d, 'sources:\n  - id: ok\n    url: https://example.org/f\n    every: 10s\n');
  return d;
};
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('without a file or variables: the built-in catalog, a console channel, the in-process store', () => {
    const cfg = loadConfig({}, { cwd: dir() });
    expect(cfg.configPath).toBeUndefined();
    expect(cfg.sources.length).toBe(DEFAULT_SOURCES.length);
    expect(cfg.channels).toEqual([{ id: 'console', adapter: 'console', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: [] }]);
    expect(cfg.redis).toEqual({ url: undefined, prefix: 'wirewatch:' });
    expect(cfg.fetch.allowCidrs).toEqual([]);
    expect(cfg.slack).toBeUndefined();
  });

  it('reads the documented YAML keys', () => {
    const d = dir();
    write(
      d,
      `sources:
  - id: nvidia-news
    url: https://example.org/feed.xml
    every: 5m
  - id: cron-one
    url: https://example.org/b.xml
    cron: "*/10 * * * *"
channels:
  - id: C0123456789
    adapter: slack
    topics: [ai-chips, crypto]
    watch: [nvidia, '"stargate project"', -gaming]
  - id: hooks
    adapter: discord-webhook
    webhookUrl: https://discord.example/api/webhooks/1/abc
`,
    );
    const cfg = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', REDIS_URL: 'redis://127.0.0.1:6390', WIREWATCH_FETCH_ALLOW: '127.0.0.1/32, 10.0.0.0/8' }, { cwd: d });
    expect(cfg.sources.map((s) => s.id)).toEqual(['nvidia-news', 'cron-one']);
    expect(cfg.sources[1]).toMatchObject({ cron: '*/10 * * * *', every: undefined });
    expect(cfg.channels[0]).toMatchObject({ id: 'C0123456789', adapter: 'slack', watch: ['nvidia', '"stargate project"', '-gaming'] });
    expect(cfg.slack).toMatchObject({ token: 'xoxb-1', port: 3000 });
    expect(cfg.redis.url).toBe('redis://127.0.0.1:6390');
    expect(cfg.fetch.allowCidrs).toHaveLength(2);
  });

  it('names every problem of the environment at once', () => {
    const problems = problemsOf(() =>
      loadConfig({ REDIS_URL: 'http://nope', SLACK_PORT: 'abc', LOG_LEVEL: 'loud', WIREWATCH_FETCH_ALLOW: 'not-a-cidr', SLACK_BOT_TOKEN: 'x' }, { cwd: dir() }),
    );
    const text = problems.join('\n');
    expect(text).toMatch(/REDIS_URL/);
    expect(text).toMatch(/SLACK_PORT/);
    expect(text).toMatch(/LOG_LEVEL/);
    expect(text).toMatch(/WIREWATCH_FETCH_ALLOW/);
    expect(text).toMatch(/SLACK_SIGNING_SECRET/);
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses an invalid file with its path and the reason of every problem', () => {
    const d = dir();
    const path = write(
      d,
      `sources:
  - id: a
    url: ftp://example.org/x
    every: 90s
  - id: b
    url: https://example.org/y
    cron: "not a cron"
  - id: c
    url: https://example.org/z
    every: 5m
    cron: "* * * * *"
channels:
  - id: x
    adapter: telegram
  - id: y
    adapter: slack-webhook
`,
    );
    const problems = problemsOf(() => loadConfig({}, { cwd: d }));
    expect(problems.every((p) => p.startsWith(path))).toBe(true);
    const text = problems.join('\n');
    expect(text).toMatch(/sources\[0\]\.url/);
    expect(text).toMatch(/sources\[0\]\.every: "90s" is out of range/);
    expect(text).toMatch(/sources\[1\]\.cron: invalid cron expression/);
    expect(text).toMatch(/either every or cron/);
    expect(text).toMatch(/channels\[0\]\.adapter/);
    expect(text).toMatch(/channels\[1\]\.webhookUrl: adapter slack-webhook needs webhookUrl/);
  });

  it('refuses YAML syntax errors and unknown keys', () => {
    const d = dir();
    write(d, 'sources: [\n');
    expect(problemsOf(() => loadConfig({}, { cwd: d })).join('\n')).toMatch(/YAML/);
    write(d, 'sourcez: []\n');
    expect(problemsOf(() => loadConfig({}, { cwd: d })).join('\n')).toMatch(/sourcez/);
  });

  it('asks for the token of a platform a channel uses', () => {
    const d = dir();
    write(d, 'channels:\n  - id: "123"\n    adapter: discord\n    topics: [crypto]\n');
    expect(problemsOf(() => loadConfig({}, { cwd: d })).join('\n')).toMatch(/DISCORD_TOKEN: required/);
  });

  it('a named config file that does not exist is an error, the default one is optional', () => {
    const d = dir();
    expect(problemsOf(() => loadConfig({ WIREWATCH_CONFIG: 'missing.yaml' }, { cwd: d })).join('\n')).toMatch(/missing\.yaml does not exist/);
  });

  it('keeps the catalog beside own sources on request, minus disabled entries', () => {
    const d = dir();
    write(d, `catalog:\n  disable: [coindesk]\nsources:\n  - id: own\n    url: https://example.org/feed\n`);
    const cfg = loadConfig({}, { cwd: d });
    expect(cfg.sources[0]?.id).toBe('own');
    expect(cfg.sources.some((s) => s.id === 'coindesk')).toBe(false);
    expect(cfg.sources.length).toBe(DEFAULT_SOURCES.length);
  });

  it('reads source kinds with their own options and builds their URLs', () => {
    const d = dir();
    write(
      d,
      `sources:
  - id: gn
    kind: google-news
    query: Nvidia H200
    lang: fr
  - id: moves
    kind: market
    symbols: [btc, xrp]
    every: 1m
  - id: hn
    kind: hackernews
    query: coreweave
    url: http://127.0.0.1:9/api/v1/search_by_date
`,
    );
    const cfg = loadConfig({}, { cwd: d });
    const gn = cfg.sources.find((s) => s.id === 'gn');
    expect(gn?.url).toMatch(/^https:\/\/news\.google\.com\/rss\/search\?q=Nvidia\+H200&hl=fr&gl=FR&ceid=FR%3Afr$/);
    expect(cfg.sources.find((s) => s.id === 'moves')?.options).toMatchObject({ symbols: ['BTC', 'XRP'] });
    expect(cfg.sources.find((s) => s.id === 'hn')?.url).toBe('http://127.0.0.1:9/api/v1/search_by_date');
  });

  it('reports bad kind options, a missing url and intervals under the floor, with their paths', () => {
    const d = dir();
    write(
      d,
      `sources:
  - id: m
    kind: market
    symbols: []
    colour: red
  - id: f
    kind: feed
  - id: fast
    url: https://example.org/f
    every: 30s
  - id: cronfast
    url: https://example.org/g
    cron: "*/20 * * * * *"
  - id: weird
    kind: telepathy
    url: https://example.org/h
`,
    );
    const text = problemsOf(() => loadConfig({}, { cwd: d })).join('\n');
    expect(text).toMatch(/sources\[0\]\.symbols/);
    expect(text).toMatch(/sources\[0\].*colour/);
    expect(text).toMatch(/sources\[1\]\.url: url is required for kind feed/);
    expect(text).toMatch(/sources\[2\]\.every: every 30s is more often than WIREWATCH_MIN_INTERVAL \(1m\)/);
    expect(text).toMatch(/sources\[3\]\.cron: .*more often than WIREWATCH_MIN_INTERVAL/);
    expect(text).toMatch(/sources\[4\]\.kind/);
    expect(loadConfig({ WIREWATCH_MIN_INTERVAL: '10s' }, { cwd: write2(d) }).minIntervalMs).toBe(10_000);
  });

  it('switches off catalog sources that need a contact unless WIREWATCH_CONTACT is set', () => {
    const without = loadConfig({}, { cwd: dir() });
    expect(without.sources.find((s) => s.id === 'sec-nvidia')?.enabled).toBe(false);
    const withContact = loadConfig({ WIREWATCH_CONTACT: 'ops@example.org' }, { cwd: dir() });
    expect(withContact.sources.find((s) => s.id === 'sec-nvidia')?.enabled).toBe(true);
    expect(withContact.fetch.contact).toBe('ops@example.org');
    const d = dir();
    write(d, 'sources:\n  - id: sec\n    kind: sec-edgar\n    cik: "1045810"\n');
    expect(problemsOf(() => loadConfig({}, { cwd: d })).join('\n')).toMatch(/needs WIREWATCH_CONTACT/);
  });
});
