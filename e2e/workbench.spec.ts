/**
 * The workbench over `mlshield serve` in Chromium: ingest a bundle from the Start view, check the
 * Overview against the CLI, browse and annotate events, step through the Timeline, and visit the
 * remaining views — saving a screenshot of each under test-results/screenshots.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT, expect, ingestThroughUi, shot, test, waitForSignal } from './fixtures.js';

test('ingests a bundle from the Start view and the Overview matches `mlshield ingest --json`', async ({ app, served }) => {
  await app.getByRole('button', { name: 'Start', exact: true }).click();
  await shot(app, 'start');
  await ingestThroughUi(app, served.bundle);
  // The progress panel shows the finished job with its counts.
  await app.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(app.getByTestId('progress-eta')).toHaveText('done');
  await shot(app, 'start-ingested');

  const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'mlshield.js'), 'ingest', served.bundle, '--case', join(served.dir, 'cli.sqlite'), '--json'], { encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  const expected = JSON.parse(cli.stdout) as { events: number; gpuSamples: number; quarantined: number; sources: unknown[] };

  await app.getByRole('button', { name: 'Overview', exact: true }).click();
  await expect(app.getByTestId('overview-events')).toHaveText(expected.events.toLocaleString('en-US'));
  await expect(app.getByTestId('overview-gpu')).toHaveText(expected.gpuSamples.toLocaleString('en-US'));
  await expect(app.getByTestId('overview-quarantined')).toHaveText(expected.quarantined.toLocaleString('en-US'));
  await expect(app.getByTestId('sources-table').locator('tbody tr')).toHaveCount(expected.sources.length);
  await shot(app, 'overview');

  await app.getByRole('button', { name: 'Checkpoints', exact: true }).click();
  await expect(app.getByRole('heading', { name: 'Checkpoints' })).toBeVisible();
  await shot(app, 'checkpoints');
  await app.getByRole('button', { name: 'Judge', exact: true }).click();
  await expect(app.getByText(/Not run/)).toBeVisible();
  await shot(app, 'judge');
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

test('timeline: steps through the four attack phases with j and k, on UTC or local time, in both themes', async ({ app, served }) => {
  await ingestThroughUi(app, served.bundle);
  // The cascade is not wired into the workbench yet: place one detection per phase on real events.
  const db = new Database(served.casePath);
  const events = db.prepare('SELECT id, ts, job FROM events ORDER BY ts LIMIT 4').all() as { id: number; ts: number; job: string | null }[];
  const phases = ['recon', 'staging', 'conversion', 'exfiltration'];
  const ins = db.prepare(
    `INSERT INTO detections(event_id, job, ts, layer, rule_id, score, decision, phase, severity, family, reasoning, run_id)
     VALUES (?, ?, ?, 1, ?, 1, 'alert', ?, 'high', 'weight_exfiltration', 'seeded by the e2e test', 1)`,
  );
  events.forEach((e, i) => ins.run(e.id, e.job, e.ts + i, `e2e-${phases[i]}`, phases[i]));
  db.close();
  expect(events.length).toBe(4);

  await app.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(app.getByTestId('alert-count')).toHaveText('4 alerts in view');
  const view = app.getByTestId('timeline-view');
  await view.focus();
  for (const phase of phases) {
    await app.keyboard.press('j');
    await expect(app.getByTestId('selected-phase')).toHaveText(phase);
  }
  await app.keyboard.press('k');
  await expect(app.getByTestId('selected-phase')).toHaveText('conversion');
  await shot(app, 'timeline');

  await app.getByTestId('tz-toggle').click();
  await expect(app.getByTestId('tz-toggle')).toHaveText('Local');
  const before = await app.locator('html').getAttribute('data-theme');
  const other = before === 'dark' ? 'light' : 'dark';
  await app.getByTestId('theme-toggle').click();
  await expect(app.locator('html')).toHaveAttribute('data-theme', other);
  await shot(app, `timeline-${other}`);

  await view.focus();
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('event-detail')).toContainText(`Event #${events[2]!.id}`);
  await expect(app.getByTestId('event-detail')).toContainText('e2e-conversion');
  await shot(app, `events-${other}`);
});
