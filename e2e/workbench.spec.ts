/**
 * The workbench over `mlshield serve` in Chromium: ingest a bundle from the Start view, check the
 * Overview against the CLI, export the report, browse and annotate events, step through the
 * Timeline, and visit the remaining views — saving a screenshot of each under
 * test-results/screenshots.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { ROOT, expect, ingestThroughUi, shot, test, waitForSignal } from './fixtures.js';

test('ingests a bundle from the Start view and the Overview matches `mlshield analyze --json --no-judge`', async ({ app, served }) => {
  await app.getByRole('button', { name: 'Start', exact: true }).click();
  await shot(app, 'start');
  await ingestThroughUi(app, served.bundle);
  // The progress panel shows the finished job with its counts.
  await app.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(app.getByTestId('progress-eta')).toHaveText('done');
  await shot(app, 'start-ingested');

  const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'mlshield.js'), 'analyze', served.bundle, '--case', join(served.dir, 'cli.sqlite'), '--json', '--no-judge'], { encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  const expected = JSON.parse(cli.stdout) as {
    events: number;
    layers: { l1Cleared: number; l2Reached: number; l3Reached: number };
    counts: { l1: { cleared: number }; l2: { reached: number }; l3: { reached: number } };
    trajectories: unknown[];
    checkpoints: { path: string; verdict: string }[];
  };
  const ingestCli = spawnSync(process.execPath, [join(ROOT, 'bin', 'mlshield.js'), 'ingest', served.bundle, '--case', join(served.dir, 'cli-ingest.sqlite'), '--json'], { encoding: 'utf8' });
  expect(ingestCli.status, ingestCli.stderr).toBe(0);
  const ingested = JSON.parse(ingestCli.stdout) as { events: number; gpuSamples: number; quarantined: number; sources: unknown[] };

  await app.getByRole('button', { name: 'Overview', exact: true }).click();
  const count = (n: number): string => n.toLocaleString('en-US');
  await expect(app.getByTestId('overview-events')).toHaveText(count(expected.events));
  await expect(app.getByTestId('analysis-events')).toHaveText(count(expected.events));
  await expect(app.getByTestId('overview-gpu')).toHaveText(count(ingested.gpuSamples));
  await expect(app.getByTestId('overview-quarantined')).toHaveText(count(ingested.quarantined));
  await expect(app.getByTestId('sources-table').locator('tbody tr')).toHaveCount(ingested.sources.length);
  // The cascade funnel: shares (as --json rounds them) and counts.
  await expect(app.getByTestId('funnel-l1-cleared')).toHaveAttribute('data-share', expected.layers.l1Cleared.toFixed(4));
  await expect(app.getByTestId('funnel-l2-reached')).toHaveAttribute('data-share', expected.layers.l2Reached.toFixed(4));
  await expect(app.getByTestId('funnel-l3-reached')).toHaveAttribute('data-share', expected.layers.l3Reached.toFixed(4));
  await expect(app.getByTestId('funnel-l1-count')).toHaveText(count(expected.counts.l1.cleared));
  await expect(app.getByTestId('funnel-l2-count')).toHaveText(count(expected.counts.l2.reached));
  await expect(app.getByTestId('funnel-l3-count')).toHaveText(count(expected.counts.l3.reached));
  await expect(app.getByTestId('flagged-count')).toHaveText(count(expected.trajectories.length));
  if (expected.checkpoints.length > 0) {
    for (const c of expected.checkpoints) await expect(app.getByTestId('checkpoint-verdicts')).toContainText(c.path);
  }
  await shot(app, 'overview');

  // Export the HTML report to a server-side path from the Overview; the file is what the app says.
  const reportPath = join(served.dir, 'report.html');
  await app.getByRole('button', { name: 'Export report…' }).click();
  await app.getByLabel('Format').selectOption('html');
  await app.getByLabel('Output file on the server').fill(reportPath);
  await app.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(app.getByTestId('export-path')).toHaveText(reportPath);
  expect(existsSync(reportPath), 'the report file exists').toBe(true);
  const report = readFileSync(reportPath);
  expect(report.subarray(0, 15).toString('utf8')).toBe('<!DOCTYPE html>');
  await expect(app.getByTestId('export-sha256')).toHaveText(createHash('sha256').update(report).digest('hex'));
  await expect(app.getByTestId('export-result')).toContainText(`${report.length.toLocaleString('en-US')} bytes`);
  await shot(app, 'overview-exported');

  // Layer 3 without a key: the Judge view says so and lists what waits for it.
  const db = new Database(served.casePath, { readonly: true });
  const open = (db.prepare("SELECT COUNT(*) AS n FROM detections WHERE layer = 3 AND decision = 'open'").get() as { n: number }).n;
  db.close();
  await app.getByRole('button', { name: 'Judge', exact: true }).click();
  await expect(app.getByTestId('judge-status')).toContainText('Not run: no API key');
  expect(Number((await app.getByTestId('judge-waiting-count').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(open);
  await shot(app, 'judge');
  // A key saved in the judge settings (the server was started without --settings: kept in memory);
  // the page learns where it comes from, never the key itself.
  await expect(app.getByTestId('judge-settings-line')).toContainText('API key: none');
  await app.getByLabel('API key').fill('sk-ant-e2e-0123456789abcdef');
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('judge-settings-line')).toContainText("API key: saved in the app's settings until the workbench server stops");
  await expect(app.getByLabel('API key')).toHaveValue('');
  expect(await app.content()).not.toContain('sk-ant-e2e');
});

test('says in plain words when a bundle path does not exist', async ({ app, served }) => {
  await app.getByRole('button', { name: 'Start', exact: true }).click();
  await app.getByLabel('Bundle path on the server').fill(join(served.dir, 'no-such-bundle'));
  await app.getByRole('button', { name: 'Ingest bundle' }).click();
  await expect(app.getByRole('alert')).toContainText(`The bundle ${join(served.dir, 'no-such-bundle')} does not exist.`);
});

test('events: search, open a row with its raw record and file:line, star it, and find it after a reload', async ({ app, served }) => {
  await ingestThroughUi(app, served.bundle);
  await app.getByRole('button', { name: 'Events', exact: true }).click();
  const total = app.getByTestId('events-total');
  await expect(total).toHaveText(/^[\d,]+ events?$/);
  const all = Number((await total.textContent())!.replace(/\D/g, ''));
  expect(all).toBeGreaterThan(0);

  // Keyboard: focus the rows, move down, the detail follows.
  await app.getByTestId('events-body').focus();
  await app.keyboard.press('ArrowDown');
  await expect(app.getByTestId('event-provenance')).toHaveText(/^.+:\d+$/);
  await expect(app.getByTestId('event-raw')).not.toBeEmpty();

  // Full-text search narrows the table.
  const term = 'pods';
  await app.getByLabel('Full-text search').fill(term);
  await app.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(total).not.toHaveText(`${all.toLocaleString('en-US')} events`);
  const firstRow = app.locator('[role=row][data-event-id]').first();
  await firstRow.click();
  await expect(app.getByTestId('event-raw')).toContainText(term);
  const id = await firstRow.getAttribute('data-event-id');
  await app.getByTestId('star-button').click();
  await expect(app.getByTestId('star-button')).toHaveText('★ Starred');
  await app.getByLabel('Comment').fill('first look at pods');
  await app.getByRole('button', { name: 'Save note' }).click();
  await expect(app.getByRole('status')).toContainText('saved in the case');
  await shot(app, 'events');

  await app.reload();
  await waitForSignal(app, 'mlshield:case-opened');
  await app.getByRole('button', { name: 'Events', exact: true }).click();
  await app.getByLabel('starred only').check();
  await expect(total).toHaveText('1 event');
  await expect(app.locator('[role=row][data-event-id]')).toHaveCount(1);
  await expect(app.locator('[role=row][data-event-id]').first()).toHaveAttribute('data-event-id', id!);

  await app.getByRole('button', { name: 'Annotations', exact: true }).click();
  await expect(app.getByTestId('annotations-table')).toContainText('first look at pods');
  await shot(app, 'annotations');
  await app.getByTestId('annotations-table').getByRole('button').first().click();
  await expect(app.getByTestId('event-detail')).toContainText(`Event #${id}`);
});

test('checkpoints: the triaged list and the inspector of the tampered checkpoint with its finding and heatmaps', async ({ app, served }) => {
  const target = 'checkpoints/whisper-ft-worker-1/model.pt';
  test.skip(!existsSync(join(served.bundle, target)), 'the generated sample bundle (with checkpoints) is not present');
  await ingestThroughUi(app, served.bundle);
  const db = new Database(served.casePath, { readonly: true });
  const row = db.prepare('SELECT c.verdict, f.message FROM checkpoints c LEFT JOIN findings f ON f.checkpoint_id = c.id WHERE c.path = ? ORDER BY f.id LIMIT 1').get(target) as
    | { verdict: string; message: string | null }
    | undefined;
  db.close();
  expect(row, 'the analysis triaged the checkpoint').toBeDefined();
  expect(row!.verdict).toBe('suspicious');

  await app.getByRole('button', { name: 'Checkpoints', exact: true }).click();
  const list = app.getByTestId('checkpoints-table');
  await expect(list.locator(`tr[data-checkpoint-path="${target}"]`)).toContainText('suspicious');
  await shot(app, 'checkpoints');
  await app.getByRole('button', { name: `Inspect ${target}` }).click();
  const inspector = app.getByTestId('checkpoint-inspector');
  await expect(inspector).toContainText(target);
  await expect(app.getByTestId('checkpoint-findings')).toContainText(row!.message!);
  await expect(app.getByTestId('checkpoint-imports')).toContainText('torch._utils._rebuild_tensor_v2');
  await expect(app.getByTestId('checkpoint-tensors').locator('tbody tr').first()).toBeVisible();
  for (const id of ['heatmap-histogram', 'heatmap-stats']) {
    const canvas = app.getByTestId(id).locator('canvas, svg').first();
    await expect(canvas).toBeVisible();
    const box = (await canvas.boundingBox())!;
    expect(box.width * box.height, `${id} has a size`).toBeGreaterThan(100 * 100);
  }
  await inspector.scrollIntoViewIfNeeded();
  await app.getByTestId('checkpoint-findings').scrollIntoViewIfNeeded();
  await shot(app, 'checkpoint-inspector');
});

test('timeline: steps with j and k through the real alerts of the attack trajectory in time order, on UTC or local time, in both themes', async ({ app, served }) => {
  test.skip(!existsSync(join(served.bundle, 'manifest.json')), 'the generated sample bundle (with an attack) is not present');
  await ingestThroughUi(app, served.bundle);
  // What the cascade found on this bundle decides what to expect (the rules are still being tuned).
  const db = new Database(served.casePath, { readonly: true });
  const shown = db
    .prepare("SELECT d.id, d.ts, d.decision, COALESCE(d.phase, d.family, 'other') AS phase, COALESCE(d.job, e.job) AS job, d.event_id AS eventId FROM detections d LEFT JOIN events e ON e.id = d.event_id WHERE d.decision <> 'clear' ORDER BY d.ts, d.id")
    .all() as { id: number; ts: number; decision: string; phase: string; job: string | null; eventId: number | null }[];
  const attack = db.prepare("SELECT job FROM detections WHERE decision = 'alert' AND job IS NOT NULL GROUP BY job ORDER BY COUNT(*) DESC, MIN(ts) LIMIT 1").get() as { job: string } | undefined;
  db.close();
  expect(attack, 'the cascade flags a trajectory on the sample bundle').toBeDefined();
  const alerts = shown.filter((d) => d.job === attack!.job && d.decision === 'alert');
  const expectedPhases = alerts.map((d) => d.phase).filter((p, i, all) => all.indexOf(p) === i);
  expect(expectedPhases[0], 'the attack starts with reconnaissance').toBe('recon');
  expect(expectedPhases.length).toBeGreaterThan(1);
  const lastAlert = alerts.at(-1)!;

  await app.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(app.getByTestId('alert-count')).toHaveText(`${shown.length} alerts in view`);
  const view = app.getByTestId('timeline-view');
  await view.focus();
  // Step through every detection up to the attack's last alert; keep what the panel says.
  const visited: { id: number; phase: string; job: string }[] = [];
  for (let i = 0; i <= shown.findIndex((d) => d.id === lastAlert.id); i++) {
    await app.keyboard.press('j');
    await expect(app.getByTestId('selected-detection')).toHaveAttribute('data-detection-id', String(shown[i]!.id));
    visited.push({ id: shown[i]!.id, phase: (await app.getByTestId('selected-phase').textContent())!, job: (await app.getByTestId('selected-job').textContent())! });
  }
  const alertIds = new Set(alerts.map((a) => a.id));
  const visitedAlertPhases = visited.filter((v) => alertIds.has(v.id)).map((v) => v.phase);
  expect(visitedAlertPhases).toEqual(alerts.map((a) => a.phase));
  expect(visitedAlertPhases.filter((p, i, all) => all.indexOf(p) === i)).toEqual(expectedPhases);
  expect(visited.filter((v) => alertIds.has(v.id)).every((v) => v.job === attack!.job)).toBe(true);
  await shot(app, 'timeline');
  if (visited.length > 1) {
    await app.keyboard.press('k');
    await expect(app.getByTestId('selected-phase')).toHaveText(visited.at(-2)!.phase);
    await app.keyboard.press('j');
  }

  // Zoom: the wheel zooms in, and back out again up to the whole span; `=` / `-` / `0` do the same
  // from the keyboard. Each window is re-queried; the view says which one it shows.
  const zoomWindow = app.getByTestId('zoom-window');
  const share = async (): Promise<number> => Number(await zoomWindow.getAttribute('data-share'));
  await expect(zoomWindow).toHaveText('whole span');
  const chart = app.getByTestId('timeline-chart');
  await expect(chart).toHaveAttribute('data-rendered', 'true');
  const box = (await chart.boundingBox())!;
  // Over the lower grid (events and telemetry), where the inside dataZoom listens.
  await app.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.75);
  for (let i = 0; i < 3; i++) await app.mouse.wheel(0, -400);
  await expect.poll(share).toBeLessThan(1);
  const zoomedIn = await share();
  await app.mouse.wheel(0, 400);
  await expect.poll(share).toBeGreaterThan(zoomedIn);
  // Out, notch by notch, until the whole span (the axis spans the case, so the wheel can get there).
  await expect
    .poll(
      async () => {
        if ((await share()) < 1) await app.mouse.wheel(0, 400);
        return zoomWindow.textContent();
      },
      { intervals: [400], timeout: 20_000 },
    )
    .toBe('whole span');
  await view.focus();
  await app.keyboard.press('=');
  await expect(zoomWindow).toContainText('(50.0%)');
  await app.keyboard.press('-');
  await expect(zoomWindow).toHaveText('whole span');
  await app.keyboard.press('=');
  await app.keyboard.press('=');
  await expect(zoomWindow).toContainText('(25.0%)');
  await shot(app, 'timeline-zoomed');
  await app.keyboard.press('0');
  await expect(zoomWindow).toHaveText('whole span');
  await expect(app.getByTestId('alert-count')).toHaveText(`${shown.length} alerts in view`);

  await app.getByTestId('tz-toggle').click();
  await expect(app.getByTestId('tz-toggle')).toHaveText('Local');
  const before = await app.locator('html').getAttribute('data-theme');
  const other = before === 'dark' ? 'light' : 'dark';
  await app.getByTestId('theme-toggle').click();
  await expect(app.locator('html')).toHaveAttribute('data-theme', other);
  await shot(app, `timeline-${other}`);

  if (lastAlert.eventId !== null) {
    await view.focus();
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('event-detail')).toContainText(`Event #${lastAlert.eventId}`);
    await shot(app, `events-${other}`);
  }
});

/** The toolbar's height is its tallest item's: one line, nothing wrapped. */
async function expectOneLine(page: Page, testId: string): Promise<void> {
  const { height, tallest } = await page.getByTestId(testId).evaluate((el) => ({
    height: el.getBoundingClientRect().height,
    tallest: Math.max(...Array.from(el.children, (c) => c.getBoundingClientRect().height)),
  }));
  expect(height, `${testId} is one line (${height} px high, its tallest item ${tallest} px)`).toBeCloseTo(tallest, 0);
}

test('timeline → events: the alert\'s event is selected and scrolled into view in the Events table; the Timeline toolbar fits 1280×800', async ({ app, served }) => {
  test.skip(!existsSync(join(served.bundle, 'manifest.json')), 'the generated sample bundle (with an attack) is not present');
  expect(app.viewportSize()).toEqual({ width: 1280, height: 800 });
  await ingestThroughUi(app, served.bundle);
  // The latest alert with an event behind it: its row lies far below the first screen of events.
  const db = new Database(served.casePath, { readonly: true });
  const shown = db.prepare("SELECT id, event_id AS eventId FROM detections WHERE decision <> 'clear' ORDER BY ts, id").all() as { id: number; eventId: number | null }[];
  const fromEnd = [...shown].reverse().findIndex((d) => d.eventId !== null);
  expect(fromEnd, 'an alert has an event').toBeGreaterThanOrEqual(0);
  const target = shown[shown.length - 1 - fromEnd]!;
  const ev = db.prepare('SELECT ts, actor FROM events WHERE id = ?').get(target.eventId) as { ts: number; actor: string | null };
  // Its row in the Events table's default order (time, then id): the rows before it.
  const rowIndex = (db.prepare('SELECT COUNT(*) AS n FROM events WHERE ts < ? OR (ts = ? AND id < ?)').get(ev.ts, ev.ts, target.eventId) as { n: number }).n;
  const otherActor = (db.prepare('SELECT actor FROM events WHERE actor IS NOT NULL AND actor IS NOT ? LIMIT 1').get(ev.actor) as { actor: string }).actor;
  db.close();
  expect(rowIndex, 'the row is past the first screen').toBeGreaterThan(40);

  // At 1280×800 the toolbar stays one line: whole span, zoomed in, in local time.
  await app.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(app.getByTestId('alert-count')).toHaveText(`${shown.length} alerts in view`);
  await expectOneLine(app, 'timeline-toolbar');
  const view = app.getByTestId('timeline-view');
  await view.focus();
  await app.keyboard.press('=');
  await expect(app.getByTestId('zoom-window')).toContainText('(50.0%)');
  await expectOneLine(app, 'timeline-toolbar');
  await app.getByTestId('tz-toggle').click();
  await expectOneLine(app, 'timeline-toolbar');
  await app.getByTestId('tz-toggle').click();
  await view.focus();
  await app.keyboard.press('0');
  await expect(app.getByTestId('zoom-window')).toHaveText('whole span');
  // The whole span's alerts are fetched again after the reset: until they arrive the keys step
  // through the zoomed view's (whose last alert may be an earlier one).
  await expect(app.getByTestId('alert-count')).toHaveText(`${shown.length} alerts in view`);

  // k from nothing selected is the last alert; step back to the target and jump.
  const selected = app.getByTestId('selected-detection');
  await app.keyboard.press('k');
  for (let i = 0; i < fromEnd; i++) {
    await expect(selected).toHaveAttribute('data-detection-id', String(shown[shown.length - 1 - i]!.id));
    await app.keyboard.press('k');
  }
  await expect(selected).toHaveAttribute('data-detection-id', String(target.id));
  await app.keyboard.press('Enter');

  const row = app.locator('[role=row][aria-selected=true]');
  await expect(row).toHaveAttribute('data-event-id', String(target.eventId));
  await expect(row).toHaveAttribute('aria-rowindex', String(rowIndex + 2));
  await expect(app.getByTestId('event-detail')).toContainText(`Event #${target.eventId}`);
  const rowBox = (await row.boundingBox())!;
  const bodyBox = (await app.getByTestId('events-body').boundingBox())!;
  expect(rowBox.y, 'the row is below the top of the table').toBeGreaterThanOrEqual(bodyBox.y);
  expect(rowBox.y + rowBox.height, 'and above its bottom').toBeLessThanOrEqual(bodyBox.y + bodyBox.height);
  // Arrow keys go on from it.
  await app.keyboard.press('ArrowDown');
  await expect(app.locator('[role=row][aria-selected=true]')).toHaveAttribute('aria-rowindex', String(rowIndex + 3));
  await shot(app, 'events-jumped');

  // Filters that hide the event: the table says so, and clears them on request.
  await app.getByLabel('Filter field').selectOption('actor');
  await app.getByLabel('Filter value').fill(otherActor);
  await app.getByRole('button', { name: 'Add filter' }).click();
  await expect(app.getByLabel('Active filters')).toBeVisible();
  await app.getByRole('button', { name: 'Timeline', exact: true }).click();
  // Keys pressed before the view has its alerts do nothing (a CI run under load lost them all).
  await expect(app.getByTestId('alert-count')).toHaveText(`${shown.length} alerts in view`);
  await app.getByTestId('timeline-view').focus();
  await expect(app.getByTestId('timeline-view')).toBeFocused();
  await app.keyboard.press('k');
  for (let i = 0; i < fromEnd; i++) {
    await expect(selected).toHaveAttribute('data-detection-id', String(shown[shown.length - 1 - i]!.id));
    await app.keyboard.press('k');
  }
  await expect(selected).toHaveAttribute('data-detection-id', String(target.id));
  await app.getByRole('button', { name: `Open event #${target.eventId} (Enter)` }).click();
  await expect(app.getByTestId('focus-hidden')).toHaveText(/Event #\d+ is hidden by the current filters\./);
  await expect(app.locator('[role=row][aria-selected=true]')).toHaveCount(0);
  await app.getByRole('button', { name: 'Clear filters and show it' }).click();
  await expect(app.getByLabel('Active filters')).toHaveCount(0);
  await expect(app.getByTestId('focus-hidden')).toHaveCount(0);
  await expect(row).toHaveAttribute('data-event-id', String(target.eventId));
  await expect(row).toBeInViewport();
});

test('the saved theme is on the page before its first paint, and the app never paints another', async ({ app }) => {
  for (const [saved, system] of [['dark', 'light'], ['light', 'dark']] as const) {
    await app.emulateMedia({ colorScheme: system });
    await app.evaluate((t) => localStorage.setItem('mlshield.theme', t), saved);
    await app.addInitScript(() => {
      const w = window as Window & { __themes?: (string | null)[]; __firstFrameTheme?: string | null };
      w.__themes = [];
      // Every value <html data-theme> takes, and the one the first frame is drawn with.
      new MutationObserver(() => w.__themes!.push(document.documentElement.getAttribute('data-theme'))).observe(document, {
        subtree: true,
        attributes: true,
        attributeFilter: ['data-theme'],
      });
      requestAnimationFrame(() => (w.__firstFrameTheme = document.documentElement.getAttribute('data-theme')));
    });
    await app.reload();
    await waitForSignal(app, 'mlshield:app-ready');
    await expect(app.getByTestId('theme-toggle')).toHaveText(saved === 'dark' ? '☾ Dark' : '☀ Light');
    const seen = await app.evaluate(() => {
      const w = window as Window & { __themes?: (string | null)[]; __firstFrameTheme?: string | null };
      return { first: w.__firstFrameTheme, all: w.__themes };
    });
    expect(seen.first, `saved ${saved}, system ${system}: the first frame`).toBe(saved);
    expect(seen.all, 'no other theme in between').toEqual(seen.all!.map(() => saved));
    const bg = await app.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe(saved === 'dark' ? 'rgb(17, 17, 19)' : 'rgb(252, 252, 253)');
  }
});
