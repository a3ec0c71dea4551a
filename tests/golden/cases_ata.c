/*
 * cases_ata.c - golden captures of the ATA command: IDENTIFY, READ/WRITE in
 * 28- and 48-bit forms at the first, last and one-past-the-end sectors, the
 * other opcodes, a read-only export and jumbo frames.  The disk holds
 * golden_pattern() so every read shows where its data came from.
 */
#include <string.h>

#include "gen.h"

enum { LAST = 63 }; /* the default disk has 64 sectors */

/* LBA28 as initiators send it: the device register (LBA mode) in the high nibble of lba3. */
static uint64_t lba28(uint64_t lba) { return lba | 0xe0000000ULL; }

void cases_identify(void)
{
	struct session ss;
	static uint8_t zeros[2 * AOE_SECTOR_SIZE];

	session_open(&ss, "ata-identify.pcap", NULL,
		     "IDENTIFY DEVICE as the Linux driver sends it, with aoe-sancheck's padding sectors, "
		     "to the shelf wildcard, and with sector counts 0 and 2 (error 2)");
	ata(&ss, HOST_A, 0, ATA_CMD_IDENTIFY, 1, 0xa0000000ULL, NULL, 0, ATA_OK,
	    "IDENTIFY, lba3 0xa0 as the Linux driver");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.arg.ata.command_status = ATA_CMD_IDENTIFY;
	f.arg.ata.sector_count = 1;
	f.arg.ata.data = zeros;
	for (unsigned pad = 1; pad <= 2; pad++) {
		f.hdr.tag = (f.hdr.tag & ~0xffu) | pad; /* aoe-sancheck: last tag byte = padding sectors */
		f.arg.ata.data_len = pad * AOE_SECTOR_SIZE;
		send_built(&ss, &f, NULL, ATA_OK, "IDENTIFY padded with zero sectors (aoe-sancheck MTU probe)");
	}
	f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.hdr.shelf = AOE_SHELF_BROADCAST;
	f.arg.ata.command_status = ATA_CMD_IDENTIFY;
	f.arg.ata.sector_count = 1;
	send_built(&ss, &f, NULL, ATA_OK, "IDENTIFY to the shelf wildcard: answered from 9.0");
	ata(&ss, HOST_A, 0, ATA_CMD_IDENTIFY, 0, 0, NULL, 0, AOE_ERROR(AOE_ERR_BAD_ARG), "count 0: error 2");
	ata(&ss, HOST_A, 0, ATA_CMD_IDENTIFY, 2, 0, NULL, 0, AOE_ERROR(AOE_ERR_BAD_ARG), "count 2: error 2");
	session_close(&ss);
}

/* Reads and writes of one addressing form; ext selects 48-bit opcodes and the E flag. */
static void read_write(struct session *ss, bool ext)
{
	uint8_t rd = ext ? ATA_CMD_READ_SECTORS_EXT : ATA_CMD_READ_SECTORS;
	uint8_t wr = ext ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_WRITE_SECTORS;
	uint8_t ef = ext ? AOE_AFLAG_EXT : 0;
	uint64_t (*at)(uint64_t) = ext ? NULL : lba28;
#define LBA(n) (at ? at(n) : (uint64_t)(n))
	uint8_t data[2 * AOE_SECTOR_SIZE];

	ata(ss, HOST_A, ef, rd, 2, LBA(0), NULL, 0, ATA_OK, "read the first two sectors");
	ata(ss, HOST_A, ef, rd, 2, LBA(LAST - 1), NULL, 0, ATA_OK, "read the last two sectors");
	ata(ss, HOST_A, ef, rd, 1, LBA(LAST), NULL, 0, ATA_OK, "read the last sector");
	ata(ss, HOST_A, ef, rd, 2, LBA(LAST), NULL, 0, ATA_IDNF, "read across the end: IDNF");
	ata(ss, HOST_A, ef, rd, 1, LBA(LAST + 1), NULL, 0, ATA_IDNF, "read one past the end: IDNF");
	ata(ss, HOST_A, ef, rd, 0, LBA(0), NULL, 0, ATA_OK, "read of 0 sectors: success, no data");
	write_data(data, 0, 2);
	ata(ss, HOST_A, ef | AOE_AFLAG_WRITE, wr, 2, LBA(0), data, sizeof(data), ATA_OK,
	    "write the first two sectors");
	ata(ss, HOST_A, ef, rd, 2, LBA(0), NULL, 0, ATA_OK, "read them back");
	write_data(data, LAST, 1);
	ata(ss, HOST_A, ef | AOE_AFLAG_WRITE, wr, 1, LBA(LAST), data, AOE_SECTOR_SIZE, ATA_OK,
	    "write the last sector");
	ata(ss, HOST_A, ef, rd, 2, LBA(LAST - 1), NULL, 0, ATA_OK, "read it back with the one before");
	write_data(data, LAST, 2);
	ata(ss, HOST_A, ef | AOE_AFLAG_WRITE, wr, 2, LBA(LAST), data, sizeof(data), ATA_IDNF,
	    "write across the end: IDNF, nothing written");
	ata(ss, HOST_A, ef | AOE_AFLAG_WRITE, wr, 1, LBA(LAST + 1), data, AOE_SECTOR_SIZE, ATA_IDNF,
	    "write one past the end: IDNF");
	ata(ss, HOST_A, ef, rd, 1, LBA(LAST), NULL, 0, ATA_OK, "the last sector is unchanged");
#undef LBA
}

void cases_rw28(void)
{
	struct session ss;
	session_open(&ss, "ata-rw28.pcap", NULL,
		     "READ/WRITE SECTORS (28-bit, device register 0xE in lba3) at the first, last and "
		     "one-past-end sectors, read back of writes, LBA bits above 27 ignored");
	read_write(&ss, false);
	ata(&ss, HOST_A, 0, ATA_CMD_READ_SECTORS, 1, 0xffffe0000001ULL, NULL, 0, ATA_OK,
	    "lba4 and lba5 set in a 28-bit command: ignored, sector 1 is read");
	session_close(&ss);
}

void cases_rw48(void)
{
	struct session ss;
	uint8_t data[AOE_SECTOR_SIZE];
	session_open(&ss, "ata-rw48.pcap", NULL,
		     "READ/WRITE SECTORS EXT (48-bit, E flag) at the first, last and one-past-end sectors, "
		     "read back of writes, a high LBA (IDNF), an asynchronous write (A flag)");
	read_write(&ss, true);
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 1ULL << 40, NULL, 0, ATA_IDNF,
	    "LBA 2^40: IDNF");
	write_data(data, 5, 1);
	ata(&ss, HOST_A, AOE_AFLAG_EXT | AOE_AFLAG_ASYNC | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 1, 5,
	    data, sizeof(data), ATA_OK, "asynchronous write (A flag)");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 5, NULL, 0, ATA_OK, "read it back");
	session_close(&ss);
}

static size_t reserved_bytes_set(uint8_t *f, size_t len, size_t cap)
{
	(void)cap;
	f[34] = 0x12; /* reserved: ignored by the target, zero in its reply */
	f[35] = 0x34;
	return len;
}

void cases_ata_misc(void)
{
	struct session ss;
	uint8_t data[3 * AOE_SECTOR_SIZE];
	static const uint8_t probe[2 * AOE_SECTOR_SIZE];

	session_open(&ss, "ata-misc.pcap", NULL,
		     "ATA edge cases: more sectors than the MTU carries and a short write (ATA abort), "
		     "trailing bytes after write data and a read carrying payload (Linux path probe), "
		     "CHECK POWER MODE, FLUSH CACHE and FLUSH CACHE EXT, SMART, NOP and an unknown opcode "
		     "(ATA abort), non-zero reserved bytes");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 3, 0, NULL, 0, ATA_ABORT,
	    "3 sectors at MTU 1500 (2 fit): abort");
	write_data(data, 0, 2);
	ata(&ss, HOST_A, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 2, 0, data,
	    AOE_SECTOR_SIZE, ATA_ABORT, "write of 2 sectors carrying 1: abort");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 2, 0, NULL, 0, ATA_OK,
	    "the short write wrote nothing");
	write_data(data, 1, 1);
	ata(&ss, HOST_A, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 1, 1, data,
	    AOE_SECTOR_SIZE + 100, ATA_OK, "write of 1 sector with 100 bytes more: extra ignored");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 2, 0, probe, sizeof(probe), ATA_OK,
	    "read carrying 1024 zero bytes (the Linux driver's path probe)");
	ata(&ss, HOST_A, 0, ATA_CMD_CHECK_POWER_MODE, 0, 0, NULL, 0, ATA_OK, "CHECK POWER MODE: count 0xff");
	ata(&ss, HOST_A, 0, ATA_CMD_CHECK_POWER_MODE, 1, 0, NULL, 0, ATA_OK,
	    "CHECK POWER MODE with count 1 (vblade sends no reply)");
	ata(&ss, HOST_A, 0, ATA_CMD_FLUSH_CACHE, 0, 0, NULL, 0, ATA_OK, "FLUSH CACHE");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_FLUSH_CACHE_EXT, 0, 0, NULL, 0, ATA_OK, "FLUSH CACHE EXT");
	struct aoe_frame f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.arg.ata.command_status = ATA_CMD_SMART;
	f.arg.ata.feature_error = 0xd8;
	f.arg.ata.lba = 0xc24f00; /* lba1 0x4f, lba2 0xc2: the SMART signature */
	send_built(&ss, &f, NULL, ATA_ABORT, "SMART ENABLE OPERATIONS (aoeping -S): abort");
	ata(&ss, HOST_A, 0, 0x00, 0, 0, NULL, 0, ATA_ABORT, "NOP: abort");
	ata(&ss, HOST_A, 0, 0x99, 1, 0, NULL, 0, ATA_ABORT, "opcode 0x99: abort");
	f = request(&ss, HOST_A, AOE_CMD_ATA);
	f.arg.ata.aflags = AOE_AFLAG_EXT;
	f.arg.ata.command_status = ATA_CMD_READ_SECTORS_EXT;
	f.arg.ata.sector_count = 1;
	f.arg.ata.lba = 2;
	send_built(&ss, &f, reserved_bytes_set, ATA_OK, "reserved bytes 34-35 non-zero: ignored");
	session_close(&ss);
}

void cases_read_only(void)
{
	struct session ss;
	uint8_t data[AOE_SECTOR_SIZE];
	session_open(&ss, "ata-read-only.pcap", "ro=1",
		     "a read-only export: reads, IDENTIFY and FLUSH work, 28- and 48-bit writes get ATA abort");
	ata(&ss, HOST_A, 0, ATA_CMD_IDENTIFY, 1, 0, NULL, 0, ATA_OK, "IDENTIFY");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 3, NULL, 0, ATA_OK, "read");
	write_data(data, 3, 1);
	ata(&ss, HOST_A, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 1, 3, data,
	    sizeof(data), ATA_ABORT, "48-bit write: abort");
	ata(&ss, HOST_A, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 1, lba28(3), data, sizeof(data), ATA_ABORT,
	    "28-bit write: abort");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 1, 3, NULL, 0, ATA_OK, "unchanged");
	ata(&ss, HOST_A, 0, ATA_CMD_FLUSH_CACHE, 0, 0, NULL, 0, ATA_OK, "FLUSH CACHE");
	ata(&ss, HOST_A, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 1, 64, data,
	    sizeof(data), ATA_IDNF, "write past the end: the range is checked first (IDNF)");
	session_close(&ss);
}

void cases_jumbo(void)
{
	struct session ss;
	static uint8_t data[18 * AOE_SECTOR_SIZE];
	session_open(&ss, "jumbo.pcap", "mtu=9000",
		     "MTU 9000: Query Config advertises 17 sectors; 17-sector writes and reads (48- and "
		     "28-bit), the last 17 sectors, past the end (IDNF) and 18 sectors (abort)");
	config(&ss, HOST_A, AOE_CCMD_READ, NULL, REPLY_OK, "Query Config: sector count 17");
	write_data(data, 0, 17);
	ata(&ss, HOST_A, AOE_AFLAG_EXT | AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS_EXT, 17, 0, data,
	    17 * AOE_SECTOR_SIZE, ATA_OK, "write 17 sectors");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 17, 0, NULL, 0, ATA_OK, "read them back");
	write_data(data, 20, 17);
	ata(&ss, HOST_A, AOE_AFLAG_WRITE, ATA_CMD_WRITE_SECTORS, 17, lba28(20), data, 17 * AOE_SECTOR_SIZE,
	    ATA_OK, "28-bit write of 17 sectors");
	ata(&ss, HOST_A, 0, ATA_CMD_READ_SECTORS, 17, lba28(20), NULL, 0, ATA_OK, "28-bit read back");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 17, 47, NULL, 0, ATA_OK,
	    "the last 17 sectors");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 17, 48, NULL, 0, ATA_IDNF,
	    "17 sectors across the end: IDNF");
	ata(&ss, HOST_A, AOE_AFLAG_EXT, ATA_CMD_READ_SECTORS_EXT, 18, 0, NULL, 0, ATA_ABORT,
	    "18 sectors (17 fit): abort");
	session_close(&ss);
}
