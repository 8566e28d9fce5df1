// The PEP 517 driver zephyr ships: run in a subprocess of the build's
// interpreter, with the source tree as its working folder, it imports the
// backend (from `backend-path` when the project names one), calls one hook
// with the arguments it is given and writes the hook's result as JSON to a
// file, so that whatever the backend prints goes to the build log only.
// It must run on every Python we support (3.8+).

export const HOOK_SCRIPT = String.raw`
import importlib, json, os, sys, traceback

def write(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f)

def inside(path, folders):
    path = os.path.normcase(os.path.realpath(path))
    for folder in folders:
        folder = os.path.normcase(os.path.realpath(folder))
        if path == folder or path.startswith(folder + os.sep):
            return True
    return False

def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    out = request["result"]
    # The working folder is the source tree: it is not importable, except through backend-path.
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    backend_path = [os.path.abspath(p) for p in request["backend_path"]]
    sys.path[:0] = backend_path
    module_name, _, object_path = request["backend"].partition(":")
    try:
        backend = importlib.import_module(module_name.strip())
    except ImportError as e:
        traceback.print_exc()
        write(out, {"error": "backend-unavailable", "message": "%s: %s" % (type(e).__name__, e)})
        return 0
    if backend_path and not inside(getattr(backend, "__file__", "") or "", backend_path):
        write(out, {"error": "backend-path", "message": "the backend %s was not loaded from backend-path (%s) but from %s" % (module_name, ", ".join(backend_path), getattr(backend, "__file__", "?"))})
        return 0
    for part in object_path.strip().split("."):
        if part:
            backend = getattr(backend, part)
    hook = getattr(backend, request["hook"], None)
    if hook is None:
        write(out, {"unsupported": True})
        return 0
    try:
        result = hook(*request["args"])
    except BaseException as e:
        traceback.print_exc()
        sys.stderr.flush()
        write(out, {"error": "hook-failed", "message": "%s: %s" % (type(e).__name__, e)})
        return 0
    write(out, {"result": result})
    return 0

sys.exit(main())
`;
