#!/usr/bin/env bash
# Optional system packages for the full test suite: Debian's headless Chromium (screenshot test of the
# HTML report) and the official Fashion-MNIST IDX files (fashion exercise, IDX loader on real files).
# Without them those tests skip with a reason; everything else runs. Needs root and apt-get.
set -u
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: not root or no apt-get; chromium and Fashion-MNIST tests will be skipped" >&2
  exit 0
fi
missing=()
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || missing+=(dataset-fashion-mnist)
[ ${#missing[@]} -eq 0 ] && exit 0
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") \
  >/dev/null 2>&1 || echo "system-deps: could not install ${missing[*]}; their tests will be skipped" >&2
exit 0
