// The floor under every contender of spawn-big-parent: a C program that does nothing but start
// N /bin/true at most CAP at once and wait for them, each in a session of its own with stdio on
// /dev/null, as the other contenders start theirs. It starts them as the native forker does, with
// vfork() (no page tables copied, and no stack mapped and unmapped per child as glibc's
// posix_spawn does). No Node, no messages, no bookkeeping: what starting and reaping a process
// costs on this machine. Prints ms per job.
// Usage: spawn-loop N CAP
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int n = atoi(argv[1]), cap = atoi(argv[2]), running = 0, started = 0, done = 0;
  char *args[] = { "/bin/true", NULL };
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  while (done < n) {
    for (; running < cap && started < n; running++, started++) {
      pid_t pid = vfork();
      if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (setsid() < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
        if (null > 2) close(null);
        execve(args[0], args, environ);
        _exit(127);
      }
      if (pid < 0) return 1;
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
