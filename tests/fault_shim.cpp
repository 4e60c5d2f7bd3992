// A fault-injection library for tests/test_faults.cpp, loaded into depeche-index with
// LD_PRELOAD (no tmpfs to fill, no root needed). Controlled by environment variables:
//
//   DEPECHE_SHIM_ENOSPC_AFTER=N   writes to regular files fail with ENOSPC ("No space
//                                 left on device") once N bytes in all were written
//   DEPECHE_SHIM_FREE_BYTES=N     statvfs() reports N bytes free
//   DEPECHE_SHIM_RENAME_DELAY_MS=N   renameat2(), which swaps a rebuilt index in place,
//                                 waits N ms first (widens the window before the swap)
//   DEPECHE_SHIM_KILL_AT_RENAME=N the process kills itself (SIGKILL: no handler, no
//                                 clean-up) just before its Nth rename, renameat or
//                                 renameat2, counted from 1: every commit of Xapian and
//                                 every file Dépêche writes whole ends with a rename, so
//                                 N = 1, 2... stop it at each point where something is
//                                 made visible
//
// Writes to standard output and error, and to anything but regular files, never fail.
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

namespace {

long long env_number(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoll(v) : -1;
}

std::atomic<long long> g_written{0};

// False (errno ENOSPC) when writing `n` bytes to fd would exceed the budget.
bool may_write(int fd, size_t n) {
    static const long long budget = env_number("DEPECHE_SHIM_ENOSPC_AFTER");
    if (budget < 0 || n == 0 || fd <= 2) return true;  // messages always get out
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return true;
    if (g_written.fetch_add(static_cast<long long>(n)) + static_cast<long long>(n) <= budget) return true;
    errno = ENOSPC;
    return false;
}

template <class F>
F next(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

std::atomic<long long> g_renames{0};

// DEPECHE_SHIM_KILL_AT_RENAME=N: dies before the Nth rename.
void maybe_die_before_rename() {
    static const long long at = env_number("DEPECHE_SHIM_KILL_AT_RENAME");
    if (at > 0 && g_renames.fetch_add(1) + 1 == at) ::kill(::getpid(), SIGKILL);
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
    static auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
    return may_write(fd, n) ? real(fd, buf, n) : -1;
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
    static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    return may_write(fd, n) ? real(fd, buf, n, off) : -1;
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
    static auto real = next<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
    return may_write(fd, n) ? real(fd, buf, n, off) : -1;
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
    static auto real = next<ssize_t (*)(int, const struct iovec*, int)>("writev");
    size_t n = 0;
    for (int i = 0; i < count; ++i) n += iov[i].iov_len;
    return may_write(fd, n) ? real(fd, iov, count) : -1;
}

// DEPECHE_SHIM_FREE_BYTES=N: file systems report N bytes free (to users).
static void fake_free(struct statvfs* st) {
    const long long free_bytes = env_number("DEPECHE_SHIM_FREE_BYTES");
    if (free_bytes < 0 || st->f_frsize == 0) return;
    st->f_bavail = st->f_bfree = static_cast<fsblkcnt_t>(free_bytes) / st->f_frsize;
}

int statvfs(const char* path, struct statvfs* st) {
    static auto real = next<int (*)(const char*, struct statvfs*)>("statvfs");
    const int r = real(path, st);
    if (r == 0) fake_free(st);
    return r;
}

int rename(const char* oldpath, const char* newpath) {
    static auto real = next<int (*)(const char*, const char*)>("rename");
    maybe_die_before_rename();
    return real(oldpath, newpath);
}

int renameat(int olddirfd, const char* oldpath, int newdirfd, const char* newpath) {
    static auto real = next<int (*)(int, const char*, int, const char*)>("renameat");
    maybe_die_before_rename();
    return real(olddirfd, oldpath, newdirfd, newpath);
}

int renameat2(int olddirfd, const char* oldpath, int newdirfd, const char* newpath, unsigned int flags) {
    static auto real = next<int (*)(int, const char*, int, const char*, unsigned int)>("renameat2");
    maybe_die_before_rename();
    if (long long ms = env_number("DEPECHE_SHIM_RENAME_DELAY_MS"); ms > 0) {
        struct timespec t {
            static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L
        };
        nanosleep(&t, nullptr);
    }
    return real(olddirfd, oldpath, newdirfd, newpath, flags);
}

}  // extern "C"
