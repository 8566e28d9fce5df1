// The script zephyr runs once per interpreter (then caches) to learn its
// facts. It must run on every Python we support (3.8+) and print one JSON line.

export const QUERY_SCRIPT_VERSION = 1;

export const QUERY_SCRIPT = String.raw`
import json, os, platform, struct, sys, sysconfig

def venv_scheme():
    names = sysconfig.get_scheme_names()
    if "venv" in names:
        scheme = "venv"
    elif os.name == "nt":
        scheme = "nt"
    else:
        scheme = "posix_prefix"
    marker = "/@@VENV@@"
    vars = {"base": marker, "platbase": marker, "installed_base": marker, "installed_platbase": marker, "userbase": marker}
    paths = sysconfig.get_paths(scheme=scheme, vars=vars, expand=True)
    out = {}
    for k, v in paths.items():
        v = v.replace("\\", "/")
        if v.startswith(marker + "/"):
            out[k] = v[len(marker) + 1:]
    return out

def libc():
    try:
        ver = os.confstr("CS_GNU_LIBC_VERSION")
        if ver:
            name, _, num = ver.partition(" ")
            return {"name": "glibc", "version": num}
    except (AttributeError, ValueError, OSError):
        pass
    name, ver = platform.libc_ver()
    return {"name": name or "", "version": ver or ""}

impl = sys.implementation
iv = impl.version
impl_version = "%d.%d.%d" % (iv.major, iv.minor, iv.micro)
if iv.releaselevel != "final":
    impl_version += iv.releaselevel[0] + str(iv.serial)

markers = {
    "implementation_name": impl.name,
    "implementation_version": impl_version,
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}

print(json.dumps({
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None) or sys.executable,
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "version": platform.python_version(),
    "version_info": [sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.version_info[3], sys.version_info[4]],
    "implementation": impl.name,
    "markers": markers,
    "paths": sysconfig.get_paths(),
    "venv_paths": venv_scheme(),
    "platform": sysconfig.get_platform(),
    "soabi": sysconfig.get_config_var("SOABI") or "",
    "abiflags": getattr(sys, "abiflags", ""),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "pointer_size": struct.calcsize("P") * 8,
    "libc": libc(),
    "mac_ver": platform.mac_ver()[0] if sys.platform == "darwin" else "",
}))
`;
