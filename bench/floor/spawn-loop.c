// The floor under every contender of spawn-big-parent: a C program that does nothing but start
// N /bin/true at most CAP at once with posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK), no page
// tables copied) and wait for them, each in a session of its own with stdio on /dev/null, as
// the other contenders start theirs. No Node, no messages, no bookkeeping: what starting and
// reaping a process costs on this machine. Prints ms per job.
// Usage: spawn-loop N CAP
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int n = atoi(argv[1]), cap = atoi(argv[2]), running = 0, started = 0, done = 0;
  char *args[] = { "/bin/true", NULL };
  posix_spawnattr_t at;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_init(&at);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd < 3; fd++) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  while (done < n) {
    for (; running < cap && started < n; running++, started++) {
      pid_t pid;
      if (posix_spawn(&pid, args[0], &fa, &at, args, environ)) return 1;
    }
    int status;
    if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    running--;
    done++;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.4f\n", ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / n);
  return 0;
}
