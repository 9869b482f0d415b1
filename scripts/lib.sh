# Shared by the scripts: installing Debian packages only when missing.

# apt_ensure PACKAGE...: installs the packages that are not installed yet (as root, or
# through sudo); does nothing, and needs no network, when all are present.
apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "Installing: ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What a private dummy-driver X server needs (scripts/demo and the tests).
X_PACKAGES=(xserver-xorg-core xserver-xorg-video-dummy x11-xserver-utils xauth)

# What the render loop needs: EGL (libglvnd and Mesa's vendor library) with Mesa's
# software drivers (llvmpipe, softpipe), libxcb (EGL's X11 windows are made through
# it) and libgbm (EGL on a DRM device); all loaded at run time.
GL_PACKAGES=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri libgbm1 libxcb1)

# The capture helper's tests: getcap/setcap (libcap2-bin) cross-check its file
# capability; setpriv (util-linux, always installed) runs xrdisplay unprivileged.
KMS_HELPER_PACKAGES=(libcap2-bin)
