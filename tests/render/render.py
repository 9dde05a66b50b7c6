#!/usr/bin/env python3
"""Renders every Mermaid diagram (*.mmd) of a folder with Mermaid's own renderer in headless
Chromium, all in one page, and prints one line per diagram: `NAME rendered N nodes` or
`NAME failed: REASON`. Exits 1 when any fails.

    python3 tests/render/render.py DIR MERMAID_JS [SCREENSHOT_OF_FIRST.png]

MERMAID_JS is mermaid.min.js from the npm package `mermaid` (11.x). Chromium is Debian's
(`/usr/bin/chromium`). tests/mermaid.rs runs this on the diagrams of every fixture folder.
"""
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--allow-file-access-from-files", "--virtual-time-budget=60000",
]

PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="out"></div>
<pre id="status">pending</pre>
<script src="mermaid.min.js"></script>
<script>
const diagrams = %s;
mermaid.initialize({startOnLoad: false, securityLevel: 'strict', maxTextSize: 500000, maxEdges: 5000});
(async () => {
  const results = [];
  for (let i = 0; i < diagrams.length; i++) {
    const [name, text] = diagrams[i];
    try {
      const {svg} = await mermaid.render('d' + i, text);
      const holder = document.createElement('div');
      holder.innerHTML = svg;
      document.getElementById('out').appendChild(holder);
      const nodes = holder.querySelectorAll('g.node').length;
      results.push(nodes > 0 ? name + ' rendered ' + nodes + ' nodes' : name + ' failed: no nodes');
    } catch (e) {
      results.push(name + ' failed: ' + String(e && e.message ? e.message : e).split('\\n')[0]);
    }
  }
  document.getElementById('status').textContent = results.join('\\n');
})();
</script></body></html>"""


def main():
    folder, mermaid_js = sys.argv[1], sys.argv[2]
    shot = sys.argv[3] if len(sys.argv) > 3 else None
    names = sorted(n for n in os.listdir(folder) if n.endswith(".mmd"))
    diagrams = [[n[:-4], open(os.path.join(folder, n), encoding="utf-8").read()] for n in names]
    work = tempfile.mkdtemp()
    try:
        shutil.copy(mermaid_js, os.path.join(work, "mermaid.min.js"))
        # the diagrams as a JSON literal inside a script: `</` escaped so no text closes it
        data = json.dumps(diagrams).replace("</", "<\\/")
        page = os.path.join(work, "page.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(PAGE % data)
        profile = os.path.join(work, "profile")
        dom = subprocess.run(
            ["chromium", *FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"file://{page}"],
            capture_output=True, text=True, timeout=600,
        ).stdout
        start = dom.find('<pre id="status">')
        status = dom[start + len('<pre id="status">'):dom.find("</pre>", start)] if start >= 0 else ""
        lines = [html.unescape(l) for l in status.splitlines() if l.strip()]
        if not lines or lines == ["pending"]:
            print("failed: the page did not finish")
            return 1
        if shot and diagrams:
            one = os.path.join(work, "one.html")
            with open(one, "w", encoding="utf-8") as f:
                f.write(PAGE % json.dumps(diagrams[:1]).replace("</", "<\\/"))
            subprocess.run(
                ["chromium", *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,900",
                 f"--screenshot={shot}", f"file://{one}"],
                capture_output=True, timeout=300,
            )
        print("\n".join(lines))
        return 0 if all(" rendered " in l for l in lines) and len(lines) == len(diagrams) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
