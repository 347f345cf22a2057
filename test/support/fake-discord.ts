// A local stand-in for Discord: the REST routes wirewatch uses plus a minimal gateway, so the real
// discord.js (Client, REST, WebhookClient) runs against it in tests. Everything it is sent is recorded.
// Gateway protocol per TESTING.md: HELLO on connect, READY (one unavailable guild) on IDENTIFY, then
// GUILD_CREATE, HEARTBEAT_ACK for every HEARTBEAT.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

/** One HTTP request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, decoded (e.g. `/webhooks/1/tok/messages/@original`). */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

/** A message posted to `POST /channels/:id/messages`. */
export interface RecordedMessage {
  /** Epoch ms when the post arrived. */
  at: number;
  channelId: string;
  body: Record<string, unknown>;
}

/** A `PUT /applications/:appId/commands` (global) or `…/guilds/:guildId/commands` call. */
export interface RecordedCommands {
  appId: string;
  /** Set for a guild registration. */
  guildId?: string;
  body: Array<Record<string, unknown>>;
}

/** A `PATCH` of a message: `/channels/:id/messages/:messageId` or a webhook's `/webhooks/:id/:token/messages/:messageId`. */
export interface RecordedEdit {
  channelId: string;
  messageId: string;
  /** Set when the edit came through a webhook. */
  webhookId?: string;
  body: Record<string, unknown>;
}

/** A `POST /interactions/:id/:token/callback` call. */
export interface RecordedCallback {
  interactionId: string;
  token: string;
  body: { type: number; data?: Record<string, unknown> };
}

/** Any call under `/webhooks/:id/:token…`: incoming-webhook executes, interaction follow-ups and edits. */
export interface RecordedWebhookCall {
  method: string;
  webhookId: string;
  token: string;
  /** What follows the token, e.g. '' or '/messages/@original'. */
  rest: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** How the next posts should fail. */
export type FakeFailure =
  /** 429 with a `Retry-After` header (seconds, may be fractional) and the matching body. */
  | { kind: 'rate_limit'; retryAfterSec: number; global?: boolean }
  /** 404 `{ code: 10003, message: 'Unknown Channel' }`. */
  | { kind: 'unknown_channel' }
  /** 403 `{ code: 50001, message: 'Missing Access' }`. */
  | { kind: 'missing_access' }
  /** 500 with no body. */
  | { kind: 'server_error' };

/** Which route `failNext` applies to: channel message posts, webhook executes, message edits (channel or webhook), message reads. */
export type FailRoute = 'messages' | 'webhook' | 'edit' | 'fetch';

/** Options of a chat-input interaction built by `chatInput`. */
export interface ChatInputSpec {
  name: string;
  subcommand?: string;
  /** Options by name: strings, or integers (type 4) when given as numbers. */
  options?: Record<string, string | number>;
  channelId?: string;
  userId?: string;
  /** Member permission bitfield as a decimal string; all permissions by default. */
  permissions?: string;
  /** A DM with the bot: no guild, no member (and so no member permissions). */
  dm?: boolean;
}

export interface FakeDiscord {
  /** What to give discord.js as `rest.api`: `http://127.0.0.1:PORT/api`. */
  apiUrl: string;
  appId: string;
  botUserId: string;
  guildId: string;
  channelId: string;
  requests: RecordedRequest[];
  messages: RecordedMessage[];
  commands: RecordedCommands[];
  callbacks: RecordedCallback[];
  webhookPosts: RecordedWebhookCall[];
  /** Message edits answered ok. */
  edits: RecordedEdit[];
  /** A message as stored (posted, then edited), by id. */
  message(id: string): Record<string, unknown> | undefined;
  /** Forgets a message, as if deleted: reads and edits answer 404 Unknown Message (10008). */
  deleteMessage(id: string): void;
  /** IDENTIFY payloads received on the gateway. */
  identifies: unknown[];
  /** Makes the next `count` posts to `route` fail as described. */
  failNext(count: number, failure: FakeFailure, route?: FailRoute): void;
  /** Sends INTERACTION_CREATE to every connected, identified gateway client. */
  dispatchInteraction(payload: Record<string, unknown>): void;
  /** Builds a guild chat-input interaction payload, e.g. `/watch add terms:nvidia`. */
  chatInput(spec: ChatInputSpec): Record<string, unknown>;
  /** Resolves once `predicate()` is true (polls every 5 ms), rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const ALL_PERMISSIONS = ((1n << 50n) - 1n).toString();
const APP_ID = '100000000000000001';
const BOT_USER_ID = '100000000000000002';
const GUILD_ID = '200000000000000001';
const CHANNEL_ID = '300000000000000001';
const USER_ID = '400000000000000001';

let snowflakeCounter = 500000000000000000n;
function nextId(): string {
  snowflakeCounter += 1n;
  return snowflakeCounter.toString();
}

function botUser(): Record<string, unknown> {
  return { id: BOT_USER_ID, username: 'wirewatch', discriminator: '0', global_name: null, avatar: null, bot: true };
}

function messageObject(channelId: string, body: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: nextId(),
    type: 0,
    channel_id: channelId,
    author: botUser(),
    content: typeof body['content'] === 'string' ? body['content'] : '',
    embeds: Array.isArray(body['embeds']) ? body['embeds'] : [],
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    components: [],
    pinned: false,
    flags: typeof body['flags'] === 'number' ? body['flags'] : 0,
    ...extra,
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendFailure(res: ServerResponse, failure: FakeFailure): void {
  switch (failure.kind) {
    case 'rate_limit': {
      const headers: Record<string, string> = {
        'retry-after': String(failure.retryAfterSec),
        'x-ratelimit-scope': failure.global ? 'global' : 'user',
      };
      if (failure.global) headers['x-ratelimit-global'] = 'true';
      sendJson(res, 429, { message: 'You are being rate limited.', retry_after: failure.retryAfterSec, global: Boolean(failure.global) }, headers);
      return;
    }
    case 'unknown_channel':
      sendJson(res, 404, { message: 'Unknown Channel', code: 10003 });
      return;
    case 'missing_access':
      sendJson(res, 403, { message: 'Missing Access', code: 50001 });
      return;
    case 'server_error':
      res.writeHead(500);
      res.end();
      return;
  }
}

function guildCreate(): Record<string, unknown> {
  return {
    id: GUILD_ID,
    name: 'Fake guild',
    icon: null,
    owner_id: USER_ID,
    unavailable: false,
    large: false,
    member_count: 2,
    joined_at: new Date(0).toISOString(),
    features: [],
    roles: [{ id: GUILD_ID, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    members: [],
    presences: [],
    voice_states: [],
    threads: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    channels: [{ id: CHANNEL_ID, type: 0, guild_id: GUILD_ID, name: 'news', position: 0, permission_overwrites: [], nsfw: false, topic: null }],
  };
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeDiscord(): Promise<FakeDiscord> {
  const requests: RecordedRequest[] = [];
  const messages: RecordedMessage[] = [];
  const commands: RecordedCommands[] = [];
  const callbacks: RecordedCallback[] = [];
  const webhookPosts: RecordedWebhookCall[] = [];
  const edits: RecordedEdit[] = [];
  const stored = new Map<string, Record<string, unknown>>();
  const identifies: unknown[] = [];
  const failures: Record<FailRoute, FakeFailure[]> = { messages: [], webhook: [], edit: [], fetch: [] };
  const unknownMessage = (res: ServerResponse): void => sendJson(res, 404, { message: 'Unknown Message', code: 10008 });
  /** Answers a read or an edit of a stored message; `where` checks it belongs to the channel or webhook. */
  const readOrEdit = (
    res: ServerResponse,
    method: string,
    id: string,
    where: (m: Record<string, unknown>) => boolean,
    record: Record<string, unknown>,
    edit: Omit<RecordedEdit, 'body' | 'messageId' | 'channelId'>,
  ): void => {
    const failure = failures[method === 'GET' ? 'fetch' : 'edit'].shift();
    if (failure) {
      sendFailure(res, failure);
      return;
    }
    const message = stored.get(id);
    if (!message || !where(message)) {
      unknownMessage(res);
      return;
    }
    if (method === 'PATCH') {
      if (Array.isArray(record['embeds'])) message['embeds'] = record['embeds'];
      if (typeof record['content'] === 'string') message['content'] = record['content'];
      message['edited_timestamp'] = new Date().toISOString();
      edits.push({ channelId: String(message['channel_id']), messageId: id, ...edit, body: record });
    }
    sendJson(res, 200, message);
  };
  const identified = new Set<WebSocket>();
  let sequence = 0;
  let port = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(err) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const prefix = '/api/v10';
    if (!url.pathname.startsWith(prefix)) {
      sendJson(res, 404, { message: '404: Not Found', code: 0 });
      return;
    }
    const segments = url.pathname.slice(prefix.length).split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const path = `/${segments.join('/')}`;
    requests.push({ method, path, query: url.searchParams, authorization: req.headers.authorization, body });
    const record = (body ?? {}) as Record<string, unknown>;
    const [s0, s1, s2, s3] = segments;

    if (method === 'GET' && path === '/gateway/bot') {
      if (!req.headers.authorization) {
        sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
        return;
      }
      sendJson(res, 200, {
        url: `ws://127.0.0.1:${port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
      return;
    }
    if (method === 'GET' && path === '/users/@me') {
      sendJson(res, 200, botUser());
      return;
    }
    if (method === 'GET' && path === '/applications/@me') {
      sendJson(res, 200, { id: APP_ID, name: 'wirewatch', flags: 0, bot: botUser(), description: '', icon: null });
      return;
    }
    if (method === 'POST' && s0 === 'channels' && s1 && s2 === 'messages' && segments.length === 3) {
      const failure = failures.messages.shift();
      if (failure) {
        sendFailure(res, failure);
        return;
      }
      messages.push({ at: Date.now(), channelId: s1, body: record });
      const reference = record['message_reference'] as Record<string, unknown> | undefined;
      const message = messageObject(s1, record, reference ? { message_reference: reference, type: 19 } : {});
      stored.set(String(message['id']), message);
      sendJson(res, 200, message);
      return;
    }
    if ((method === 'GET' || method === 'PATCH') && s0 === 'channels' && s1 && s2 === 'messages' && s3 && segments.length === 4) {
      readOrEdit(res, method, s3, (m) => m['channel_id'] === s1, record, {});
      return;
    }
    const guildCommands = method === 'PUT' && s0 === 'applications' && s1 && s2 === 'guilds' && s3 && segments[4] === 'commands' && segments.length === 5;
    if (method === 'PUT' && s0 === 'applications' && s1 && ((s2 === 'commands' && segments.length === 3) || guildCommands)) {
      const list = Array.isArray(body) ? (body as Array<Record<string, unknown>>) : [];
      commands.push({ appId: s1, ...(guildCommands && s3 ? { guildId: s3 } : {}), body: list });
      sendJson(
        res,
        200,
        list.map((c) => ({ ...c, id: nextId(), application_id: s1, version: nextId(), type: c['type'] ?? 1 })),
      );
      return;
    }
    if (method === 'POST' && s0 === 'interactions' && s1 && s2 && s3 === 'callback') {
      callbacks.push({ interactionId: s1, token: s2, body: record as RecordedCallback['body'] });
      res.writeHead(204);
      res.end();
      return;
    }
    if (s0 === 'webhooks' && s1 && s2 && s3 === 'messages' && segments[4] && segments[4] !== '@original' && segments.length === 5 && (method === 'GET' || method === 'PATCH')) {
      const webhookId = s1;
      readOrEdit(res, method, segments[4], (m) => m['webhook_id'] === webhookId, record, { webhookId });
      return;
    }
    if (s0 === 'webhooks' && s1 && s2 && (method === 'POST' || method === 'PATCH')) {
      const rest = segments.length > 3 ? `/${segments.slice(3).join('/')}` : '';
      if (method === 'POST' && rest === '') {
        const failure = failures.webhook.shift();
        if (failure) {
          sendFailure(res, failure);
          return;
        }
      }
      webhookPosts.push({ method, webhookId: s1, token: s2, rest, query: url.searchParams, body: record });
      const message = messageObject(CHANNEL_ID, record, { webhook_id: s1 });
      if (method === 'POST' && rest === '') stored.set(String(message['id']), message);
      sendJson(res, 200, message);
      return;
    }
    sendJson(res, 404, { message: '404: Not Found', code: 0 });
  }

  const wss = new WebSocketServer({ server, path: '/gateway' });
  const send = (ws: WebSocket, payload: Record<string, unknown>): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  };
  const dispatch = (ws: WebSocket, t: string, d: unknown): void => {
    sequence += 1;
    send(ws, { op: 0, t, s: sequence, d });
  };
  wss.on('connection', (ws) => {
    send(ws, { op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    ws.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(String(raw)) as { op?: number; d?: unknown };
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      switch (payload.op) {
        case 1:
          send(ws, { op: 11, d: null, s: null, t: null });
          return;
        case 2:
          identifies.push(payload.d);
          identified.add(ws);
          dispatch(ws, 'READY', {
            v: 10,
            user: botUser(),
            guilds: [{ id: GUILD_ID, unavailable: true }],
            session_id: 'fake-session',
            resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
            shard: [0, 1],
            application: { id: APP_ID, flags: 0 },
          });
          dispatch(ws, 'GUILD_CREATE', guildCreate());
          return;
        default:
          return;
      }
    });
    ws.on('close', () => identified.delete(ws));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  const chatInput = (spec: ChatInputSpec): Record<string, unknown> => {
    const channelId = spec.channelId ?? CHANNEL_ID;
    const userId = spec.userId ?? USER_ID;
    const typedOptions = Object.entries(spec.options ?? {}).map(([name, value]) => ({ type: typeof value === 'number' ? 4 : 3, name, value }));
    const options = spec.subcommand ? [{ type: 1, name: spec.subcommand, options: typedOptions }] : typedOptions;
    const user = { id: userId, username: 'alice', discriminator: '0', global_name: 'Alice', avatar: null };
    const base = {
      id: nextId(),
      application_id: APP_ID,
      type: 2,
      token: `itoken-${nextId()}`,
      version: 1,
      app_permissions: ALL_PERMISSIONS,
      locale: 'en-US',
      entitlements: [],
    };
    if (spec.dm) {
      return {
        ...base,
        channel_id: channelId,
        channel: { id: channelId, type: 1, recipients: [user] },
        user,
        authorizing_integration_owners: { '1': userId },
        context: 1,
        data: { id: nextId(), name: spec.name, type: 1, options },
      };
    }
    return {
      ...base,
      guild_id: GUILD_ID,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: GUILD_ID, name: 'news', position: 0, permission_overwrites: [], nsfw: false },
      member: {
        user,
        roles: [],
        permissions: spec.permissions ?? ALL_PERMISSIONS,
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
      },
      guild_locale: 'en-US',
      authorizing_integration_owners: { '0': GUILD_ID },
      context: 0,
      data: { id: nextId(), name: spec.name, type: 1, guild_id: GUILD_ID, options },
    };
  };

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    appId: APP_ID,
    botUserId: BOT_USER_ID,
    guildId: GUILD_ID,
    channelId: CHANNEL_ID,
    requests,
    messages,
    commands,
    callbacks,
    webhookPosts,
    edits,
    message: (id) => stored.get(id),
    deleteMessage: (id) => {
      stored.delete(id);
    },
    identifies,
    failNext(count, failure, route = 'messages') {
      for (let i = 0; i < count; i++) failures[route].push(failure);
    },
    dispatchInteraction(payload) {
      for (const ws of identified) dispatch(ws, 'INTERACTION_CREATE', payload);
    },
    chatInput,
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`fake-discord: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
