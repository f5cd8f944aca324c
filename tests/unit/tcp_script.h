/*
 * A packetdrill-like script interpreter for the TCP engine (host only).
 * The format is described in tcp_scripts/README.
 */
#ifndef TCP_SCRIPT_H
#define TCP_SCRIPT_H

#include <stddef.h>

/* Runs a script; 0, or -1 with "LINE: why" in err. */
int tcp_script_run(const char *text, char *err, size_t errlen);

#endif
