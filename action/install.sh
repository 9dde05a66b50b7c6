#!/usr/bin/env bash
# Installs busfit for the GitHub Action: the release binary for this runner when one is
# published (its checksum verified), else the Python package (a wheel, or built from source
# with maturin), else this action's own checkout built with cargo.
set -euo pipefail
version="${BUSFIT_VERSION:-latest}"
bin="${RUNNER_TEMP:-/tmp}/busfit-bin"
mkdir -p "$bin"

found() {
  echo "$bin" >> "${GITHUB_PATH:-/dev/null}"
  export PATH="$bin:$PATH"
  busfit --version
}

if [[ "$version" == "source" ]]; then
  cargo install --locked --root "${bin%/busfit-bin}/busfit-root" --path "$BUSFIT_ACTION_PATH"
  cp "${bin%/busfit-bin}/busfit-root/bin/busfit" "$bin/"
  found
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64) target=aarch64-unknown-linux-musl ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  MINGW*|MSYS*|CYGWIN*) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

repo="https://github.com/busfit/busfit/releases"
if [[ "$version" == "latest" ]]; then base="$repo/latest/download"; else base="$repo/download/v$version"; fi
if [[ -n "$target" ]] && command -v curl >/dev/null; then
  archive="busfit-$target.tar.gz"
  [[ "$target" == *windows* ]] && archive="busfit-$target.zip"
  tmp="$(mktemp -d)"
  if curl -fsSL -o "$tmp/$archive" "$base/$archive" && curl -fsSL -o "$tmp/$archive.sha256" "$base/$archive.sha256"; then
    (cd "$tmp" && sha256sum -c "$archive.sha256" 2>/dev/null || shasum -a 256 -c "$archive.sha256")
    if [[ "$archive" == *.zip ]]; then unzip -q -o "$tmp/$archive" -d "$bin"; else tar -xzf "$tmp/$archive" -C "$bin"; fi
    found
    exit 0
  fi
  echo "no release binary for $target at $base: installing the Python package" >&2
fi

spec=busfit
[[ "$version" != "latest" ]] && spec="busfit==$version"
python3 -m venv "$bin/venv"
if ! "$bin/venv/bin/pip" install --quiet "$spec"; then
  echo "busfit is not on the package index for this platform: building this action's checkout" >&2
  "$bin/venv/bin/pip" install --quiet "$BUSFIT_ACTION_PATH"
fi
ln -sf "$bin/venv/bin/busfit" "$bin/busfit"
found
