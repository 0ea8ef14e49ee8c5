// The Python of a page's live explorers: Pyodide in a Web Worker, the same runtime and wheels as the site's
// JupyterLite copy (its static/pyodide/ folder and pyodide-lock.json: numpy, matplotlib, ipywidgets, rmsprop_lib).
// site/live.js starts it on the first click and talks to it in messages:
//   page -> worker: {type: "boot", pyodide, kernel, bytecode}, {type: "run", id, statements}, {type: "comm", seq, content, buffers}
//   worker -> page: {type: "booted", marks}, {type: "ran", id, result | error}, {type: "idle", seq},
//                   {type: "comm_open" | "comm_msg" | "comm_close", message, buffers} (a widget's messages)
// Everything runs in order: a slider's message waits for the program before it, as in a kernel.
"use strict";

let python = null;
let queue = Promise.resolve();
const marks = [];
const mark = (what) => marks.push([performance.now(), what]);

async function boot({ pyodide, kernel, bytecode }) {
  mark("worker started");
  importScripts(`${pyodide}pyodide.js`);
  const [kernelSource, compiled, runtime] = await Promise.all([
    fetch(kernel).then((r) => r.text()),
    // the imported modules' bytecode (tools/live_bytecode.mjs); without it Python compiles them
    fetch(bytecode).then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null),
    // what the notebook's statements print has no place on the page (their tables are the page's own text)
    loadPyodide({ indexURL: pyodide, stdout: () => {}, stderr: (text) => console.warn(text) }),
  ]);
  mark("Pyodide started");
  // the series' packages in one parallel batch (as the JupyterLite kernel does)
  await runtime.loadPackage(["rmsprop-lite-fontlist", "rmsprop-lib"], { messageCallback: () => {} });
  mark("packages loaded");
  if (compiled) {
    runtime.unpackArchive(compiled, "zip", { extractDir: "/" });
    mark("bytecode unpacked");
  }
  runtime.registerJsModule("live_bridge", {
    post(type, message, buffers) {  // a widget's message; its buffers (an image's PNG) copied out of Python
      const list = buffers.toJs();
      buffers.destroy();
      const copies = list.map((b) => new Uint8Array(b).buffer);
      self.postMessage({ type, message, buffers: copies }, copies);
    },
  });
  runtime.FS.writeFile("/home/pyodide/live_kernel.py", kernelSource);
  python = runtime.pyimport("live_kernel");
  const seconds = python.warm_up();
  mark(`imports (numpy, matplotlib, IPython, ipywidgets, rmsprop_lib): ${seconds.toFixed(2)} s`);
  const resources = performance.getEntriesByType("resource").map((r) => [r.name.split("/").pop(), r.startTime, r.responseEnd, r.transferSize]);
  self.postMessage({ type: "booted", marks, origin: performance.timeOrigin, resources });
}

function handle(message) {
  if (message.type === "boot") return boot(message);
  if (message.type === "run") {
    try {
      const result = JSON.parse(python.run(JSON.stringify(message.statements)));
      self.postMessage({ type: "ran", id: message.id, result });
    } catch (error) {
      self.postMessage({ type: "ran", id: message.id, error: String(error.message || error) });
    }
    return;
  }
  if (message.type === "comm") {
    try {
      python.comm_msg(String(message.seq), JSON.stringify(message.content), message.buffers.map((b) => new Uint8Array(b.buffer || b)));
    } finally {
      self.postMessage({ type: "idle", seq: message.seq });
    }
  }
}

self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch((error) => {
    self.postMessage({ type: "failed", error: String(error.message || error) });
  });
};
