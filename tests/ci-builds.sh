#!/bin/sh
# ci-builds.sh -- the test command of README.md, which .ci/run runs: the
# whole suite in three builds, out of tree, each in _build/NAME:
#
#   gcc    make distcheck: the release tarball, built again and checked
#   clang  make distcheck with CC=clang CXX=clang++, and tests/*.sh run
#          by bash (the others by dash, configure's default)
#   ubsan  make check, built by gcc at -O0 with -fsanitize=undefined
#          -fno-sanitize-recover=all: undefined behaviour anywhere, in
#          the launcher, the library or the preload library inside the
#          programs it runs, ends that program with a message and fails
#          the test.  The runtime is linked in statically
#          (-static-libubsan): the shared libubsan needs libstdc++, which
#          preloaded into every program would allocate there and change
#          what the tests count.  (gcc cannot then link tests/static_prog
#          statically, and launcher.sh skips that one row.)
#
# So the expected outputs hold at -O0 and -O2, with gcc and with clang.
# Run it from anywhere; MAKE_JOBS (default 2) is make's -j.  Needs, beyond
# the build's own packages: clang, dash (Debian's /bin/sh) and bash.
set -eu
cd "$(dirname "$0")/.."
jobs=${MAKE_JOBS:-2}
for tool in clang clang++ dash bash; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "ci-builds.sh: $tool not found" \
             "(Debian: apt-get install clang dash bash)" >&2
        exit 1
    }
done
./autogen.sh

# build NAME TARGET CONFIGURE-ARGUMENT...: configure in _build/NAME and
# make TARGET there (distcheck configures its copy with $distcheck_flags);
# on failure, show the logs of the tests that failed.
build() {
    name=$1 target=$2
    shift 2
    echo "==== $name: configure $* && make $target"
    rm -rf "_build/$name"
    mkdir -p "_build/$name"
    if (cd "_build/$name" && ../../configure --enable-werror "$@" &&
        make -j"$jobs" "$target" \
            DISTCHECK_CONFIGURE_FLAGS="$distcheck_flags"); then
        echo "==== $name: passed"
        return 0
    fi
    echo "==== $name: FAILED"
    find "_build/$name" -name test-suite.log -exec cat {} + || :
    exit 1
}

distcheck_flags=--enable-werror
build gcc distcheck
distcheck_flags="--enable-werror CC=clang CXX=clang++ TEST_SHELL=/bin/bash"
build clang distcheck CC=clang CXX=clang++ TEST_SHELL=/bin/bash
distcheck_flags=
ubsan="-fsanitize=undefined -fno-sanitize-recover=all"
UBSAN_OPTIONS=print_stacktrace=1
export UBSAN_OPTIONS
build ubsan check CFLAGS="-O0 -g $ubsan" CXXFLAGS="-O0 -g $ubsan" \
    LDFLAGS="-fsanitize=undefined -static-libubsan"
echo "ci-builds.sh: all three builds passed"
