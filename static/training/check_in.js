/* The check-in page (issue 15): each scan is decided here, at once, from the roster kept on the device,
   stored in IndexedDB with a nonce, and sent to the API in batches whenever the network is there.

   Codes read "TO1:<payload>.<signature>" (docs: /work/notes/checkin-contract.md, sessions/checkin_codes.py):
   the payload is base64url of {"s": session, "r": registration}, signed with Ed25519. Where the browser
   verifies Ed25519 (WebCrypto) a forged code is refused here; elsewhere it is accepted pending the
   server's answer, which replaces the row's result when it comes. */
(function () {
  "use strict";
  const root = document.getElementById("check-in");
  const configElement = document.getElementById("check-in-config");
  if (!root || !configElement) return;
  const config = JSON.parse(configElement.textContent);
  const words = config.words;
  const sessionId = config.session;
  const DATABASE = "trainingops-check-in";
  // A roster kept on the device is dropped this long after the check-in closes (or after it was loaded).
  const ROSTER_KEPT_MS = 24 * 60 * 60 * 1000;
  const SYNC_EVERY_MS = 20 * 1000;
  const ROSTER_REFRESH_MS = 60 * 1000;
  const SAME_CODE_PAUSE_MS = 3000;

  const element = (id) => document.getElementById(id);
  const state = { roster: null, byId: new Map(), cancelled: new Set(), key: null, scans: [], syncing: false };
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: config.timezone,
  });

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function localTime(iso) {
    return timeFormat.format(new Date(iso));
  }

  // --- IndexedDB: the roster per session, and every scan with its nonce -----------------------------
  let databasePromise = null;

  function database() {
    if (!databasePromise) {
      databasePromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DATABASE, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("rosters", { keyPath: "session" });
          const scans = db.createObjectStore("scans", { keyPath: "nonce" });
          scans.createIndex("session", "session");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return databasePromise;
  }

  function transact(storeName, mode, work) {
    return database().then(
      (db) =>
        new Promise((resolve, reject) => {
          const transaction = db.transaction(storeName, mode);
          const store = transaction.objectStore(storeName);
          let result;
          Promise.resolve(work(store)).then((value) => {
            result = value;
          });
          transaction.oncomplete = () => resolve(result);
          transaction.onerror = () => reject(transaction.error);
          transaction.onabort = () => reject(transaction.error);
        }),
    );
  }

  function asPromise(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function saveScan(scan) {
    return transact("scans", "readwrite", (store) => store.put(scan));
  }

  /* Sent scans carry names: they are dropped with the roster they came from (waiting ones stay until sent). */
  function pruneScans() {
    const now = Date.now();
    return transact("scans", "readwrite", (store) => {
      store.openCursor().onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        if (cursor.value.status !== "waiting" && !(cursor.value.expires > now)) cursor.delete();
        cursor.continue();
      };
    });
  }

  function loadScans() {
    return transact("scans", "readonly", (store) => asPromise(store.index("session").getAll(sessionId)));
  }

  function loadRoster() {
    return transact("rosters", "readonly", (store) => asPromise(store.get(sessionId)));
  }

  function saveRoster(record) {
    return transact("rosters", "readwrite", (store) => store.put(record));
  }

  function forgetRoster() {
    return transact("rosters", "readwrite", (store) => store.delete(sessionId));
  }

  // --- The roster ---------------------------------------------------------------------------------
  function rosterExpiry(data) {
    const closes = Date.parse((data.session && data.session.check_in_closes_at) || "") || 0;
    const loaded = Date.parse(data.generated_at || "") || Date.now();
    return Math.max(closes, loaded) + ROSTER_KEPT_MS;
  }

  function useRoster(record) {
    state.roster = record.data;
    state.rosterExpires = record.expires;
    state.byId = new Map(record.data.registrations.map((person) => [person.id, person]));
    state.cancelled = new Set(record.data.cancelled_registrations || []);
    state.key = null;
    importKey(record.data.public_key).then((key) => {
      state.key = key;
    });
    element("check-in-roster").textContent = format(words.roster_saved, {
      count: record.data.registrations.length,
      time: localTime(record.data.generated_at || new Date().toISOString()),
    });
    renderPeople();
  }

  function fetchRoster() {
    return fetch(config.rosterUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          // Not (or no longer) allowed: nothing of this session's people stays on the device.
          return forgetRoster().then(() => {
            state.roster = null;
            state.byId = new Map();
            element("check-in-roster").textContent = words.sign_in_again;
            renderPeople();
          });
        }
        if (!response.ok) return null;
        return response.json().then((data) => {
          const record = { session: sessionId, data: data, expires: rosterExpiry(data) };
          return saveRoster(record).then(() => useRoster(record));
        });
      })
      .catch(() => null);
  }

  // --- Codes: parse and verify --------------------------------------------------------------------
  function base64UrlBytes(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const binary = atob(padded);
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  }

  function importKey(publicKey) {
    if (!publicKey || !window.crypto || !crypto.subtle) return Promise.resolve(null);
    try {
      return crypto.subtle
        .importKey("raw", base64UrlBytes(publicKey), { name: "Ed25519" }, false, ["verify"])
        .catch(() => null);
    } catch (error) {
      return Promise.resolve(null);
    }
  }

  function parseCode(text) {
    const match = /^TO1:([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text);
    if (!match) return null;
    try {
      const payload = JSON.parse(new TextDecoder().decode(base64UrlBytes(match[1])));
      if (!Number.isInteger(payload.s) || !Number.isInteger(payload.r)) return null;
      return { session: payload.s, registration: payload.r, signed: match[1], signature: match[2] };
    } catch (error) {
      return null;
    }
  }

  /* true: signature good; false: forged; null: this browser cannot tell (the server will). */
  function verify(parsed) {
    if (!state.key) return Promise.resolve(null);
    return crypto.subtle
      .verify({ name: "Ed25519" }, state.key, base64UrlBytes(parsed.signature), new TextEncoder().encode(parsed.signed))
      .catch(() => null);
  }

  // --- Deciding a scan ----------------------------------------------------------------------------
  function earlierScanOf(registrationId) {
    return state.scans.find(
      (scan) => scan.registration === registrationId && scan.status !== "refused",
    );
  }

  function alreadyAt(registrationId) {
    const scan = earlierScanOf(registrationId);
    if (scan) return scan.checked_in_at || scan.scanned_at;
    const person = state.byId.get(registrationId);
    return person && person.checked_in_at;
  }

  function refuse(reason, started) {
    showResult({ state: "refused", name: words[reason], detail: "" }, started);
  }

  function decideCode(text, started) {
    const parsed = parseCode(text.trim());
    if (!parsed) return Promise.resolve(refuse("malformed", started));
    if (parsed.session !== sessionId) return Promise.resolve(refuse("wrong_session", started));
    return verify(parsed).then((verified) => {
      if (verified === false) return refuse("bad_signature", started);
      if (state.cancelled.has(parsed.registration)) return refuse("cancelled", started);
      return admit(parsed.registration, { code: text.trim() }, verified === null, started);
    });
  }

  function admit(registrationId, item, unverified, started) {
    const at = alreadyAt(registrationId);
    const person = state.byId.get(registrationId);
    if (at) {
      const already = format(words.already, { time: localTime(at) });
      const result = person
        ? { state: "already", name: person.name, agency: person.agency, detail: already }
        : { state: "already", name: already, detail: "" };
      showResult(result, started);
      return Promise.resolve();
    }
    if (!state.roster) {
      showResult({ state: "pending", name: words.no_roster, detail: words.waiting }, started);
    } else if (!person) {
      showResult({ state: "pending", name: words.not_on_roster, detail: words.waiting }, started);
    } else {
      showResult(
        { state: "ok", name: person.name, agency: person.agency,
          detail: unverified ? words.unverified : words.checked_in },
        started,
      );
    }
    const scan = Object.assign(
      {
        nonce: crypto.randomUUID(),
        session: sessionId,
        registration: registrationId,
        scanned_at: new Date().toISOString(),
        status: "waiting",
        expires: state.rosterExpires || Date.now() + ROSTER_KEPT_MS,
        name: person ? person.name : "",
        agency: person ? person.agency : "",
        message: "",
        checked_in_at: null,
      },
      item,
    );
    state.scans.unshift(scan);
    renderScans();
    return saveScan(scan).then(() => sync());
  }

  function showResult(result, started) {
    const box = element("check-in-result");
    box.dataset.state = result.state;
    element("check-in-result-name").textContent = result.name || "";
    element("check-in-result-detail").textContent = [result.agency, result.detail].filter(Boolean).join(" · ");
    if (started !== undefined) box.dataset.elapsedMs = String(Math.round(performance.now() - started));
  }

  // --- The list of scans and the search -----------------------------------------------------------
  function scanLine(scan) {
    if (scan.status === "waiting") return words.waiting;
    return scan.message || words.checked_in;
  }

  function renderScans() {
    const list = element("check-in-scans");
    list.replaceChildren(
      ...state.scans.map((scan) => {
        const item = document.createElement("li");
        item.className = "check-in-scan";
        item.dataset.nonce = scan.nonce;
        item.dataset.status = scan.status;
        if (scan.registration) item.dataset.registration = String(scan.registration);
        const who = document.createElement("strong");
        who.textContent = scan.name || words.not_on_roster;
        const detail = document.createElement("span");
        detail.className = "check-in-scan-detail";
        detail.textContent = [localTime(scan.scanned_at), scan.agency].filter(Boolean).join(" · ");
        const status = document.createElement("span");
        status.className = "check-in-scan-status";
        status.textContent = scanLine(scan);
        item.append(who, detail, status);
        return item;
      }),
    );
    const waiting = state.scans.filter((scan) => scan.status === "waiting").length;
    element("check-in-pending").textContent = waiting ? format(words.pending, { count: waiting }) : words.all_synced;
  }

  function renderPeople() {
    const list = element("check-in-people");
    const query = fold(element("check-in-search").value.trim());
    const people = state.roster && query ? state.roster.registrations : [];
    const found = people.filter((person) => fold(`${person.name} ${person.agency}`).includes(query)).slice(0, 20);
    list.replaceChildren(
      ...found.map((person) => {
        const item = document.createElement("li");
        const who = document.createElement("span");
        who.className = "check-in-person";
        who.textContent = `${person.name} · ${person.agency}`;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small";
        button.dataset.registration = String(person.id);
        button.textContent = words.check_in;
        button.setAttribute("aria-label", `${words.check_in}: ${person.name}`);
        item.append(who, button);
        return item;
      }),
    );
    element("check-in-no-match").hidden = !(query && state.roster && found.length === 0);
  }

  // --- Sending the scans --------------------------------------------------------------------------
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : element("check-in-csrf").value;
  }

  function itemFor(scan) {
    const item = { nonce: scan.nonce, scanned_at: scan.scanned_at };
    if (scan.code) item.code = scan.code;
    else item.registration = scan.registration;
    return item;
  }

  function applyResult(result) {
    const scan = state.scans.find((candidate) => candidate.nonce === result.nonce);
    if (!scan) return Promise.resolve();
    scan.status = result.status;
    scan.message = result.message || "";
    scan.checked_in_at = result.checked_in_at || null;
    if (result.name) scan.name = result.name;
    if (result.agency) scan.agency = result.agency;
    if (result.registration) scan.registration = result.registration;
    const person = state.byId.get(scan.registration);
    if (person && result.checked_in_at && result.status !== "refused") person.checked_in_at = result.checked_in_at;
    return saveScan(scan);
  }

  function sync() {
    if (state.syncing || !navigator.onLine) return Promise.resolve();
    const batch = state.scans.filter((scan) => scan.status === "waiting").reverse().slice(0, config.batchSize);
    if (!batch.length) return Promise.resolve();
    state.syncing = true;
    return fetch(config.checkInsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ check_ins: batch.map(itemFor) }),
    })
      .then((response) => {
        if (response.status === 401 || response.status === 403) {
          element("check-in-pending").textContent = words.sign_in_again;
          return false;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response
          .json()
          .then((data) => Promise.all((data.results || []).map(applyResult)))
          .then(() => true);
      })
      .catch(() => {
        element("check-in-pending").textContent = words.sync_failed;
        return false;
      })
      .then((sent) => {
        state.syncing = false;
        if (sent) {
          renderScans();
          if (batch.length === config.batchSize) return sync();
        }
        return null;
      });
  }

  function showNetwork() {
    element("check-in-network").textContent = navigator.onLine ? words.online : words.offline;
    root.classList.toggle("check-in-offline", !navigator.onLine);
  }

  // --- Camera and photos --------------------------------------------------------------------------
  const camera = { stream: null, detector: null, last: "", lastAt: 0 };

  function readFrame(source, width, height) {
    if (camera.detector) {
      return camera.detector.detect(source).then((codes) => (codes.length ? codes[0].rawValue : ""));
    }
    if (typeof jsQR !== "function" || !width || !height) return Promise.resolve("");
    const canvas = element("check-in-canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, width, height);
    const found = jsQR(context.getImageData(0, 0, width, height).data, width, height);
    return Promise.resolve(found ? found.data : "");
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return BarcodeDetector.getSupportedFormats()
      .then((formats) => (formats.includes("qr_code") ? new BarcodeDetector({ formats: ["qr_code"] }) : null))
      .catch(() => null);
  }

  function scanned(text) {
    const now = Date.now();
    if (!text || (text === camera.last && now - camera.lastAt < SAME_CODE_PAUSE_MS)) return;
    camera.last = text;
    camera.lastAt = now;
    decideCode(text, performance.now());
  }

  function watchVideo() {
    const video = element("check-in-video");
    if (!camera.stream) return;
    readFrame(video, video.videoWidth, video.videoHeight)
      .then(scanned)
      .catch(() => null)
      .then(() => {
        if (camera.stream) window.setTimeout(watchVideo, 150);
      });
  }

  function stopCamera() {
    if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
    camera.stream = null;
    element("check-in-camera").hidden = true;
    element("check-in-camera-button").textContent = words.start_camera;
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showResult({ state: "refused", name: words.no_camera, detail: "" });
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then((stream) => {
        camera.stream = stream;
        const video = element("check-in-video");
        video.srcObject = stream;
        element("check-in-camera").hidden = false;
        element("check-in-camera-button").textContent = words.stop_camera;
        return video.play().then(watchVideo);
      })
      .catch(() => {
        stopCamera();
        showResult({ state: "refused", name: words.no_camera, detail: "" });
      });
  }

  function readPhoto(file) {
    const started = performance.now();
    return createImageBitmap(file)
      .then((image) => readFrame(image, image.width, image.height))
      .then((text) => (text ? decideCode(text, started) : showResult({ state: "refused", name: words.no_code_in_photo })))
      .catch(() => showResult({ state: "refused", name: words.no_code_in_photo }));
  }

  // --- Wiring -------------------------------------------------------------------------------------
  element("check-in-code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = element("check-in-code");
    const started = performance.now();
    const text = field.value;
    field.value = "";
    decideCode(text, started);
  });
  element("check-in-search").addEventListener("input", renderPeople);
  element("check-in-people").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-registration]");
    if (!button) return;
    const started = performance.now();
    const registrationId = Number(button.dataset.registration);
    admit(registrationId, { registration: registrationId }, false, started);
  });
  element("check-in-camera-button").addEventListener("click", () => (camera.stream ? stopCamera() : startCamera()));
  element("check-in-photo").addEventListener("change", (event) => {
    const file = event.target.files && event.target.files[0];
    if (file) readPhoto(file);
    event.target.value = "";
  });
  window.addEventListener("online", () => {
    showNetwork();
    fetchRoster().then(sync);
  });
  window.addEventListener("offline", showNetwork);
  window.setInterval(sync, SYNC_EVERY_MS);
  // Other devices check people in too: the roster's times come back with each refresh.
  window.setInterval(() => (navigator.onLine ? fetchRoster() : null), ROSTER_REFRESH_MS);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.workerUrl, { scope: config.scope }).catch(() => null);
  }

  showNetwork();
  makeDetector().then((detector) => {
    camera.detector = detector;
  });
  const ready = Promise.all([
    loadRoster().then((record) => {
      if (record && record.expires > Date.now()) return useRoster(record);
      if (record) return forgetRoster();
      return null;
    }),
    pruneScans()
      .then(loadScans)
      .then((scans) => {
        state.scans = scans.sort((first, second) => second.scanned_at.localeCompare(first.scanned_at));
        renderScans();
      }),
  ])
    .catch(() => null)
    .then(() => (navigator.onLine ? fetchRoster() : null))
    .then(sync)
    .finally(() => {
      root.dataset.ready = "true";
    });
  window.trainingOpsCheckIn = { ready: ready, sync: sync };
})();
