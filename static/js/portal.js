/* TrainingOps portal: small progressive enhancements, no dependencies. */
(function () {
  "use strict";

  // The session filters: open on a desktop, folded behind their "Filters" summary on a phone
  // (the page loads with them open, so without JavaScript nothing is hidden). A form with an error
  // stays open so its message is seen.
  if (window.matchMedia && window.matchMedia("(max-width: 760px)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-fold-on-phone]"), function (details) {
      if (!details.hasAttribute("data-keep-open")) { details.open = false; }
    });
  }

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // A type-to-filter box above long <select>s grouped by country (the agency picker).
  function enhanceSelect(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter-input";
    input.placeholder = select.getAttribute("data-filter-placeholder") || "…";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var query = normalise(input.value.trim());
      var firstMatch = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var groupMatches = normalise(group.label).indexOf(query) !== -1;
        var visible = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var show = !query || groupMatches || normalise(option.textContent).indexOf(query) !== -1;
          option.hidden = !show;
          option.disabled = !show && !option.selected;
          if (show) { visible += 1; if (!firstMatch) { firstMatch = option; } }
        });
        group.hidden = visible === 0;
      });
      if (query && firstMatch && (select.selectedIndex <= 0 || select.options[select.selectedIndex].hidden)) {
        firstMatch.selected = true;
        select.dispatchEvent(new Event("change"));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filterable]"), enhanceSelect);
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
