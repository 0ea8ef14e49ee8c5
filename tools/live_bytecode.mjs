// The bytecode of the modules a live explorer imports, compiled once at build time by the site's own Pyodide.
// Pyodide's wheels carry Python sources only, so every import in the browser compiles them first: for numpy,
// matplotlib, IPython and ipywidgets that is seconds of a cold start. This runs the same Pyodide in node, imports
// what site/live_kernel.py's warm_up and every page's imports import, and writes their __pycache__ files
// (checked-hash .pyc: Python uses one only while its source is unchanged) into a zip that site/live-worker.js
// unpacks over site-packages before the first import.
// Usage: node tools/live_bytecode.mjs PYODIDE_DIR LIVE_KERNEL_PY IMPORTS_JSON OUT_ZIP   (tools/build_site.py runs it)
import { pathToFileURL } from "node:url";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [dir, kernel, imports, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.resolve(dir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(dir) + "/", stdout: () => {}, stderr: () => {} });
await pyodide.loadPackage(["rmsprop-lite-fontlist", "rmsprop-lib"], { messageCallback: () => {} });
pyodide.registerJsModule("live_bridge", { post: () => {} });
pyodide.FS.writeFile("/home/pyodide/live_kernel.py", readFileSync(kernel, "utf8"));
pyodide.globals.set("imports", JSON.parse(readFileSync(imports, "utf8")));
const count = pyodide.runPython(`
import importlib.util, py_compile, sys, zipfile
import live_kernel
live_kernel.warm_up()
for statement in imports:
    exec(statement, {})
site = "/lib/python3.12/site-packages/"
files = sorted({m.__file__ for m in list(sys.modules.values())
                if (getattr(m, "__file__", None) or "").startswith(site) and m.__file__.endswith(".py")})
with zipfile.ZipFile("/tmp/bytecode.zip", "w", zipfile.ZIP_DEFLATED) as archive:
    for source in files:
        cached = importlib.util.cache_from_source(source)
        py_compile.compile(source, cfile=cached, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        archive.write(cached, cached.lstrip("/"))
len(files)
`);
writeFileSync(out, pyodide.FS.readFile("/tmp/bytecode.zip"));
console.log(`${count} modules compiled into ${out}`);
