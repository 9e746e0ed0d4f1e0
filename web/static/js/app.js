/* Surplus Exchange — small progressive enhancements (no framework).
 *  (a) CSRF token from <meta name="csrf-token"> sent as X-CSRFToken on every HTMX request
 *  (b) .flash messages get a close button; .flash-success fades out after 6 s
 *  (c) [data-countdown="2026-11-22T16:05:00Z"] shows "3d 04:12:09 left" / "closed", ticking each second
 *  (d) <time datetime="..." data-local> comes from the server in the reader's language and chosen time zone
 *      (default Asia/Shanghai); the browser adds its own local time as a tooltip
 *  Words come from <html data-left="..." data-closed="..." data-days="...">, in the page's language.
 *  (e) an HTMX form with data-clear-on-request="#id" empties that element when it sends; one with
 *      data-reset-on-success is reset after a successful answer that was not retargeted (a refusal)
 *  (f) the lot form's closing time: a stored UTC value is shown in local time, and the viewer's
 *      time-zone offset is sent along (#closes_at[data-utc], #tz_offset)
 *  (g) a live event with a "version" (a lot's bid count) older than one the element already had is ignored:
 *      several server processes publish them, so they may arrive out of order
 * Works for content swapped in by HTMX too (htmx:load). No inline scripts or handlers anywhere: the
 * pages' Content-Security-Policy allows scripts from /static only (and htmx runs with allowEval off).
 */
(function () {
  "use strict";

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* (a) CSRF header for HTMX */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    var token = csrfToken();
    if (token && evt.detail && evt.detail.headers) {
      evt.detail.headers["X-CSRFToken"] = token;
    }
  });

  /* (b) Dismissible flash messages */
  function dismiss(el) {
    if (!el || el.classList.contains("flash-hide")) return;
    el.classList.add("flash-hide");
    setTimeout(function () { if (el.parentNode) el.parentNode.removeChild(el); }, 450);
  }
  function initFlash(root) {
    var items = root.querySelectorAll ? root.querySelectorAll(".flash") : [];
    var list = Array.prototype.slice.call(items);
    if (root.classList && root.classList.contains("flash")) list.push(root);
    list.forEach(function (el) {
      if (el.hasAttribute("data-flash-ready")) return;
      el.setAttribute("data-flash-ready", "");
      if (!el.hasAttribute("role")) {
        el.setAttribute("role", el.classList.contains("flash-error") ? "alert" : "status");
      }
      if (!el.querySelector(".flash-close")) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = "flash-close";
        btn.setAttribute("aria-label", "Dismiss message");
        btn.innerHTML = "&times;";
        el.appendChild(btn);
      }
      if (el.classList.contains("flash-success")) {
        setTimeout(function () { dismiss(el); }, 6000);
      }
    });
  }
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest ? evt.target.closest(".flash-close") : null;
    if (btn) dismiss(btn.closest(".flash"));
  });

  function word(name, fallback) {
    var value = document.documentElement.getAttribute("data-" + name);
    return value || fallback;
  }

  /* (c) Countdowns */
  function formatLeft(ms) {
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    return (d > 0 ? d + word("days", "d") + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s) + " " + word("left", "left");
  }
  function tickCountdowns() {
    var now = Date.now();
    var els = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var end = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(end)) continue;
      var left = end - now;
      var text = left > 0 ? formatLeft(left) : word("closed", "closed");
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("is-closed", left <= 0);
      el.classList.toggle("is-urgent", left > 0 && left < 3600 * 1000);
    }
  }

  /* (d) Local times */
  function formatLocal(date) {
    return date.getDate() + " " + MONTHS[date.getMonth()] + " " + date.getFullYear() +
      ", " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function initLocalTimes(root) {
    var els = root.querySelectorAll ? root.querySelectorAll("time[datetime][data-local]") : [];
    var list = Array.prototype.slice.call(els);
    if (root.matches && root.matches("time[datetime][data-local]")) list.push(root);
    list.forEach(function (el) {
      var t = Date.parse(el.getAttribute("datetime"));
      if (isNaN(t)) return;
      var date = new Date(t);
      if (!el.textContent.trim()) el.textContent = formatLocal(date);
      if (!el.title) {
        try {
          el.title = date.toLocaleString(undefined, { timeZoneName: "short" });
        } catch (e) { /* ignore */ }
      }
    });
  }

  /* (e) Clearing feedback and resetting forms around HTMX requests */
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    var selector = elt && elt.getAttribute ? elt.getAttribute("data-clear-on-request") : null;
    var target = selector ? document.querySelector(selector) : null;
    if (target) target.innerHTML = "";
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-reset-on-success")) return;
    var xhr = evt.detail.xhr;
    if (evt.detail.successful && !(xhr && xhr.getResponseHeader("HX-Retarget")) && elt.reset) elt.reset();
  });

  /* (f) The lot form's closing time */
  function initClosingTime(root) {
    var input = root.querySelector ? root.querySelector("#closes_at") : null;
    var offset = root.querySelector ? root.querySelector("#tz_offset") : null;
    if (!input || !offset) return;
    if (input.dataset.utc) {
      var d = new Date(input.dataset.utc + "Z");
      if (!isNaN(d)) {
        input.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
          pad(d.getHours()) + ":" + pad(d.getMinutes());
      }
    }
    offset.value = String(-new Date().getTimezoneOffset());
  }

  function init(root) {
    initFlash(root);
    initLocalTimes(root);
    initClosingTime(root);
    tickCountdowns();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  /* (g) Versioned live events: only newer ones reach HTMX (caught before the element's own listener) */
  document.addEventListener("sse:bids", function (evt) {
    var el = evt.target, version;
    try { version = JSON.parse(evt.detail.data).version; } catch (e) { return; }
    if (typeof version !== "number" || !el.setAttribute) return;
    var last = Number(el.getAttribute("data-bids-version") || "-1");
    if (version <= last) { evt.stopImmediatePropagation(); return; }
    el.setAttribute("data-bids-version", String(version));
  }, true);

  document.addEventListener("htmx:load", function (evt) { init(evt.target || document); });
  setInterval(tickCountdowns, 1000);
})();

// A search box inside a bigger form (the invitation picker): Enter searches, it does not submit the form.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (event.key === "Enter" && box instanceof HTMLInputElement && box.dataset.enterSearches !== undefined) {
    event.preventDefault();
    box.dispatchEvent(new Event("search", { bubbles: true }));
  }
});

// Binding steps (a bid, a purchase, a withdrawal) say what they commit to before HTMX sends them: the
// form's data-confirm text, with {amount} filled in from its amount field. Without JavaScript the
// server answers the plain post with a confirm page instead.
document.addEventListener("htmx:confirm", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form[data-confirm]") : null;
  if (!form) return;
  event.preventDefault();
  const amount = form.querySelector("[name=amount]");
  const text = form.dataset.confirm.split("{amount}").join(amount ? amount.value.trim() : "");
  if (window.confirm(text)) event.detail.issueRequest(true);
});

// The same for a plain form (no HTMX): ask, then say so to the server, which otherwise shows a confirm page.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.hasAttribute("hx-post")) return;
  if (form.querySelector("input[name=confirmed]")) return;
  if (!window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const confirmed = document.createElement("input");
  confirmed.type = "hidden";
  confirmed.name = "confirmed";
  confirmed.value = "yes";
  form.appendChild(confirmed);
});

// A list (select) stepped through with the arrow keys does not act on every step: its change is held
// back until Enter or until the list loses focus, then sent once. A mouse or touch pick acts at once.
// (Chromium fires `change` on each arrow key of a closed select; the /lots filters reload on change.)
const SELECT_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);
const heldChange = new WeakSet();
document.addEventListener("keydown", (event) => {
  const list = event.target;
  if (!(list instanceof HTMLSelectElement)) return;
  if (SELECT_KEYS.has(event.key) || event.key.length === 1) list.dataset.keyed = "";
  if (event.key === "Enter" && heldChange.has(list)) {
    event.preventDefault();
    release(list);
  }
});
document.addEventListener("pointerdown", (event) => {
  if (event.target instanceof HTMLSelectElement) delete event.target.dataset.keyed;
});
document.addEventListener(
  "change",
  (event) => {
    const list = event.target;
    if (!(list instanceof HTMLSelectElement) || list.dataset.keyed === undefined || list.dataset.releasing) return;
    event.stopImmediatePropagation();
    heldChange.add(list);
  },
  true,
);
document.addEventListener("focusout", (event) => {
  if (event.target instanceof HTMLSelectElement && heldChange.has(event.target)) release(event.target);
});
function release(list) {
  heldChange.delete(list);
  delete list.dataset.keyed;
  list.dataset.releasing = "yes";
  list.dispatchEvent(new Event("change", { bubbles: true }));
  delete list.dataset.releasing;
}

// <details data-keep-open> (the /lots filters on a phone) stays open when HTMX swaps the region around it.
let openDetails = [];
document.addEventListener("htmx:beforeSwap", () => {
  openDetails = [...document.querySelectorAll("details[data-keep-open][open]")].map((d) => d.id);
});
document.addEventListener("htmx:afterSwap", () => {
  for (const id of openDetails) document.getElementById(id)?.setAttribute("open", "");
  openDetails = [];
});

// A wide table scrolls inside its box (.table-wrap); while it does, the box takes keyboard focus so the
// arrow keys scroll it (Chromium does this itself from version 130; this covers the other browsers).
function focusableScrollers() {
  for (const box of document.querySelectorAll(".table-wrap")) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
  }
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:load", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
