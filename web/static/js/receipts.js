/* Bid receipts in the browser (no framework, no inline script: the CSP allows scripts from /static only).
 *
 *  Saving: every receipt panel ([data-receipt-save], after a bid and on "My bids") is kept in localStorage
 *  under "surplus-exchange:receipt:<lot id>", the latest revision replacing the one before.
 *
 *  Checking: the opening report's "Check my receipt" (#check-receipt) recomputes the commitment of
 *  exchange/auctions/receipts.py with WebCrypto, SHA-256 (hex) of these lines joined by "\n":
 *      surplus-exchange:bid-receipt:v1 / lot:<id> / bidder:<org id> / amount:<amount> <currency> /
 *      revision:<n> / placed_at_us:<microseconds since the epoch> / nonce:<nonce>
 *  then finds that hash in the report's rows with the same amount and time, as `exchange verify-receipt`
 *  does, and says which check failed. The words come from the section's data-msg-* attributes, already in
 *  the page's language.
 */
(function () {
  "use strict";

  var VERSION = "surplus-exchange:bid-receipt:v1";
  var FIELDS = ["lot_id", "bidder_org_id", "amount", "currency", "revision", "placed_at", "nonce", "receipt"];

  function storageKey(lotId) { return "surplus-exchange:receipt:" + lotId; }

  function saveReceipts(root) {
    var panels = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("[data-receipt-save]") : []);
    if (root.matches && root.matches("[data-receipt-save]")) panels.push(root);
    panels.forEach(function (panel) {
      try {
        var receipt = JSON.parse(panel.getAttribute("data-receipt-save"));
        window.localStorage.setItem(storageKey(receipt.lot_id), JSON.stringify(receipt));
      } catch (e) { /* storage off or full: the download link still works */ }
    });
  }

  /* Whole microseconds since the epoch of an ISO 8601 time with an offset, exactly (BigInt, no float). */
  function micros(iso) {
    var m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(String(iso));
    if (!m) return null;
    var ms = Date.parse(m[1].replace(" ", "T") + m[3]);
    if (isNaN(ms)) return null;
    return BigInt(ms) * BigInt(1000) + BigInt((m[2] || "").padEnd(6, "0"));
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function commitment(receipt, placedUs) {
    var lines = [
      VERSION,
      "lot:" + receipt.lot_id,
      "bidder:" + receipt.bidder_org_id,
      "amount:" + receipt.amount + " " + receipt.currency,
      "revision:" + receipt.revision,
      "placed_at_us:" + placedUs.toString(),
      "nonce:" + receipt.nonce
    ];
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines.join("\n"))).then(hex);
  }

  function say(section, name, values) {
    var text = section.getAttribute("data-msg-" + name) || name;
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    var verdict = section.querySelector("[data-testid=receipt-verdict]");
    verdict.textContent = text;
    verdict.setAttribute("data-verdict", name);
    verdict.classList.toggle("is-ok", name === "ok");
    verdict.classList.toggle("is-bad", name !== "ok");
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-testid=opening-report] tr[data-receipt]"));
  }

  function rowText(row, selector) {
    var cell = row.querySelector(selector);
    return cell ? cell.textContent.trim() : "";
  }

  function check(section, receipt) {
    if (!receipt || typeof receipt !== "object") return say(section, "not-receipt", { field: "receipt" });
    for (var i = 0; i < FIELDS.length; i++) {
      var value = receipt[FIELDS[i]];
      if (value === undefined || value === null || value === "") return say(section, "not-receipt", { field: FIELDS[i] });
    }
    var placedUs = micros(receipt.placed_at);
    if (placedUs === null) return say(section, "not-receipt", { field: "placed_at" });
    var lotId = section.getAttribute("data-lot-id");
    if (String(receipt.lot_id) !== lotId) return say(section, "wrong-lot", { receipt_lot: receipt.lot_id, lot: lotId });
    if (!window.crypto || !window.crypto.subtle) return say(section, "no-crypto");
    var claimed = receipt.amount + " " + receipt.currency;
    return commitment(receipt, placedUs).then(function (hash) {
      var all = rows();
      var listed = all.filter(function (row) { return row.getAttribute("data-receipt") === hash; })[0];
      if (hash !== String(receipt.receipt).toLowerCase()) {
        // The fields no longer hash to the receipt: if the report lists the receipt, say which field moved.
        var original = all.filter(function (row) { return row.getAttribute("data-receipt") === String(receipt.receipt); })[0];
        if (original && original.getAttribute("data-amount") !== String(receipt.amount)) {
          return say(section, "amount-changed", { claimed: claimed, listed: rowText(original, "[data-amount-text]") });
        }
        if (original && micros(original.getAttribute("data-placed-at")) !== placedUs) {
          return say(section, "time-changed", { listed: rowText(original, "[data-time-text]") });
        }
        return say(section, "altered");
      }
      if (!listed) return say(section, "not-listed");
      if (listed.getAttribute("data-amount") !== String(receipt.amount)) {
        return say(section, "report-amount", { claimed: claimed, listed: rowText(listed, "[data-amount-text]") });
      }
      if (micros(listed.getAttribute("data-placed-at")) !== placedUs) {
        return say(section, "report-time", { listed: rowText(listed, "[data-time-text]") });
      }
      listed.classList.add("receipt-found");
      return say(section, "ok", {
        rank: listed.getAttribute("data-rank"),
        amount: rowText(listed, "[data-amount-text]"),
        time: rowText(listed, "[data-time-text]")
      });
    }, function () { say(section, "no-crypto"); });
  }

  function initChecker(section) {
    if (section.hasAttribute("data-ready")) return;
    section.setAttribute("data-ready", "");
    var tools = section.querySelector("[data-receipt-tools]");
    if (tools) tools.hidden = false;
    var saved = section.querySelector("[data-check-saved]");
    if (saved) {
      saved.addEventListener("click", function () {
        var stored = null;
        try { stored = window.localStorage.getItem(storageKey(section.getAttribute("data-lot-id"))); } catch (e) { /* off */ }
        if (!stored) return say(section, "none-saved");
        try { check(section, JSON.parse(stored)); } catch (e) { say(section, "not-receipt", { field: "receipt" }); }
      });
    }
    var file = section.querySelector("[data-check-file]");
    if (file) {
      file.addEventListener("change", function () {
        if (!file.files || !file.files[0]) return;
        file.files[0].text().then(function (text) {
          var receipt;
          try { receipt = JSON.parse(text); } catch (e) { return say(section, "not-receipt", { field: "JSON" }); }
          return check(section, receipt);
        });
      });
    }
  }

  function init(root) {
    saveReceipts(root);
    var section = document.getElementById("check-receipt");
    if (section) initChecker(section);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (evt) { saveReceipts(evt.target || document); });
})();
