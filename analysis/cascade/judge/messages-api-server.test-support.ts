/**
 * A loopback HTTP server that speaks the Messages API (`POST /v1/messages`): the stand-in for the
 * remote API in the judge's tests (STYLE.md "Tests that own their world": the LLM endpoint
 * pointed at a local server). It checks the API key and `anthropic-version` headers and the
 * request's basic shape the way the real API does, records every request byte for byte, and
 * answers what the test scripts: a tool_use message, a text message, an API error, or nothing.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  rawBody: string;
  body: Record<string, unknown>;
}

export interface ScriptedReply {
  status?: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as-is (e.g. a broken body); wins over `json`. */
  text?: string;
  headers?: Record<string, string>;
  /** Never answer (the client's timeout must fire); the socket is closed by `close()`. */
  hang?: boolean;
  /** Answer after this many ms (to hold requests in flight). */
  delayMs?: number;
  /** Answer once this settles (then after `delayMs`): e.g. when the other requests have arrived. */
  after?: Promise<unknown>;
  /** Send the status line, headers and these bytes of body, then stall (a server that hangs mid-body). */
  stallAfter?: string;
}

/** Called for every authenticated, well-formed request; `index` counts those from 0. */
export type Script = (req: RecordedRequest, index: number) => ScriptedReply;

export interface MessagesApiServer {
  /** Base URL for the SDK (`http://127.0.0.1:PORT`). */
  readonly url: string;
  /** Authenticated, well-formed requests that reached the script. */
  readonly requests: RecordedRequest[];
  /** Every HTTP request, rejected ones included. */
  readonly allRequests: number;
  /** Most requests in flight at once. */
  readonly maxConcurrent: number;
  /** Requests in flight now (answered or dropped by the client ends them). */
  readonly inFlight: number;
  script: Script;
  close(): Promise<void>;
}

const MAX_BODY = 8 << 20;

export async function startMessagesApiServer(opts: { apiKey: string; script?: Script }): Promise<MessagesApiServer> {
  const requests: RecordedRequest[] = [];
  let all = 0;
  let active = 0;
  let maxConcurrent = 0;
  const state = { script: opts.script ?? ((): ScriptedReply => toolUseReply(benignAnswer())) };

  const server = createServer((req, res) => {
    all++;
    active++;
    maxConcurrent = Math.max(maxConcurrent, active);
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        active--;
      }
    };
    res.on('close', finish);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
        return send(res, { status: 404, json: apiErrorBody('not_found_error', `no route ${req.method} ${req.url}`) });
      }
      if (!authorised(req.headers, opts.apiKey)) {
        return send(res, { status: 401, json: apiErrorBody('authentication_error', 'invalid x-api-key') });
      }
      if (typeof req.headers['anthropic-version'] !== 'string' || req.headers['anthropic-version'] === '') {
        return send(res, { status: 400, json: apiErrorBody('invalid_request_error', 'anthropic-version header is required') });
      }
      if (size > MAX_BODY) return send(res, { status: 413, json: apiErrorBody('request_too_large', 'request too large') });
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        return send(res, { status: 400, json: apiErrorBody('invalid_request_error', 'body is not JSON') });
      }
      const problem = shapeProblem(body);
      if (problem) return send(res, { status: 400, json: apiErrorBody('invalid_request_error', problem) });
      const rec: RecordedRequest = { method: req.method, url: req.url ?? '', headers: req.headers, rawBody, body: body as Record<string, unknown> };
      requests.push(rec);
      let reply: ScriptedReply;
      try {
        reply = state.script(rec, requests.length - 1);
      } catch (e) {
        reply = { status: 500, json: apiErrorBody('api_error', `script failed: ${(e as Error).message}`) };
      }
      if (reply.hang) return; // the client's timeout fires; close() ends the socket
      const answer = (): void => {
        if (reply.delayMs) setTimeout(() => send(res, reply), reply.delayMs);
        else send(res, reply);
      };
      if (reply.after) void reply.after.then(answer, answer);
      else answer();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get allRequests() {
      return all;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    get inFlight() {
      return active;
    },
    get script() {
      return state.script;
    },
    set script(s: Script) {
      state.script = s;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The SDK 1.x sends `Authorization: Bearer`; older clients and curl send `x-api-key`. */
function authorised(h: IncomingHttpHeaders, key: string): boolean {
  return h['x-api-key'] === key || h.authorization === `Bearer ${key}`;
}

function shapeProblem(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body must be an object';
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') return 'model: field required';
  if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1) return 'max_tokens: field required';
  if (!Array.isArray(b.messages) || b.messages.length === 0) return 'messages: field required';
  return null;
}

function send(res: ServerResponse, reply: ScriptedReply): void {
  if (res.destroyed) return;
  const status = reply.status ?? 200;
  if (reply.stallAfter !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_test_${status}`, ...reply.headers });
    res.write(reply.stallAfter); // never ended; close() destroys the socket
    return;
  }
  const text = reply.text ?? JSON.stringify(reply.json ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_test_${status}`, ...reply.headers });
  res.end(text);
}

export function apiErrorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

/** An API error reply; retried statuses get a 1 ms retry-after so retry tests stay fast. */
export function errorReply(status: number, type = 'api_error', message = 'scripted failure'): ScriptedReply {
  return { status, json: apiErrorBody(type, message), headers: { 'retry-after-ms': '1' } };
}

let nextId = 0;

export function toolUseReply(input: unknown, usage = { input_tokens: 1234, output_tokens: 56 }, model = 'claude-test-responder'): ScriptedReply {
  // The tool-use id shares the message's number (messageReply takes the next one).
  return messageReply([{ type: 'tool_use', id: `toolu_test_${nextId + 1}`, name: 'record_verdict', input }], 'tool_use', usage, model);
}

export function textReply(text: string, usage = { input_tokens: 1000, output_tokens: 80 }): ScriptedReply {
  return messageReply([{ type: 'text', text }], 'end_turn', usage);
}

export function maliciousAnswer(): Record<string, unknown> {
  return {
    verdict: 'malicious',
    confidence: 0.9,
    family: 'weight-exfil',
    phase: 'staging',
    reasoning: 'exec into a training pod followed by an archive of the checkpoint directory',
  };
}

export function benignAnswer(confidence = 1): Record<string, unknown> {
  return { verdict: 'benign', confidence, family: 'benign', phase: null, reasoning: 'routine operation' };
}

/** A message with the given content blocks and stop_reason (malformed answers, cut answers). */
export function messageReply(
  content: unknown[],
  stopReason: string | null = 'end_turn',
  usage: unknown = { input_tokens: 900, output_tokens: 40 },
  model = 'claude-test-responder',
): ScriptedReply {
  nextId++;
  return {
    json: {
      id: `msg_test_${nextId}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    },
  };
}
