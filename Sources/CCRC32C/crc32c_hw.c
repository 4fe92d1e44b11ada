// Hardware CRC-32C for record batch v2 checksums. Swift cannot call the
// SSE4.2 / ARMv8 CRC intrinsics with a per-function target feature behind a
// runtime CPU check, so these few lines live in C; the portable
// slicing-by-8 fallback stays in Swift (Kafka/Wire/CRC32C.swift).
// One dependent chain of 8-byte steps runs at ~6 GB/s, well above what a
// consumer needs; interleaved streams would add a combine step for little.
#include "crc32c_hw.h"
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int secstream_crc32c_hw_available(void) {
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t secstream_crc32c_hw_update(uint32_t crc, const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t c = crc;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
    }
    uint32_t c32 = (uint32_t)c;
    for (; n > 0; n--) c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}

#elif defined(__aarch64__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#include <arm_acle.h>

int secstream_crc32c_hw_available(void) {
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) ? 1 : 0;
}

__attribute__((target("+crc")))
uint32_t secstream_crc32c_hw_update(uint32_t crc, const void *data, size_t n) {
    const unsigned char *p = data;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        crc = __crc32cd(crc, v);
    }
    for (; n > 0; n--) crc = __crc32cb(crc, *p++);
    return crc;
}

#else

int secstream_crc32c_hw_available(void) { return 0; }

uint32_t secstream_crc32c_hw_update(uint32_t crc, const void *data, size_t n) {
    (void)data; (void)n;
    return crc;
}

#endif
