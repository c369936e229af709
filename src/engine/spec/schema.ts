/**
 * The config.json schema (runtime-spec 1.0.0 through 1.3.0) and its TypeScript types, from one
 * TypeBox definition.
 *
 * Build-time only for values: compile-validator.ts turns ConfigSchema into standalone ajv code, and
 * run-time modules must import nothing but types from here (`import type`), so that typebox is
 * never loaded when cista runs.
 *
 * Objects do not forbid unknown properties: the runtime-spec requires runtimes to ignore them.
 * Enumerations are plain `enum` schemas rather than unions of literals so that a bad value yields
 * one "must be one of ..." error instead of one error per alternative.
 *
 * Every named object schema carries an `$id`: the build compiles each into its own validation
 * function, which keeps the generated code small and lets V8 compile only the parts a config uses.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  CPU_LIST_PATTERN,
  DEVICE_TYPES,
  HUGEPAGE_SIZE_PATTERN,
  IO_PRIORITY_CLASSES,
  JAIL_SHARING_MODES,
  JAIL_SHARING_MODES_NO_DISABLE,
  MEMORY_BANDWIDTH_SCHEMA_PATTERN,
  MEMORY_POLICY_FLAGS,
  MEMORY_POLICY_MODES,
  NAMESPACE_TYPES,
  OCI_VERSION_PATTERN,
  PERSONALITY_DOMAINS,
  RLIMIT_TYPE_PATTERN,
  ROOTFS_PROPAGATIONS,
  SCHEDULER_FLAGS,
  SCHEDULER_POLICIES,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHITECTURES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from './vocabulary';

const { Optional } = Type;

function StringEnum<const T extends readonly string[]>(values: T) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
}

/** An object of unmodelled shape: other platforms' sections, which cista never reads. */
function LooseObject() {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object' });
}

/**
 * An integer from min to max, checked exactly by the `integerRange` keyword that
 * src/build/compile-validator.ts defines: a safe-integer number, or a bigint, which parseJson
 * (src/engine/json.ts) gives for integers beyond 2^53 so that 64-bit values keep every digit.
 */
function IntegerRange<T extends number | bigint>(min: bigint, max: bigint) {
  return Type.Unsafe<T>({ integerRange: [String(min), String(max)] });
}

/** A 64-bit field's value: a number while exact as one, a bigint beyond 2^53. */
export type Integer64 = number | bigint;

const Int32 = () => IntegerRange<number>(-(2n ** 31n), 2n ** 31n - 1n);
const Int64 = () => IntegerRange<Integer64>(-(2n ** 63n), 2n ** 63n - 1n);
const Uint8 = () => IntegerRange<number>(0n, 2n ** 8n - 1n);
const Uint16 = () => IntegerRange<number>(0n, 2n ** 16n - 1n);
const Uint32 = () => IntegerRange<number>(0n, 2n ** 32n - 1n);
const Uint64 = () => IntegerRange<Integer64>(0n, 2n ** 64n - 1n);
/**
 * A device's mode in decimal: permission bits (0o777 = 511), maybe with the file type bits as
 * stat(2) reports them (podman copies st_mode of the host device, e.g. 8630 = 0o20666).
 */
const DeviceFileMode = () => IntegerRange<number>(0n, 0o177777n);
const Strings = () => Type.Array(Type.String());
const StringMap = () => Type.Record(Type.String(), Type.String());
const OptionalArray = <T extends TSchema>(item: T) => Optional(Type.Array(item));

export const IdMappingSchema = Type.Object({
  containerID: Uint32(),
  hostID: Uint32(),
  size: Uint32(),
}, { $id: 'IdMapping' });
export type IdMapping = Static<typeof IdMappingSchema>;

export const HookSchema = Type.Object({
  path: Type.String(),
  args: Optional(Strings()),
  env: Optional(Strings()),
  timeout: Optional(IntegerRange<number>(1n, 2n ** 31n - 1n)),
}, { $id: 'Hook' });
export type Hook = Static<typeof HookSchema>;

export const HooksSchema = Type.Object({
  prestart: OptionalArray(HookSchema),
  createRuntime: OptionalArray(HookSchema),
  createContainer: OptionalArray(HookSchema),
  startContainer: OptionalArray(HookSchema),
  poststart: OptionalArray(HookSchema),
  poststop: OptionalArray(HookSchema),
}, { $id: 'Hooks' });
export type Hooks = Static<typeof HooksSchema>;

export const MountSchema = Type.Object({
  destination: Type.String(),
  type: Optional(Type.String()),
  source: Optional(Type.String()),
  options: Optional(Strings()),
  uidMappings: OptionalArray(IdMappingSchema),
  gidMappings: OptionalArray(IdMappingSchema),
}, { $id: 'Mount' });
export type Mount = Static<typeof MountSchema>;

export const RootSchema = Type.Object({
  path: Type.String(),
  readonly: Optional(Type.Boolean()),
}, { $id: 'Root' });
export type Root = Static<typeof RootSchema>;

export const UserSchema = Type.Object({
  uid: Optional(Uint32()),
  gid: Optional(Uint32()),
  umask: Optional(Uint32()),
  additionalGids: OptionalArray(Uint32()),
  username: Optional(Type.String()),
}, { $id: 'User' });
export type User = Static<typeof UserSchema>;

export const ConsoleSizeSchema = Type.Object({
  height: Uint64(),
  width: Uint64(),
}, { $id: 'ConsoleSize' });
export type ConsoleSize = Static<typeof ConsoleSizeSchema>;

export const CapabilitiesSchema = Type.Object({
  bounding: Optional(Strings()),
  effective: Optional(Strings()),
  inheritable: Optional(Strings()),
  permitted: Optional(Strings()),
  ambient: Optional(Strings()),
}, { $id: 'Capabilities' });
export type Capabilities = Static<typeof CapabilitiesSchema>;
export type CapabilitySet = keyof Capabilities;

export const RlimitSchema = Type.Object({
  type: Type.String({ pattern: RLIMIT_TYPE_PATTERN }),
  soft: Uint64(),
  hard: Uint64(),
}, { $id: 'Rlimit' });
export type Rlimit = Static<typeof RlimitSchema>;

export const IoPrioritySchema = Type.Object({
  class: StringEnum(IO_PRIORITY_CLASSES),
  priority: Optional(Int32()),
}, { $id: 'IoPriority' });
export type IoPriority = Static<typeof IoPrioritySchema>;

export const SchedulerSchema = Type.Object({
  policy: StringEnum(SCHEDULER_POLICIES),
  nice: Optional(Int32()),
  priority: Optional(Int32()),
  flags: OptionalArray(StringEnum(SCHEDULER_FLAGS)),
  runtime: Optional(Uint64()),
  deadline: Optional(Uint64()),
  period: Optional(Uint64()),
}, { $id: 'Scheduler' });
export type Scheduler = Static<typeof SchedulerSchema>;

export const ExecCpuAffinitySchema = Type.Object({
  initial: Optional(Type.String({ pattern: CPU_LIST_PATTERN })),
  final: Optional(Type.String({ pattern: CPU_LIST_PATTERN })),
}, { $id: 'ExecCpuAffinity' });
export type ExecCpuAffinity = Static<typeof ExecCpuAffinitySchema>;

export const ProcessSchema = Type.Object({
  terminal: Optional(Type.Boolean()),
  consoleSize: Optional(ConsoleSizeSchema),
  user: Optional(UserSchema),
  args: Optional(Strings()),
  commandLine: Optional(Type.String()),
  env: Optional(Strings()),
  cwd: Type.String(),
  capabilities: Optional(CapabilitiesSchema),
  rlimits: OptionalArray(RlimitSchema),
  noNewPrivileges: Optional(Type.Boolean()),
  apparmorProfile: Optional(Type.String()),
  oomScoreAdj: Optional(Int32()),
  selinuxLabel: Optional(Type.String()),
  ioPriority: Optional(IoPrioritySchema),
  scheduler: Optional(SchedulerSchema),
  execCPUAffinity: Optional(ExecCpuAffinitySchema),
}, { $id: 'Process' });
export type Process = Static<typeof ProcessSchema>;

export const LinuxNamespaceSchema = Type.Object({
  type: StringEnum(NAMESPACE_TYPES),
  path: Optional(Type.String()),
}, { $id: 'LinuxNamespace' });
export type LinuxNamespace = Static<typeof LinuxNamespaceSchema>;

export const LinuxDeviceSchema = Type.Object({
  type: StringEnum(DEVICE_TYPES),
  path: Type.String(),
  fileMode: Optional(DeviceFileMode()),
  major: Optional(Int64()),
  minor: Optional(Int64()),
  uid: Optional(Uint32()),
  gid: Optional(Uint32()),
}, { $id: 'LinuxDevice' });
export type LinuxDevice = Static<typeof LinuxDeviceSchema>;

/** A device cgroup rule; `type` is a, c or b and `access` a subset of rwm by convention only. */
export const LinuxDeviceCgroupSchema = Type.Object({
  allow: Type.Boolean(),
  type: Optional(Type.String()),
  major: Optional(Int64()),
  minor: Optional(Int64()),
  access: Optional(Type.String()),
}, { $id: 'LinuxDeviceCgroup' });
export type LinuxDeviceCgroup = Static<typeof LinuxDeviceCgroupSchema>;

export const LinuxMemorySchema = Type.Object({
  limit: Optional(Int64()),
  reservation: Optional(Int64()),
  swap: Optional(Int64()),
  kernel: Optional(Int64()),
  kernelTCP: Optional(Int64()),
  swappiness: Optional(Uint64()),
  disableOOMKiller: Optional(Type.Boolean()),
  useHierarchy: Optional(Type.Boolean()),
  checkBeforeUpdate: Optional(Type.Boolean()),
}, { $id: 'LinuxMemory' });
export type LinuxMemory = Static<typeof LinuxMemorySchema>;

export const LinuxCpuSchema = Type.Object({
  shares: Optional(Uint64()),
  quota: Optional(Int64()),
  burst: Optional(Uint64()),
  period: Optional(Uint64()),
  realtimeRuntime: Optional(Int64()),
  realtimePeriod: Optional(Uint64()),
  cpus: Optional(Type.String()),
  mems: Optional(Type.String()),
  idle: Optional(Int64()),
}, { $id: 'LinuxCpu' });
export type LinuxCpu = Static<typeof LinuxCpuSchema>;

export const LinuxPidsSchema = Type.Object({
  limit: Int64(),
}, { $id: 'LinuxPids' });
export type LinuxPids = Static<typeof LinuxPidsSchema>;

export const LinuxWeightDeviceSchema = Type.Object({
  major: Int64(),
  minor: Int64(),
  weight: Optional(Uint16()),
  leafWeight: Optional(Uint16()),
}, { $id: 'LinuxWeightDevice' });
export type LinuxWeightDevice = Static<typeof LinuxWeightDeviceSchema>;

export const LinuxThrottleDeviceSchema = Type.Object({
  major: Int64(),
  minor: Int64(),
  rate: Optional(Uint64()),
}, { $id: 'LinuxThrottleDevice' });
export type LinuxThrottleDevice = Static<typeof LinuxThrottleDeviceSchema>;

export const LinuxBlockIoSchema = Type.Object({
  weight: Optional(Uint16()),
  leafWeight: Optional(Uint16()),
  weightDevice: OptionalArray(LinuxWeightDeviceSchema),
  throttleReadBpsDevice: OptionalArray(LinuxThrottleDeviceSchema),
  throttleWriteBpsDevice: OptionalArray(LinuxThrottleDeviceSchema),
  throttleReadIOPSDevice: OptionalArray(LinuxThrottleDeviceSchema),
  throttleWriteIOPSDevice: OptionalArray(LinuxThrottleDeviceSchema),
}, { $id: 'LinuxBlockIo' });
export type LinuxBlockIo = Static<typeof LinuxBlockIoSchema>;

export const LinuxHugepageLimitSchema = Type.Object({
  pageSize: Type.String({ pattern: HUGEPAGE_SIZE_PATTERN }),
  limit: Uint64(),
}, { $id: 'LinuxHugepageLimit' });
export type LinuxHugepageLimit = Static<typeof LinuxHugepageLimitSchema>;

export const LinuxNetworkSchema = Type.Object({
  classID: Optional(Uint32()),
  priorities: OptionalArray(Type.Object({ name: Type.String(), priority: Uint32() })),
}, { $id: 'LinuxNetwork' });
export type LinuxNetwork = Static<typeof LinuxNetworkSchema>;

export const LinuxRdmaSchema = Type.Object({
  hcaHandles: Optional(Uint32()),
  hcaObjects: Optional(Uint32()),
}, { $id: 'LinuxRdma' });
export type LinuxRdma = Static<typeof LinuxRdmaSchema>;

export const LinuxResourcesSchema = Type.Object({
  devices: OptionalArray(LinuxDeviceCgroupSchema),
  memory: Optional(LinuxMemorySchema),
  cpu: Optional(LinuxCpuSchema),
  pids: Optional(LinuxPidsSchema),
  blockIO: Optional(LinuxBlockIoSchema),
  hugepageLimits: OptionalArray(LinuxHugepageLimitSchema),
  network: Optional(LinuxNetworkSchema),
  rdma: Optional(Type.Record(Type.String(), LinuxRdmaSchema)),
  unified: Optional(StringMap()),
}, { $id: 'LinuxResources' });
export type LinuxResources = Static<typeof LinuxResourcesSchema>;

export const LinuxSyscallArgSchema = Type.Object({
  index: Uint32(),
  value: Uint64(),
  valueTwo: Optional(Uint64()),
  op: StringEnum(SECCOMP_OPERATORS),
}, { $id: 'LinuxSyscallArg' });
export type LinuxSyscallArg = Static<typeof LinuxSyscallArgSchema>;

export const LinuxSyscallSchema = Type.Object({
  names: Type.Array(Type.String(), { minItems: 1 }),
  action: StringEnum(SECCOMP_ACTIONS),
  errnoRet: Optional(Uint32()),
  args: OptionalArray(LinuxSyscallArgSchema),
}, { $id: 'LinuxSyscall' });
export type LinuxSyscall = Static<typeof LinuxSyscallSchema>;

export const LinuxSeccompSchema = Type.Object({
  defaultAction: StringEnum(SECCOMP_ACTIONS),
  defaultErrnoRet: Optional(Uint32()),
  flags: OptionalArray(StringEnum(SECCOMP_FLAGS)),
  listenerPath: Optional(Type.String()),
  listenerMetadata: Optional(Type.String()),
  architectures: OptionalArray(StringEnum(SECCOMP_ARCHITECTURES)),
  syscalls: OptionalArray(LinuxSyscallSchema),
}, { $id: 'LinuxSeccomp' });
export type LinuxSeccomp = Static<typeof LinuxSeccompSchema>;

export const LinuxIntelRdtSchema = Type.Object({
  closID: Optional(Type.String()),
  schemata: Optional(Strings()),
  l3CacheSchema: Optional(Type.String()),
  memBwSchema: Optional(Type.String({ pattern: MEMORY_BANDWIDTH_SCHEMA_PATTERN })),
  enableMonitoring: Optional(Type.Boolean()),
}, { $id: 'LinuxIntelRdt' });
export type LinuxIntelRdt = Static<typeof LinuxIntelRdtSchema>;

export const LinuxPersonalitySchema = Type.Object({
  domain: Optional(StringEnum(PERSONALITY_DOMAINS)),
  flags: Optional(Strings()),
}, { $id: 'LinuxPersonality' });
export type LinuxPersonality = Static<typeof LinuxPersonalitySchema>;

export const LinuxMemoryPolicySchema = Type.Object({
  mode: Optional(StringEnum(MEMORY_POLICY_MODES)),
  nodes: Optional(Type.String()),
  flags: OptionalArray(StringEnum(MEMORY_POLICY_FLAGS)),
}, { $id: 'LinuxMemoryPolicy' });
export type LinuxMemoryPolicy = Static<typeof LinuxMemoryPolicySchema>;

export const LinuxTimeOffsetSchema = Type.Object({
  secs: Optional(Int64()),
  nanosecs: Optional(Uint32()),
}, { $id: 'LinuxTimeOffset' });
export type LinuxTimeOffset = Static<typeof LinuxTimeOffsetSchema>;

export const LinuxNetDeviceSchema = Type.Object({
  name: Optional(Type.String()),
}, { $id: 'LinuxNetDevice' });
export type LinuxNetDevice = Static<typeof LinuxNetDeviceSchema>;

export const LinuxSchema = Type.Object({
  namespaces: OptionalArray(LinuxNamespaceSchema),
  uidMappings: OptionalArray(IdMappingSchema),
  gidMappings: OptionalArray(IdMappingSchema),
  timeOffsets: Optional(
    Type.Object({
      boottime: Optional(LinuxTimeOffsetSchema),
      monotonic: Optional(LinuxTimeOffsetSchema),
    }),
  ),
  devices: OptionalArray(LinuxDeviceSchema),
  netDevices: Optional(Type.Record(Type.String(), LinuxNetDeviceSchema)),
  cgroupsPath: Optional(Type.String()),
  resources: Optional(LinuxResourcesSchema),
  rootfsPropagation: Optional(StringEnum(ROOTFS_PROPAGATIONS)),
  seccomp: Optional(LinuxSeccompSchema),
  sysctl: Optional(StringMap()),
  maskedPaths: Optional(Strings()),
  readonlyPaths: Optional(Strings()),
  mountLabel: Optional(Type.String()),
  intelRdt: Optional(LinuxIntelRdtSchema),
  personality: Optional(LinuxPersonalitySchema),
  memoryPolicy: Optional(LinuxMemoryPolicySchema),
}, { $id: 'Linux' });
export type Linux = Static<typeof LinuxSchema>;

const JailSharingMode = () => Optional(StringEnum(JAIL_SHARING_MODES));
const JailSharingModeNoDisable = () => Optional(StringEnum(JAIL_SHARING_MODES_NO_DISABLE));

/** Only the FreeBSD jail's enumerated fields are modelled; the rest passes unchecked. */
export const FreebsdSchema = Type.Object({
  jail: Optional(
    Type.Object({
      host: JailSharingModeNoDisable(),
      vnet: JailSharingModeNoDisable(),
      ip4: JailSharingMode(),
      ip6: JailSharingMode(),
      sysvmsg: JailSharingMode(),
      sysvsem: JailSharingMode(),
      sysvshm: JailSharingMode(),
      enforceStatfs: Optional(Uint8()),
    }),
  ),
}, { $id: 'Freebsd' });

export const ConfigSchema = Type.Object({
  ociVersion: Type.String({ pattern: OCI_VERSION_PATTERN }),
  process: Optional(ProcessSchema),
  root: Optional(RootSchema),
  hostname: Optional(Type.String()),
  domainname: Optional(Type.String()),
  mounts: OptionalArray(MountSchema),
  hooks: Optional(HooksSchema),
  annotations: Optional(StringMap()),
  linux: Optional(LinuxSchema),
  solaris: Optional(LooseObject()),
  windows: Optional(LooseObject()),
  vm: Optional(LooseObject()),
  zos: Optional(LooseObject()),
  freebsd: Optional(FreebsdSchema),
}, { $id: 'Config' });
export type Spec = Static<typeof ConfigSchema>;
