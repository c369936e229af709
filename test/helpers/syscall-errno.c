/*
 * syscall-errno NR...: makes each raw syscall with all-zero arguments and prints "NR=ERRNO-NAME"
 * (or "NR=0"), so a test can see what a seccomp filter answers for a syscall number no busybox
 * applet makes. Built static by the seccomp test and copied into its container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    long nr = strtol(argv[i], NULL, 10);
    long r = syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
    const char* name = strerrorname_np(errno);
    printf("%ld=%s\n", nr, r == 0 ? "0" : name != NULL ? name : "?");
  }
  return 0;
}
