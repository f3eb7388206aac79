/**
 * HTML report → PDF with headless Chromium driven by playwright-core (the CLI's printer; the desktop
 * app prints with Electron instead). Chromium comes from MLSHIELD_CHROMIUM or /usr/bin/chromium —
 * nothing is downloaded. The page is loaded with setContent under a route that aborts every
 * request, so even a report that tried to load something could not reach the network; the PDF gets
 * header and footer (page numbers) from pdf-layout.ts and a document outline from the headings.
 */
import { existsSync } from 'node:fs';
import { pdfLayout } from './pdf-layout.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The Chromium to use, or null when there is none (the caller says how to get one). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const p = env['MLSHIELD_CHROMIUM'] || DEFAULT_CHROMIUM;
  return existsSync(p) ? p : null;
}

export class ChromiumUnavailableError extends Error {}

export interface PdfResult {
  pdf: Buffer;
  /** Requests the page tried to make (each was aborted); 0 for a report that is truly self-contained. */
  blockedRequests: number;
}

export async function htmlToPdf(html: string, title: string, generatedAt: string, executablePath = chromiumPath()): Promise<PdfResult> {
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
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const layout = pdfLayout(title, generatedAt);
    const mm = (x: number): string => `${x}mm`;
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: layout.headerTemplate,
      footerTemplate: layout.footerTemplate,
      margin: { top: mm(layout.marginMm.top), bottom: mm(layout.marginMm.bottom), left: mm(layout.marginMm.left), right: mm(layout.marginMm.right) },
      outline: true,
      tagged: true,
    });
    return { pdf, blockedRequests: blocked };
  } finally {
    await browser.close();
  }
}
