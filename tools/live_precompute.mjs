// The values a page's live explorers only read, computed once at build time by the site's own Pyodide.
// Runs every page's program in node as the page would (tools/live_code.py's run_page, with site/live_kernel.py's
// comms so that widgets can be made), then rewrites each page's JSON with precompute(): statements whose needed
// results are plain data become restores of those values, so a reader's first explorer does not wait for them.
// Usage: node tools/live_precompute.mjs PYODIDE_DIR LIVE_KERNEL_PY LIVE_CODE_PY PAGE_JSON...   (tools/build_site.py)
import { pathToFileURL } from "node:url";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [dir, kernel, code, ...pages] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.resolve(dir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(dir) + "/", stdout: (line) => console.log(line), stderr: () => {} });
await pyodide.loadPackage(["rmsprop-lite-fontlist", "rmsprop-lib"], { messageCallback: () => {} });
pyodide.registerJsModule("live_bridge", { post: () => {} });
pyodide.FS.writeFile("/home/pyodide/live_kernel.py", readFileSync(kernel, "utf8"));
pyodide.FS.writeFile("/home/pyodide/live_code.py", readFileSync(code, "utf8"));
pyodide.runPython("import live_kernel, live_code");  // live_kernel: the page's comms, Agg
for (const page of pages) {
  const inside = `/tmp/${path.basename(page)}`;
  pyodide.FS.writeFile(inside, readFileSync(page, "utf8"));
  pyodide.globals.set("page_path", inside);
  pyodide.runPython("live_code.main(['--precompute', page_path])");
  writeFileSync(page, pyodide.FS.readFile(inside, { encoding: "utf8" }));
}
