import { IDMAP_OPTIONS, type IdmapOption } from '../spec/vocabulary';

/** mount(2) flags (linux/mount.h). */
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_SYNCHRONOUS = 16;
export const MS_REMOUNT = 32;
export const MS_MANDLOCK = 64;
export const MS_DIRSYNC = 128;
export const MS_NOSYMFOLLOW = 256;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
export const MS_SILENT = 32768;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_I_VERSION = 1 << 23;
export const MS_STRICTATIME = 1 << 24;
export const MS_LAZYTIME = 1 << 25;

/** Propagation types as spelled in config.json (mount options and linux.rootfsPropagation). */
export const PROPAGATION: Readonly<Record<string, number>> = {
  private: MS_PRIVATE,
  rprivate: MS_PRIVATE | MS_REC,
  shared: MS_SHARED,
  rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE,
  rslave: MS_SLAVE | MS_REC,
  unbindable: MS_UNBINDABLE,
  runbindable: MS_UNBINDABLE | MS_REC,
};

/** Mount options that set (clear: false) or clear (clear: true) a flag, as mount(8) spells them. */
export const FLAG_OPTIONS: Readonly<Record<string, { clear: boolean; flag: number }>> = {
  async: { clear: true, flag: MS_SYNCHRONOUS },
  atime: { clear: true, flag: MS_NOATIME },
  bind: { clear: false, flag: MS_BIND },
  defaults: { clear: false, flag: 0 },
  dev: { clear: true, flag: MS_NODEV },
  diratime: { clear: true, flag: MS_NODIRATIME },
  dirsync: { clear: false, flag: MS_DIRSYNC },
  exec: { clear: true, flag: MS_NOEXEC },
  iversion: { clear: false, flag: MS_I_VERSION },
  lazytime: { clear: false, flag: MS_LAZYTIME },
  loud: { clear: true, flag: MS_SILENT },
  mand: { clear: false, flag: MS_MANDLOCK },
  noatime: { clear: false, flag: MS_NOATIME },
  nodev: { clear: false, flag: MS_NODEV },
  nodiratime: { clear: false, flag: MS_NODIRATIME },
  noexec: { clear: false, flag: MS_NOEXEC },
  noiversion: { clear: true, flag: MS_I_VERSION },
  nolazytime: { clear: true, flag: MS_LAZYTIME },
  nomand: { clear: true, flag: MS_MANDLOCK },
  norelatime: { clear: true, flag: MS_RELATIME },
  nostrictatime: { clear: true, flag: MS_STRICTATIME },
  nosuid: { clear: false, flag: MS_NOSUID },
  nosymfollow: { clear: false, flag: MS_NOSYMFOLLOW },
  rbind: { clear: false, flag: MS_BIND | MS_REC },
  relatime: { clear: false, flag: MS_RELATIME },
  ro: { clear: false, flag: MS_RDONLY },
  rw: { clear: true, flag: MS_RDONLY },
  silent: { clear: false, flag: MS_SILENT },
  strictatime: { clear: false, flag: MS_STRICTATIME },
  suid: { clear: true, flag: MS_NOSUID },
  sync: { clear: false, flag: MS_SYNCHRONOUS },
};

const TMPCOPYUP = 'tmpcopyup';

/** runc's extensions, which the runtime interprets (see ParsedMountOptions.tmpCopyUp). */
export const RUNTIME_OPTIONS: readonly string[] = [TMPCOPYUP];

/**
 * Every mount option cista gives a meaning to, which `features` advertises; any other option is
 * filesystem data. `remount` is not among them: every mount of a plan is a new one, and
 * unsupported.ts refuses the option.
 */
export const MOUNT_OPTIONS: readonly string[] = [...Object.keys(FLAG_OPTIONS), ...Object.keys(PROPAGATION), ...RUNTIME_OPTIONS, ...IDMAP_OPTIONS].sort();

export interface ParsedMountOptions {
  flags: number;
  propagation: number[];
  /** Options the kernel filesystem interprets itself, joined with ",". */
  data: string;
  /** runc's `tmpcopyup` extension: a tmpfs starts with the content of the directory it covers. */
  tmpCopyUp: boolean;
  /** The runtime-spec's `idmap` (the mount itself) or `ridmap` (its submounts too); null: neither. */
  idmap: IdmapOption | null;
}

export function parseMountOptions(options: readonly string[]): ParsedMountOptions {
  let flags = 0;
  const propagation: number[] = [];
  const data: string[] = [];
  let tmpCopyUp = false;
  let idmap: IdmapOption | null = null;
  for (const option of options) {
    const flagOption = FLAG_OPTIONS[option];
    if (option === TMPCOPYUP) {
      tmpCopyUp = true;
    } else if ((IDMAP_OPTIONS as readonly string[]).includes(option)) {
      // Recursive wins when both are given.
      if (idmap !== 'ridmap') idmap = option as IdmapOption;
    } else if (flagOption !== undefined) {
      flags = flagOption.clear ? flags & ~flagOption.flag : flags | flagOption.flag;
    } else if (PROPAGATION[option] !== undefined) {
      propagation.push(PROPAGATION[option]);
    } else {
      data.push(option);
    }
  }
  return { flags, propagation, data: data.join(','), tmpCopyUp, idmap };
}
