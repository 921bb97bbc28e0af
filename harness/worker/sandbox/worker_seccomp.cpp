#include "worker_seccomp.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace bnkit::sandbox {

std::string restrict_worker() {
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(SCMP_ACT_ALLOW), seccomp_release);
  if (!ctx) return "seccomp_init failed";
  const auto deny = SCMP_ACT_ERRNO(EPERM);
  int rc = 0;
  auto rule = [&](int syscall) { rc |= seccomp_rule_add(ctx.get(), deny, syscall, 0); };

  // No new processes or threads, no exec: nothing can outlive the worker or escape it.
  for (int s : {SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(execve),
                SCMP_SYS(execveat)})
    rule(s);
  // No network, no tracing or poking other processes, no kernel side doors, no in-memory
  // files (which could be filled with machine code and loaded).
  for (int s : {SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
                SCMP_SYS(process_vm_writev), SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
                SCMP_SYS(io_uring_register), SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
                SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key), SCMP_SYS(mount), SCMP_SYS(umount2),
                SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(unshare), SCMP_SYS(setns),
                SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at), SCMP_SYS(tkill),
                SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_send_signal), SCMP_SYS(pidfd_getfd),
                SCMP_SYS(kcmp), SCMP_SYS(setpriority), SCMP_SYS(ioprio_set), SCMP_SYS(memfd_create),
                SCMP_SYS(memfd_secret)})
    rule(s);
  // No changes to any file: not the kit's, not the golden data, not anyone's.
  for (int s : {SCMP_SYS(creat), SCMP_SYS(openat2), SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
                SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(rmdir),
                SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(chmod),
                SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(chown), SCMP_SYS(fchown), SCMP_SYS(lchown),
                SCMP_SYS(fchownat), SCMP_SYS(truncate), SCMP_SYS(mknod), SCMP_SYS(mknodat), SCMP_SYS(utime),
                SCMP_SYS(utimes), SCMP_SYS(utimensat), SCMP_SYS(futimesat), SCMP_SYS(setxattr),
                SCMP_SYS(lsetxattr), SCMP_SYS(fsetxattr), SCMP_SYS(removexattr), SCMP_SYS(lremovexattr),
                SCMP_SYS(fremovexattr)})
    rule(s);
  // open/openat only for reading.
  for (unsigned flag : {unsigned(O_WRONLY), unsigned(O_RDWR), unsigned(O_CREAT), unsigned(O_TRUNC),
                        unsigned(O_APPEND)}) {
    rc |= seccomp_rule_add(ctx.get(), deny, SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, flag, flag));
    rc |= seccomp_rule_add(ctx.get(), deny, SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, flag, flag));
  }
  // Signals and resource limits: this process only (abort() signals itself).
  const auto self = static_cast<scmp_datum_t>(getpid());
  rc |= seccomp_rule_add(ctx.get(), deny, SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_NE, self));
  rc |= seccomp_rule_add(ctx.get(), deny, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_NE, self));
  rc |= seccomp_rule_add(ctx.get(), deny, SCMP_SYS(prlimit64), 1, SCMP_A0(SCMP_CMP_NE, 0));
  // Nothing typed into the terminal the grader runs in.
  for (unsigned long request : {TIOCSTI, TIOCLINUX})
    rc |= seccomp_rule_add(ctx.get(), deny, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, request));
  if (rc != 0) return "a seccomp rule could not be added";
  if (const int err = seccomp_load(ctx.get()); err != 0) return std::string("seccomp_load: ") + std::strerror(-err);
  return "";
}

}  // namespace bnkit::sandbox
