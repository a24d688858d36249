// The resident form, improved: show_if logic, checks in the page and sending as JSON.
// Without this script the form still works: it posts to the server, which checks
// everything again and stores the answer.

const form = document.getElementById("survey");
const summary = document.getElementById("error-summary");
const status = document.getElementById("send-status");
const questions = [...form.querySelectorAll(".q")];
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const msg = (name, values = {}) => fill(form.dataset[name], values);
// A text with a number: its forms by plural category (one, two, few, …), as the
// language's rules choose them (Arabic has six).
const plurals = new Intl.PluralRules(form.dataset.language);
const pluralMsg = (name, count, values = {}) => {
  const forms = JSON.parse(form.dataset[name]);
  return fill(forms[plurals.select(count)] ?? forms.other, { count, ...values });
};

function isAnswered(value) {
  return value !== undefined && value !== null && value !== "" &&
    !(Array.isArray(value) && value.length === 0);
}

// Same rules as the server (collection/answers.py): on a multi question "equals"
// means chosen; an unanswered question equals nothing.
function holds(condition, answers) {
  const value = answers[condition.question];
  if ("answered" in condition) return isAnswered(value) === condition.answered;
  const chosen = Array.isArray(value) ? value : isAnswered(value) ? [value] : [];
  const has = (wanted) => chosen.some((c) => c === wanted);
  if ("equals" in condition) return has(condition.equals);
  if ("not_equals" in condition) return !has(condition.not_equals);
  return condition.in.some(has);
}

function readAnswer(q) {
  const { id, type } = q.dataset;
  const field = (name) => form.elements.namedItem(name);
  if (type === "multi") {
    return [...q.querySelectorAll("input:checked")].map((i) => i.value);
  }
  if (type === "location") {
    const value = {};
    const place = field(`${id}.place`)?.value;
    const lat = field(`${id}.lat`).value;
    const lon = field(`${id}.lon`).value;
    if (place) value.place = place;
    if (lat && lon) Object.assign(value, { lat: Number(lat), lon: Number(lon) });
    return Object.keys(value).length ? value : undefined;
  }
  if (["single", "scale", "yesno"].includes(type)) {
    const checked = q.querySelector("input:checked");
    if (!checked) return undefined;
    if (type === "scale") return Number(checked.value);
    if (type === "yesno") return checked.value === "true";
    return checked.value;
  }
  const raw = field(id).value.trim();
  if (raw === "") return undefined;
  if (type === "number") {
    const number = Number(raw.replace(",", ".").replace("\u2212", "-"));
    return Number.isFinite(number) ? number : raw;
  }
  return raw;
}

// The answers of the questions that are shown, in order; hides the others.
function visibleAnswers() {
  const answers = {};
  for (const q of questions) {
    const conditions = q.dataset.showIf ? JSON.parse(q.dataset.showIf) : [];
    const visible = conditions.every((c) => holds(c, answers));
    q.hidden = !visible;
    if (!visible) continue;
    const value = readAnswer(q);
    if (isAnswered(value)) answers[q.dataset.id] = value;
  }
  return answers;
}

function problemOf(q, value) {
  if (!isAnswered(value)) return "required" in q.dataset ? msg("msgRequired") : null;
  const { type, maxChoices } = q.dataset;
  if (type === "multi" && maxChoices && value.length > Number(maxChoices)) {
    return msg("msgTooMany", { limit: maxChoices });
  }
  if (type === "number") {
    const input = q.querySelector("input");
    if (typeof value !== "number" || !input.checkValidity()) return msg("msgInvalid");
  }
  return null;
}

function markProblem(q, problem) {
  const error = q.querySelector(".error");
  error.hidden = !problem;
  error.textContent = problem || "";
  const target = q.querySelector("fieldset") || q.querySelector("input, textarea, select");
  const described = new Set((target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  if (problem) {
    described.add(error.id);
    target.setAttribute("aria-invalid", "true");
  } else {
    described.delete(error.id);
    target.removeAttribute("aria-invalid");
  }
  if (described.size) target.setAttribute("aria-describedby", [...described].join(" "));
  else target.removeAttribute("aria-describedby");
}

function showProblems(problems) {
  for (const q of questions) markProblem(q, problems.get(q));
  summary.replaceChildren();
  summary.hidden = problems.size === 0;
  if (!problems.size) return;
  const heading = document.createElement("h2");
  heading.textContent = pluralMsg("msgSummary", problems.size);
  const list = document.createElement("ul");
  for (const [q, problem] of problems) {
    const link = document.createElement("a");
    link.href = `#${q.id}`;
    const label = q.querySelector("legend, label").firstChild.textContent.trim();
    link.textContent = `${label}: ${problem}`;
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  summary.append(heading, list);
  summary.focus();
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Plain HTTP on a LAN address is not a secure context: build a v4 UUID by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const kiosk = "kiosk" in form.dataset;
// The coordinators' preview of a draft: the same checks, and nothing is sent or kept.
const preview = "preview" in form.dataset;
const csrfToken = document.querySelector("meta[name=csrf-token]")?.content ?? null;
const done = document.getElementById("done");
let dirty = false;

function thank(state, message = "") {
  // The honest state of a resident's answer: sent, kept on this phone, or refused.
  form.hidden = true;
  summary.hidden = true;
  done.hidden = false;
  for (const part of done.querySelectorAll("[data-state]")) {
    part.hidden = part.dataset.state !== state;
  }
  const detail = done.querySelector("[data-detail]");
  if (detail) detail.textContent = message;
  done.querySelector("h2, h1")?.focus();
}

async function stateOf(id) {
  const { items } = await import("./outbox.js");
  const item = (await items()).find((i) => i.id === id);
  if (!item) return ["sent", ""];
  return item.state === "attention" ? ["refused", item.message] : ["queued", ""];
}

async function send(event) {
  event.preventDefault();
  const answers = visibleAnswers();
  const problems = new Map();
  for (const q of questions) {
    if (q.hidden) continue;
    const problem = problemOf(q, answers[q.dataset.id]);
    if (problem) problems.set(q, problem);
  }
  showProblems(problems);
  if (problems.size) return;
  if (preview) {
    status.textContent = msg("msgPreview");
    return;
  }
  const { token, version, language, channel } = form.dataset;
  const item = {
    id: newId(), token, version: Number(version), language, answers, channel,
    recordedAt: new Date().toISOString(),
  };
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  status.textContent = msg("msgSending");
  // The last person's confirmation goes as this person's answer is being kept.
  const saved = document.getElementById("kiosk-saved");
  if (saved) saved.textContent = "";
  let outbox = null;
  try {
    outbox = await import("./outbox.js");
    await outbox.enqueue(item);
  } catch {
    outbox = null;  // No storage on this device (a private window, a full disk).
  }
  if (outbox && kiosk) {
    // Kept safely: a clean start for the next person, in the default language, and
    // no way back to this person's answers: the page replaces itself in the history.
    sessionStorage.setItem("surveyservice-saved", "1");
    location.replace(form.dataset.startUrl);
    return;
  }
  if (outbox) {
    try {
      await outbox.send({ csrfToken });
    } catch {
      // Kept in the outbox; sent when the connection returns.
    }
    const [state, message] = await stateOf(item.id);
    thank(state, message);
    if (state === "queued") {
      outbox.keep();
      // Say so as soon as the answer has gone after all.
      outbox.onChange(async () => {
        const [now, detail] = await stateOf(item.id);
        if (now !== "queued") thank(now, detail);
      });
    }
    return;
  }
  // Nothing can be kept on this device: send now, and keep the form until it went.
  try {
    const headers = { "Content-Type": "application/json" };
    if (csrfToken) headers["X-CSRFToken"] = csrfToken;
    const response = await fetch(`/api/v1/collect/${token}/responses`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        id: item.id, version: item.version, language, answers, channel,
        recorded_at: item.recordedAt,
      }),
    });
    if (response.ok) {
      if (kiosk) {
        sessionStorage.setItem("surveyservice-saved", "1");
        location.replace(form.dataset.startUrl);
      } else {
        thank("sent");
      }
      return;
    }
    status.textContent = msg("msgFailed");
  } catch {
    status.textContent = msg("msgFailed");
  } finally {
    button.disabled = false;
  }
}

async function watchVersion() {
  // A new version is picked up at the next online moment, but never under a half-filled
  // form: answers are stored against the version they were given on.
  if (dirty || !navigator.onLine) return;
  try {
    const response = await fetch(`/api/v1/collect/${form.dataset.token}`, { cache: "no-store" });
    if (!response.ok) return;
    const { version } = await response.json();
    if (version !== Number(form.dataset.version) && !dirty) location.reload();
  } catch {
    // Offline: keep the version this page has.
  }
}

async function showPending(outbox) {
  // A resident who answered here before without a connection is told the answer
  // waits on the phone, and told again once it has gone.
  const notice = document.getElementById("pending");
  if (!notice) return;
  const mine = (await outbox.items())
    .filter((i) => i.token === form.dataset.token && i.state === "waiting").length;
  if (mine) {
    notice.textContent = notice.dataset.msgWaiting;
    notice.hidden = false;
    notice.dataset.shown = "1";
  } else if (notice.dataset.shown) {
    notice.textContent = notice.dataset.msgSent;
  }
}

async function startOutbox() {
  let outbox;
  try {
    outbox = await import("./outbox.js");
    await outbox.summary();
  } catch {
    outbox = null;  // No storage on this device (a private window, a full disk).
  }
  const panel = kiosk ? await import("./kiosk.js") : null;
  if (!outbox) {
    panel?.start(null, () => {});
    return;
  }
  const pending = () => showPending(outbox);
  outbox.onChange(pending);
  const trigger = outbox.keepSending({ csrfToken }, (result) => {
    panel?.sent(result);
    pending();
  });
  panel?.start(outbox, trigger);
  if (kiosk) outbox.keep();
  pending();
}

if (kiosk) {
  form.setAttribute("autocomplete", "off");
  for (const link of document.querySelectorAll(".languages a")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      location.replace(link.href);
    });
  }
}

if ("serviceWorker" in navigator && !preview) {
  navigator.serviceWorker.register("/sw.js").then(async () => {
    const registration = await navigator.serviceWorker.ready;
    // A staff tablet keeps the form in every language; a resident's phone keeps only
    // the language it was opened in, to spare the resident's mobile data.
    const others = kiosk
      ? [...document.querySelectorAll(".languages a")].map((a) => a.getAttribute("href"))
      : [];
    const urls = [location.pathname + location.search, ...others]
      .map((href) => new URL(href, location.href).href);
    registration.active?.postMessage({ type: "keep", urls });
  }).catch(() => {});
}

function setUpPosition(q) {
  const box = q.querySelector("[data-geo]");
  if (!box || !navigator.geolocation) return;
  box.hidden = false;
  const { id } = q.dataset;
  const out = box.querySelector("[data-geo-status]");
  box.querySelector("[data-geo-button]").addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.namedItem(`${id}.lat`).value = position.coords.latitude.toFixed(5);
        form.elements.namedItem(`${id}.lon`).value = position.coords.longitude.toFixed(5);
        out.textContent = msg("msgGeoOk");
      },
      () => { out.textContent = msg("msgGeoFailed"); },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
    );
  });
}

for (const note of form.querySelectorAll("[data-condition-note]")) note.hidden = true;
for (const q of questions) if (q.dataset.type === "location") setUpPosition(q);
form.addEventListener("input", () => { dirty = true; visibleAnswers(); });
form.addEventListener("change", (event) => {
  dirty = true;
  visibleAnswers();
  // "Choose at most two": say so as the third box is ticked, not only on sending.
  const q = event.target.closest?.(".q[data-max-choices]");
  if (q) {
    const chosen = q.querySelectorAll("input:checked").length;
    const tooMany = chosen > Number(q.dataset.maxChoices);
    const error = q.querySelector(".error");
    const message = msg("msgTooMany", { limit: q.dataset.maxChoices });
    if (tooMany) {
      markProblem(q, message);
      status.textContent = message;  // a live region: screen readers hear it at once
    } else if (error.textContent === message) {
      markProblem(q, null);
      status.textContent = "";
    }
  }
});
form.addEventListener("submit", send);
// A page from the network is current; one from the device's copy is checked when the
// connection returns.
visibleAnswers();
if (!preview) {
  addEventListener("online", watchVersion);
  startOutbox();
}
