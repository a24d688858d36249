// A question on the page (a ".q" element): reading its answer, writing one back (a
// restored draft, an entry opened again), its show_if conditions and its problems.
// The same rules as the server (collection/answers.py).

export function isAnswered(value) {
  return value !== undefined && value !== null && value !== "" &&
    !(Array.isArray(value) && value.length === 0);
}

// On a multi question "equals" means chosen; an unanswered question equals nothing.
export function holds(condition, answers) {
  const value = answers[condition.question];
  if ("answered" in condition) return isAnswered(value) === condition.answered;
  const chosen = Array.isArray(value) ? value : isAnswered(value) ? [value] : [];
  const has = (wanted) => chosen.some((c) => c === wanted);
  if ("equals" in condition) return has(condition.equals);
  if ("not_equals" in condition) return !has(condition.not_equals);
  return condition.in.some(has);
}

const conditionsOf = (q) => (q.dataset.showIf ? JSON.parse(q.dataset.showIf) : []);

// The form controls of this question, not those of questions inside it (a group).
const own = (q, selector) => [...q.querySelectorAll(selector)].filter((e) => e.closest(".q") === q);
const field = (q, suffix) => own(q, "[name]").find((e) => e.name.endsWith(suffix));

export function readAnswer(q) {
  const { type } = q.dataset;
  if (type === "group") return q.readEntries?.();
  if (type === "photo") return JSON.parse(q.dataset.photos || "[]");
  if (type === "multi") return own(q, "input:checked").map((i) => i.value);
  if (type === "location") {
    const value = {};
    const place = field(q, ".place")?.value;
    const lat = field(q, ".lat").value;
    const lon = field(q, ".lon").value;
    if (place) value.place = place;
    if (lat && lon) {
      Object.assign(value, { lat: Number(lat), lon: Number(lon) });
      const accuracy = field(q, ".accuracy")?.value;
      const source = field(q, ".source")?.value;
      if (accuracy) value.accuracy = Number(accuracy);
      if (source) value.source = source;
    }
    return Object.keys(value).length ? value : undefined;
  }
  if (["single", "scale", "yesno"].includes(type)) {
    const checked = own(q, "input:checked")[0];
    if (!checked) return undefined;
    if (type === "scale") return Number(checked.value);
    if (type === "yesno") return checked.value === "true";
    return checked.value;
  }
  const raw = own(q, "input, textarea, select")[0].value.trim();
  if (raw === "") return undefined;
  if (type === "number") {
    const number = Number(raw.replace(",", ".").replace("\u2212", "-"));
    return Number.isFinite(number) ? number : raw;
  }
  return raw;
}

/** Puts an answer (as readAnswer gives it, or undefined) back into the question. */
export function writeAnswer(q, value) {
  const { type } = q.dataset;
  if (type === "group") {
    q.writeEntries?.(value || []);
    return;
  }
  if (type === "photo") {
    q.dataset.photos = JSON.stringify(Array.isArray(value) ? value : []);
    q.showPhotos?.();
    return;
  }
  if (type === "location") {
    const v = value || {};
    for (const key of ["place", "lat", "lon", "accuracy", "source"]) {
      const input = field(q, `.${key}`);
      if (input) input.value = v[key] ?? "";
    }
    q.showPosition?.();
    return;
  }
  if (["single", "multi", "scale", "yesno"].includes(type)) {
    const chosen = (Array.isArray(value) ? value : isAnswered(value) ? [value] : []).map(String);
    for (const input of own(q, "input")) input.checked = chosen.includes(input.value);
    return;
  }
  own(q, "input, textarea, select")[0].value = isAnswered(value) ? String(value) : "";
}

/** Every question's answer, hidden or not: what a draft keeps. */
export function rawAnswers(questions) {
  const answers = {};
  for (const q of questions) {
    const value = readAnswer(q);
    if (isAnswered(value)) answers[q.dataset.id] = value;
  }
  return answers;
}

/** The answers of the questions their conditions show, in order; `context` holds the
 * answers outside (the walk's own, for an entry of a group). Hides the others. */
export function visibleOf(questions, raw, context = {}, { hide = false } = {}) {
  const answers = {};
  for (const q of questions) {
    const visible = conditionsOf(q).every((c) => holds(c, { ...context, ...answers }));
    if (hide) q.hidden = !visible;
    if (visible && isAnswered(raw[q.dataset.id])) answers[q.dataset.id] = raw[q.dataset.id];
  }
  return answers;
}

export function problemOf(q, value, msg, live = true) {
  if (!isAnswered(value)) return "required" in q.dataset ? msg("msgRequired") : null;
  const { type, maxChoices } = q.dataset;
  if (type === "multi" && maxChoices && value.length > Number(maxChoices)) {
    return msg("msgTooMany", { limit: maxChoices });
  }
  if (type === "number") {
    const input = own(q, "input")[0];
    if (typeof value !== "number" || (live && !input.checkValidity())) return msg("msgInvalid");
  }
  return null;
}

export function markProblem(q, problem) {
  const error = own(q, ".error")[0];
  if (!error) return;
  error.hidden = !problem;
  error.textContent = problem || "";
  const target = own(q, "fieldset")[0] || own(q, "input, textarea, select")[0] ||
    q.querySelector("[data-entries]");
  if (!target) return;
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

/** The question's label as the page shows it, without "(required)". */
export function labelOf(q) {
  const label = own(q, "legend, label, .group-heading")[0];
  return label ? label.firstChild.textContent.trim() : q.dataset.id;
}

/** The first control of a question, to take the focus. */
export function focusTarget(q) {
  return own(q, "input:not([type=hidden]), textarea, select, button")[0] || q;
}
