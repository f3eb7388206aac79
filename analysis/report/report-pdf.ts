/**
 * HTML report → PDF with headless Chromium driven by playwright-core (the CLI's printer; the desktop
 * app prints with Electron instead). Chromium comes from MLSHIELD_CHROMIUM or /usr/bin/chromium —
 * nothing is downloaded. The page is loaded with setContent under a route that aborts every
 * request, so even a report that tried to load something could not reach the network; the PDF gets
 * header and footer (page numbers) from pdf-layout.ts and a document outline from the headings.
 * The report is printed in passes on the same page (toc-page-numbers.ts) to number its contents.
 */
import { existsSync } from 'node:fs';
import { pdfLayout, playwrightPdfOptions, type PrintPass } from './pdf-layout.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The Chromium to use, or null when there is none (the caller says how to get one). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const p = env['MLSHIELD_CHROMIUM'] || DEFAULT_CHROMIUM;
  return existsSync(p) ? p : null;
}

export class ChromiumUnavailableError extends Error {}

export interface ChromiumPrint<T> {
  result: T;
  /** Requests the page tried to make (each was aborted); 0 for a report that is truly self-contained. */
  blockedRequests: number;
}

/**
 * Opens headless Chromium with one offline page (print media, every request aborted) and runs `job`
 * with a function that prints HTML on that page with the shared layout (pdf-layout.ts, per pass);
 * the page is reused for every print, so another pass costs a print, not a browser start.
 */
export async function withChromiumPdf<T>(
  title: string,
  generatedAt: string,
  job: (print: (html: string, pass?: PrintPass) => Promise<Buffer>) => Promise<T>,
  executablePath = chromiumPath(),
): Promise<ChromiumPrint<T>> {
  if (!executablePath) throw new ChromiumUnavailableError(`PDF needs Chromium: install it at ${DEFAULT_CHROMIUM} or set MLSHIELD_CHROMIUM`);
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch {
    throw new ChromiumUnavailableError('PDF needs the playwright-core package, which is not installed');
  }
  const browser = await pw.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    let blocked = 0;
    await context.route('**/*', (route) => {
      blocked++;
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    await page.emulateMedia({ media: 'print' });
    const layout = pdfLayout(title, generatedAt);
    const print = async (html: string, pass: PrintPass = 'final'): Promise<Buffer> => {
      await page.setContent(html, { waitUntil: 'load' });
      return page.pdf(playwrightPdfOptions(layout, pass));
    };
    const result = await job(print);
    return { result, blockedRequests: blocked };
  } finally {
    await browser.close();
  }
}
