/**
 * Checks the schema cannot express: absolute paths, namespace requirements, known names, and
 * conflicts between fields. Each failure is a ConfigError naming the JSON path at fault.
 */
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { jsonPointer } from './json-pointer';
import { idMappingProblem, mapsId } from './id-mappings';
import type { Spec } from './schema';
import { CAPABILITIES, CAPABILITY_SETS, DEVICE_FILE_TYPES, HOOK_NAMES, IDMAP_OPTIONS, RLIMIT_TYPES, S_IFMT, type NamespaceType } from './vocabulary';

function fail(pointer: string, problem: string): never {
  throw new ConfigError(pointer, problem);
}

/** The kernel's device numbers: a 12-bit major and a 20-bit minor (dev_t as mknod(2) decodes it). */
const DEVICE_NUMBER_LIMITS = { major: 2 ** 12 - 1, minor: 2 ** 20 - 1 } as const;
/** A terminal's rows and columns are unsigned shorts (struct winsize). */
const MAX_CONSOLE_DIMENSION = 65535;

function checkDeviceNumbers(pointer: string, device: { major?: number | bigint; minor?: number | bigint }): void {
  for (const field of ['major', 'minor'] as const) {
    const value = device[field];
    const limit = DEVICE_NUMBER_LIMITS[field];
    if (value !== undefined && (value < 0 || value > limit)) fail(`${pointer}/${field}`, `${value} is outside the kernel's ${field} numbers 0 to ${limit}`);
  }
}

/** True when resolving the `..` components of an absolute path lexically climbs above / (as in /../etc). */
function climbsAboveRoot(absolutePath: string): boolean {
  let depth = 0;
  for (const component of absolutePath.split('/')) {
    if (component === '' || component === '.') continue;
    if (component !== '..') depth++;
    else if (depth-- === 0) return true;
  }
  return false;
}

function requireAbsolute(pointer: string, value: string): void {
  if (!value.startsWith('/')) fail(pointer, `must be an absolute path, not ${JSON.stringify(value)}`);
}

/**
 * The namespaces the container gets apart from the host's: each one listed in linux.namespaces,
 * created or joined by path. Whether a joined path is in fact the host's namespace is a run-time
 * question, not one this pure check can answer.
 */
function privateNamespaces(spec: Spec): Set<NamespaceType> {
  return new Set((spec.linux?.namespaces ?? []).map((namespace) => namespace.type));
}

/** Which namespace isolates a sysctl, or undefined when it is system-wide and must not be set. */
function sysctlNamespace(key: string): NamespaceType | undefined {
  if (key.startsWith('kernel.msg') || key === 'kernel.sem' || key.startsWith('kernel.shm')) return 'ipc';
  if (key.startsWith('fs.mqueue.')) return 'ipc';
  if (key.startsWith('net.')) return 'network';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return undefined;
}

function checkRoot(spec: Spec): void {
  if (!spec.root?.path) fail('/root/path', 'is required');
}

/** The checks of /process alone; exec applies them to its process. */
export function checkProcess(spec: Spec): void {
  const { process } = spec;
  // The runtime-spec requires process only for start: a container can be created without one.
  if (process === undefined) return;
  if (!process.args?.length) fail('/process/args', 'must name the program to run');
  requireAbsolute('/process/cwd', process.cwd);
  for (const set of CAPABILITY_SETS) {
    (process.capabilities?.[set] ?? []).forEach((name, index) => {
      if (!(CAPABILITIES as readonly string[]).includes(name)) {
        fail(jsonPointer('process', 'capabilities', set, index), `unknown capability ${JSON.stringify(name)}`);
      }
    });
  }
  const seenRlimits = new Set<string>();
  (process.rlimits ?? []).forEach((rlimit, index) => {
    const pointer = jsonPointer('process', 'rlimits', index);
    if (!(RLIMIT_TYPES as readonly string[]).includes(rlimit.type)) {
      fail(`${pointer}/type`, `unknown rlimit ${JSON.stringify(rlimit.type)}`);
    }
    if (seenRlimits.has(rlimit.type)) fail(`${pointer}/type`, `duplicate rlimit ${JSON.stringify(rlimit.type)}`);
    seenRlimits.add(rlimit.type);
    if (rlimit.soft > rlimit.hard) fail(`${pointer}/soft`, 'must not exceed the hard limit');
  });
  for (const field of ['height', 'width'] as const) {
    const value = process.consoleSize?.[field];
    if (value !== undefined && value > MAX_CONSOLE_DIMENSION) fail(`/process/consoleSize/${field}`, `${value} exceeds a terminal's ${MAX_CONSOLE_DIMENSION}`);
  }
}

function checkNames(spec: Spec, namespaces: Set<NamespaceType>): void {
  for (const field of ['hostname', 'domainname'] as const) {
    if (spec[field] && !namespaces.has('uts')) fail(`/${field}`, 'needs a private uts namespace');
  }
}

function checkMounts(spec: Spec): void {
  (spec.mounts ?? []).forEach((mount, index) => {
    const pointer = jsonPointer('mounts', index, 'destination');
    // runc accepts a relative destination with a warning and resolves it against the root; the
    // spec says it MUST be absolute, and guessing what was meant is how mounts land in odd places.
    requireAbsolute(pointer, mount.destination);
    if (climbsAboveRoot(mount.destination)) fail(pointer, 'must not climb out of the container root with ".."');
  });
}

/**
 * Idmapped mounts, as runc 1.2 and crun take them: binds only; a mount's own mappings come in pairs
 * (uid and gid); without them, `idmap`/`ridmap` take the container's user namespace, so there must be one.
 */
function checkIdmappedMounts(spec: Spec): void {
  const hasUserNamespace = (spec.linux?.namespaces ?? []).some((ns) => ns.type === 'user');
  (spec.mounts ?? []).forEach((mount, index) => {
    const options = mount.options ?? [];
    const optionIndex = options.findIndex((o) => (IDMAP_OPTIONS as readonly string[]).includes(o));
    const uidMappings = mount.uidMappings ?? [];
    const gidMappings = mount.gidMappings ?? [];
    if (optionIndex < 0 && uidMappings.length === 0 && gidMappings.length === 0) return;
    const what = optionIndex >= 0 ? jsonPointer('mounts', index, 'options', optionIndex) : jsonPointer('mounts', index, uidMappings.length > 0 ? 'uidMappings' : 'gidMappings');
    const isBind = mount.type === 'bind' || options.some((o) => o === 'bind' || o === 'rbind');
    if (!isBind) fail(what, 'only a bind mount can be idmapped (type "bind", or the option "bind" or "rbind")');
    for (const [field, mappings, other] of [['uidMappings', uidMappings, gidMappings], ['gidMappings', gidMappings, uidMappings]] as const) {
      const pointer = jsonPointer('mounts', index, field);
      if (mappings.length === 0) {
        if (other.length > 0) fail(pointer, `is required with /mounts/${index}/${field === 'uidMappings' ? 'gidMappings' : 'uidMappings'}`);
        continue;
      }
      const problem = idMappingProblem(mappings);
      if (problem !== undefined) fail(`${pointer}/${problem.index}${problem.field}`, problem.problem);
    }
    if (uidMappings.length === 0 && !hasUserNamespace) {
      fail(what, `"${options[optionIndex]}" without uidMappings and gidMappings takes the container's user namespace mappings, and there is no user namespace`);
    }
  });
}

/** The kernel's rules for an interface name (dev_valid_name), or what is wrong with `name`. */
function interfaceNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `${JSON.stringify(name)} is not a valid interface name`;
  // IFNAMSIZ is 16 with the NUL.
  if (Buffer.byteLength(name) > 15) return `${JSON.stringify(name)} is longer than 15 bytes, the kernel's limit for an interface name`;
  if (/[/:\s]/.test(name)) return `${JSON.stringify(name)} is not a valid interface name (no "/", ":" or whitespace)`;
  return undefined;
}

/** linux.netDevices: valid names on both sides, distinct in the container, and a network namespace to move them to. */
function checkNetDevices(spec: Spec): void {
  const entries = Object.entries(spec.linux?.netDevices ?? {});
  if (entries.length === 0) return;
  if (!(spec.linux?.namespaces ?? []).some((ns) => ns.type === 'network')) {
    fail('/linux/netDevices', 'needs a network namespace of the container\'s own (linux.namespaces: "network") to move the devices to');
  }
  const containerNames = new Map<string, string>();
  for (const [host, device] of entries) {
    const hostProblem = interfaceNameProblem(host);
    if (hostProblem !== undefined) fail(jsonPointer('linux', 'netDevices', host), hostProblem);
    const name = device.name || host;
    if (device.name !== undefined && device.name !== '') {
      const problem = interfaceNameProblem(device.name);
      if (problem !== undefined) fail(jsonPointer('linux', 'netDevices', host, 'name'), problem);
    }
    const other = containerNames.get(name);
    if (other !== undefined) fail(jsonPointer('linux', 'netDevices', host), `would be ${JSON.stringify(name)} in the container, as ${jsonPointer('linux', 'netDevices', other)} would`);
    containerNames.set(name, host);
  }
}

function checkHooks(spec: Spec): void {
  for (const hookName of HOOK_NAMES) {
    (spec.hooks?.[hookName] ?? []).forEach((hook, index) => {
      requireAbsolute(jsonPointer('hooks', hookName, index, 'path'), hook.path);
    });
  }
}

function checkNamespaces(spec: Spec): void {
  const seen = new Set<NamespaceType>();
  (spec.linux?.namespaces ?? []).forEach((namespace, index) => {
    const pointer = jsonPointer('linux', 'namespaces', index);
    if (seen.has(namespace.type)) fail(`${pointer}/type`, `duplicate namespace ${JSON.stringify(namespace.type)}`);
    seen.add(namespace.type);
    if (namespace.path !== undefined) requireAbsolute(`${pointer}/path`, namespace.path);
  });
}

/**
 * A new user namespace owns nothing of a joined mount namespace (that one belongs to the user
 * namespace of its creator), so the init could not mount the rootfs in it: runc fails such a
 * config with EPERM at its first mount; cista says why before anything exists.
 */
function checkJoinedMountNamespace(spec: Spec): void {
  const namespaces = spec.linux?.namespaces ?? [];
  if (!namespaces.some((ns) => ns.type === 'user' && ns.path === undefined)) return;
  const index = namespaces.findIndex((ns) => ns.type === 'mount' && ns.path !== undefined);
  if (index >= 0) {
    fail(
      jsonPointer('linux', 'namespaces', index, 'path'),
      'a new user namespace cannot mount in a joined mount namespace, which it does not own, so the rootfs could not be set up: join the user namespace that owns it, or use a new mount namespace',
    );
  }
}

function checkIdMappings(spec: Spec): void {
  const linux = spec.linux ?? {};
  const userIndex = (linux.namespaces ?? []).findIndex((ns) => ns.type === 'user');
  const joined = userIndex >= 0 && linux.namespaces![userIndex].path !== undefined;
  const creates = userIndex >= 0 && !joined;
  for (const field of ['uidMappings', 'gidMappings'] as const) {
    const pointer = jsonPointer('linux', field);
    const mappings = linux[field] ?? [];
    if (mappings.length === 0) {
      if (creates) fail(pointer, 'is required when a new user namespace is created');
      continue;
    }
    if (userIndex < 0) fail(pointer, 'needs a user namespace');
    // runc 1.2 accepts mappings equal to the joined namespace's; cista cannot read those before
    // joining, and ignoring them silently could hide a mistake.
    if (joined) fail(pointer, `cannot be applied to the user namespace joined by /linux/namespaces/${userIndex}/path, which has its own`);
    const problem = idMappingProblem(mappings);
    if (problem !== undefined) fail(`${pointer}/${problem.index}${problem.field}`, problem.problem);
    // The init must be root in the new namespace to set the container up (runc needs it too).
    if (!mapsId(mappings, 0)) fail(pointer, 'must map container id 0');
  }
  const user = spec.process?.user;
  if (!creates || user === undefined) return;
  const uidMappings = linux.uidMappings ?? [];
  const gidMappings = linux.gidMappings ?? [];
  const { uid = 0, gid = 0 } = user;
  if (!mapsId(uidMappings, uid)) fail('/process/user/uid', `${uid} is not mapped by /linux/uidMappings`);
  if (!mapsId(gidMappings, gid)) fail('/process/user/gid', `${gid} is not mapped by /linux/gidMappings`);
  (user.additionalGids ?? []).forEach((gid, index) => {
    if (!mapsId(gidMappings, gid)) fail(jsonPointer('process', 'user', 'additionalGids', index), `${gid} is not mapped by /linux/gidMappings`);
  });
}

function checkDevices(spec: Spec): void {
  (spec.linux?.devices ?? []).forEach((device, index) => {
    const pointer = jsonPointer('linux', 'devices', index);
    requireAbsolute(`${pointer}/path`, device.path);
    if (!path.posix.normalize(device.path).startsWith('/dev/')) fail(`${pointer}/path`, 'must be under /dev');
    // runc takes file type bits in fileMode when they are those of the device's type.
    const fileType = (device.fileMode ?? 0) & S_IFMT;
    if (fileType !== 0 && fileType !== DEVICE_FILE_TYPES[device.type]) {
      fail(`${pointer}/fileMode`, `has the file type bits of another kind of node than type "${device.type}"`);
    }
    if (device.type !== 'p') {
      for (const field of ['major', 'minor'] as const) {
        if (device[field] === undefined) fail(`${pointer}/${field}`, `is required for device type "${device.type}"`);
      }
    }
    checkDeviceNumbers(pointer, device);
  });
  (spec.linux?.resources?.devices ?? []).forEach((rule, index) => checkDeviceNumbers(jsonPointer('linux', 'resources', 'devices', index), rule));
}

function checkSysctl(spec: Spec, namespaces: Set<NamespaceType>): void {
  for (const [key, value] of Object.entries(spec.linux?.sysctl ?? {})) {
    const pointer = jsonPointer('linux', 'sysctl', key);
    const namespace = sysctlNamespace(key);
    if (namespace === undefined) fail(pointer, 'is not a namespaced sysctl: setting it would change the host');
    if (!namespaces.has(namespace)) fail(pointer, `needs a private ${namespace} namespace`);
    const field = key === 'kernel.hostname' ? 'hostname' : key === 'kernel.domainname' ? 'domainname' : undefined;
    if (field !== undefined && spec[field] && spec[field] !== value) fail(pointer, `conflicts with /${field}`);
  }
}

function checkPathLists(spec: Spec, namespaces: Set<NamespaceType>): void {
  for (const field of ['maskedPaths', 'readonlyPaths'] as const) {
    const paths = spec.linux?.[field] ?? [];
    paths.forEach((entry, index) => requireAbsolute(jsonPointer('linux', field, index), entry));
    if (paths.length > 0 && !namespaces.has('mount')) fail(`/linux/${field}`, 'needs a private mount namespace');
  }
}

/**
 * Every string of a config ends up a C string (in the plan, a mount's data, a hook's argv) or next
 * to one, and C strings end at a NUL byte: one inside would cut the value short unseen. Any
 * document (config.json, --process, --resources) is refused with the first such string's path.
 */
export function rejectNulBytes(value: unknown, pointer = ''): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) fail(pointer, 'must not contain a NUL byte (\\u0000): C strings end at it');
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => rejectNulBytes(item, pointer + jsonPointer(index)));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\0')) fail(pointer, `the key ${JSON.stringify(key)} must not contain a NUL byte: C strings end at it`);
      rejectNulBytes(item, pointer + jsonPointer(key));
    }
  }
}

/** Throws ConfigError for the first problem found, in roughly document order. */
export function checkSemantics(spec: Spec): void {
  const namespaces = privateNamespaces(spec);
  checkProcess(spec);
  checkRoot(spec);
  checkNames(spec, namespaces);
  checkMounts(spec);
  checkIdmappedMounts(spec);
  checkHooks(spec);
  checkNamespaces(spec);
  checkJoinedMountNamespace(spec);
  checkIdMappings(spec);
  checkNetDevices(spec);
  checkDevices(spec);
  checkSysctl(spec, namespaces);
  checkPathLists(spec, namespaces);
}
