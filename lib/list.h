/*
 * Intrusive circular doubly-linked lists: embed a struct list_node in
 * the element and get back to it with container_of.  A head is a node
 * that points to itself when the list is empty.
 */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next, *prev;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* A head that starts empty: static struct list_node h = LIST_INIT(h); */
#define LIST_INIT(head)          \
	{                        \
		&(head), &(head) \
	}

static inline void
list_init(struct list_node *head)
{
	head->next = head->prev = head;
}

static inline bool
list_empty(const struct list_node *head)
{
	return head->next == head;
}

static inline void
list_insert_between(struct list_node *n, struct list_node *prev, struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void
list_add_tail(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head->prev, head);
}

static inline void
list_add_head(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head, head->next);
}

/* Unlinks n and leaves it pointing to itself (so a second del is harmless). */
static inline void
list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

/* The first node, or NULL when empty. */
static inline struct list_node *
list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

#define list_for_each(n, head) for (struct list_node *n = (head)->next; n != (head); n = n->next)

#endif
