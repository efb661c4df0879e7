#ifndef MLOPSKIT_CHECKSUM_H
#define MLOPSKIT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli, the checksum of S3's `x-amz-checksum-crc32c`) of `length` bytes at `data`,
/// continuing from `crc` (0 to start). Uses the CPU's CRC instruction where there is one (SSE 4.2 on
/// x86-64, the CRC extension on AArch64), a table otherwise.
uint32_t mlopskit_crc32c(uint32_t crc, const void *data, size_t length);

#endif
