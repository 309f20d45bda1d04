// Opens a threatls report in Debian's headless Chromium and prints what a reader would see,
// as JSON: console errors, requests that left the page, what the diagram drew. Run by
// cmd/threatls/browser_test.go.
//
//   node check.mjs html REPORT.html SHOT.png      the HTML report
//   node check.mjs mermaid DIAGRAM.mmd SHOT.png   a Mermaid diagram, rendered as GitHub does
import { chromium } from "playwright-core";
import { pathToFileURL, fileURLToPath } from "node:url";
import { writeFileSync, readFileSync } from "node:fs";
import path from "node:path";

const [mode, input, shot] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const out = { consoleErrors: [], requests: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => { if (m.type() === "error") out.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => out.consoleErrors.push(String(e)));
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) out.requests.push(r.url()); });
  if (mode === "html") {
    await page.goto(pathToFileURL(path.resolve(input)).href, { waitUntil: "load" });
    out.title = await page.title();
    out.nodes = await page.locator("#dfd svg g.node").count();
    out.clusters = await page.locator("#dfd svg g.cluster").count();
    out.pathEdges = await page.locator("#dfd svg g.edge.attack-path").count();
    out.nodeLinks = await page.locator("#dfd svg g.node a").count();
    const box = await page.locator("#dfd svg").boundingBox();
    out.diagram = box ? { width: Math.round(box.width), height: Math.round(box.height) } : null;
    await page.locator("#dfd").screenshot({ path: shot });
    // The whole page too, for people to look at; a very tall page may exceed what Chromium
    // can capture, which the check does not depend on.
    await page.screenshot({ path: shot.replace(/\.png$/, "-page.png"), fullPage: true })
      .catch((e) => { out.pageScreenshotError = String(e).split("\n")[0]; });
  } else if (mode === "mermaid") {
    const html = path.join(path.dirname(path.resolve(shot)), "mermaid.html");
    writeFileSync(html, `<!DOCTYPE html><html><body><div id="out"></div>
<script src="${pathToFileURL(path.join(here, "node_modules/mermaid/dist/mermaid.min.js")).href}"></script></body></html>`);
    await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
    const src = readFileSync(input, "utf8");
    const res = await page.evaluate(async (src) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
      try {
        const { svg } = await mermaid.render("diagram", src);
        document.getElementById("out").innerHTML = svg;
        return { ok: true, nodes: document.querySelectorAll("#out g.node").length,
          clusters: document.querySelectorAll("#out g.cluster").length,
          edges: document.querySelectorAll("#out .edgePaths path").length };
      } catch (e) { return { ok: false, error: String(e) }; }
    }, src);
    Object.assign(out, res);
    await page.locator("#out").screenshot({ path: shot });
  } else {
    throw new Error("mode: html or mermaid");
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + "\n");
