/**
 * `attrs.exec.gpuSettings`: what the exec's commands change in the node's GPUs or in the GPU
 * monitoring that watches them, each as `<tool> <setting> [value]`, through wrappers:
 *
 * - nvidia-smi's device modification options, named by their long form whichever form is written
 *   (`nvidia-smi -pl 150` and `--power-limit=150` give `nvidia-smi power-limit 150`; `-r` gives
 *   `nvidia-smi gpu-reset`), and its `mig` instance changes (`nvidia-smi mig -dci` gives
 *   `nvidia-smi mig destroy-compute-instance`) and `drain -m` (`nvidia-smi drain`);
 * - dcgmi's changes to what DCGM watches or applies: `dcgmi policy --clear|--set`, `dcgmi health
 *   --clear|--set`, `dcgmi config --set`, `dcgmi modules --denylist|--blacklist` (`dcgmi policy
 *   clear`, `dcgmi config set`…).
 *
 * Queries (`nvidia-smi -q`, `--query-gpu=… --format=csv`, `-L`, `mig -lgi`, `dcgmi config --get`,
 * `dcgmi health --check`) give nothing. nvidia-smi's options are multi-letter words that never
 * cluster (`-pl` is the power limit, not `-p -l`), so each is read whole. The reading only names
 * the change; the rules decide which matter (MLS-RAY-038, MLS-POISON-006). Other subcommands (`dmon
 * -c 10`, `pmon`, `topo`, `nvlink`) have options of their own and are left. Words are
 * attacker-written: one linear walk per command, bounded by MAX_LINES; never throws.
 */
import { addLine, MAX_LINES } from './exec-command-lines.js';
import { operandsOf } from './exec-decode-stage.js';
import { ownWords, runIndex } from './exec-fetched-run.js';

/** nvidia-smi's device modification options that take a value, by every name, to their long name. */
const SMI_VALUE_SETTINGS = settingNames([
  ['persistence-mode', '-pm'], ['ecc-config', '-e'], ['reset-ecc-errors', '-p'], ['compute-mode', '-c'],
  ['driver-model', '-dm'], ['force-driver-model', '-fdm'], ['gom', ''], ['virt-mode', '-vm'],
  ['lock-gpu-clocks', '-lgc'], ['lock-memory-clocks', '-lmc'], ['lock-memory-clocks-deferred', '-lmcd'],
  ['applications-clocks', '-ac'], ['power-limit', '-pl'], ['cuda-clocks', '-cc'], ['accounting-mode', '-am'],
  ['auto-boost-default', ''], ['auto-boost-default-force', ''], ['auto-boost-permission', ''],
  ['multi-instance-gpu', '-mig'], ['gpu-target-temp', '-gtt'],
]);
/** nvidia-smi's device modification options that take none. */
const SMI_SWITCH_SETTINGS = settingNames([
  ['gpu-reset', '-r'], ['reset-gpu-clocks', '-rgc'], ['reset-memory-clocks', '-rmc'],
  ['reset-applications-clocks', '-rac'], ['clear-accounted-apps', '-caa'],
]);
/** nvidia-smi's query options that take a value (stepped over, so a value is never read as an option). */
const SMI_QUERY_VALUES = new Set(['-i', '--id', '-f', '--filename', '-l', '--loop', '-lms', '--loop-ms', '-d', '--display', '--format']);
/** `nvidia-smi mig` options that create or destroy instances. */
const MIG_CHANGES = settingNames([
  ['create-gpu-instance', '-cgi'], ['destroy-gpu-instance', '-dgi'],
  ['create-compute-instance', '-cci'], ['destroy-compute-instance', '-dci'],
]);

/** dcgmi subcommands and the options of each that change what DCGM watches or applies. */
const DCGMI_CHANGES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  ['policy', new Map([['--clear', 'clear'], ['--set', 'set']])],
  ['health', new Map([['--clear', 'clear'], ['--set', 'set'], ['-s', 'set']])],
  ['config', new Map([['--set', 'set']])],
  ['modules', new Map([['--denylist', 'denylist'], ['--blacklist', 'denylist']])],
]);

/** `[long name, short name or '']` pairs as a map from every name (`--long`, `-short`) to the long name. */
function settingNames(pairs: readonly (readonly [string, string])[]): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [long, short] of pairs) {
    out.set(`--${long}`, long);
    if (short !== '') out.set(short, long);
  }
  return out;
}

/** `-x=v` / `--x=v` split at its `=`; a word without one as it is. */
function splitValue(w: string): [string, string | undefined] {
  const eq = w.startsWith('-') ? w.indexOf('=') : -1;
  return eq > 0 ? [w.slice(0, eq), w.slice(eq + 1)] : [w, undefined];
}

/** Adds to `out` the settings one nvidia-smi command changes (`args`: the words after the tool). */
function nvidiaSmi(args: readonly string[], out: string[]): void {
  // A subcommand comes first; those but `mig` and `drain` (dmon, pmon, topo, nvlink…) have options of their own (`dmon -c 10` is a count).
  const sub = args.length > 0 && !args[0]!.startsWith('-') ? args[0]! : null;
  if (sub !== null) {
    for (const w of args) {
      const [name] = splitValue(w);
      const change = MIG_CHANGES.get(name);
      if (sub === 'mig' && change !== undefined) addLine(out, `nvidia-smi mig ${change}`);
      if (sub === 'drain' && (name === '-m' || name === '--modify')) addLine(out, 'nvidia-smi drain');
    }
    return;
  }
  for (let k = 0; k < args.length; k++) {
    const [name, inline] = splitValue(args[k]!);
    const valued = SMI_VALUE_SETTINGS.get(name);
    if (valued !== undefined) {
      const value = inline ?? args[++k] ?? '';
      addLine(out, value === '' ? `nvidia-smi ${valued}` : `nvidia-smi ${valued} ${value}`);
      continue;
    }
    const plain = SMI_SWITCH_SETTINGS.get(name);
    if (plain !== undefined) addLine(out, `nvidia-smi ${plain}`);
    else if (inline === undefined && SMI_QUERY_VALUES.has(name)) k++;
  }
}

/** Adds to `out` the changes one dcgmi command makes (`args`: the words after the tool). */
function dcgmi(args: readonly string[], out: string[]): void {
  const changes = DCGMI_CHANGES.get(args[0] ?? '');
  if (changes === undefined) return;
  for (const w of args) {
    const change = changes.get(splitValue(w)[0]);
    if (change !== undefined) addLine(out, `dcgmi ${args[0]!} ${change}`);
  }
}

/** The GPU settings and GPU monitoring the commands change, each once, in order. */
export function gpuSettings(commands: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const run = runIndex(commands[c]!);
    if (run.tool !== 'nvidia-smi' && run.tool !== 'dcgmi') continue;
    const args = operandsOf(ownWords(run), run.t, false) ?? [];
    if (run.tool === 'nvidia-smi') nvidiaSmi(args, out);
    else dcgmi(args, out);
  }
  return out;
}
