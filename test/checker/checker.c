/*
 * cista's in-container conformance checker. It runs as the container's process, reads the
 * config.json that the test bind-mounts at /cista-conformance/config.json, and checks from inside
 * that the runtime applied it: process, user, rlimits, capabilities, no_new_privs, OOM score, names,
 * mounts, masked and read-only paths, devices, sysctls, uid/gid maps, personality, scheduler, I/O
 * priority, memory policy, time namespace offsets. It prints TAP and exits 0 when all checks pass.
 * Each check's line names the field and the value it checked (test/conformance/inside.test.ts
 * asserts that the lines for the fields a case sets are there: a skipped check shows).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

#define CONFIG_PATH "/cista-conformance/config.json"

extern char **environ;

static int tests, failures;

static void check(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s %d - ", ok ? "ok" : "not ok", ++tests);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  if (!ok) failures++;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (len + 1 >= cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  buf[len] = 0;
  return buf;
}

static char *trimmed(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ')) s[--n] = 0;
  return s;
}

/* The value of "Name:\t..." in /proc/self/status. */
static unsigned long long status_hex(const char *name) {
  char *status = read_file("/proc/self/status");
  char *line = status ? strstr(status, name) : NULL;
  unsigned long long v = line ? strtoull(line + strlen(name) + 1, NULL, 16) : ~0ULL;
  free(status);
  return v;
}

static long status_long(const char *name) {
  char *status = read_file("/proc/self/status");
  char *line = status ? strstr(status, name) : NULL;
  long v = line ? strtol(line + strlen(name) + 1, NULL, 10) : -1;
  free(status);
  return v;
}

static const char *const CAPABILITY_NAMES[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
    "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static unsigned long long capability_mask(const struct json *names) {
  unsigned long long mask = 0;
  for (const struct json *n = names ? names->child : NULL; n; n = n->next)
    for (size_t i = 0; i < sizeof(CAPABILITY_NAMES) / sizeof(*CAPABILITY_NAMES); i++)
      if (strcmp(n->string, CAPABILITY_NAMES[i]) == 0) mask |= 1ULL << i;
  return mask;
}

static const char *const RLIMIT_NAMES[] = {
    "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
    "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

static void check_process(const struct json *config, int argc, char **argv) {
  const struct json *process = json_get(config, "process");
  const struct json *args = json_get(process, "args");
  int same = (size_t)argc == json_length(args);
  int i = 0;
  for (const struct json *a = args ? args->child : NULL; a && same; a = a->next, i++) same = strcmp(a->string, argv[i]) == 0;
  check(same, "process.args are the process's argv");

  for (const struct json *e = json_get(process, "env") ? json_get(process, "env")->child : NULL; e; e = e->next) {
    int found = 0;
    for (char **env = environ; *env && !found; env++) found = strcmp(*env, e->string) == 0;
    check(found, "process.env has %s", e->string);
  }

  char cwd[PATH_MAX];
  const struct json *want_cwd = json_get(process, "cwd");
  check(getcwd(cwd, sizeof(cwd)) && want_cwd && strcmp(cwd, want_cwd->string) == 0, "process.cwd is %s (got %s)",
        want_cwd ? want_cwd->string : "?", cwd);

  const struct json *user = json_get(process, "user");
  check(getuid() == (uid_t)json_get(user, "uid")->number && geteuid() == getuid(), "process.user.uid is %d", (int)getuid());
  check(getgid() == (gid_t)json_get(user, "gid")->number && getegid() == getgid(), "process.user.gid is %d", (int)getgid());
  gid_t groups[256];
  int ngroups = getgroups(256, groups);
  for (const struct json *g = json_get(user, "additionalGids") ? json_get(user, "additionalGids")->child : NULL; g; g = g->next) {
    int found = 0;
    for (int k = 0; k < ngroups; k++) found |= groups[k] == (gid_t)g->number;
    check(found, "process.user.additionalGids has %d", (int)g->number);
  }
  mode_t mask = umask(0);
  umask(mask);
  const struct json *want_umask = json_get(user, "umask");
  check(mask == (want_umask ? (mode_t)want_umask->number : 022), "process.user.umask is %04o", (unsigned)mask);

  for (const struct json *l = json_get(process, "rlimits") ? json_get(process, "rlimits")->child : NULL; l; l = l->next) {
    const char *type = json_get(l, "type")->string;
    int resource = -1;
    for (size_t r = 0; r < sizeof(RLIMIT_NAMES) / sizeof(*RLIMIT_NAMES); r++)
      if (strcmp(type, RLIMIT_NAMES[r]) == 0) resource = (int)r;
    struct rlimit got = {0, 0};
    getrlimit(resource, &got);
    check(resource >= 0 && got.rlim_cur == (rlim_t)json_get(l, "soft")->number && got.rlim_max == (rlim_t)json_get(l, "hard")->number,
          "process.rlimits %s is %llu/%llu", type, (unsigned long long)got.rlim_cur, (unsigned long long)got.rlim_max);
  }

  const struct json *caps = json_get(process, "capabilities");
  const struct json *nnp = json_get(process, "noNewPrivileges");
  if (caps) {
    /* The sets the kernel leaves after the runtime's execve (capabilities(7)): ambient keeps only
     * what is also permitted and inheritable; root gains its inheritable and bounding sets (capped
     * by the permitted set under no_new_privs); any other user keeps just the ambient set. */
    unsigned long long bounding = capability_mask(json_get(caps, "bounding"));
    unsigned long long permitted = capability_mask(json_get(caps, "permitted"));
    unsigned long long inheritable = capability_mask(json_get(caps, "inheritable"));
    unsigned long long ambient = capability_mask(json_get(caps, "ambient")) & permitted & inheritable;
    unsigned long long gained = ambient;
    if (getuid() == 0) {
      gained = inheritable | bounding | ambient;
      if (nnp && nnp->boolean) gained &= permitted;
    }
    const struct { const char *name, *field; unsigned long long want; } sets[] = {
        {"bounding", "CapBnd:", bounding}, {"effective", "CapEff:", gained}, {"permitted", "CapPrm:", gained},
        {"inheritable", "CapInh:", inheritable}, {"ambient", "CapAmb:", ambient},
    };
    for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++) {
      unsigned long long got = status_hex(sets[i].field);
      check(got == sets[i].want, "process.capabilities.%s gives %016llx (want %016llx)", sets[i].name, got, sets[i].want);
    }
  }
  long no_new_privs = status_long("NoNewPrivs:");
  check(no_new_privs == (nnp && nnp->boolean ? 1 : 0), "process.noNewPrivileges is %ld", no_new_privs);

  const struct json *oom = json_get(process, "oomScoreAdj");
  if (oom) {
    char *value = read_file("/proc/self/oom_score_adj");
    check(value && atoi(value) == (int)oom->number, "process.oomScoreAdj is %d", (int)oom->number);
    free(value);
  }
}

static void check_names(const struct json *config) {
  struct utsname u;
  uname(&u);
  const struct json *hostname = json_get(config, "hostname");
  if (hostname) check(strcmp(u.nodename, hostname->string) == 0, "hostname is %s (got %s)", hostname->string, u.nodename);
  const struct json *domainname = json_get(config, "domainname");
  if (domainname) check(strcmp(u.domainname, domainname->string) == 0, "domainname is %s (got %s)", domainname->string, u.domainname);
}

static int is_mount_point(const char *path) {
  char *info = read_file("/proc/self/mountinfo");
  int found = 0;
  for (char *line = info ? strtok(info, "\n") : NULL; line && !found; line = strtok(NULL, "\n")) {
    char target[PATH_MAX];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", target) == 1) found = strcmp(target, path) == 0;
  }
  free(info);
  return found;
}

static int has_option(const struct json *options, const char *want) {
  for (const struct json *o = options ? options->child : NULL; o; o = o->next)
    if (strcmp(o->string, want) == 0) return 1;
  return 0;
}

static void check_filesystem(const struct json *config) {
  struct statvfs root;
  statvfs("/", &root);
  const struct json *readonly = json_path(config, "root", "readonly", NULL);
  check(((root.f_flag & ST_RDONLY) != 0) == (readonly && readonly->boolean), "root.readonly is %s", root.f_flag & ST_RDONLY ? "true" : "false");

  for (const struct json *m = json_get(config, "mounts") ? json_get(config, "mounts")->child : NULL; m; m = m->next) {
    const char *dest = json_get(m, "destination")->string;
    check(is_mount_point(dest), "mount %s is mounted", dest);
    const struct json *options = json_get(m, "options");
    if (has_option(options, "ro")) {
      struct statvfs st;
      check(statvfs(dest, &st) == 0 && (st.f_flag & ST_RDONLY), "mount %s is read-only", dest);
    }
    static const struct { const char *option; unsigned long flag; } flags[] = {
        {"nosuid", ST_NOSUID}, {"nodev", ST_NODEV}, {"noexec", ST_NOEXEC},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
      if (!has_option(options, flags[i].option)) continue;
      struct statvfs st;
      check(statvfs(dest, &st) == 0 && (st.f_flag & flags[i].flag), "mount %s is %s", dest, flags[i].option);
    }
    /* A tmpfs's mode= is its root's mode (devpts's is that of the ptys it makes). */
    const struct json *type = json_get(m, "type");
    int tmpfs = type && type->type == JSON_STRING && strcmp(type->string, "tmpfs") == 0;
    for (const struct json *o = options && tmpfs ? options->child : NULL; o; o = o->next) {
      if (strncmp(o->string, "mode=", 5) != 0) continue;
      struct stat st;
      unsigned want = (unsigned)strtoul(o->string + 5, NULL, 8);
      check(stat(dest, &st) == 0 && (st.st_mode & 07777) == want, "mount %s has mode %04o", dest, want);
    }
  }

  for (const struct json *p = json_path(config, "linux", "maskedPaths", NULL) ? json_path(config, "linux", "maskedPaths", NULL)->child : NULL; p; p = p->next) {
    struct stat st;
    if (stat(p->string, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      struct statvfs v;
      check(statvfs(p->string, &v) == 0 && (v.f_flag & ST_RDONLY), "masked directory %s is a read-only mount", p->string);
    } else {
      check(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "masked file %s is /dev/null", p->string);
    }
  }
  for (const struct json *p = json_path(config, "linux", "readonlyPaths", NULL) ? json_path(config, "linux", "readonlyPaths", NULL)->child : NULL; p; p = p->next) {
    struct statvfs v;
    if (access(p->string, F_OK) != 0) continue;
    check(statvfs(p->string, &v) == 0 && (v.f_flag & ST_RDONLY), "read-only path %s is read-only", p->string);
  }

  for (const struct json *d = json_path(config, "linux", "devices", NULL) ? json_path(config, "linux", "devices", NULL)->child : NULL; d; d = d->next) {
    const char *path = json_get(d, "path")->string;
    const char *type = json_get(d, "type")->string;
    struct stat st;
    int ok = lstat(path, &st) == 0;
    if (ok && (type[0] == 'c' || type[0] == 'u')) ok = S_ISCHR(st.st_mode);
    if (ok && type[0] == 'b') ok = S_ISBLK(st.st_mode);
    if (ok && type[0] == 'p') ok = S_ISFIFO(st.st_mode);
    if (ok && type[0] != 'p') ok = major(st.st_rdev) == (unsigned)json_get(d, "major")->number && minor(st.st_rdev) == (unsigned)json_get(d, "minor")->number;
    const struct json *mode = json_get(d, "fileMode");
    if (ok && mode) ok = (st.st_mode & 07777) == ((mode_t)mode->number & 07777);
    const struct json *uid = json_get(d, "uid"), *gid = json_get(d, "gid");
    if (ok && uid) ok = st.st_uid == (uid_t)uid->number;
    if (ok && gid) ok = st.st_gid == (gid_t)gid->number;
    check(ok, "device %s", path);
  }

  const struct json *sysctl = json_path(config, "linux", "sysctl", NULL);
  for (const struct json *s = sysctl ? sysctl->child : NULL; s; s = s->next) {
    char path[PATH_MAX] = "/proc/sys/";
    size_t n = strlen(path);
    for (const char *k = s->key; *k && n < sizeof(path) - 1; k++) path[n++] = *k == '.' ? '/' : *k;
    path[n] = 0;
    char *value = read_file(path);
    check(value && strcmp(trimmed(value), s->string) == 0, "sysctl %s is %s", s->key, s->string);
    free(value);
  }
}

/* With linux.uidMappings/gidMappings, /proc/self/{uid,gid}_map must list exactly those lines. */
static void check_id_maps(const struct json *config) {
  static const struct { const char *field, *file; } maps[] = {
      {"uidMappings", "/proc/self/uid_map"},
      {"gidMappings", "/proc/self/gid_map"},
  };
  for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
    const struct json *list = json_path(config, "linux", maps[i].field, NULL);
    if (!list || json_length(list) == 0) continue;
    char *text = read_file(maps[i].file);
    int ok = text != NULL;
    char *cursor = text;
    for (const struct json *m = list->child; ok && m; m = m->next) {
      unsigned long inside, outside, size;
      int used = 0;
      ok = sscanf(cursor, " %lu %lu %lu%n", &inside, &outside, &size, &used) == 3 &&
           inside == (unsigned long)json_get(m, "containerID")->number &&
           outside == (unsigned long)json_get(m, "hostID")->number && size == (unsigned long)json_get(m, "size")->number;
      cursor += used;
    }
    if (ok) ok = *trimmed(cursor) == 0;
    check(ok, "linux.%s is %s", maps[i].field, maps[i].file);
    free(text);
  }
}

/* The index of `name` in `names` (the kernel's numbering), or -1. */
static int name_index(const char *const *names, size_t count, const char *name) {
  for (size_t i = 0; i < count; i++)
    if (names[i] && strcmp(names[i], name) == 0) return (int)i;
  return -1;
}
#define NAME_INDEX(names, name) name_index(names, sizeof(names) / sizeof(*names), name)

static const char *const SCHEDULER_POLICIES[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"};
static const char *const IO_PRIORITY_CLASSES[] = {NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
static const char *const MEMORY_POLICY_MODES[] = {"MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"};
/* Bits 13, 14, 15 of the mode. */
static const char *const MEMORY_POLICY_FLAGS[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"};

static double number_or(const struct json *value, double otherwise) { return value ? value->number : otherwise; }

/* A list such as "0-3,7" as a bit mask (ids below 64 only: enough for these tests' hosts). */
static unsigned long long id_mask(const char *list) {
  unsigned long long mask = 0;
  for (const char *p = list; p && *p;) {
    char *end;
    unsigned long first = strtoul(p, &end, 10), last = first;
    if (end == p) { p++; continue; }
    if (*end == '-') last = strtoul(end + 1, &end, 10);
    for (unsigned long id = first; id <= last && id < 64; id++) mask |= 1ULL << id;
    p = end;
  }
  return mask;
}

/* linux/sched/types.h, SCHED_ATTR_SIZE_VER0. */
struct sched_attr_v0 {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
};

/* personality, process.scheduler, process.ioPriority and linux.memoryPolicy as the kernel reports them. */
static void check_process_attributes(const struct json *config) {
  const struct json *domain = json_path(config, "linux", "personality", "domain", NULL);
  if (domain) {
    int persona = personality(0xffffffff);
    check(persona == (strcmp(domain->string, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX), "linux.personality is %s (got 0x%x)", domain->string, persona);
  }
  const struct json *scheduler = json_path(config, "process", "scheduler", NULL);
  if (scheduler) {
    struct sched_attr_v0 attr = {0};
    int ok = syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) == 0;
    const char *policy = json_get(scheduler, "policy")->string;
    check(ok && (int)attr.policy == NAME_INDEX(SCHEDULER_POLICIES, policy), "process.scheduler.policy is %s (got %u)", policy, attr.policy);
    int32_t nice = (int32_t)number_or(json_get(scheduler, "nice"), 0);
    uint32_t priority = (uint32_t)number_or(json_get(scheduler, "priority"), 0);
    check(ok && attr.nice == nice, "process.scheduler.nice is %d (got %d)", nice, attr.nice);
    check(ok && attr.priority == priority, "process.scheduler.priority is %u (got %u)", priority, attr.priority);
    /* Linux 6.12+ reports a fair task's time slice as its runtime. */
    if (strcmp(policy, "SCHED_DEADLINE") == 0)
      check(ok && attr.runtime == (uint64_t)number_or(json_get(scheduler, "runtime"), 0) &&
                attr.deadline == (uint64_t)number_or(json_get(scheduler, "deadline"), 0),
            "process.scheduler runtime and deadline are %.0f and %.0f ns", number_or(json_get(scheduler, "runtime"), 0),
            number_or(json_get(scheduler, "deadline"), 0));
  }
  const struct json *io = json_path(config, "process", "ioPriority", NULL);
  if (io) {
    long want = (NAME_INDEX(IO_PRIORITY_CLASSES, json_get(io, "class")->string) << 13) | (long)number_or(json_get(io, "priority"), 0);
    long got = syscall(SYS_ioprio_get, 1, 0);
    check(got == want, "process.ioPriority is class << 13 | priority (0x%lx, got 0x%lx)", want, got);
  }
  const struct json *policy = json_path(config, "linux", "memoryPolicy", NULL);
  if (policy) {
    int mode = -1;
    unsigned long nodes[16] = {0};
    int ok = syscall(SYS_get_mempolicy, &mode, nodes, sizeof(nodes) * 8, 0, 0) == 0;
    const char *want_mode = json_get(policy, "mode")->string;
    const struct json *want_nodes = json_get(policy, "nodes");
    int want = NAME_INDEX(MEMORY_POLICY_MODES, want_mode);
    /* The kernel turns MPOL_PREFERRED without nodes into MPOL_LOCAL. */
    if (strcmp(want_mode, "MPOL_PREFERRED") == 0 && id_mask(want_nodes ? want_nodes->string : "") == 0) want = NAME_INDEX(MEMORY_POLICY_MODES, "MPOL_LOCAL");
    for (const struct json *f = json_get(policy, "flags") ? json_get(policy, "flags")->child : NULL; f; f = f->next)
      want |= 1 << (13 + NAME_INDEX(MEMORY_POLICY_FLAGS, f->string));
    check(ok && mode == want, "linux.memoryPolicy.mode is %s (0x%x, got 0x%x)", want_mode, want, mode);
    if (want_nodes && id_mask(want_nodes->string) != 0)
      check(ok && nodes[0] == id_mask(want_nodes->string), "linux.memoryPolicy.nodes are %s (got 0x%lx)", want_nodes->string, nodes[0]);
  }
}

/* With linux.timeOffsets: /proc/self/timens_offsets has them, and the clocks read at least that much. */
static void check_time_offsets(const struct json *config) {
  static const struct { const char *name; clockid_t clock; } clocks[] = {{"monotonic", CLOCK_MONOTONIC}, {"boottime", CLOCK_BOOTTIME}};
  char *offsets = read_file("/proc/self/timens_offsets");
  for (size_t i = 0; i < sizeof(clocks) / sizeof(*clocks); i++) {
    const struct json *offset = json_path(config, "linux", "timeOffsets", clocks[i].name, NULL);
    if (!offset) continue;
    long long secs = (long long)number_or(json_get(offset, "secs"), 0);
    long nanosecs = (long)number_or(json_get(offset, "nanosecs"), 0);
    const char *line = offsets ? strstr(offsets, clocks[i].name) : NULL;
    long long got_secs = 0;
    long got_nanosecs = -1;
    if (line) sscanf(line + strlen(clocks[i].name), " %lld %ld", &got_secs, &got_nanosecs);
    check(got_secs == secs && got_nanosecs == nanosecs, "linux.timeOffsets.%s is %lld s %ld ns in /proc/self/timens_offsets", clocks[i].name, secs, nanosecs);
    struct timespec now;
    clock_gettime(clocks[i].clock, &now);
    check(secs <= 0 || now.tv_sec >= secs, "the %s clock reads at least its offset (%lld s, got %lld s)", clocks[i].name, secs, (long long)now.tv_sec);
  }
  free(offsets);
}

int main(int argc, char **argv) {
  char *text = read_file(CONFIG_PATH);
  if (!text) {
    printf("Bail out! cannot read %s: %s\n", CONFIG_PATH, strerror(errno));
    return 2;
  }
  const char *error = NULL;
  struct json *config = json_parse(text, &error);
  if (!config) {
    printf("Bail out! %s: %s\n", CONFIG_PATH, error);
    return 2;
  }
  check_process(config, argc, argv);
  check_names(config);
  check_filesystem(config);
  check_id_maps(config);
  check_process_attributes(config);
  check_time_offsets(config);
  printf("1..%d\n", tests);
  return failures == 0 ? 0 : 1;
}
