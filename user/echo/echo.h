/* The echo service's protocol (user/echo/echo.c). */
#ifndef USER_ECHO_H
#define USER_ECHO_H

#define ECHO_SLOT_ENDPOINT 2		 /* where its creator puts the endpoint */
#define ECHO_SLOT_RECEIVED 3		 /* where a capability sent to it lands */
#define ECHO_QUIT	   0x51554954ull /* "QUIT" */

#endif
