/** The bridge to the addon's bpf() wrapper, kept apart so that v1 hosts and pure code never load the addon. */
import { native } from '../native';

/** Loads a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it (BPF_F_ALLOW_MULTI) to a cgroup2 directory. */
export type DeviceFilterLoader = (instructions: Buffer, cgroupDir: string) => void;

export const loadDeviceFilterWithAddon: DeviceFilterLoader = (instructions, cgroupDir) => {
  native().loadDeviceFilter(instructions, cgroupDir);
};
