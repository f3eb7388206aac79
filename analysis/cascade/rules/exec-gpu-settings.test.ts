/**
 * `attrs.exec.gpuSettings` (exec-gpu-settings.ts) through the real reading (exec-canonical.ts):
 * what an exec changes in the node's GPUs and in DCGM's watch over them.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';

const settings = (line: string): readonly string[] => canonicalExec(['sh', '-c', line]).gpuSettings;

describe('gpuSettings: nvidia-smi device modification options', () => {
  it('names each option by its long form, with its value, whichever form is written', () => {
    expect(settings('nvidia-smi -pl 150')).toEqual(['nvidia-smi power-limit 150']);
    expect(settings('nvidia-smi --power-limit=150')).toEqual(['nvidia-smi power-limit 150']);
    expect(settings('nvidia-smi -i 0 -e 0')).toEqual(['nvidia-smi ecc-config 0']);
    expect(settings('nvidia-smi --ecc-config=DISABLED -i 1')).toEqual(['nvidia-smi ecc-config DISABLED']);
    expect(settings('nvidia-smi -i 0 -r')).toEqual(['nvidia-smi gpu-reset']);
    expect(settings('sudo nvidia-smi -pm 1 && sudo nvidia-smi -lgc 1100,1100 -ac 877,1530')).toEqual([
      'nvidia-smi persistence-mode 1', 'nvidia-smi lock-gpu-clocks 1100,1100', 'nvidia-smi applications-clocks 877,1530',
    ]);
    expect(settings('nvidia-smi -c EXCLUSIVE_PROCESS')).toEqual(['nvidia-smi compute-mode EXCLUSIVE_PROCESS']);
    expect(settings('nvidia-smi -p 0; nvidia-smi -am 0; nvidia-smi -caa')).toEqual([
      'nvidia-smi reset-ecc-errors 0', 'nvidia-smi accounting-mode 0', 'nvidia-smi clear-accounted-apps',
    ]);
    expect(settings('nvidia-smi -rgc -rac')).toEqual(['nvidia-smi reset-gpu-clocks', 'nvidia-smi reset-applications-clocks']);
    expect(settings('nvidia-smi -mig 1')).toEqual(['nvidia-smi multi-instance-gpu 1']);
  });

  it('reads mig instance changes and drain, and leaves the other subcommands to their own options', () => {
    expect(settings('nvidia-smi mig -dci && nvidia-smi mig -dgi')).toEqual(['nvidia-smi mig destroy-compute-instance', 'nvidia-smi mig destroy-gpu-instance']);
    expect(settings('nvidia-smi mig -cgi 9,9 -C')).toEqual(['nvidia-smi mig create-gpu-instance']);
    expect(settings('nvidia-smi drain -p 0000:3b:00.0 -m 1')).toEqual(['nvidia-smi drain']);
    // dmon's -c is a sample count, pmon's -d a delay: not the compute mode or a display selection.
    expect(settings('nvidia-smi dmon -c 10 -s pucvmet')).toEqual([]);
    expect(settings('nvidia-smi pmon -c 1 -d 5')).toEqual([]);
    expect(settings('nvidia-smi mig -lgi; nvidia-smi mig -lgip; nvidia-smi topo -m')).toEqual([]);
  });

  it('gives nothing for queries, and never reads a query option value as a setting', () => {
    for (const line of [
      'nvidia-smi',
      'nvidia-smi -q -d CLOCK',
      'nvidia-smi -L',
      'nvidia-smi --query-gpu=name,memory.used --format=csv,noheader -l 5',
      'nvidia-smi -i 0 -q -f /tmp/q.txt',
      'nvidia-smi -d -r',
      'watch -n1 nvidia-smi',
      'echo nvidia-smi -pl 100',
    ]) expect(settings(line), line).toEqual([]);
  });
});

describe('gpuSettings: dcgmi', () => {
  it('reads policy and health watches cleared or set, a configuration set, modules denied', () => {
    expect(settings('dcgmi policy --clear')).toEqual(['dcgmi policy clear']);
    expect(settings('dcgmi policy -g 1 --set 0,0 -e')).toEqual(['dcgmi policy set']);
    expect(settings('dcgmi health -g 1 --clear')).toEqual(['dcgmi health clear']);
    expect(settings('dcgmi health -s mpi')).toEqual(['dcgmi health set']);
    expect(settings('dcgmi config --set -P 150')).toEqual(['dcgmi config set']);
    expect(settings('dcgmi modules --denylist policy')).toEqual(['dcgmi modules denylist']);
  });

  it('gives nothing for reads', () => {
    for (const line of ['dcgmi discovery -l', 'dcgmi config --get', 'dcgmi health --check -g 1', 'dcgmi policy --get', 'dcgmi dmon -e 150'])
      expect(settings(line), line).toEqual([]);
  });
});
