"""A tiny PEP 517 build backend for zephyr's test sdists (standard library only).

`__test__/helpers/dist-builder.ts` copies this module into every sdist it makes,
next to `_zephyr_test_build.json`, which says everything the backend needs: the
wheel's METADATA text, its entry points, which source file goes where in the
wheel, and how the backend should behave (`"ok"`, `"fail"` or
`"needs-build-dep:<requirement>"`). `pyproject.toml` names it with
`backend-path = ["."]`, so the build needs nothing from an index.

Runs on every Python from 3.8 on.
"""

import base64
import csv
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.abspath(__file__))
CONFIG_FILE = "_zephyr_test_build.json"
# Fixed timestamps make a rebuild byte-for-byte identical.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
TAR_MTIME = 1577836800  # 2020-01-01T00:00:00Z
GENERATOR = "_zephyr_test_backend (1.0)"


def _config():
    with open(os.path.join(ROOT, CONFIG_FILE), encoding="utf-8") as f:
        return json.load(f)


# --- behaviour variants ---------------------------------------------------


def _build_requires(config):
    mode = config["backend"]
    if mode.startswith("needs-build-dep:"):
        return [mode[len("needs-build-dep:"):]]
    return []


def _requirement_name(requirement):
    return re.split(r"[\s\[\]<>=!~;@(]", requirement.strip(), 1)[0]


def _check_can_build(config, hook):
    """Fail the way the variant asks: on purpose, or when a build dependency is absent."""
    what = "%s %s" % (config["name"], config["version"])
    if config["backend"] == "fail":
        message = "zephyr test backend: %s of %s failed on purpose (backend = \"fail\")" % (hook, what)
        sys.stderr.write(message + "\n")
        raise RuntimeError(message)
    for requirement in _build_requires(config):
        name = _requirement_name(requirement)
        if not _is_installed(name):
            message = (
                "zephyr test backend: %s of %s needs the build dependency %r, "
                "which is not installed in the build environment" % (hook, what, requirement)
            )
            sys.stderr.write(message + "\n")
            raise RuntimeError(message)


def _is_installed(name):
    import importlib.metadata as md

    # Older importlib.metadata versions do not normalize names: try the usual spellings.
    for candidate in {name, name.replace("-", "_"), name.replace("_", "-"), name.lower()}:
        try:
            md.version(candidate)
            return True
        except md.PackageNotFoundError:
            continue
    return False


# --- wheel writing --------------------------------------------------------


def _b64_sha256(data):
    digest = hashlib.sha256(data).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _wheel_text():
    return "Wheel-Version: 1.0\nGenerator: %s\nRoot-Is-Purelib: true\nTag: py3-none-any\n" % GENERATOR


def _dist_info_files(config):
    """The dist-info files other than RECORD, as (name, bytes) pairs."""
    files = [("METADATA", config["metadata"].encode("utf-8")), ("WHEEL", _wheel_text().encode("utf-8"))]
    if config["entry_points"]:
        files.append(("entry_points.txt", config["entry_points"].encode("utf-8")))
    return files


def _zip_add(zf, arcname, data, executable=False):
    info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
    zf.writestr(info, data)


def _write_wheel(directory, payload, config):
    """Write a wheel with `payload` ((arcname, bytes, executable) triples) and its dist-info."""
    dist_info = config["dist_info"]
    entries = list(payload) + [(dist_info + "/" + n, d, False) for n, d in _dist_info_files(config)]
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    path = os.path.join(directory, config["wheel_name"])
    with zipfile.ZipFile(path, "w") as zf:
        for arcname, data, executable in entries:
            _zip_add(zf, arcname, data, executable)
            writer.writerow([arcname, "sha256=" + _b64_sha256(data), str(len(data))])
        writer.writerow([dist_info + "/RECORD", "", ""])
        _zip_add(zf, dist_info + "/RECORD", record.getvalue().encode("utf-8"))
    return config["wheel_name"]


def _read_source(relative):
    with open(os.path.join(ROOT, relative), "rb") as f:
        return f.read()


# --- PEP 517 hooks ----------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return _build_requires(_config())


def get_requires_for_build_editable(config_settings=None):
    return _build_requires(_config())


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    config = _config()
    _check_can_build(config, "prepare_metadata_for_build_wheel")
    target = os.path.join(metadata_directory, config["dist_info"])
    os.makedirs(target, exist_ok=True)
    for name, data in _dist_info_files(config):
        with open(os.path.join(target, name), "wb") as f:
            f.write(data)
    return config["dist_info"]


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    config = _config()
    _check_can_build(config, "build_wheel")
    payload = [(arcname, _read_source(source), executable) for arcname, source, executable in config["files"]]
    if config_settings:
        # Shows the frontend passed them: a file in the wheel, only when there are any.
        text = json.dumps(config_settings, sort_keys=True).encode("utf-8")
        payload.append(("_zephyr_config_settings_%s.json" % config["dist"], text, False))
    return _write_wheel(wheel_directory, payload, config)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """A wheel whose only payload is a .pth file that puts the source tree on sys.path."""
    config = _config()
    _check_can_build(config, "build_editable")
    pth = "__editable__.%s-%s.pth" % (config["dist"], config["version_escaped"])
    return _write_wheel(wheel_directory, [(pth, (ROOT + "\n").encode("utf-8"), False)], config)


def build_sdist(sdist_directory, config_settings=None):
    config = _config()
    base = config["sdist_base"]

    def normalize(info):
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = TAR_MTIME
        return info

    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for relative in config["sdist_files"]:
            tf.add(os.path.join(ROOT, relative), arcname=base + "/" + relative, recursive=False, filter=normalize)
    return filename
