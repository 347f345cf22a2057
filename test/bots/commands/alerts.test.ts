import { describe, expect, it } from 'vitest';
import { defaultChannelSettings } from '../../../src/store/store.js';
import { setup } from './helpers.js';

const USAGE_END = /Usage: \/alerts \| \/alerts pause \| resume \| digest <15m\|1h\|daily\|off> .* breaking <on\|off>$/;

describe('/alerts', () => {
  it('alone shows the current settings and the held count, to anyone', async () => {
    const { store, run } = setup();
    const r = await run('alerts', '', { canManage: false });
    expect(r.ok).toBe(true);
    expect(r.ephemeral).toBe(true);
    expect(r.text).toBe('Alert settings of this channel:');
    expect(r.lines.map((l) => l.text)).toEqual([
      'Active.',
      'Digest: off (one message per story).',
      'Quiet hours: none.',
      'Cap: none.',
      'Language: English.',
      'All matching stories (not only breaking ones).',
      '0 alerts held for the next digest.',
    ]);
    await store.setChannelSettings('slack:C1', {
      paused: true,
      digest: '1h',
      quiet: { start: '22:00', end: '07:00', tz: 'Europe/Paris' },
      capPerHour: 1,
      lang: 'en',
      breakingOnly: true,
    });
    const alert = { id: 'a', channel: 'slack:C1', title: 't', url: undefined, source: 's', sourceId: 's', published: undefined, topics: [], matched: [], summary: '' };
    await store.holdForDigest('slack:C1', [alert]);
    expect((await run('alerts', '')).lines.map((l) => l.text)).toEqual([
      'Paused: alerts are held until /alerts resume.',
      'Digest: one message every hour.',
      'Quiet hours: 22:00–07:00 (Europe/Paris).',
      'Cap: 1 message per hour; the overflow goes into the next digest.',
      'Language: English.',
      'Only breaking stories.',
      '1 alert held for the next digest.',
    ]);
  });

  it('pause, resume, digest, quiet, cap and breaking change only their own setting', async () => {
    const { store, run } = setup();
    const settings = () => store.getChannelSettings('slack:C1');
    const ok = async (args: string, text: string | RegExp) => {
      const r = await run('alerts', args);
      expect(r.ok, `${args}: ${r.text}`).toBe(true);
      expect(r.ephemeral).toBe(true);
      if (typeof text === 'string') expect(r.text).toBe(text);
      else expect(r.text).toMatch(text);
    };
    await ok('pause', /^Alerts paused\. Nothing is lost/);
    expect(await settings()).toEqual({ ...defaultChannelSettings(), paused: true });
    await ok('resume', 'Alerts resumed; anything held arrives as one digest.');
    expect((await settings()).paused).toBe(false);
    await ok('digest daily', 'Alerts are now collected into one digest once a day.');
    await ok('digest 15M', /every 15 minutes\.$/);
    expect((await settings()).digest).toBe('15m');
    await ok('quiet 22:00-07:00', /^Quiet hours set: 22:00–07:00 \(UTC\)\./);
    await ok('quiet 7:30–9:05 america/new_york', /^Quiet hours set: 07:30–09:05 \(America\/New_York\)\./);
    expect((await settings()).quiet).toEqual({ start: '07:30', end: '09:05', tz: 'America/New_York' });
    await ok('cap 20/h', 'At most 20 alert messages per hour; the overflow goes into the next digest.');
    await ok('cap 1000', /At most 1000/);
    expect((await settings()).capPerHour).toBe(1000);
    await ok('breaking on', /^Only breaking stories/);
    expect((await settings()).breakingOnly).toBe(true);
    await ok('breaking off', /^All matching stories/);
    await ok('quiet off', 'Quiet hours removed.');
    await ok('cap off', 'Cap removed.');
    await ok('digest off', 'Digest off: one message per story.');
    expect(await settings()).toEqual({ ...defaultChannelSettings(), capPerHour: undefined });
    // Another channel was never touched.
    expect(await store.getChannelSettings('slack:C2')).toEqual(defaultChannelSettings());
  });

  it('validates every argument and answers with the usage line, changing nothing', async () => {
    const { store, run } = setup();
    const cases: Array<[string, RegExp]> = [
      ['digest 2h', /^Digest must be 15m, 1h, daily or off\./],
      ['digest', /^Digest must be/],
      ['quiet 25:00-07:00', /^Quiet hours are written HH:MM-HH:MM/],
      ['quiet 22:60-07:00', /^Quiet hours are written/],
      ['quiet 22-07', /^Quiet hours are written/],
      ['quiet 22:00-07:00-08:00', /^Quiet hours are written/],
      ['quiet 22:00-22:00', /^Quiet hours must start and end at different times\./],
      ['quiet 22:00-07:00 Mars/Olympus', /^"Mars\/Olympus" is not a time zone/],
      ['quiet 22:00-07:00 ../../etc/passwd', /is not a time zone/],
      ['quiet 22:00-07:00 UTC extra', /^Quiet hours are written/],
      ['quiet', /^Quiet hours are written/],
      ['cap 0/h', /^A cap is a whole number of messages per hour from 1 to 1000/],
      ['cap 1001', /^A cap is a whole number/],
      ['cap -3', /^A cap is a whole number/],
      ['cap 2.5/h', /^A cap is a whole number/],
      ['cap lots', /^A cap is a whole number/],
      ['lang de', /^Language must be en or fr\./],
      ['breaking maybe', /^Breaking must be on or off\./],
      ['pause now', /^Usage: \/alerts/],
      ['frobnicate', /^Unknown subcommand "frobnicate"\./],
    ];
    for (const [args, start] of cases) {
      const r = await run('alerts', args);
      expect(r.ok, args).toBe(false);
      expect(r.text, args).toMatch(start);
      expect(r.text, args).toMatch(USAGE_END);
    }
    expect(await store.getChannelSettings('slack:C1')).toEqual(defaultChannelSettings());
  });

  it('every change needs permission; the refusal says why', async () => {
    const { store, run } = setup();
    for (const args of ['pause', 'resume', 'digest 1h', 'quiet 22:00-07:00', 'cap 5/h', 'lang fr', 'breaking on']) {
      const r = await run('alerts', args, { canManage: false, manageHint: 'needs the Manage Channels permission' });
      expect(r.ok, args).toBe(false);
      expect(r.text).toBe('Only people who may manage this channel can change its wirewatch settings: needs the Manage Channels permission.');
    }
    expect(await store.getChannelSettings('slack:C1')).toEqual(defaultChannelSettings());
  });

  it('lang fr switches the channel, answering in French at once; lang en switches back', async () => {
    const { store, run } = setup();
    const fr = await run('alerts', 'lang FR');
    expect(fr.text).toBe('Les réponses et les libellés des alertes de ce salon sont désormais en français.');
    expect((await store.getChannelSettings('slack:C1')).lang).toBe('fr');
    expect((await run('alerts', '')).lines.map((l) => l.text)).toContain('Langue : français.');
    // Other channels keep English.
    expect((await run('alerts', '', { channel: 'slack:C2' })).text).toBe('Alert settings of this channel:');
    expect((await run('alerts', 'lang en')).text).toBe('Replies and alert labels in this channel are now in English.');
  });
});
