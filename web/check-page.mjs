// Opens a map page gazmap wrote in a real headless Chromium, from disk, with every network
// request refused, and checks what a reader would: every feature is on the map, opening every
// popup runs no script from the data (and shows it as text), and the time slider changes which
// features are on the map.
// Usage: NODE_PATH=… node web/check-page.mjs INDEX.html FEATURES DAY VISIBLE_ON_DAY
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const [page_, features, day, onDay] = process.argv.slice(2);
const fail = (m) => { console.error("check-page: " + m); process.exitCode = 1; };
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "gazmap-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  offline: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const requests = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  // a trap the data's scripts would spring
  await page.addInitScript(() => { window.__pwned = 0; });
  await page.goto(pathToFileURL(path.resolve(page_)).href, { waitUntil: "load" });
  await page.waitForFunction(() => window.gazmap !== undefined, null, { timeout: 20000 }).catch((e) => { throw new Error(`no map: ${errors.join("; ")}`); });
  const got = await page.evaluate(() => ({ n: window.gazmap.features, visible: window.gazmap.visible() }));
  if (got.n !== +features) fail(`${got.n} features in the page, expected ${features}`);
  if (got.visible !== +features) fail(`${got.visible} features on the map, expected ${features}`);
  // every popup opened in turn, as a reader clicking each feature would
  const shown = await page.evaluate(async (n) => {
    const texts = [];
    for (let i = 0; i < n; i++) {
      const c = window.gazmap.openPopup(i);
      await new Promise((r) => setTimeout(r, 5));
      const open = Array.from(document.querySelectorAll(".leaflet-popup-content")).some((el) => el.contains(c));
      texts.push(open ? c.textContent : "");
    }
    return { texts, pwned: window.__pwned, imgs: document.querySelectorAll(".leaflet-popup-content img, .leaflet-popup-content script").length };
  }, got.n);
  if (shown.pwned !== 0) fail(`a script from the data ran (window.__pwned = ${shown.pwned})`);
  if (shown.imgs !== 0) fail(`${shown.imgs} elements from the data in a popup`);
  if (shown.texts.some((t) => t === "")) fail("a popup did not open");
  const hostile = shown.texts.filter((t) => t.includes("<img") || t.includes("<script")).length;
  // the slider: a day shows only the features whose date_start..date_end holds it
  const slid = await page.evaluate(async (d) => {
    const s = document.getElementById("gz-slider");
    s.value = String(Date.parse(d + "T00:00:00Z") / 86400000);
    s.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, 50));
    return { visible: window.gazmap.visible(), label: document.querySelector(".gz-day").textContent };
  }, day);
  if (slid.visible !== +onDay) fail(`${slid.visible} features on ${day}, expected ${onDay} (${slid.label})`);
  const back = await page.evaluate(() => window.gazmap.showAll());
  if (back !== +features) fail(`${back} features after 'all dates', expected ${features}`);
  if (requests.length) fail(`the page asked the network for ${requests.join(", ")}`);
  if (errors.length) fail(`errors in the page: ${errors.join("; ")}`);
  await page.screenshot({ path: path.join(path.dirname(page_), "index.png") });
  if (!process.exitCode) {
    console.log(`ok  ${page_}: ${got.n} features shown, ${got.n} popups opened (${hostile} with HTML in the data, shown as text, none ran), ` +
      `${slid.visible} on ${day}, no network request`);
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
