/* The PCI capability-list walk over fake configuration spaces: good
 * lists, then loops, pointers into the header and a missing list. */
#include <stdint.h>
#include <string.h>

#include "dev/pci/pci_cap.h"
#include "themelios/errno.h"
#include "unit.h"

static uint8_t cfg[256];
static int reads;

static uint8_t
rd(void *ctx, uint16_t off)
{
	(void)ctx;
	reads++;
	return off < sizeof(cfg) ? cfg[off] : 0xff;
}

/* A list of (offset, id) in order. */
static void
make_list(const uint8_t (*caps)[2], int n)
{
	memset(cfg, 0, sizeof(cfg));
	cfg[0x06] = 0x10;
	cfg[0x34] = n ? caps[0][0] : 0;
	for (int i = 0; i < n; i++) {
		cfg[caps[i][0]] = caps[i][1];
		cfg[caps[i][0] + 1] = i + 1 < n ? caps[i + 1][0] : 0;
	}
}

UNIT_TEST(walks_a_virtio_like_list)
{
	/* QEMU's virtio-pci: MSI-X, then five vendor capabilities, PCIe. */
	static const uint8_t caps[][2] = { { 0x98, 0x11 }, { 0x84, 0x09 }, { 0x70, 0x09 },
					   { 0x60, 0x09 }, { 0x50, 0x09 }, { 0x40, 0x09 },
					   { 0xa0, 0x10 } };
	int at, n = 0;

	make_list(caps, 7);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSIX, 0), 0x98);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_PCIE, 0), 0xa0);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0), 0);
	for (at = 0; (at = pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, (uint8_t)at)) > 0; n++)
		CHECK_EQ(at, caps[1 + n][0]);
	CHECK_EQ(at, 0);
	CHECK_EQ(n, 5);
	/* From the last one there is no further match. */
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_PCIE, 0xa0), 0);
}

UNIT_TEST(no_list_without_the_status_bit)
{
	static const uint8_t caps[][2] = { { 0x40, 0x09 } };

	make_list(caps, 1);
	cfg[0x06] = 0;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0), 0);
	cfg[0x06] = 0x10;
	cfg[0x34] = 0;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0), 0);
}

UNIT_TEST(reserved_low_bits_are_masked)
{
	static const uint8_t caps[][2] = { { 0x40, 0x05 }, { 0x50, 0x09 } };

	make_list(caps, 2);
	cfg[0x34] |= 3;
	cfg[0x41] |= 2;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0), 0x50);
}

UNIT_TEST(damaged_lists_are_refused)
{
	static const uint8_t caps[][2] = { { 0x40, 0x05 }, { 0x50, 0x01 } };

	/* A loop: bounded, and -E_CORRUPT, for a search and a continuation. */
	make_list(caps, 2);
	cfg[0x51] = 0x40;
	reads = 0;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0), -E_CORRUPT);
	CHECK(reads < 4 * PCI_CAP_MAX);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0x50), -E_CORRUPT);
	/* A self-loop. */
	cfg[0x41] = 0x40;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0), -E_CORRUPT);
	/* A pointer into the standard header. */
	make_list(caps, 2);
	cfg[0x51] = 0x10;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_VENDOR, 0), -E_CORRUPT);
	cfg[0x34] = 0x3c;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0), -E_CORRUPT);
	/* A first capability found before the damage is still found. */
	make_list(caps, 2);
	cfg[0x51] = 0x10;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0), 0x40);
	/* prev that is not on the list: nothing after it. */
	make_list(caps, 2);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0x80), 0);
	/* Iterating through a loop of matches ends. */
	make_list(caps, 2);
	cfg[0x50] = 0x05;
	cfg[0x51] = 0x40;
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0), 0x40);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0x40), 0x50);
	CHECK_EQ(pci_cap_next(rd, NULL, PCI_CAP_ID_MSI, 0x50), -E_CORRUPT);
}

UNIT_TEST(random_spaces_never_misbehave)
{
	unit_srand(7);
	for (int round = 0; round < 20000; round++) {
		int at = 0, steps = 0;

		for (size_t i = 0; i < sizeof(cfg); i++)
			cfg[i] = (uint8_t)unit_rand();
		cfg[0x06] |= 0x10;
		while ((at = pci_cap_next(rd, NULL, (uint8_t)(round & 0x1f), (uint8_t)at)) > 0) {
			CHECK(at >= 0x40 && at % 4 == 0);
			CHECK(++steps <= PCI_CAP_MAX);
			if (steps > PCI_CAP_MAX)
				break;
		}
		CHECK(at == 0 || at == -E_CORRUPT || steps > PCI_CAP_MAX);
	}
}

UNIT_MAIN()
