/* What ACPI's FADT says about resetting and powering off (0: unknown). */
#ifndef ASM_POWER_H
#define ASM_POWER_H

#include <stdint.h>

struct acpi_power {
	uint16_t reset_port; /* I/O-port reset register */
	uint8_t reset_value;
	uint16_t pm1a_cnt, pm1b_cnt;
	uint8_t slp_typa, slp_typb; /* \_S5 */
};

extern struct acpi_power acpi_power;

/* Keeps the reset and power-off ports from user-space drivers. */
void x86_power_reserve(void);

#endif
