/**
 * linux.uidMappings / linux.gidMappings: the checks the kernel makes when /proc/<pid>/uid_map is
 * written (kernel/user_namespace.c, map_write), made before anything exists so that a bad map is
 * one clear config error instead of an EINVAL after the clone, and the text written to that file.
 */
import type { IdMapping } from './schema';

/** The kernel's limit on the lines of one uid_map or gid_map (UID_GID_MAP_MAX_EXTENTS). */
export const MAX_ID_MAP_LINES = 340;

const MAX_ID = 0xffffffff;

/** The problem with entry `index` of a mapping list ("/size: must not be 0"...), or undefined when the list is sound. */
export function idMappingProblem(mappings: readonly IdMapping[]): { index: number; field: string; problem: string } | undefined {
  if (mappings.length > MAX_ID_MAP_LINES) {
    return { index: MAX_ID_MAP_LINES, field: '', problem: `the kernel takes at most ${MAX_ID_MAP_LINES} mappings` };
  }
  for (let index = 0; index < mappings.length; index++) {
    const m = mappings[index];
    if (m.size === 0) return { index, field: '/size', problem: 'must not be 0' };
    // The kernel refuses a range that reaches 2^32 - 1 ((u32)-1 is never a valid id).
    for (const field of ['containerID', 'hostID'] as const) {
      if (m[field] + m.size > MAX_ID) return { index, field: `/${field}`, problem: `range of ${m.size} ids starting here passes ${MAX_ID - 1}` };
    }
    for (let earlier = 0; earlier < index; earlier++) {
      const e = mappings[earlier];
      for (const field of ['containerID', 'hostID'] as const) {
        if (m[field] < e[field] + e.size && e[field] < m[field] + m.size) {
          return { index, field: `/${field}`, problem: `range overlaps mapping ${earlier}` };
        }
      }
    }
  }
  return undefined;
}

/** True when container id `id` is inside one of the mappings. */
export function mapsId(mappings: readonly IdMapping[], id: number): boolean {
  return mappings.some((m) => id >= m.containerID && id - m.containerID < m.size);
}

/** The text of /proc/<pid>/uid_map or gid_map: one "containerID hostID size" line per mapping. */
export function formatIdMap(mappings: readonly IdMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}
