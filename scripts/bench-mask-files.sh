#!/usr/bin/env bash
# bench-mask-files.sh DIR: the masking benchmarks' policy and keys, written
# into DIR (scripts/bench-mask.sh, scripts/bench-instructions.sh): a policy
# that HMACs user.name, Crypto-PANs source.ip and destination.ip and
# pattern-masks message, its key file, and a keyring for --encrypt.
set -euo pipefail
dir=$1
printf '%064x\n' 0 | tr 0 7 > "$dir/mask.key"
cat > "$dir/mask-policy.yaml" <<POLICY
key_file: mask.key
fields:
  user.name: hmac
  source.ip: cryptopan
  destination.ip: cryptopan
  message: patterns
POLICY
echo "bench $(printf '%064x' 0 | tr 0 c)" > "$dir/bench.keyring"
