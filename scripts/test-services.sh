#!/usr/bin/env bash
# Make sure what the test suite needs is here: a PostgreSQL server on 127.0.0.1:5432 and
# Debian's Chromium (with a Chinese font) for the browser tests. With CI=true a missing one is installed or
# started, or this fails; elsewhere it tries, and the suite skips what is still missing.
set -u
ci=${CI:-false}
fail() { echo "test-services: $*" >&2; if [ "$ci" = "true" ]; then exit 1; fi; }

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
    echo "test-services: 启动 PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL 不可用（127.0.0.1:5432）"
fi

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "test-services: 安装 Chromium（apt-get）"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [ -x /usr/bin/chromium ] || fail "Chromium 不可用（/usr/bin/chromium）"
fi
# The phone-layout tests measure Chinese names as the browser draws them: a CJK font.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "test-services: 安装中文字体（fonts-noto-cjk）"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  fi
  fc-list :lang=zh 2>/dev/null | grep -q . || fail "没有中文字体（fonts-noto-cjk）"
fi
exit 0
