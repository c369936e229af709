/** /proc/<pid>/mountinfo, parsed: read by the cgroup drivers and by the teardown of host-table mounts. */
import { CistaError } from './errors';

export interface MountInfoEntry {
  /** The mount's id (the 1st field): unique among the mounts that exist at one time. */
  id: number;
  /** Path inside the filesystem that is mounted (the 4th field). */
  root: string;
  mountPoint: string;
  fstype: string;
  superOptions: string[];
}

/** Undoes the octal escapes (\040 etc.) the kernel uses for spaces and the like in mountinfo paths. */
function unescapeMountInfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 4) {
      throw new CistaError(`malformed mountinfo line: ${line}`);
    }
    entries.push({
      id: Number(fields[0]),
      root: unescapeMountInfo(fields[3]),
      mountPoint: unescapeMountInfo(fields[4]),
      fstype: fields[separator + 1],
      superOptions: fields[separator + 3].split(','),
    });
  }
  return entries;
}
