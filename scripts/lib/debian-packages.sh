# Sourced by scripts/demo and scripts/test: install missing Debian packages by name.
# Usage: debian_packages runtime|test
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

debian_packages() {
  local need=()
  # Runtime: WeasyPrint (report PDFs) needs Pango; PDFs embed DejaVu for every script a name is written in.
  ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0)
  ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpangoft2-1.0-0)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
  if [ "${1:-runtime}" = test ]; then
    # Tests: PostgreSQL for the second pass, Chromium for browser tests, npm for axe-core.
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    [ -x /usr/bin/chromium ] || need+=(chromium)
    command -v npm >/dev/null || need+=(npm)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} from Debian's packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}
