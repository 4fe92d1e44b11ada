#!/usr/bin/env bash
# Installs the Debian -dev packages secstream links against, and the tools its
# tests run for real (prometheus with promtool, prometheus-pushgateway; chromium
# renders `secstream report` pages headless: screenshot, DOM), only when missing.
set -euo pipefail
pkgs="zlib1g-dev libdeflate-dev libisal-dev liblz4-dev libzstd-dev libsnappy-dev libcurl4-openssl-dev libssl-dev libre2-dev libhyperscan-dev libmaxminddb-dev libxgboost-dev pkg-config python3-venv gzip lz4 zstd prometheus prometheus-pushgateway chromium"
missing=()
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3-venv is only needed when the system python lacks the venv module.
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
