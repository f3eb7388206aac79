/**
 * The `fetch` the judge's SDK client runs on. It reads the whole response body before it returns,
 * for two reasons:
 * - time: @anthropic-ai/sdk 1.12 arms its per-attempt timer around `fetch` only and clears it when
 *   the headers arrive (client.js `fetchWithTimeout`), so a server that sends headers and then
 *   stalls mid-body escaped the per-attempt timeout and was only ended by the judge's overall
 *   deadline (all attempts + 30 s). Reading the body inside `fetch` puts it under that timer (its
 *   abort errors the body stream, which the SDK reports as a timeout).
 * - size: the body is refused past `maxBytes` instead of being buffered whole; a verdict message
 *   (max_tokens 2048) is a few KiB.
 */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export class ResponseTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`response body too large (over ${maxBytes} bytes)`);
    this.name = 'ResponseTooLargeError';
  }
}

export function boundedFetch(maxBytes: number, base: FetchFn = fetch): FetchFn {
  return async (input, init) => {
    const res = await base(input, init);
    if (res.body === null) return res;
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes);
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ResponseTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
    return new Response(Buffer.concat(chunks), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
