import { NAMESPACES, type NamespaceType } from '../../generated/protocol';

/** CLONE_NEW* flags (linux/sched.h), from the protocol's namespace table. */
export {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from '../../generated/protocol';

/** CLONE_NEW* flags by the namespace type names of config.json. */
export const NAMESPACE_FLAGS: Readonly<Record<NamespaceType, number>> = Object.fromEntries(
  NAMESPACES.map((ns) => [ns.type, ns.flag]),
) as Record<NamespaceType, number>;

/** /proc/<pid>/ns file names by config.json namespace type. */
export const NAMESPACE_FILES: Readonly<Record<NamespaceType, string>> = Object.fromEntries(
  NAMESPACES.map((ns) => [ns.type, ns.procFile]),
) as Record<NamespaceType, string>;
