/**
 * The write-ahead journal of what a container owns on the host. Before create makes a cgroup
 * directory, mounts into the host's table or starts the init, it appends what it is about to make
 * here, one JSON line per step, each in one O_APPEND write. state.json says the same once it is
 * rewritten, but a damaged state.json (truncated, garbage, a directory) cannot take the journal
 * along: `delete --force` then tears down what the journal names. A torn last line is skipped.
 */
import * as path from 'node:path';

import type { HostFiles } from '../host/host';
import { parseJson, stringifyJson } from '../json';
import type { ContainerRecord } from './store';

export const JOURNAL_FILE = 'journal';

/** What teardown needs: the processes to kill, the cgroups to remove, the host mounts to detach, the devices to move back. */
export type OwnedResources = Partial<Pick<ContainerRecord, 'creator' | 'init' | 'cgroup' | 'hostMounts' | 'netDevices'>>;

export function appendJournal(files: HostFiles, dir: string, entry: OwnedResources): void {
  files.append(path.join(dir, JOURNAL_FILE), `${stringifyJson(entry)}\n`, 0o600);
}

/** The journal's entries merged in order, later ones winning; nothing when there is none. */
export function readJournal(files: HostFiles, dir: string): OwnedResources {
  let text: string;
  try {
    text = files.readText(path.join(dir, JOURNAL_FILE));
  } catch {
    return {};
  }
  const owned: OwnedResources = {};
  for (const line of text.split('\n')) {
    try {
      const entry = parseJson(line);
      if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) Object.assign(owned, entry);
    } catch {
      // The line a killed create was writing, or damage: the other entries still count.
    }
  }
  return owned;
}
