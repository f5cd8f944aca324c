/* The Linux descriptor table (kernel/linux/fdtable.c): numbering, dup'd
 * entries sharing a file, close-on-exec, limits, copies for fork. */
#include <string.h>

#include "linux/errno.h"
#include "linux/fdtable.h"
#include "unit.h"

/* A stand-in open file description: only its count matters here. */
struct linux_file {
	int refs;
	int freed;
};

static void
ref(struct linux_file *f)
{
	f->refs++;
}

static void
unref(struct linux_file *f)
{
	CHECK(f->refs > 0);
	if (--f->refs == 0)
		f->freed = 1;
}

static const struct fdtable_ops ops = { ref, unref };
static struct fdtable t, t2;

UNIT_TEST(lowest_free)
{
	struct linux_file a = { 0 }, b = { 0 };

	fdtable_init(&t, &ops);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 0);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 1);
	CHECK_EQ(fdtable_alloc(&t, &b, 0, 0), 2);
	CHECK_EQ(a.refs, 2);
	CHECK_EQ(fdtable_close(&t, 1), 0);
	CHECK_EQ(fdtable_close(&t, 1), -LX_EBADF);
	CHECK_EQ(fdtable_alloc(&t, &b, 0, 0), 1);
	CHECK_EQ(fdtable_alloc(&t, &b, 10, 0), 10);
	CHECK_EQ(fdtable_alloc(&t, &b, 10, 0), 11);
	CHECK(fdtable_get(&t, 10) == &b);
	CHECK(fdtable_get(&t, 5) == NULL);
	CHECK(fdtable_get(&t, -1) == NULL);
	CHECK(fdtable_get(&t, LINUX_FD_MAX) == NULL);
	CHECK_EQ(fdtable_count(&t), 5);
	fdtable_close_all(&t);
	CHECK_EQ(fdtable_count(&t), 0);
	CHECK(a.freed && b.freed);
}

UNIT_TEST(install_replaces)
{
	struct linux_file a = { 0 }, b = { 0 };

	fdtable_init(&t, &ops);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 0);
	CHECK_EQ(fdtable_install(&t, 5, &b, LINUX_FD_CLOEXEC), 5);
	CHECK_EQ(fdtable_install(&t, 5, &a, 0), 5); /* dup2 over b: b is closed */
	CHECK(b.freed);
	CHECK_EQ(a.refs, 2);
	CHECK_EQ(fdtable_get_flags(&t, 5), 0);
	/* Onto itself: the file survives its own replacement. */
	CHECK_EQ(fdtable_install(&t, 0, &a, 0), 0);
	CHECK_EQ(a.refs, 2);
	CHECK(!a.freed);
	CHECK_EQ(fdtable_install(&t, -1, &a, 0), -LX_EBADF);
	CHECK_EQ(fdtable_install(&t, LINUX_FD_MAX, &a, 0), -LX_EBADF);
	fdtable_close_all(&t);
	CHECK(a.freed);
}

UNIT_TEST(close_on_exec)
{
	struct linux_file a = { 0 }, b = { 0 };

	fdtable_init(&t, &ops);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, LINUX_FD_CLOEXEC), 0);
	CHECK_EQ(fdtable_alloc(&t, &b, 0, 0), 1);
	CHECK_EQ(fdtable_get_flags(&t, 0), LINUX_FD_CLOEXEC);
	CHECK_EQ(fdtable_set_flags(&t, 1, LINUX_FD_CLOEXEC | 0x80), 0);
	CHECK_EQ(fdtable_get_flags(&t, 1), LINUX_FD_CLOEXEC); /* unknown bits dropped */
	CHECK_EQ(fdtable_set_flags(&t, 1, 0), 0);
	CHECK_EQ(fdtable_get_flags(&t, 7), -LX_EBADF);
	CHECK_EQ(fdtable_set_flags(&t, 7, 0), -LX_EBADF);
	fdtable_close_on_exec(&t);
	CHECK(a.freed);
	CHECK(fdtable_get(&t, 0) == NULL);
	CHECK(fdtable_get(&t, 1) == &b);
	fdtable_close_all(&t);
}

UNIT_TEST(limits)
{
	struct linux_file a = { 0 };
	int n = 0;

	fdtable_init(&t, &ops);
	CHECK_EQ(t.limit, LINUX_FD_MAX);
	while (fdtable_alloc(&t, &a, 0, 0) >= 0)
		n++;
	CHECK_EQ(n, LINUX_FD_MAX); /* at least 1,024, as the issue asks */
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), -LX_EMFILE);
	fdtable_close_all(&t);
	CHECK_EQ(fdtable_set_limit(&t, 16, 512), 0);
	CHECK_EQ(fdtable_set_limit(&t, 16, 513), -LX_EPERM); /* hard only falls */
	CHECK_EQ(fdtable_set_limit(&t, 600, 512), -LX_EINVAL);
	n = 0;
	while (fdtable_alloc(&t, &a, 0, 0) >= 0)
		n++;
	CHECK_EQ(n, 16);
	CHECK_EQ(fdtable_alloc(&t, &a, 16, 0), -LX_EINVAL);  /* F_DUPFD at the limit */
	CHECK_EQ(fdtable_install(&t, 16, &a, 0), -LX_EBADF); /* dup2 at the limit */
	/* Lowered below open descriptors: they stay open, none is made. */
	CHECK_EQ(fdtable_set_limit(&t, 4, 512), 0);
	CHECK(fdtable_get(&t, 10) == &a);
	CHECK_EQ(fdtable_close(&t, 10), 0);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), -LX_EMFILE);
	fdtable_close_all(&t);
	CHECK(a.freed);
}

UNIT_TEST(copy_for_fork)
{
	struct linux_file a = { 0 }, b = { 0 };

	fdtable_init(&t, &ops);
	fdtable_init(&t2, &ops);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, LINUX_FD_CLOEXEC), 0);
	CHECK_EQ(fdtable_alloc(&t, &b, 3, 0), 3);
	CHECK_EQ(fdtable_set_limit(&t, 100, 200), 0);
	fdtable_copy(&t2, &t);
	CHECK_EQ(a.refs, 2);
	CHECK_EQ(b.refs, 2);
	CHECK(fdtable_get(&t2, 3) == &b);
	CHECK_EQ(fdtable_get_flags(&t2, 0), LINUX_FD_CLOEXEC);
	CHECK_EQ(t2.limit, 100);
	CHECK_EQ(t2.hard, 200);
	fdtable_close_all(&t);
	CHECK(!a.freed && !b.freed); /* the copy still holds them */
	fdtable_close_all(&t2);
	CHECK(a.freed && b.freed);
}

/* A shared table (CLONE_FILES): an end of one holder leaves it whole;
 * clearing closes it whoever holds it. */
UNIT_TEST(shared_close_all)
{
	struct linux_file a = { 0 };

	fdtable_init(&t, &ops);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 0);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 1);
	t.refs = 2;
	fdtable_close_all(&t);
	CHECK_EQ(fdtable_count(&t), 2);
	CHECK_EQ(a.refs, 2);
	fdtable_clear(&t);
	CHECK_EQ(fdtable_count(&t), 0);
	CHECK(a.freed);
	t.refs = 1;
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 0);
	fdtable_close_all(&t);
	CHECK_EQ(fdtable_count(&t), 0);
}

UNIT_MAIN()

/* Entries at and past the top are never read: a table whose memory held
 * anything works as a cleared one, and the top follows the highest
 * descriptor in use through opens, closes, copies and a clear. */
UNIT_TEST(top_follows_the_highest_descriptor)
{
	struct linux_file a = { 0 }, b = { 0 };

	memset(&t, 0xa5, sizeof(t));
	memset(&t2, 0x5a, sizeof(t2));
	fdtable_init(&t, &ops);
	CHECK_EQ(t.top, 0u);
	CHECK(fdtable_get(&t, 0) == NULL);
	CHECK_EQ(fdtable_get_flags(&t, 7), -LX_EBADF);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, 0), 0);
	CHECK_EQ(fdtable_alloc(&t, &a, 0, LINUX_FD_CLOEXEC), 1);
	CHECK_EQ(t.top, 2u);
	CHECK_EQ(fdtable_install(&t, 100, &b, 0), 100);
	CHECK_EQ(t.top, 101u);
	for (int fd = 2; fd < 100; fd++)
		CHECK(fdtable_get(&t, fd) == NULL);
	CHECK_EQ(fdtable_count(&t), 3u);
	CHECK_EQ(fdtable_alloc(&t, &b, 0, 0), 2);
	CHECK_EQ(fdtable_close(&t, 100), 0);
	CHECK_EQ(t.top, 3u);
	CHECK_EQ(fdtable_alloc(&t, &b, 50, 0), 50);
	CHECK_EQ(t.top, 51u);

	fdtable_init(&t2, &ops);
	fdtable_copy(&t2, &t);
	CHECK_EQ(t2.top, 51u);
	CHECK(fdtable_get(&t2, 50) == &b && fdtable_get(&t2, 3) == NULL);
	CHECK_EQ(fdtable_count(&t2), 4u);
	fdtable_close_on_exec(&t2);
	CHECK(fdtable_get(&t2, 1) == NULL && fdtable_get(&t2, 0) == &a);
	fdtable_clear(&t2);
	CHECK_EQ(t2.top, 0u);
	CHECK_EQ(fdtable_count(&t2), 0u);
	fdtable_clear(&t);
	CHECK_EQ(t.top, 0u);
	CHECK(a.freed && b.freed);
	CHECK_EQ(a.refs, 0);
	CHECK_EQ(b.refs, 0);
}
