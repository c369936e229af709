/**
 * The launch plan: the typed protocol between the TypeScript runtime and the native init helper.
 * Its types, encoding and the C++ side are generated from protocol/definition.js (see there); this
 * module only gives the plan's parts their names in the engine.
 */
export {
  type CapabilitySets,
  type ConsoleSize,
  DestinationKind,
  type DeviceNode,
  type IdMaps,
  type JoinNamespace,
  type LaunchPlan,
  MountKind,
  type MountStep,
  type PlanHook,
  type Rlimit,
  type RootfsPlan,
  type SeccompFilter,
  type SpawnRequest,
  type Symlink,
  type Sysctl,
  encodeLaunchPlan,
} from '../../generated/protocol';
