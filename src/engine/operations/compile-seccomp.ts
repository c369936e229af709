import { ConfigError, errnoText } from '../errors';
import type { NativeAddon } from '../native';
import type { LaunchPlan } from '../plan/plan';
import type { SeccompPlan } from '../plan/seccomp';

/** Compiles a planned linux.seccomp with libseccomp (in the addon) into the plan's BPF program. */
export function compileSeccompInto(addon: NativeAddon, plan: LaunchPlan, seccomp: SeccompPlan | null): void {
  if (seccomp === null) return;
  let program: Buffer;
  try {
    program = addon.compileSeccompFilter(seccomp.filter);
  } catch (e) {
    throw new ConfigError('/linux/seccomp', errnoText(e));
  }
  plan.seccomp = { program, flags: seccomp.flags };
}
