// forkpool's native spawner: the same job as lib/runners/spawner/runtime.cts, in a process small
// enough that starting a command costs what the kernel asks and no more. It starts each command
// with vfork() (no page tables copied, whatever this process's size), relays captured output,
// reports exits, and kills the process groups of its running jobs when the manager goes, by any
// signal. It also starts fresh worker processes (Node children): their IPC channel is a
// connection to the manager's socket, made here and handed to the child as its fd 3.
//
// The wire format is lib/runners/spawner/native-codec.ts's; that file says what each field is.
// fd 0: orders from the manager. fd 3: reports to it. fd 1 and 2: the manager's, inherited by
// the jobs that do not capture. Numbers are little-endian (the manager is on the same machine).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { R_READY = 0, R_STARTED = 1, R_FAILED = 2, R_OUTPUT = 3, R_EXIT = 4, R_CLOSED = 5 };
enum { O_CAPTURE = 1, O_INPUT = 2, O_ENV_ALL = 4, O_ENV_OVER = 8, O_CHANNEL = 16 };

struct job {
  uint32_t id;
  pid_t pid; // 0 once reaped
  pid_t group; // its process group, which may outlive the leader
  int out, err, in; // -1 when closed (or never opened)
  uint32_t max_buffer, sent[2];
  char *input;
  size_t input_len, input_off;
  int capture, code, sig;
};

static struct job *jobs;
static size_t njobs, cap_jobs;
/** Set by the SIGCHLD handler, which runs only inside ppoll() (the signal is blocked elsewhere). */
static volatile sig_atomic_t child_exited;

// Reports, gathered through one turn of the loop and written in one go.
static char *rbuf;
static size_t rlen, rcap;

static void die_with_jobs(void) {
  // A job stays in the table while its leader runs or its pipes are open (held by its own
  // children): either way its group may have members.
  for (size_t i = 0; i < njobs; i++) kill(-jobs[i].group, SIGKILL);
  _exit(0);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return p;
  size_t n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  p = realloc(p, n * size);
  if (!p) die_with_jobs();
  *cap = n;
  return p;
}

static void put(const void *data, size_t len) {
  rbuf = grow(rbuf, &rcap, rlen + len, 1);
  memcpy(rbuf + rlen, data, len);
  rlen += len;
}

static void put_u8(uint8_t v) { put(&v, 1); }
static void put_u32(uint32_t v) { put(&v, 4); }

static void flush(void) {
  size_t off = 0;
  while (off < rlen) {
    ssize_t n = write(3, rbuf + off, rlen - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die_with_jobs(); // the manager is gone
    off += (size_t)n;
  }
  rlen = 0;
}

static void report(uint8_t type, uint32_t id) {
  put_u8(type);
  put_u32(id);
}

static void on_sigchld(int sig) {
  (void)sig;
  child_exited = 1;
}

static int cloexec_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

// --- reading an order ---------------------------------------------------------------------

struct reader {
  const char *p, *end;
  int bad;
};

static uint32_t get_u32(struct reader *r) {
  uint32_t v = 0;
  if (r->end - r->p < 4) r->bad = 1;
  else memcpy(&v, r->p, 4), r->p += 4;
  return v;
}

static uint8_t get_u8(struct reader *r) {
  if (r->p >= r->end) return r->bad = 1, 0;
  return (uint8_t)*r->p++;
}

/** A string as a fresh NUL-terminated copy (the manager sends none with a NUL inside). */
static char *get_str(struct reader *r, size_t *len) {
  uint32_t n = get_u32(r);
  if (r->bad || (size_t)(r->end - r->p) < n) return r->bad = 1, NULL;
  char *s = malloc(n + 1);
  if (!s) die_with_jobs();
  memcpy(s, r->p, n);
  s[n] = 0;
  r->p += n;
  if (len) *len = n;
  return s;
}

static char **get_strs(struct reader *r, uint32_t *count) {
  uint32_t n = get_u32(r);
  if (r->bad || n > (uint32_t)(r->end - r->p) / 4) return r->bad = 1, NULL;
  char **v = calloc(n + 1, sizeof *v);
  if (!v) die_with_jobs();
  for (uint32_t i = 0; i < n && !r->bad; i++) v[i] = get_str(r, NULL);
  *count = n;
  return v;
}

static void free_strs(char **v) {
  if (!v) return;
  for (char **s = v; *s; s++) free(*s);
  free(v);
}

static size_t key_len(const char *entry) {
  const char *eq = strchr(entry, '=');
  return eq ? (size_t)(eq - entry) : strlen(entry);
}

/** This process's environment with `over` laid on it: "K=V" sets K, a bare "K" unsets it. */
static char **overlay(char **over, uint32_t nover) {
  size_t n = 0;
  for (char **e = environ; *e; e++) n++;
  char **env = calloc(n + nover + 1, sizeof *env);
  if (!env) die_with_jobs();
  size_t k = 0;
  for (char **e = environ; *e; e++) {
    size_t kl = key_len(*e);
    int replaced = 0;
    for (uint32_t i = 0; i < nover && !replaced; i++) replaced = key_len(over[i]) == kl && strncmp(over[i], *e, kl) == 0;
    if (!replaced) env[k++] = *e;
  }
  for (uint32_t i = 0; i < nover; i++)
    if (strchr(over[i], '=')) env[k++] = over[i];
  return env;
}

static const char *env_path(char **env) {
  for (char **e = env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
  return "/usr/local/bin:/usr/bin:/bin";
}

/**
 * What the child of vfork() needs, all made ready before it: the child shares this process's
 * memory until it execs, so it may not allocate, and writes nothing here but `sh[1]` and
 * launch_err.
 */
struct launch {
  const char *file, *cwd;
  char **argv, **env;
  char *full; // room for the longest PATH entry, '/', and file; NULL when file has a '/' (no search)
  char **sh; // "/bin/sh", (the file), argv[1], ...: for a file without #!
  int in, out, err; // the job's ends of its pipes, -1 for none: stdin from /dev/null, output inherited
  int chan; // a connection to the manager for the child's fd 3 (a worker's IPC channel), -1 for none
};

/** Why the child could not exec, written by it before _exit and read once vfork() returns. */
static volatile int launch_err;

/**
 * Whether fd 1 and fd 2 (the manager's) are anonymous pipes, found once at start: a job that does
 * not capture then gets a description of the pipe of its own, opened through /proc/self/fd, as
 * lib/util/child-output.cts says why. O_NONBLOCK is a flag of the description: shared, a Node job
 * (or the manager's own process.stdout) making it non-blocking would fail the jobs beside it that
 * expect a blocking stdout with EAGAIN.
 */
static int is_pipe[3];

/** "/proc/self/fd/1" or "/proc/self/fd/2". */
static void fd_path(char path[16], int fd) {
  memcpy(path, "/proc/self/fd/N", 16);
  path[14] = (char)('0' + fd);
}

static int is_anonymous_pipe(int fd) {
  char path[16], target[16];
  fd_path(path, fd);
  ssize_t n = readlink(path, target, sizeof target);
  return n >= 5 && memcmp(target, "pipe:", 5) == 0;
}

/**
 * In the child of vfork(): fd `fd` (1 or 2), made a new description of the same pipe. Where that
 * cannot be done (a socket, a file), the shared description is made blocking, as libuv does for
 * fds 0-2 of every child Node spawns: a program expects a blocking stdout.
 */
static void own_output(int fd) {
  char path[16];
  fd_path(path, fd);
  int own = is_pipe[fd] ? open(path, O_WRONLY | O_CLOEXEC) : -1;
  if (own >= 0) {
    dup2(own, fd);
    close(own);
    return;
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

/** The signals this process ignores, SIGPIPE and any it was started with: ignored stays ignored through exec. */
static int ignored[_NSIG + 1];
static size_t nignored;

/** execve, and as execvp does, a file the kernel cannot run (ENOEXEC: no #! line) is run by /bin/sh. Returns only on failure. */
static int exec_file(const char *path, struct launch *l) {
  execve(path, l->argv, l->env);
  if (errno != ENOEXEC) return errno;
  l->sh[1] = (char *)path;
  execve("/bin/sh", l->sh, l->env);
  return errno;
}

/** exec_file over execvp's search of PATH, the job's own PATH (as libuv does for Node). */
static int exec_searching(struct launch *l) {
  if (strchr(l->file, '/')) return exec_file(l->file, l);
  if (!*l->file) return ENOENT;
  int seen_eacces = 0, err = ENOENT;
  size_t flen = strlen(l->file);
  for (const char *dir = env_path(l->env);; ) {
    const char *colon = strchr(dir, ':');
    size_t dlen = colon ? (size_t)(colon - dir) : strlen(dir);
    if (dlen == 0) memcpy(l->full, l->file, flen + 1); // an empty entry is the working directory
    else memcpy(l->full, dir, dlen), l->full[dlen] = '/', memcpy(l->full + dlen + 1, l->file, flen + 1);
    err = exec_file(l->full, l);
    if (err == EACCES) seen_eacces = 1;
    else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV && err != ETIMEDOUT) return err;
    if (!colon) return seen_eacces ? EACCES : err;
    dir = colon + 1;
  }
}

/**
 * The child of vfork(). Each job leads a session and process group of its own (Node's detached:
 * true), with every signal at its default and none blocked, whatever this process does with them.
 */
static void __attribute__((noreturn)) launch_child(struct launch *l) {
  int err = 0, null = -1;
  struct sigaction dfl = { 0 };
  dfl.sa_handler = SIG_DFL;
  sigset_t none;
  sigemptyset(&none);
  // Handlers end at exec; what this process ignores and blocks (SIGCHLD) would not.
  for (size_t i = 0; i < nignored; i++) sigaction(ignored[i], &dfl, NULL);
  if (setsid() < 0 || sigprocmask(SIG_SETMASK, &none, NULL) || chdir(l->cwd)) err = errno;
  else if (l->in < 0 && (null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) err = errno;
  else if (dup2(l->in < 0 ? null : l->in, 0) < 0) err = errno;
  else if (l->out >= 0 && (dup2(l->out, 1) < 0 || dup2(l->err, 2) < 0)) err = errno;
  // chan is never 3 (this process's report channel), so dup2 makes a new fd 3, without FD_CLOEXEC.
  else if (l->chan >= 0 && dup2(l->chan, 3) < 0) err = errno;
  else {
    for (int fd = 1; l->out < 0 && fd <= 2; fd++) own_output(fd);
    err = exec_searching(l);
  }
  launch_err = err;
  _exit(127);
}

/**
 * Node 22 and later bind an abstract address at its length; Node 20 pads it with NULs to the
 * size of sun_path, a different address to the kernel. The first connect finds which.
 */
static int pad_abstract = 0;

static int connect_to(const struct sockaddr_un *sa, socklen_t len) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (const struct sockaddr *)sa, len) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/**
 * A connection to the manager's socket at `addr` (`len` bytes: an abstract address starts with a
 * NUL), after which the token is written, so the manager knows which job's channel it is before
 * the child has run. Blocking: the manager accepts from its event loop and the token is 16 bytes.
 * Returns the descriptor, or -1 with errno set.
 */
static int connect_channel(const char *addr, size_t len, const char *token, size_t token_len) {
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (len == 0 || len > sizeof sa.sun_path) return errno = EINVAL, -1;
  memcpy(sa.sun_path, addr, len);
  socklen_t exact = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len), padded = sizeof sa;
  int fd = connect_to(&sa, pad_abstract ? padded : exact);
  if (fd < 0 && errno == ECONNREFUSED && addr[0] == 0 && exact != padded && (fd = connect_to(&sa, pad_abstract ? exact : padded)) >= 0) pad_abstract = !pad_abstract;
  if (fd < 0) return -1;
  for (size_t off = 0; off < token_len;) {
    ssize_t n = write(fd, token + off, token_len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    off += (size_t)n;
  }
  return fd;
}

/**
 * Starts the job's process, or returns why it could not (an errno, as spawn() reports it).
 * vfork(), not posix_spawn(): glibc's posix_spawn maps and unmaps a stack for every child, which
 * is dear on this virtual machine, and has no search of the job's own PATH, which cost a child
 * per entry tried. A C loop of /bin/true at cap 2 took 0.35 ms of its own CPU per job with
 * posix_spawn and 0.22 with vfork, and 2.79-2.97 against 2.56-2.79 ms per job (three runs each,
 * alternating); 2000 /bin/true through ForkManager: the forkers' CPU 0.48 -> 0.29 ms per job.
 */
static int launch(pid_t *pid, struct launch *l) {
  launch_err = 0;
  pid_t child = vfork();
  if (child == 0) launch_child(l);
  if (child < 0) return errno;
  if (launch_err) {
    (void)!waitpid(child, NULL, 0);
    return launch_err;
  }
  *pid = child;
  return 0;
}

static void start(const char *frame, size_t len) {
  struct reader r = { frame, frame + len, 0 };
  uint32_t id = get_u32(&r), flags = get_u8(&r), max_buffer = get_u32(&r), argc = 0, nenv = 0;
  size_t input_len = 0, addr_len = 0, token_len = 0;
  char *file = get_str(&r, NULL), *cwd = get_str(&r, NULL);
  char **argv = get_strs(&r, &argc), **envs = NULL, *input = NULL, *addr = NULL, *token = NULL;
  if (flags & (O_ENV_ALL | O_ENV_OVER)) envs = get_strs(&r, &nenv);
  if (flags & O_INPUT) input = get_str(&r, &input_len);
  if (flags & O_CHANNEL) addr = get_str(&r, &addr_len), token = get_str(&r, &token_len);
  // A frame this program cannot read is the manager's bug: better to stop here than guess.
  if (r.bad || r.p != r.end) die_with_jobs();

  char **env = flags & O_ENV_ALL ? envs : flags & O_ENV_OVER ? overlay(envs, nenv) : environ;
  int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, chan = -1, err = 0;
  if (input && cloexec_pipe(pin)) err = errno;
  if (!err && (flags & O_CAPTURE) && (cloexec_pipe(pout) || cloexec_pipe(perr))) err = errno;
  if (!err && addr && (chan = connect_channel(addr, addr_len, token, token_len)) < 0) err = errno;
  pid_t pid = 0;
  if (!err) {
    char *sh[argc + 3];
    sh[0] = "/bin/sh";
    for (uint32_t i = 1; i < argc; i++) sh[i + 1] = argv[i];
    sh[(argc ? argc : 1) + 1] = NULL;
    struct launch l = { .file = file, .cwd = cwd, .argv = argv, .env = env, .sh = sh, .in = pin[0], .out = pout[1], .err = perr[1], .chan = chan };
    // Room for the search of PATH, which a file with a '/' in it (the usual order) does without.
    if (!strchr(file, '/') && !(l.full = malloc(strlen(env_path(env)) + strlen(file) + 2))) die_with_jobs();
    err = launch(&pid, &l);
    free(l.full);
  }
  int ends[] = { pin[0], pout[1], perr[1], chan };
  for (int i = 0; i < 4; i++)
    if (ends[i] >= 0) close(ends[i]);

  if (err) {
    int keep[] = { pin[1], pout[0], perr[0] };
    for (int i = 0; i < 3; i++)
      if (keep[i] >= 0) close(keep[i]);
    report(R_FAILED, id);
    put_u32((uint32_t)err);
    put_u32((uint32_t)strlen(file));
    put(file, strlen(file));
    free(input);
  } else {
    jobs = grow(jobs, &cap_jobs, njobs + 1, sizeof *jobs);
    struct job *j = &jobs[njobs++];
    *j = (struct job){ .id = id, .pid = pid, .group = pid, .out = pout[0], .err = perr[0], .in = pin[1], .max_buffer = max_buffer, .input = input, .input_len = input_len, .capture = !!(flags & O_CAPTURE) };
    if (j->in >= 0) fcntl(j->in, F_SETFL, O_NONBLOCK);
    report(R_STARTED, id);
    put_u32((uint32_t)pid);
  }
  if (env != environ && env != envs) free(env);
  free(file);
  free(cwd);
  free(addr);
  free(token);
  free_strs(argv);
  free_strs(envs);
}

// --- running jobs -------------------------------------------------------------------------

static void end_input(struct job *j) {
  close(j->in);
  j->in = -1;
  free(j->input);
  j->input = NULL;
}

static void feed(struct job *j) {
  while (j->input_off < j->input_len) {
    ssize_t n = write(j->in, j->input + j->input_off, j->input_len - j->input_off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) break; // EPIPE: a child that exits without reading its input is no failure
    j->input_off += (size_t)n;
  }
  end_input(j);
}

/** Relays what the stream has, up to one chunk past max_buffer (the manager decides overflow); reads on past that so the job never blocks. */
static void drain(struct job *j, int which) {
  int *fd = which == 1 ? &j->out : &j->err;
  char buf[65536];
  ssize_t n = read(*fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close(*fd);
    *fd = -1;
    return;
  }
  if (j->sent[which - 1] > j->max_buffer) return;
  j->sent[which - 1] += (uint32_t)n;
  report(R_OUTPUT, j->id);
  put_u8((uint8_t)which);
  put_u32((uint32_t)n);
  put(buf, (size_t)n);
}

/** A job is done once its leader is reaped and, when it captures, both of its pipes have ended. */
static void finish_done(void) {
  size_t k = 0;
  for (size_t i = 0; i < njobs; i++) {
    struct job *j = &jobs[i];
    if (j->pid == 0 && j->out < 0 && j->err < 0) {
      if (j->capture) {
        report(R_CLOSED, j->id);
        put_u32((uint32_t)j->code);
        put_u32((uint32_t)j->sig);
      }
      if (j->in >= 0) end_input(j);
      continue;
    }
    jobs[k++] = *j;
  }
  njobs = k;
}

static void reap(void) {
  size_t running = 0;
  for (size_t i = 0; i < njobs; i++) running += jobs[i].pid != 0;
  // Every child of this process is a job's leader, so no call is needed past the last of them.
  while (running > 0) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    running--;
    for (size_t i = 0; i < njobs; i++) {
      struct job *j = &jobs[i];
      if (j->pid != pid) continue;
      j->pid = 0;
      j->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      j->sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      report(R_EXIT, j->id);
      put_u32((uint32_t)j->code);
      put_u32((uint32_t)j->sig);
      break;
    }
  }
}

/** What a polled descriptor is: the orders, or a job's stream. */
enum { P_ORDERS, P_OUT, P_ERR, P_IN };

static void read_orders(void) {
  static char *buf;
  static size_t len, cap;
  for (;;) {
    buf = grow(buf, &cap, len + 65536, 1);
    ssize_t n = read(0, buf + len, 65536);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) die_with_jobs(); // the manager is gone, by exit or by any signal: so are its jobs
    len += (size_t)n;
    if (n < 65536) break; // the pipe is empty: no second read only to hear EAGAIN
  }
  size_t off = 0;
  while (len - off >= 4) {
    uint32_t flen;
    memcpy(&flen, buf + off, 4);
    if (len - off - 4 < flen) break;
    start(buf + off + 4, flen);
    off += 4 + flen;
  }
  memmove(buf, buf + off, len - off);
  len -= off;
}

int main(void) {
  for (int sig = 1; sig <= SIGRTMAX; sig++) {
    struct sigaction old;
    if (sig != SIGPIPE && sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN) ignored[nignored++] = sig;
  }
  ignored[nignored++] = SIGPIPE;
  signal(SIGPIPE, SIG_IGN);
  for (int fd = 1; fd <= 2; fd++) is_pipe[fd] = is_anonymous_pipe(fd);
  // SIGCHLD is blocked but inside ppoll(), which it interrupts: an exit costs no pipe of its own
  // to write and drain, and none is missed between two calls (it waits, pending, for the next).
  sigset_t chld, waiting;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &waiting);
  sigdelset(&waiting, SIGCHLD);
  struct sigaction sa = { 0 };
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  // The order and report channels are this process's only: no job inherits them.
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(3, F_SETFD, FD_CLOEXEC);
  fcntl(3, F_SETFL, fcntl(3, F_GETFL) & ~O_NONBLOCK);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

  report(R_READY, 0);
  flush();

  struct pollfd *fds = NULL;
  struct { size_t job; int kind; } *what = NULL;
  size_t cap_fds = 0, cap_what = 0;
  for (;;) {
    size_t nfds = 0;
    fds = grow(fds, &cap_fds, 1 + 3 * njobs, sizeof *fds);
    what = grow(what, &cap_what, 1 + 3 * njobs, sizeof *what);
    fds[nfds] = (struct pollfd){ .fd = 0, .events = POLLIN };
    what[nfds++].kind = P_ORDERS;
    for (size_t i = 0; i < njobs; i++) {
      int streams[] = { jobs[i].out, jobs[i].err, jobs[i].in };
      for (int s = 0; s < 3; s++) {
        if (streams[s] < 0) continue;
        fds[nfds] = (struct pollfd){ .fd = streams[s], .events = s == 2 ? POLLOUT : POLLIN };
        what[nfds].job = i;
        what[nfds++].kind = P_OUT + s;
      }
    }
    int ready = ppoll(fds, nfds, NULL, &waiting);
    if (ready < 0 && errno != EINTR) die_with_jobs();
    // Exits before output: a captured job's 'closed' then follows both its exit and the last of
    // its output, which the job's own pipes deliver in order.
    if (child_exited) {
      child_exited = 0;
      reap();
    }
    for (size_t f = 1; ready > 0 && f < nfds; f++) {
      if (!fds[f].revents) continue;
      struct job *j = &jobs[what[f].job];
      if (what[f].kind == P_IN) feed(j);
      else drain(j, what[f].kind == P_OUT ? 1 : 2);
    }
    // Orders last: the jobs they add are not in this turn's table of descriptors.
    if (ready > 0 && fds[0].revents) read_orders();
    finish_done();
    if (rlen) flush();
  }
}
