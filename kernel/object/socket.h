/*
 * Socket objects: a TCP connection or listener, or a UDP endpoint, as
 * a capability (docs/network.md, "Sockets").  Anyone may make one; it
 * and its buffers are charged to the maker's Memory.  The calls here
 * take kernel buffers and run with no capability lock held (the system
 * calls in syscall/sys_socket.c decode, check the Port and Network
 * capabilities, and copy); they take net_lock around each call into
 * the stack, and a call that must wait sleeps with no lock held until
 * the socket's state changes, the process is killed (-E_DEAD) or the
 * last capability to the socket goes (-E_REVOKED).
 *
 * Readiness: a socket asserts SIGNAL_READABLE (data, the peer's FIN, a
 * connection to accept, an error to collect), SIGNAL_WRITABLE (send
 * buffer space on a connected socket, or an error), SIGNAL_PEER_CLOSED
 * (the peer's FIN or the end of the connection) and SIGNAL_ERROR (it
 * ended with an error), through object/readiness, so object_bind to a
 * Notification lets one thread wait on many sockets.
 *
 * Closing: when the last reference goes the socket is handed to the
 * network thread (net_defer), which closes the connection gracefully
 * (tcp_close) or unbinds the endpoint and frees the object.
 */
#ifndef OBJECT_SOCKET_H
#define OBJECT_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"
#include "net/tcp_net.h"
#include "object/object.h"
#include "object/readiness.h"
#include "sched/spinlock.h"
#include "sched/wait.h"

struct process;
struct socket_info;
struct udp_endpoint;
struct udp_meta;

struct socket_object {
	struct kobject obj;
	struct readiness readiness;
	struct net_tcp_owner owner; /* pool and event hook for the engine */
	struct process *proc;	    /* charged for the object */
	uint32_t kind;		    /* SOCK_TCP, SOCK_UDP */
	bool nonblock, reuseaddr;
	bool connected;		   /* connect or accept happened: a CLOSED state is an end */
	struct tcp_conn *conn;	   /* TCP; net_lock */
	struct udp_endpoint *ep;   /* UDP, once bound; net_lock to change */
	struct spinlock wait_lock; /* seq, closed, waiters */
	struct wait_queue waiters;
	uint64_t seq; /* bumped at every change a waiter could want */
	bool closed;  /* no capability left */
	struct net_work close_work;
};

/* A new socket charged to owner (capability lock held): -E_INVAL for an
 * unknown kind, -E_NOMEM.  socket_open must follow, with no lock held. */
int socket_object_create(struct process *owner, uint32_t kind, bool nonblock,
			 struct socket_object **out);
/* TCP: the engine's connection (net_lock taken).  0 or -E_NOMEM. */
int socket_open(struct socket_object *s);

int socket_listen(struct socket_object *s, uint16_t port, unsigned backlog);
/* child: a fresh TCP socket (socket_object_create) that takes the
 * connection.  0, -E_AGAIN (none and nonblock), -E_INVAL (not
 * listening), -E_DEAD, -E_REVOKED. */
int socket_accept(struct socket_object *s, struct socket_object *child, bool nonblock);
int socket_connect(struct socket_object *s, uint32_t addr, uint16_t port);
long socket_send(struct socket_object *s, const void *buf, size_t len, bool nonblock);
long socket_recv(struct socket_object *s, void *buf, size_t len, bool nonblock);
int socket_shutdown(struct socket_object *s);
int socket_setopt(struct socket_object *s, uint32_t opt, uint64_t value);
void socket_info(struct socket_object *s, struct socket_info *info);

/* UDP: port 0 takes an ephemeral port. */
int socket_bind(struct socket_object *s, uint16_t port);
long socket_sendto(struct socket_object *s, uint32_t addr, uint16_t port, const void *buf,
		   size_t len);
long socket_recvfrom(struct socket_object *s, void *buf, size_t len, struct udp_meta *from,
		     bool nonblock);

#endif
