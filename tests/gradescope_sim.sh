#!/usr/bin/env bash
# A Gradescope-shaped container on this machine, for proving an autograder bundle end to end.
#
#   gradescope_sim.sh rootfs BASE                      build BASE (debootstrap, Debian 12 minbase
#                                                      with python3 and python3-venv), once
#   gradescope_sim.sh setup  BASE IMAGE BUNDLE.zip     the "image build": BUNDLE unzipped into
#                                                      /autograder/source, setup.sh run there once;
#                                                      what it changes is kept in IMAGE (an overlay)
#   gradescope_sim.sh run    BASE IMAGE SUBMISSION OUT [docker|privileged]
#                                                      one submission in a fresh container of that
#                                                      image: SUBMISSION copied to
#                                                      /autograder/submission, /autograder/run_autograder
#                                                      run as root from /autograder, and
#                                                      /autograder/results copied to OUT
#
# A container is a mount and PID namespace (unshare) holding an overlay of BASE (and IMAGE)
# with a fresh writable layer, /proc, /dev and a /tmp of its own, entered with chroot as root.
# "docker" (the default) takes CAP_SYS_ADMIN away, as Docker's default profile does: bubblewrap
# cannot start and the grader has to use its unprivileged-user path. "privileged" keeps it, so
# bubblewrap starts. Needs root, unshare, chroot, setpriv (util-linux) and overlayfs; building BASE
# needs debootstrap and Debian's package mirror. Every run of a submission starts from the image
# as setup.sh left it, as Gradescope does.
set -euo pipefail

die() { echo "gradescope_sim: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (mount and chroot)"

# enter LOWERDIRS UPPER CAPS COMMAND: run COMMAND (bash) as root in a container whose root is an
# overlay of LOWERDIRS (colon separated, top first) with the writable layer UPPER.
enter() {
    local lower=$1 upper=$2 caps=$3 command=$4 top
    top=$(mktemp -d "${TMPDIR:-/tmp}/gs-sim.XXXXXX")
    mkdir -p "$upper" "$top/work" "$top/root"
    local drop=()
    [ "$caps" = docker ] && drop=(setpriv --bounding-set -sys_admin --inh-caps -sys_admin --)
    local status=0
    unshare --mount --pid --fork --propagation private /bin/bash -euo pipefail -c '
        root=$1 lower=$2 upper=$3 work=$4; shift 4
        mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$root"
        mount -t proc proc "$root/proc"
        mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
        mount -t tmpfs -o mode=755 tmpfs "$root/dev"
        for d in null zero full random urandom tty; do
            touch "$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"
        done
        mkdir -p "$root/dev/pts" "$root/dev/shm"; mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
        mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && ln -s pts/ptmx "$root/dev/ptmx"
        ln -s /proc/self/fd "$root/dev/fd"
        cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        if [ -n "${GS_SIM_WHEELS:-}" ]; then  # a local wheel folder for an offline setup.sh
            mkdir -p "$root/wheels"; mount --bind -o ro "$GS_SIM_WHEELS" "$root/wheels"
        fi
        exec "$@" chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 /bin/bash -c "$0"
    ' "$command" "$top/root" "$lower" "$upper" "$top/work" "${drop[@]}" || status=$?
    rm -rf "$top"
    return $status
}

cmd=${1:-}; shift || true
case "$cmd" in
rootfs)
    base=${1:?BASE}
    [ -x "$base/usr/bin/python3" ] && { echo "gradescope_sim: $base already built"; exit 0; }
    command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
    mirror=${GS_SIM_MIRROR:-http://deb.debian.org/debian}
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$base.partial" "$mirror"
    rm -rf "$base.partial/var/cache/apt/archives/"*.deb
    mv "$base.partial" "$base"
    ;;
setup)
    base=${1:?BASE} image=${2:?IMAGE} bundle=${3:?BUNDLE.zip}
    rm -rf "$image"; mkdir -p "$image/autograder/source" "$image/autograder/submission" \
        "$image/autograder/results"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
        "$bundle" "$image/autograder/source"
    chmod 755 "$image/autograder/source/setup.sh" "$image/autograder/source/run_autograder"
    cp "$image/autograder/source/run_autograder" "$image/autograder/run_autograder"
    # GS_SIM_WHEELS: a folder of wheels that setup.sh's pip installs from instead of an index
    offline=""
    [ -n "${GS_SIM_WHEELS:-}" ] && offline="export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels"
    enter "$base" "$image" privileged "$offline
cd /autograder/source && bash ./setup.sh"
    rmdir "$image/wheels" 2>/dev/null || true
    ;;
run)
    base=${1:?BASE} image=${2:?IMAGE} submission=${3:?SUBMISSION} out=${4:?OUT} caps=${5:-docker}
    [ -d "$image/autograder" ] || die "$image: run setup first"
    layer=$(mktemp -d "${TMPDIR:-/tmp}/gs-sim-run.XXXXXX")
    mkdir -p "$layer/upper/autograder/submission" "$layer/upper/autograder/results"
    cp -r "$submission"/. "$layer/upper/autograder/submission/"
    status=0
    # after run_autograder: wait GS_SIM_LINGER seconds (a process it left behind could still
    # rewrite results.json), then list every process still alive besides this shell
    enter "$image:$base" "$layer/upper" "$caps" "cd /autograder && ./run_autograder; rc=\$?
sleep ${GS_SIM_LINGER:-2}
for p in /proc/[0-9]*; do
    [ \"\${p#/proc/}\" = \"\$\$\" ] && continue
    echo \"\${p#/proc/} uid=\$(stat -c %u \$p) \$(tr '\\0' ' ' < \$p/cmdline 2>/dev/null)\"
done > /autograder/.sim-leftovers 2>/dev/null
exit \$rc" || status=$?
    rm -rf "$out"; mkdir -p "$out"
    cp -r "$layer/upper/autograder/results"/. "$out/" 2>/dev/null || true
    cp "$layer/upper/autograder/.sim-leftovers" "$out/leftovers.txt" 2>/dev/null || true
    rm -rf "$layer"
    exit $status
    ;;
*)
    sed -n '2,22p' "$0"; exit 2
    ;;
esac
