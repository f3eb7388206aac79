/** `mlshield serve [--port 8000] [--host 127.0.0.1] [--case <file>] [--settings <file>]` */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { WorkbenchService } from '../service/workbench-service.js';
import { workerIngestRunner } from '../service/ingest-runner.js';
import { startWorkbenchServer } from '../serve/workbench-server.js';
import { fileJudgeSettings } from '../service/judge-settings.js';
import { API_KEY_ENV, startRefusal } from '../serve/api-key.js';

const HELP = `Usage: mlshield serve [--port 8000] [--host 127.0.0.1] [--case <file.sqlite>] [--settings <file.json>]

Serves the workbench (the same renderer as the desktop app) and its contract over HTTP and
WebSocket, and the MLShield monitoring API: /health, /api/v1/events, /api/v1/stats,
/api/v1/alerts, and Prometheus metrics at /metrics.

Options:
  --port <n>      TCP port (default 8000; 0 picks a free one)
  --host <addr>   address to bind (default 127.0.0.1). Any address other than loopback
                  requires ${API_KEY_ENV} (16+ characters); every API call must then send it
                  in the X-API-Key header.
  --case <file>   case file to open at start (created when missing)
  --settings <file>
                  where the UI's settings (the LLM judge's model and API key) are saved:
                  a JSON file only its owner can read (mode 0600), the key in the clear as
                  CLI credential files keep theirs. Without it they last until the server stops.
                  The judge otherwise reads ANTHROPIC_API_KEY and MLSHIELD_JUDGE_MODEL.

Prints "listening on <url>" once ready. Stop with Ctrl-C.`;

/** dist/cli/mlshield.js → dist/renderer and dist/cli/workbench-ingest-worker.js (the build's layout). */
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));
const WORKER_URL = new URL('./workbench-ingest-worker.js', import.meta.url);

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the workbench UI and the monitoring API over HTTP',
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8000' },
        host: { type: 'string', default: '127.0.0.1' },
        case: { type: 'string' },
        settings: { type: 'string' },
      },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be an integer from 0 to 65535');
    const apiKey = process.env[API_KEY_ENV] || undefined;
    const refusal = startRefusal(values.host, apiKey);
    if (refusal) throw new UsageError(refusal);
    if (!existsSync(RENDERER_DIR)) process.stderr.write(`mlshield serve: warning: no renderer build at ${RENDERER_DIR}; the API works, the UI will not\n`);

    const service = new WorkbenchService({
      runner: workerIngestRunner(WORKER_URL),
      caseDirectory: process.cwd(),
      ...(values.settings ? { judgeSettings: fileJudgeSettings(resolve(values.settings)) } : {}),
    });
    if (values.case) service.openCase(values.case);
    const server = await startWorkbenchServer({ service, host: values.host, port, rendererDir: RENDERER_DIR, ...(apiKey ? { apiKey } : {}) });
    process.stdout.write(`mlshield serve: listening on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await service.idle().catch(() => undefined);
    service.close();
    return EXIT.OK;
  },
};
