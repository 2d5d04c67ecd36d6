/* The measuring spawner of bench/startup.ts: runs one command with stdout on
 * /dev/null and stderr into ERRFILE, and prints the child's own figures:
 * wall time from just before fork() to wait4()'s return, user and system
 * CPU and peak RSS from wait4()'s rusage (no shell, no time(1) in them;
 * the fork of this small process adds ~0.1 ms wall and nothing else), then
 * the exit status. Usage: startup_spawn ERRFILE CMD [ARG...]
 * Output: "WALL_US USER_US SYS_US MAXRSS_KB STATUS" */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: startup_spawn ERRFILE CMD [ARG...]\n");
    return 2;
  }
  int out = open("/dev/null", O_RDWR);
  int err = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out < 0 || err < 0) {
    perror("open");
    return 1;
  }
  long long t0 = now_us();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out, 0);
    dup2(out, 1);
    dup2(err, 2);
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("wait4");
    return 1;
  }
  long long wall = now_us() - t0;
  printf("%lld %ld %ld %ld %d\n", wall, ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
         ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss,
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
