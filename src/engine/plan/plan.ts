/**
 * The launch plan: the typed protocol between the TypeScript runtime and the native init helper.
 * Its types, encoding and the C++ side are generated from protocol/definition.js (see there); this
 * module gives the plan's parts their names in the engine and encodes the plan for the init.
 */
import { ConfigError } from '../errors';
import { type LaunchPlan as Plan, MessageTooLarge, encodeLaunchPlan as encode } from '../../generated/protocol';

export {
  type CapabilitySets,
  type ConsoleSize,
  DestinationKind,
  type DeviceNode,
  type IdMaps,
  type JoinNamespace,
  type LaunchPlan,
  type MemoryPolicy,
  MountKind,
  type MountStep,
  type PlanHook,
  type Rlimit,
  type RootfsPlan,
  type SchedulerAttributes,
  type SeccompFilter,
  type SpawnRequest,
  type StdioFds,
  type Symlink,
  type Sysctl,
  encodeLaunchPlan,
} from '../../generated/protocol';

/** The plan as the init reads it; one larger than the init accepts (tens of thousands of mounts) is the config's fault, and says so. */
export function encodePlan(plan: Plan): Buffer {
  try {
    return encode(plan);
  } catch (e) {
    if (!(e instanceof MessageTooLarge)) throw e;
    throw new ConfigError(
      '',
      `the launch plan is ${e.bytes} bytes, more than the init accepts (${e.maxBytes} bytes): ` +
        `${plan.mounts.length} mounts, ${plan.devices.length} devices, ${plan.env.length} env entries, ${plan.args.length} args`,
    );
  }
}

import type { StdioFds } from '../../generated/protocol';

/** A process that keeps the runtime's own stdin, stdout and stderr. */
export const OWN_STDIO: StdioFds = { stdinFd: null, stdoutFd: null, stderrFd: null };
