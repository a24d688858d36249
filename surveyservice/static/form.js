// The resident form, improved: show_if logic, checks in the page and sending as JSON.
// Without this script the form still works: it posts to the server, which checks
// everything again and stores the answer.

const form = document.getElementById("survey");
const summary = document.getElementById("error-summary");
const status = document.getElementById("send-status");
const questions = [...form.querySelectorAll(".q")];
const msg = (name, values = {}) =>
  form.dataset[name].replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

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

function showProblems(problems) {
  for (const q of questions) {
    const error = q.querySelector(".error");
    const problem = problems.get(q);
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
  summary.replaceChildren();
  summary.hidden = problems.size === 0;
  if (!problems.size) return;
  const heading = document.createElement("h2");
  heading.textContent = problems.size === 1
    ? msg("msgSummaryOne")
    : msg("msgSummaryMany", { count: problems.size });
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

let responseId = newId();

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
  const { token, version, language } = form.dataset;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  status.textContent = msg("msgSending");
  try {
    const response = await fetch(`/api/v1/collect/${token}/responses`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: responseId, version: Number(version), language, answers }),
    });
    if (response.ok) {
      location.assign(`/f/${token}/thanks?lang=${encodeURIComponent(language)}`);
      return;
    }
    if (response.status === 403 || response.status === 410) {
      location.reload();
      return;
    }
    if (response.status === 422) {
      const body = await response.json();
      const fields = body.errors?.json || {};
      const serverProblems = new Map();
      for (const q of questions) {
        if (fields[`answers.${q.dataset.id}`]) serverProblems.set(q, msg("msgInvalid"));
      }
      status.textContent = "";
      showProblems(serverProblems);
      // A changed answer is a new response: it gets a new id.
      responseId = newId();
      return;
    }
    status.textContent = msg("msgFailed");
  } catch {
    status.textContent = msg("msgFailed");
  } finally {
    button.disabled = false;
  }
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
form.addEventListener("input", visibleAnswers);
form.addEventListener("change", visibleAnswers);
form.addEventListener("submit", send);
visibleAnswers();
