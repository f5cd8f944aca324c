/*
 * execve: a program run again with new arguments and environment
 * (descriptors with O_CLOEXEC closed, the others kept), a "#!" script
 * whose interpreter is this program, /proc/self/exe, posix_spawn, and
 * the errors of a path that is missing, not executable, a directory, or
 * no program.  argv[0] is this program's path (absolute under both
 * ThemeliOS and the host); it is never printed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

/* What an exec'd copy prints: its arguments after argv[0], its
 * environment's FOO, and whether descriptors 5 and 6 stayed. */
static int
run_child(int argc, char **argv)
{
	const char *foo = getenv("FOO");

	for (int i = 1; i < argc; i++)
		printf("  argv[%d] = '%s'\n", i, argv[i]);
	printf("  FOO = %s\n", foo ? foo : "(none)");
	printf("  fd 5 open: %d, fd 6 open: %d\n", fcntl(5, F_GETFD) >= 0, fcntl(6, F_GETFD) >= 0);
	return 7;
}

static void
exec_child(const char *what, const char *path, char *const argv[], char *const envp[])
{
	int st;
	pid_t c = fork();

	if (c == 0) {
		execve(path, argv, envp);
		printf("  execve failed: %s\n", errno_name(errno));
		_exit(127);
	}
	waitpid(c, &st, 0);
	show_status(what, st);
}

int
main(int argc, char **argv)
{
	char *env[] = { "FOO=bar", "OTHER=x", NULL };
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && (!strcmp(argv[1], "child") || !strcmp(argv[1], "script-arg")))
		return run_child(argc, argv);

	int f = open("exec.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
	dup2(f, 5);
	dup3(f, 6, O_CLOEXEC);
	close(f);

	char *cargv[] = { argv[0], "child", "two words", "", NULL };
	exec_child("execve", argv[0], cargv, env);
	exec_child("/proc/self/exe", "/proc/self/exe", cargv, env);
	char *noenv[] = { NULL };
	exec_child("empty environment", argv[0], cargv, noenv);

	/* A script whose interpreter is this program, with an argument. */
	{
		int s = open("exec-script", O_CREAT | O_WRONLY | O_TRUNC, 0755);

		dprintf(s, "#! %s script-arg  \nignored\n", argv[0]);
		close(s);
		char *sargv[] = { "exec-script", "one", NULL };
		exec_child("script", "./exec-script", sargv, env);
	}

	/* posix_spawn (vfork-like clone, then execve in the child). */
	{
		pid_t c;
		char *pargv[] = { argv[0], "child", "spawned", NULL };

		int r = posix_spawn(&c, argv[0], NULL, NULL, pargv, env);

		/* Printed after the child's lines: it runs meanwhile. */
		waitpid(c, &st, 0);
		SHOW("posix_spawn", r);
		show_status("posix_spawn", st);
	}

	/* Errors: the caller goes on. */
	{
		int s = open("exec-text", O_CREAT | O_WRONLY | O_TRUNC, 0755);

		write(s, "just text\n", 10);
		close(s);
		s = open("exec-noexec", O_CREAT | O_WRONLY | O_TRUNC, 0644);
		write(s, "#!/bin/sh\n", 10);
		close(s);
	}
	char *none[] = { "x", NULL };
	SHOW("execve missing", execve("/no/such/program", none, env));
	SHOW("execve not executable", execve("./exec-noexec", none, env));
	SHOW("execve a directory", execve("/", none, env));
	SHOW("execve no program", execve("./exec-text", none, env));
	char *volatile bad = (char *)8;
	SHOW("execve bad path", execve(bad, none, env));
	SHOW("execve empty path", execve("", none, env));
	unlink("exec-script");
	unlink("exec-text");
	unlink("exec-noexec");
	unlink("exec.tmp");
	return 0;
}
