/**
 * The launch plan of `exec`: the init helper joins the running container's namespaces, then does the
 * process steps of create. No rootfs steps: joining the container's mount namespace puts the process
 * at the container's root.
 */
import type { ProcessSecurity } from '../lsm';
import type { LinuxMemoryPolicy, LinuxPersonality, LinuxSeccomp, Process } from '../spec/schema';
import type { NamespaceType } from '../spec/vocabulary';
import { planProcess } from './build';
import { CLONE_NEWPID, CLONE_NEWUSER, NAMESPACE_FLAGS } from './namespaces';
import type { JoinNamespace, LaunchPlan } from './plan';
import { planCpuAffinity, planMemoryPolicy, planPersonality } from './process-attributes';
import { type SeccompPlan, planSeccomp } from './seccomp';

export interface ExecTarget {
  /** The AppArmor profile and SELinux label of the exec'd process (its own, or else the container's, as runc's). */
  security: ProcessSecurity;
  /** The container init's namespaces that differ from the runtime's, as /proc/<pid>/ns/<file> paths. */
  namespaces: ReadonlyArray<{ type: NamespaceType; path: string }>;
  /** The container's session keyring name, which exec'd processes join too (as runc's); null: none. */
  sessionKeyring: string | null;
  /** The container's linux.seccomp: exec'd processes get the same filter. */
  seccomp: LinuxSeccomp | null;
  /** The container's linux.personality and linux.memoryPolicy, which exec'd processes get too (as runc's). */
  personality: LinuxPersonality | null;
  memoryPolicy: LinuxMemoryPolicy | null;
}

export interface PlannedExec {
  plan: LaunchPlan;
  /** The container's pid namespace, entered around clone() (a process joins one only by being born in it). */
  cloneJoins: JoinNamespace[];
  /** Unprivileged: the container's user (if any) and pid namespaces, entered by the child (SpawnRequest.childJoins). */
  childJoins: JoinNamespace[];
  /** For the addon's compileSeccompFilter(), as in create. */
  seccomp: SeccompPlan | null;
  /** process.execCPUAffinity.initial as a mask for the spawn request; null: the runtime's own. */
  initialCpuAffinity: Buffer | null;
}

/**
 * @param unprivileged the runtime has no privileges on the host (rootless.ts): it can neither enter
 * the container's pid namespace from its thread (nor return from it), nor a user namespace at all:
 * the child enters the container's user namespace, if it has one, then its pid namespace.
 */
export function buildExecPlan(process: Process, target: ExecTarget, unprivileged = false): PlannedExec {
  const cloneJoins: JoinNamespace[] = [];
  const childJoins: JoinNamespace[] = [];
  const joins: JoinNamespace[] = [];
  for (const ns of target.namespaces) {
    const flag = NAMESPACE_FLAGS[ns.type];
    if (unprivileged && flag === CLONE_NEWUSER) childJoins.unshift({ type: flag, path: ns.path });
    else if (unprivileged && flag === CLONE_NEWPID) childJoins.push({ type: flag, path: ns.path });
    else if (flag === CLONE_NEWPID) cloneJoins.push({ type: flag, path: ns.path });
    // The user namespace first: it governs the permission to join the others.
    else if (flag === CLONE_NEWUSER) joins.unshift({ type: flag, path: ns.path });
    else joins.push({ type: flag, path: ns.path });
  }
  const affinity = planCpuAffinity(process, true);
  const plan: LaunchPlan = {
    joinNamespaces: joins,
    unshareFlags: 0,
    timeOffsets: null,
    forkIntoNamespaces: false,
    sessionKeyring: target.sessionKeyring,
    hostname: null,
    domainname: null,
    rootfs: null,
    mounts: [],
    devices: [],
    symlinks: [],
    maskedPaths: [],
    readonlyPaths: [],
    sysctls: [],
    ...planProcess(process),
    personality: planPersonality({ personality: target.personality ?? undefined }),
    cpuAffinity: affinity.final,
    memoryPolicy: planMemoryPolicy({ memoryPolicy: target.memoryPolicy ?? undefined }),
    awaitHooks: false,
    createContainerHooks: [],
    startContainerHooks: [],
    waitForStart: false,
    apparmorProfile: target.security.apparmorProfile,
    processLabel: target.security.processLabel,
    mountLabel: '',
  };
  return { plan, cloneJoins, childJoins, seccomp: planSeccomp(target.seccomp ?? undefined), initialCpuAffinity: affinity.initial };
}
