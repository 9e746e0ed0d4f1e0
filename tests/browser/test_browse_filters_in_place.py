"""The browse filters swap their results in place however soon the visitor acts after an update."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

# Submits the filter form that an HTMX swap brings in, in the same moment it arrives: a visitor (or
# a test) who presses Enter right after the results change. A form that HTMX has not yet taken over
# would be sent by the browser itself, reloading the whole page.
SUBMIT_THE_NEXT_FORM_AT_ONCE = """(marker) => {
  const observer = new MutationObserver(() => {
    const form = document.getElementById("filters");
    if (!form || form === window.__firstForm) return;
    observer.disconnect();
    form.querySelector("#q").value = marker;
    form.requestSubmit();
  });
  window.__firstForm = document.getElementById("filters");
  observer.observe(document.body, {childList: true, subtree: true});
}"""


def test_a_filter_sent_the_moment_new_filters_arrive_still_changes_the_results_in_place(
    live_server: str, browser_page: Page
) -> None:
    page = browser_page
    marker = f"nothing{uuid.uuid4().hex[:8]}"
    page.goto(f"{live_server}/lots")
    page.evaluate("window.__notReloaded = true")
    page.evaluate(SUBMIT_THE_NEXT_FORM_AT_ONCE, marker)

    page.select_option("#category", "textiles/fabric")  # swaps in new filters, which are sent at once

    expect(page).to_have_url(re.compile(rf"/lots\?q={marker}&category=textiles%2Ffabric"))
    expect(page.locator("#q")).to_have_value(marker)
    expect(page.get_by_test_id("result-count")).to_contain_text("No lots match")
    assert page.evaluate("window.__notReloaded") is True, "the browser sent the form itself: a full page load"
