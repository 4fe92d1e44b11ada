#ifndef SECSTREAM_CRC32C_HW_H
#define SECSTREAM_CRC32C_HW_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC-32C instruction (x86-64 SSE4.2, AArch64 CRC32).
int secstream_crc32c_hw_available(void);

/// CRC-32C of `n` bytes with the hardware instruction. `crc` is the running
/// (already inverted) register value; the caller inverts before and after.
/// Only call when secstream_crc32c_hw_available() returned 1.
uint32_t secstream_crc32c_hw_update(uint32_t crc, const void *data, size_t n);

#endif
