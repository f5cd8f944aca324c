/* init's capability slots, and its test suite (tests.c). */
#ifndef USER_INIT_H
#define USER_INIT_H

#define SLOT_SUPERVISOR	 2 /* children's exit and fault reports */
#define SLOT_ECHO_EP	 3 /* the echo service's endpoint */
#define SLOT_ECHO_CLIENT 4 /* init's badged copy of it */
#define SLOT_SCRATCH	 5
#define SLOT_ECHO_PORT	 6 /* netserve's Port capabilities */
#define SLOT_HTTP_PORT	 7

/* What the kernel passes init (its argument). */
#define INIT_NORMAL	 0
#define INIT_TESTS	 1 /* "test user" */
#define INIT_BENCH	 2 /* "test bench" */
#define INIT_MTREE	 3 /* "test mtree" */
#define INIT_FSBENCH	 4 /* "test fsbench" */
#define INIT_LINUX	 5 /* "test linux.run=...": the Linux programs, then exit */

/* What "test mtree" lists: this directory of the root filesystem
 * (tools/mkimage.sh puts a tree there), with this many pages. */
#define MTREE_DIR	 "data"
#define MTREE_QUOTA	 512

int run_tests(void);
int run_bench(void);
int run_mtree(void);
int run_fsbench(void);
int run_linux_programs(void);

#endif
