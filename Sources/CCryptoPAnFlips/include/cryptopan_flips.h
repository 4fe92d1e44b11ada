#ifndef SECSTREAM_CRYPTOPAN_FLIPS_H
#define SECSTREAM_CRYPTOPAN_FLIPS_H

#include <stdint.h>

/* Crypto-PAn's flip bits with the AES-NI instructions (SecStreamMask's
   `CryptoPAn`): a new address takes 16 or 32 one-block AES-128 encryptions,
   each block known up front. Through OpenSSL's EVP each block cost a
   Swift loop's store, EVP's dispatch and a bit read back (~40 instructions
   a block before the rounds); here the blocks are made in registers and
   go through the rounds four at a time. Behind a runtime CPU check: where
   AES-NI is missing (or not x86-64) the Swift/EVP path stays. */

/* Whether this CPU has AES-NI (and this build the code for it). */
int secstream_cryptopan_aesni_available(void);

/* The AES-128 key schedule of `key` (11 round keys, 176 bytes), for `flips`. */
void secstream_cryptopan_expand_key(const uint8_t key[16], uint8_t schedule[176]);

/* The flip bits of positions `from ..< to` (0 <= from < to <= 64) of the
   128-bit block (`high`, `low`): for each position p, the first bit of
   AES(the first p bits of `high` ‖ the pad's bits from p on), returned as
   the low `to - from` bits (position `from` the most significant). Only
   positions in the high half: IPv4 is the top 32 bits, and IPv6 keeps its
   own path. */
uint64_t secstream_cryptopan_flips(const uint8_t schedule[176], uint64_t high, uint64_t pad_high, uint64_t pad_low,
                                   int from, int to);

#endif
