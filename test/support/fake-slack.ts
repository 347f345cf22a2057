// A local stand-in for Slack at the network edge: the Web API (`/api/:method`), response_url
// endpoints (`/respond/:id`) and incoming webhooks (`/hooks/:id`), on 127.0.0.1 with a free port.
// It records what real Bolt / WebClient / IncomingWebhook send and can be told to fail the next calls.
// Plus helpers that sign and POST a slash command to a running Bolt app as Slack would.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers a call it was told to fail. */
export type FakeFailure =
  /** 429; `retryAfterSec` is the Retry-After header (default 0), `null` sends no header at all. */
  | { kind: 'rate_limited'; retryAfterSec?: number | null }
  /** A Slack error: `{ ok: false, error }` with 200 on the Web API; the error as text with 404 on hooks and response URLs. */
  | { kind: 'error'; error: string }
  /** A bare HTTP status (e.g. 500, 503). */
  | { kind: 'status'; status: number };

/** One Web API call as received. */
export interface FakeApiCall {
  /** Epoch ms when the call arrived. */
  at: number;
  method: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
}

/** One body POSTed to a `/respond/:id` or `/hooks/:id` endpoint. */
export interface FakePost {
  id: string;
  body: unknown;
}

/** A message as the fake remembers it (top-level or in a thread). */
export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  thread_ts: string | undefined;
}

/** A `chat.update` that was answered ok. */
export interface FakeUpdate {
  channel: string;
  ts: string;
  body: Record<string, unknown>;
}

/** What `users.info` says about a user; anyone not set is a plain member. */
export type FakeRole = 'member' | 'admin' | 'owner';

export interface FakeSlack {
  /** Base URL for WebClient's `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  apiUrl: string;
  /** An absolute URL on the fake, e.g. `url('/respond/1')`. */
  url(path: string): string;
  /** Every Web API call, in order (failed ones included). */
  calls: FakeApiCall[];
  /** Payloads of the `chat.postMessage` calls that were answered ok. */
  posts: Record<string, unknown>[];
  /** Bodies POSTed to response URLs. */
  responses: FakePost[];
  /** Bodies POSTed to incoming webhooks and answered ok. */
  webhooks: FakePost[];
  /** `chat.update` calls answered ok. */
  updates: FakeUpdate[];
  /** The stored message `ts` of `channel` (as posted, then as updated). */
  message(channel: string, ts: string): FakeMessage | undefined;
  /** Forgets a message, as if someone deleted it: chat.update answers message_not_found. */
  deleteMessage(channel: string, ts: string): void;
  /** Sets what `users.info` answers for `user`. */
  setRole(user: string, role: FakeRole): void;
  /**
   * Makes the next `times` calls of `route` fail with `failure`. `route` is a Web API method name
   * (default `chat.postMessage`), `'hooks'` or `'respond'`.
   */
  failNext(failure: FakeFailure, times?: number, route?: string): void;
  /**
   * Answers every later call of `route` (default `chat.postMessage`) `ms` late. The call is
   * accepted (and a post recorded) on arrival, as Slack does: a client killed while it waits has
   * still posted the message. 0 turns the delay off.
   */
  setDelay(ms: number, route?: string): void;
  close(): Promise<void>;
}

/** Values of form-encoded Web API calls that WebClient JSON-encodes or stringifies. */
const JSON_KEYS = new Set(['blocks', 'attachments', 'metadata']);
const BOOLEAN_KEYS = new Set(['unfurl_links', 'unfurl_media', 'link_names', 'mrkdwn', 'reply_broadcast', 'as_user', 'inclusive']);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_KEYS.has(key)) out[key] = JSON.parse(value) as unknown;
    else if (BOOLEAN_KEYS.has(key) && (value === 'true' || value === 'false')) out[key] = value === 'true';
    else out[key] = value;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    ...headers,
  });
  res.end(text);
}

/** Answers a failure; `api` failures speak the Web API dialect (`{ ok: false }` with 200). */
function sendFailure(res: ServerResponse, failure: FakeFailure, api: boolean): void {
  switch (failure.kind) {
    case 'rate_limited': {
      const retryAfter = failure.retryAfterSec === undefined ? 0 : failure.retryAfterSec;
      const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': String(retryAfter) };
      send(res, 429, api ? { ok: false, error: 'ratelimited' } : 'rate_limited', headers);
      return;
    }
    case 'error':
      if (api) send(res, 200, { ok: false, error: failure.error });
      else send(res, 404, failure.error);
      return;
    case 'status':
      send(res, failure.status, api ? { ok: false, error: 'http_error' } : 'error');
      return;
  }
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: FakeApiCall[] = [];
  const posts: Record<string, unknown>[] = [];
  const responses: FakePost[] = [];
  const webhooks: FakePost[] = [];
  const updates: FakeUpdate[] = [];
  const stored = new Map<string, FakeMessage>();
  const roles = new Map<string, FakeRole>();
  const failures = new Map<string, FakeFailure[]>();
  const delays = new Map<string, number>();
  let ts = 1_700_000_000;
  const later = (route: string) => {
    const ms = delays.get(route) ?? 0;
    return ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  };

  const takeFailure = (route: string): FakeFailure | undefined => failures.get(route)?.shift();

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const contentType = req.headers['content-type'];
      if (req.method !== 'POST') {
        send(res, 405, 'method_not_allowed');
        return;
      }
      const api = /^\/api\/([\w.]+)$/.exec(path);
      if (api?.[1]) {
        const method = api[1];
        const body = parseBody(raw, contentType);
        calls.push({ at: Date.now(), method, body, authorization: req.headers.authorization, contentType });
        const failure = takeFailure(method);
        if (failure) {
          sendFailure(res, failure, true);
          return;
        }
        if (method === 'auth.test') {
          send(res, 200, { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'wirewatch', team_id: 'T123', user_id: 'UBOT', bot_id: 'BBOT' });
          return;
        }
        if (method === 'chat.postMessage') {
          posts.push(body);
          ts += 1;
          const message: FakeMessage = {
            channel: String(body.channel),
            ts: `${ts}.000100`,
            text: typeof body.text === 'string' ? body.text : '',
            blocks: Array.isArray(body.blocks) ? body.blocks : undefined,
            thread_ts: typeof body.thread_ts === 'string' ? body.thread_ts : undefined,
          };
          stored.set(`${message.channel}:${message.ts}`, message);
          await later(method);
          send(res, 200, { ok: true, channel: body.channel, ts: message.ts, message: { text: body.text } });
          return;
        }
        if (method === 'chat.update') {
          const key = `${String(body.channel)}:${String(body.ts)}`;
          const message = stored.get(key);
          if (!message) {
            send(res, 200, { ok: false, error: 'message_not_found' });
            return;
          }
          if (typeof body.text === 'string') message.text = body.text;
          if (Array.isArray(body.blocks)) message.blocks = body.blocks;
          updates.push({ channel: message.channel, ts: message.ts, body });
          send(res, 200, { ok: true, channel: message.channel, ts: message.ts, text: message.text });
          return;
        }
        if (method === 'conversations.history') {
          // Newest top-level messages of the channel at or before `latest` (inclusive when asked).
          const latest = Number(body.latest ?? Number.POSITIVE_INFINITY);
          const inclusive = body.inclusive === true || body.inclusive === 'true';
          const limit = Number(body.limit ?? 100);
          const found = [...stored.values()]
            .filter((m) => m.channel === body.channel && m.thread_ts === undefined)
            .filter((m) => (inclusive ? Number(m.ts) <= latest : Number(m.ts) < latest))
            .sort((a, b) => Number(b.ts) - Number(a.ts))
            .slice(0, limit)
            .map((m) => ({ type: 'message', user: 'UBOT', bot_id: 'BBOT', ts: m.ts, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) }));
          send(res, 200, { ok: true, messages: found, has_more: false });
          return;
        }
        if (method === 'users.info') {
          const user = String(body.user);
          const role = roles.get(user) ?? 'member';
          send(res, 200, {
            ok: true,
            user: { id: user, team_id: 'T123', name: user.toLowerCase(), is_admin: role !== 'member', is_owner: role === 'owner', is_primary_owner: false, is_bot: false },
          });
          return;
        }
        send(res, 200, { ok: false, error: 'unknown_method' });
        return;
      }
      const endpoint = /^\/(respond|hooks)\/([^/]+)$/.exec(path);
      if (endpoint?.[1] && endpoint[2]) {
        const route = endpoint[1];
        const failure = takeFailure(route);
        if (failure) {
          sendFailure(res, failure, false);
          return;
        }
        const post = { id: decodeURIComponent(endpoint[2]), body: parseBody(raw, contentType ?? 'application/json') };
        (route === 'respond' ? responses : webhooks).push(post);
        send(res, 200, 'ok');
        return;
      }
      send(res, 404, 'not_found');
    })().catch((err: unknown) => {
      send(res, 500, String(err));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${base}/api/`,
    url: (path) => `${base}${path.startsWith('/') ? path : `/${path}`}`,
    calls,
    posts,
    responses,
    webhooks,
    updates,
    message: (channel, messageTs) => stored.get(`${channel}:${messageTs}`),
    deleteMessage: (channel, messageTs) => {
      stored.delete(`${channel}:${messageTs}`);
    },
    setRole: (user, role) => {
      roles.set(user, role);
    },
    failNext(failure, times = 1, route = 'chat.postMessage') {
      const queue = failures.get(route) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(failure);
      failures.set(route, queue);
    },
    setDelay(ms, route = 'chat.postMessage') {
      delays.set(route, ms);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The headers Slack sends with a signed request: `v0=` + HMAC-SHA256(secret, `v0:ts:body`), ts in seconds. */
export function signSlackBody(secret: string, rawBody: string, ts: number = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${ts}:${rawBody}`).digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${signature}`,
  };
}

/** What Bolt answered to a slash command POST. */
export interface SlashCommandResult {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

/**
 * Form-encodes a slash command (defaults: `/watch` in channel C123 by U123, team T123) and POSTs it
 * to Bolt's `/slack/events` on `boltPort`, signed with `secret` unless `unsigned`; `badSignature`
 * signs with the wrong secret, `ts` (seconds) overrides the request timestamp.
 */
export async function postSlashCommand(
  boltPort: number,
  secret: string,
  fields: Record<string, string>,
  opts: { ts?: number; badSignature?: boolean; unsigned?: boolean } = {},
): Promise<SlashCommandResult> {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T123',
    team_domain: 'fake',
    channel_id: 'C123',
    channel_name: 'news',
    user_id: 'U123',
    user_name: 'someone',
    command: '/watch',
    text: '',
    api_app_id: 'A123',
    trigger_id: '123.456.abc',
    ...fields,
  });
  const rawBody = form.toString();
  const headers = opts.unsigned
    ? { 'content-type': 'application/x-www-form-urlencoded' }
    : signSlackBody(opts.badSignature ? `${secret}-wrong` : secret, rawBody, opts.ts);
  const response = await fetch(`http://127.0.0.1:${boltPort}/slack/events`, { method: 'POST', headers, body: rawBody });
  const body = await response.text();
  let json: unknown;
  try {
    json = body ? (JSON.parse(body) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, body, json };
}
