/* The roll call: each tap (and each note) is saved at once, without reloading; the search filters the list.
   Without this script the page still works: the buttons post the whole form. */
(function () {
  "use strict";
  const form = document.getElementById("roll-call-form");
  if (!form) return;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const words = form.dataset;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function show(row, text, failed) {
    row.classList.toggle("roll-error", failed);
    row.classList.toggle("roll-saved", !failed);
    row.querySelector(".roll-feedback").textContent = text;
  }

  function send(row) {
    const checked = row.querySelector("input[type=radio]:checked");
    const note = row.querySelector("input[name^='note-']");
    if (!checked) return Promise.resolve();
    const body = new FormData();
    body.append("registration", row.dataset.registration);
    body.append("status", checked.value);
    if (note) body.append("note", note.value);
    show(row, words.saving, false);
    return fetch(words.markUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) show(row, data.message || words.saved, false);
          else show(row, data.error || words.failed, true);
        });
      })
      .catch(function () {
        show(row, words.failed, true);
      });
  }

  // One request at a time per person, in tap order: the last tap is the one that stays.
  const queues = new WeakMap();
  form.addEventListener("change", function (event) {
    const row = event.target.closest(".roll-row");
    if (!row || event.target.type === "search") return;
    const queue = (queues.get(row) || Promise.resolve()).then(function () {
      return send(row);
    });
    queues.set(row, queue);
  });

  const search = document.getElementById("roll-search");
  const none = document.getElementById("roll-no-match");
  if (search) {
    search.closest("label").hidden = false;
    search.addEventListener("input", function () {
      const query = fold(search.value.trim());
      let shown = 0;
      form.querySelectorAll(".roll-row").forEach(function (row) {
        const match = !query || row.dataset.search.indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (none) none.hidden = shown > 0;
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }
})();
