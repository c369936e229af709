"""A seccomp agent for the tests: listens at argv[1] (AF_UNIX, SOCK_STREAM) as runtime-spec's
listenerPath, appends each container process state it receives to argv[2] (one JSON per line), and
answers every notified syscall with success (0) without performing it.

Usage: seccomp-agent.py SOCKET STATES
"""
import fcntl
import json
import socket
import struct
import sys
import threading

# linux/seccomp.h: _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp).
SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101
NOTIF = struct.Struct('<QIIiIQ6Q')  # id, pid, flags, seccomp_data {nr, arch, ip, args[6]}: 80 bytes
RESP = struct.Struct('<QqiI')  # id, val, error, flags: 24 bytes


def answer(fd):
    while True:
        buf = bytearray(NOTIF.size)  # the kernel wants it zeroed
        try:
            fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, buf)
        except OSError:
            return  # no process left under the filter
        notif_id = NOTIF.unpack(buf)[0]
        try:
            fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, bytearray(RESP.pack(notif_id, 0, 0, 0)))
        except OSError:
            pass  # the process was killed meanwhile


def main():
    path, states = sys.argv[1], sys.argv[2]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    while True:
        conn, _ = server.accept()
        data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
        while True:
            more = conn.recv(1 << 16)
            if not more:
                break
            data += more
        conn.close()
        state = json.loads(data)
        state['receivedFds'] = len(fds)
        with open(states, 'a') as out:
            out.write(json.dumps(state) + '\n')
        for fd in fds:
            threading.Thread(target=answer, args=(fd,), daemon=True).start()


main()
