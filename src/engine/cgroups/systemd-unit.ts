/**
 * linux.cgroupsPath in the systemd driver's form "slice:prefix:name", as runc reads it: the container
 * gets the transient scope "prefix-name.scope" in that slice, and its cgroup is where systemd puts
 * that scope (a slice "a-b-c.slice" lives in a-b.slice in a.slice). Pure functions, tested without systemd.
 */
import { ConfigError } from '../errors';

const POINTER = '/linux/cgroupsPath';
const SLICE_SUFFIX = '.slice';
/** systemd's UNIT_NAME_MAX, less its terminating NUL. */
const UNIT_NAME_MAX = 255;
/** The characters systemd accepts in a unit name (unit_name_is_valid), templates' '@' aside. */
const UNIT_NAME_CHARS = /^[A-Za-z0-9:_.\\-]+$/;

/** runc's defaults for an empty cgroupsPath as root: the slice, and the scope's prefix with cista's name in runc's place. */
export const DEFAULT_SLICE = 'system.slice';
export const DEFAULT_SCOPE_PREFIX = 'cista';

export interface SystemdCgroupName {
  /** The unit the scope goes in, e.g. "system.slice". */
  slice: string;
  /** The container's transient scope, e.g. "cista-ID.scope". */
  unit: string;
  /** The scope's cgroup below the cgroup root, e.g. "/system.slice/cista-ID.scope". */
  cgroup: string;
  /** The slices from the outermost down to `slice` with their cgroups (the root slice "-.slice" has none). */
  slices: Array<{ unit: string; cgroup: string }>;
}

function invalid(cgroupsPath: string, why: string): ConfigError {
  return new ConfigError(POINTER, `${JSON.stringify(cgroupsPath)} ${why} (the systemd driver wants "slice:prefix:name", e.g. "system.slice:cista:ID")`);
}

/**
 * The slices a slice is nested in, outermost first, ending with itself, as systemd nests them:
 * "a-b-c.slice" -> a.slice, a-b.slice, a-b-c.slice; "-.slice" (the root) -> none. null: not a slice name.
 */
export function expandSlice(slice: string): string[] | null {
  if (!slice.endsWith(SLICE_SUFFIX) || slice.length === SLICE_SUFFIX.length || slice.includes('/')) return null;
  const name = slice.slice(0, -SLICE_SUFFIX.length);
  if (name === '-') return [];
  const components = name.split('-');
  // "a--b.slice" and "-a.slice" are not valid slice names.
  if (components.some((component) => component === '')) return null;
  return components.map((_, index) => `${components.slice(0, index + 1).join('-')}${SLICE_SUFFIX}`);
}

function checkUnitName(cgroupsPath: string, unit: string): void {
  if (unit.length > UNIT_NAME_MAX) throw invalid(cgroupsPath, `makes the unit name ${unit.slice(0, 40)}... longer than systemd's ${UNIT_NAME_MAX} characters`);
  if (!UNIT_NAME_CHARS.test(unit)) throw invalid(cgroupsPath, `makes the unit name ${JSON.stringify(unit)}, which has characters systemd refuses`);
}

/** Parses cgroupsPath for the systemd driver; an empty one is runc's default with cista's prefix. */
export function systemdCgroupName(cgroupsPath: string | undefined, containerId: string): SystemdCgroupName {
  let slice = DEFAULT_SLICE;
  let prefix = DEFAULT_SCOPE_PREFIX;
  let name = containerId;
  if (cgroupsPath !== undefined && cgroupsPath !== '') {
    const parts = cgroupsPath.split(':');
    if (parts.length !== 3) throw invalid(cgroupsPath, 'is not three fields separated by ":"');
    [slice, prefix, name] = parts;
    if (slice === '') slice = DEFAULT_SLICE;
    if (name === '') throw invalid(cgroupsPath, 'has an empty name');
    // runc makes the container the slice itself then (kubelet's pod slices); cista's containers are scopes.
    if (name.endsWith(SLICE_SUFFIX)) throw invalid(cgroupsPath, 'names a slice as the container\'s unit; cista runs containers in scopes only');
  }
  const expanded = expandSlice(slice);
  if (expanded === null) throw invalid(cgroupsPath ?? '', `has ${JSON.stringify(slice)} where a slice name like "system.slice" or "a-b.slice" belongs`);
  checkUnitName(cgroupsPath ?? '', slice);
  const unit = `${prefix}-${name}.scope`;
  checkUnitName(cgroupsPath ?? '', unit);
  const slices = expanded.map((sliceUnit, index) => ({ unit: sliceUnit, cgroup: `/${expanded.slice(0, index + 1).join('/')}` }));
  const parent = slices.at(-1)?.cgroup ?? '';
  return { slice, unit, cgroup: `${parent}/${unit}`, slices };
}
