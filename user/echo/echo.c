/*
 * echo: a service on an endpoint (slot 2).  It answers each call with
 * the data upper-cased, the caller's badge in words[0], and in words[1]
 * the type of any capability that came with the message (which it then
 * drops).  label ECHO_QUIT ends it with status 0.
 */
#include "themelios.h"
#include "echo/echo.h"

int
main(uint64_t arg)
{
	struct ipc_msg m;
	long err;

	(void)arg;
	memset(&m, 0, sizeof(m));
	m.cap = ECHO_SLOT_RECEIVED;
	err = sys_recv(ECHO_SLOT_ENDPOINT, &m, 0);
	for (;;) {
		struct cap_info info;
		uint64_t label;

		if (err) {
			cprintf(CAP_SLOT_CONSOLE, "echo: receive failed: %s\n", strerror(err));
			return 2;
		}
		label = m.label;
		for (uint32_t i = 0; i < m.len; i++)
			if (m.data[i] >= 'a' && m.data[i] <= 'z')
				m.data[i] = (uint8_t)(m.data[i] - 'a' + 'A');
		m.words[0] = m.badge;
		m.words[1] = 0;
		if ((m.flags & IPC_MSG_CAP) && sys_cap_inspect(m.cap, &info) == 0) {
			m.words[1] = info.type;
			sys_cap_delete(m.cap);
		}
		m.label = 0;
		m.cap = 0;
		if (label == ECHO_QUIT) {
			sys_reply(&m);
			return 0;
		}
		/* The same message: the reply goes out, the next call comes in. */
		m.cap = ECHO_SLOT_RECEIVED;
		err = sys_reply_recv(ECHO_SLOT_ENDPOINT, &m, 0);
	}
}
