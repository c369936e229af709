// The container's terminal: a pty from the container's own devpts, the slave as controlling terminal
// and stdio, the master handed to the runtime over the sync socket.
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {

void setup_console(const LaunchPlan& plan) {
  if (!plan.terminal) return;
  // After pivot_root, so this is the container's /dev/ptmx and its devpts instance.
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(errno, "opening /dev/ptmx for the terminal");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0) fail(errno, "unlocking the pty");
  // The peer is opened from the master fd, never by a /dev/pts/N path the container could swap
  // (the lesson of CVE-2025-52565).
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) fail(errno, "opening the pty peer");
  if (plan.has_console_size) {
    struct winsize size = {};
    size.ws_row = (unsigned short)plan.console_size.rows;
    size.ws_col = (unsigned short)plan.console_size.columns;
    if (ioctl(master, TIOCSWINSZ, &size) != 0) fail(errno, "setting the console size");
  }
  if (setsid() < 0) fail(errno, "starting a session for the terminal");
  if (ioctl(slave, TIOCSCTTY, 0) != 0) fail(errno, "making the pty the controlling terminal");
  for (int fd = 0; fd <= 2; fd++)
    if (dup2(slave, fd) < 0) fail(errno, "connecting stdio to the pty");
  close(slave);
  send_console(master);
  close(master);
}

}  // namespace cista
