/* A form in steps (form[data-steps] with section[data-step] children): one step shows at a time with Back and
 * Next buttons and the step list above it marks where the seller is. Without JavaScript every step shows, in
 * order, and the list links to each. A step with a field error opens first after a refused submit.
 */
(function () {
  "use strict";

  function init(form) {
    if (form.hasAttribute("data-steps-ready")) return;
    form.setAttribute("data-steps-ready", "");
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var list = document.querySelector("[data-step-list]");
    var links = list ? Array.prototype.slice.call(list.querySelectorAll("a")) : [];
    var actions = form.querySelector("[data-step-actions]");
    var current = 0;

    var nav = document.createElement("div");
    nav.className = "form-actions step-nav";
    var back = document.createElement("button");
    back.type = "button";
    back.className = "btn btn-secondary";
    back.setAttribute("data-testid", "step-back");
    back.textContent = form.getAttribute("data-back") || "Back";
    var next = document.createElement("button");
    next.type = "button";
    next.className = "btn btn-primary";
    next.setAttribute("data-testid", "step-next");
    next.textContent = form.getAttribute("data-next") || "Next";
    var where = document.createElement("span");
    where.className = "muted small";
    where.setAttribute("aria-live", "polite");
    nav.appendChild(back);
    nav.appendChild(next);
    nav.appendChild(where);
    form.insertBefore(nav, actions);

    function show(index, focus) {
      current = Math.max(0, Math.min(steps.length - 1, index));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      links.forEach(function (link, i) {
        if (i === current) link.setAttribute("aria-current", "step");
        else link.removeAttribute("aria-current");
      });
      back.hidden = current === 0;
      next.hidden = current === steps.length - 1;
      if (actions) actions.hidden = current !== steps.length - 1;
      where.textContent = (form.getAttribute("data-step-of") || "{step}").replace("{step}", String(current + 1));
      if (focus) {
        var heading = steps[current].querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }
    }
    back.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    links.forEach(function (link, i) {
      link.addEventListener("click", function (evt) { evt.preventDefault(); show(i, true); });
    });
    // Enter in a text field goes to the next step instead of saving a half-filled lot.
    form.addEventListener("keydown", function (evt) {
      var target = evt.target;
      if (evt.key !== "Enter" || current === steps.length - 1 || !target || target.tagName !== "INPUT") return;
      if (target.hasAttribute("data-enter-searches")) return;
      evt.preventDefault();
      show(current + 1, true);
    });
    var failed = steps.findIndex(function (step) { return step.querySelector(".has-error"); });
    show(failed >= 0 ? failed : 0, false);
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-steps]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
