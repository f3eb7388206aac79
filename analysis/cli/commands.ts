/** The registry of subcommands, in the order `mlshield --help` lists them. */
import type { Command } from './command.js';
import { ingestCommand } from './ingest-command.js';
import { generateCommand } from './generate-command.js';
import { serveCommand } from './serve-command.js';
import { analyzeCommand } from './analyze-command.js';
import { trainCommand } from './train-command.js';
import { triageCommand } from './triage-command.js';
import { verifyAttestationCommand } from './verify-attestation-command.js';
import { reportCommand } from './report-command.js';
import { verifyReportCommand } from './verify-report-command.js';

export const COMMANDS: readonly Command[] = [ingestCommand, analyzeCommand, generateCommand, trainCommand, serveCommand, triageCommand, verifyAttestationCommand, reportCommand, verifyReportCommand];
