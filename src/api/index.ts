/**
 * cista's Node API: the same engine as the CLI, typed, for programs that run containers.
 *
 *   const runtime = new Runtime({ root: '/run/cista' });
 *   const { exitCode, stdout } = await runtime.run('job1', { bundle: '/srv/bundles/job1' });
 *
 * Errors the user can act on reject as CistaError subclasses with a stable `code`.
 */
export { Runtime, type RuntimeOptions, type ContainerSource, type CreateOptions, type RunOptions } from './runtime';
export { Container, type ExecOptions, type SpawnOptions } from './container';
export { ContainerProcess, type ProcessExit, type ProcessResult, type RunControl } from './process';
export type { StdioOption, StdioOptions } from './stdio';
export { Terminal } from './terminal';
export { CistaError, ConfigError, ContainerExistsError, ContainerStateError, NoContainerError, type CistaErrorCode } from '../engine/errors';
export type { OciState, Status } from '../engine/state/status';
export type {
  BlkioEntry,
  BlkioStats,
  ContainerStats,
  CpuStats,
  CpuThrottling,
  CpuUsage,
  CpusetStats,
  HugetlbStats,
  MemoryEntry,
  MemoryStats,
  NetworkInterface,
  PidsStats,
} from '../engine/cgroups/stats';
export type { LinuxResources, Spec } from '../engine/spec/schema';
export { defaultSpec } from '../engine/spec/defaults';
