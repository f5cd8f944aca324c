/*
 * init: the first user process.  It holds the root capabilities (the
 * console, in slot 1), starts the echo service, talks to it over IPC
 * with a capability transfer and a badge, starts the network service
 * (netserve) with exactly its two ports, and supervises its children:
 * their exits and faults arrive as messages on its supervisor endpoint.
 * Started with arg 1 (kernel command line "test user") it runs the
 * adversarial test suite instead (user/init/tests.c) and exits with the
 * verdict; with arg 2 ("test bench") it runs the user benchmarks; with
 * arg 3 ("test mtree") it prints the manifest of the root filesystem's
 * MTREE_DIR with the mtree program from the image's bin/; with arg 4
 * ("test fsbench") the storage benchmark (user/fsbench).  Its arguments
 * are the kernel's linux.run= words: Linux programs it runs first, one
 * after the other (user/init/linux_run.c, docs/linux.md); with arg 5
 * ("test linux.run=...") only those, and their worst status is its own.
 */
#include "themelios.h"
#include "echo/echo.h"
#include "init/init.h"

/* Pages each child gets out of init's quota. */
#define ECHO_QUOTA     64
#define NETSERVE_QUOTA 4096  /* its connections' buffers are charged to it */
#define UBENCH_QUOTA   20480 /* 80 MiB: a clone of 64 MiB among its figures */
#define NETSERVE_ECHO  7
#define NETSERVE_HTTP  80

static void
demo(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, SLOT_ECHO_EP };
	struct ipc_msg m;
	long pid, err;

	pid = spawn("echo", 0, ECHO_QUOTA, SLOT_SUPERVISOR, 42, caps, 2);
	if (pid < 0) {
		printf("init: cannot start echo: %s\n", strerror(pid));
		return;
	}
	printf("init: started echo as pid %ld\n", pid);
	/* A badged copy tells echo who is calling. */
	err = sys_cap_mint(SLOT_ECHO_EP, SLOT_ECHO_CLIENT, RIGHT_WRITE | RIGHT_GRANT, 7);
	if (err) {
		printf("init: mint failed: %s\n", strerror(err));
		return;
	}
	memset(&m, 0, sizeof(m));
	m.len = 5;
	memcpy(m.data, "hello", 5);
	/* A write-only console capability goes along with the message. */
	sys_cap_mint(CAP_SLOT_CONSOLE, SLOT_SCRATCH, RIGHT_WRITE | RIGHT_COPY, 0);
	m.cap = SLOT_SCRATCH;
	err = sys_call(SLOT_ECHO_CLIENT, &m, 0);
	if (err) {
		printf("init: call to echo failed: %s\n", strerror(err));
		return;
	}
	printf("init: echo replied '%.*s' (it saw badge %lu and a capability of type %lu)\n",
	       (int)m.len, (const char *)m.data, m.words[0], m.words[1]);
	sys_cap_delete(SLOT_SCRATCH);
	memset(&m, 0, sizeof(m));
	m.label = ECHO_QUIT;
	sys_call(SLOT_ECHO_CLIENT, &m, 0);
}

/*
 * netserve gets exactly its two ports: a Port capability for each,
 * minted from init's Network capability, and nothing else of the
 * network (no Network capability: it cannot connect out).
 */
static void
start_netserve(void)
{
	slot_t caps[3] = { CAP_SLOT_CONSOLE, SLOT_ECHO_PORT, SLOT_HTTP_PORT };
	long err, pid;

	if ((err = sys_port_create(CAP_SLOT_NETWORK, NETSERVE_ECHO, 1, PORT_TCP, SLOT_ECHO_PORT)) ||
	    (err = sys_port_create(CAP_SLOT_NETWORK, NETSERVE_HTTP, 1, PORT_TCP, SLOT_HTTP_PORT))) {
		printf("init: cannot make netserve's ports: %s\n", strerror(err));
		return;
	}
	pid = spawn("netserve", NETSERVE_ECHO << 16 | NETSERVE_HTTP, NETSERVE_QUOTA,
		    SLOT_SUPERVISOR, 80, caps, 3);
	if (pid < 0)
		printf("init: cannot start netserve: %s\n", strerror(pid));
	/* Delete init's copies, so that netserve holds the only capabilities to its ports. */
	sys_cap_delete(SLOT_ECHO_PORT);
	sys_cap_delete(SLOT_HTTP_PORT);
}

/* Supervises for ever: every child's end is reported here. */
static void __attribute__((noreturn)) supervise(void)
{
	for (;;) {
		struct ipc_msg m;
		long err;

		memset(&m, 0, sizeof(m));
		err = sys_recv(SLOT_SUPERVISOR, &m, 0);
		if (err) {
			printf("init: supervisor receive failed: %s\n", strerror(err));
			sys_exit(1);
		}
		if (m.label == PROCESS_EVENT_EXIT)
			printf("init: child pid %lu (badge %lu) exited with status %ld\n",
			       m.words[0], m.badge, (long)m.words[1]);
		else if (m.label == PROCESS_EVENT_FAULT)
			printf("init: child pid %lu (badge %lu) faulted at %#lx (pc %#lx)\n",
			       m.words[0], m.badge, m.words[2], m.words[3]);
	}
}

/*
 * With a root filesystem (the verified image, CAP_SLOT_ROOT_DIR), init's
 * children come from its bin/ and its greeting from etc/motd.
 */
static void
use_root(void)
{
	struct cap_info ci;
	char buf[256];
	long n;

	if (sys_cap_inspect(CAP_SLOT_ROOT_DIR, &ci) || ci.type != OBJ_DIRECTORY) {
		printf("init: no root filesystem; programs come from the boot archive\n");
		return;
	}
	spawn_program_dir = CAP_SLOT_ROOT_DIR;
	printf("init: programs come from the root filesystem\n");
	if (fs_open(CAP_SLOT_ROOT_DIR, "etc/motd", 0, RIGHT_READ, SLOT_SCRATCH) == 0) {
		while ((n = sys_fs_read(SLOT_SCRATCH, buf, sizeof(buf))) > 0)
			sys_console_write(CAP_SLOT_CONSOLE, buf, (uint64_t)n);
		sys_fs_close(SLOT_SCRATCH);
	}
}

int
main(uint64_t arg)
{
	long err;

	printf("init: started\n");
	if ((err = sys_endpoint_create(SLOT_SUPERVISOR)) ||
	    (err = sys_endpoint_create(SLOT_ECHO_EP))) {
		printf("init: cannot create endpoints: %s\n", strerror(err));
		return 1;
	}
	if (arg == INIT_TESTS)
		return run_tests();
	if (arg == INIT_BENCH)
		return run_bench();
	if (arg == INIT_MTREE)
		return run_mtree();
	if (arg == INIT_FSBENCH)
		return run_fsbench();
	if (arg == INIT_LINUX)
		return run_linux_programs();
	use_root();
	if (prog_argc > 1)
		run_linux_programs();
	demo();
	start_netserve();
	supervise();
}

int
run_bench(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, CAP_SLOT_ROOT_DIR };
	struct cap_info ci;
	struct ipc_msg m;
	/* The root Directory, when there is one: ubench spawns, maps and
	 * execs from its files. */
	unsigned int ncaps =
		sys_cap_inspect(CAP_SLOT_ROOT_DIR, &ci) == 0 && ci.type == OBJ_DIRECTORY ? 2 : 1;
	long pid = spawn("ubench", 0, UBENCH_QUOTA, SLOT_SUPERVISOR, 0, caps, ncaps);

	if (pid < 0)
		return 1;
	memset(&m, 0, sizeof(m));
	if (sys_recv(SLOT_SUPERVISOR, &m, 0) || m.label != PROCESS_EVENT_EXIT)
		return 1;
	return (int)m.words[1];
}

/*
 * The manifest between two markers, and mtree's status as ours: the
 * test harness compares the lines between the markers with bsdtar's.
 * mtree comes from the root filesystem, never from the boot archive.
 */
int
run_mtree(void)
{
	static const char args[] = MTREE_DIR;
	slot_t caps[2] = { CAP_SLOT_CONSOLE, CAP_SLOT_ROOT_DIR };
	struct cap_info ci;
	struct ipc_msg m;
	long pid;

	if (sys_cap_inspect(CAP_SLOT_ROOT_DIR, &ci) || ci.type != OBJ_DIRECTORY) {
		printf("init: no root filesystem to list\n");
		return 1;
	}
	spawn_program_dir = CAP_SLOT_ROOT_DIR;
	printf("init: mtree of /%s begins\n", MTREE_DIR);
	pid = spawn_args("mtree", 0, MTREE_QUOTA, SLOT_SUPERVISOR, 0, caps, 2, args, sizeof(args));
	if (pid < 0) {
		printf("init: cannot start bin/mtree: %s\n", strerror(pid));
		return 1;
	}
	memset(&m, 0, sizeof(m));
	if (sys_recv(SLOT_SUPERVISOR, &m, 0) || m.label != PROCESS_EVENT_EXIT) {
		printf("init: mtree did not exit (label %lu)\n", m.label);
		return 1;
	}
	printf("init: mtree of /%s ends, status %ld\n", MTREE_DIR, (long)m.words[1]);
	return (int)m.words[1];
}

/* fsbench, from the root filesystem, with the console and the root
 * Directory; its status is ours. */
int
run_fsbench(void)
{
	slot_t caps[2] = { CAP_SLOT_CONSOLE, CAP_SLOT_ROOT_DIR };
	struct ipc_msg m;
	long pid;

	spawn_program_dir = CAP_SLOT_ROOT_DIR;
	pid = spawn("fsbench", 0, 512, SLOT_SUPERVISOR, 0, caps, 2);
	if (pid < 0) {
		printf("init: cannot start fsbench: %s\n", strerror(pid));
		return 1;
	}
	memset(&m, 0, sizeof(m));
	if (sys_recv(SLOT_SUPERVISOR, &m, 0) || m.label != PROCESS_EVENT_EXIT)
		return 1;
	return (int)m.words[1];
}
