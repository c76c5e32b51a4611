#!/usr/bin/env bash
# Build the Pulumi CLI pinned by requirements.txt and install it into a directory (usually .venv/bin):
#   pulumi                          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi, version stamped
#   pulumi-language-python          tools/pulumi-cli/cmd/pulumi-language-python (see its header comment)
#   pulumi-language-python-exec     script from the sdk/v3 module, run by the language host
#   pulumi-resource-pulumi-python   script from the sdk/v3 module, the dynamic-provider plugin
#
# Sources come only from the Go module proxy, verified against tools/pulumi-cli/go.sum (-mod=readonly).
# The result is cached outside the repository, keyed by version and a hash of everything that shapes
# it, so a machine builds each version once (about 5 minutes on 2 cores) and every later run only
# links. Cache root: $SAGEMAKER_HOSTING_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/sagemaker-hosting.
#
# Usage: scripts/build_pulumi.sh TARGET_DIR
set -euo pipefail

die() { echo "build_pulumi.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: scripts/build_pulumi.sh TARGET_DIR"
target=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module=$repo/tools/pulumi-cli

# The CLI must be the version of the Python SDK the project pins.
version=$(sed -n 's/^pulumi==\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$repo/requirements.txt")
[ -n "$version" ] || die "requirements.txt has no 'pulumi==X.Y.Z' line"
for go_module in github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3; do
    required=$(awk -v m="$go_module" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$module/go.mod")
    [ "$required" = "v$version" ] || die "requirements.txt pins pulumi==$version but tools/pulumi-cli/go.mod requires" \
        "$go_module ${required:-nothing}; update go.mod (go get $go_module@v$version && go mod tidy) or requirements.txt"
done

command -v go >/dev/null || die "go is not on PATH (Go 1.26.6 or newer, what pulumi/pkg/v3 requires, is needed to build the Pulumi CLI)"
# Pure-Go static binaries, no VCS stamping, verified modules only: the same inputs give the same build.
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -trimpath -buildvcs=false"

key=$(
    cd "$module"
    { go env GOVERSION GOOS GOARCH; cat "$repo/scripts/build_pulumi.sh" go.mod go.sum tools.go;
      find cmd -type f -name '*.go' | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16
)
cache_root=${SAGEMAKER_HOSTING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sagemaker-hosting}
cache=$cache_root/pulumi-$version-$key
tools=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)

if [ ! -d "$cache" ]; then
    echo "Building the Pulumi CLI v$version into $cache (first time on this machine: about 5 minutes on 2 cores)"
    mkdir -p "$cache_root"
    staging=$(mktemp -d "$cache_root/.building-XXXXXX")
    chmod 0755 "$staging"
    trap 'rm -rf "$staging"' EXIT
    (
        cd "$module"
        start=$SECONDS
        go build -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
            -o "$staging/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./cmd/pulumi-language-python
        sdk=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
        install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$sdk/python/dist/pulumi-resource-pulumi-python" \
            "$staging/"
        echo "Built in $((SECONDS - start)) s"
    )
    # Publish atomically; if a concurrent build got there first, keep its result.
    mv -T "$staging" "$cache" 2>/dev/null || [ -d "$cache" ] || die "could not create $cache"
fi

mkdir -p "$target"
for tool in "${tools[@]}"; do
    [ -x "$cache/$tool" ] || die "$cache/$tool is missing; delete $cache and run again"
    ln -sfn "$cache/$tool" "$target/$tool"
done
echo "Pulumi CLI v$version: $(cd "$target" && pwd)/pulumi -> $cache/pulumi"
