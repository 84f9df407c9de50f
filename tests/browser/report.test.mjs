// The Retry Recovery SLO table, provider summary and closure-trend chart, computed in the
// browser in preview mode from the sample evidence.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, staticServer, newPage, ARTIFACTS } from "./lib.mjs";

test("Retry Recovery SLO table, filter, sort and trend chart in preview", async () => {
  const server = await staticServer();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/?mode=preview`);
    await page.waitForFunction(() => document.getElementById("preview-items").value.length > 0);
    await page.click("#refresh-report");
    await page.waitForSelector("#recovery-rows tbody tr");
    const rows = await page.$$eval("#recovery-rows tbody tr", (trs) => trs.map((tr) => ({
      provider: tr.cells[0].textContent, slo: tr.cells[6].textContent, breached: tr.classList.contains("row-breached"),
    })));
    assert.equal(rows.length, 6);
    assert.deepEqual(rows.filter((r) => r.breached).map((r) => r.provider), ["slack"]);
    assert.equal(rows.find((r) => r.provider === "servicenow").slo, "closed");

    // Provider filter.
    await page.selectOption("#report-provider", "jira");
    assert.equal(await page.$$eval("#recovery-rows tbody tr", (trs) => trs.length), 1);
    await page.selectOption("#report-provider", "");
    // Sort by age, descending on the second click.
    await page.click("#recovery-rows th[data-key='age_minutes'] button");
    await page.click("#recovery-rows th[data-key='age_minutes'] button");
    assert.equal(await page.getAttribute("#recovery-rows th[data-key='age_minutes']", "aria-sort"), "descending");
    const ages = await page.$$eval("#recovery-rows tbody tr", (trs) => trs.map((tr) => Number(tr.cells[4].textContent)));
    assert.deepEqual(ages, [...ages].sort((a, b) => b - a));

    // Provider summary and the chart (two UTC days of closures, stacked by state).
    assert.equal(await page.$$eval("#provider-summary tbody tr", (trs) => trs.length), 6);
    const days = await page.$$eval("#trend-chart rect[data-day]", (rects) => [...new Set(rects.map((r) => r.dataset.day))]);
    assert.deepEqual(days.sort(), ["2026-11-22", "2026-11-23"]);
    assert.match(await page.textContent("#report-summary"), /1 past the 240-minute SLO/);
    await page.screenshot({ path: join(ARTIFACTS, "report-preview.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
